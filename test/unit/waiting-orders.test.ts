import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonStateStore } from '../../lib/node-red/state-store';
import { SageItemTable } from '../../lib/sage100/item-table';
import type { SageItem } from '../../lib/sage100/types';
import { planPush } from '../../lib/sync/push-plan';
import { WaitingOrderLedger, holdsStoreStock, storeOrderLines, waitingOrdersOf } from '../../lib/sync/waiting-orders';

const DAY = 86_400_000;

/** A fixture's order (two lines: BOX-STD-50 × 2, TAPE-CLR × 12) in the status asked for. */
function order(id: number, statusId: number, change?: (lines: Array<{ sku: string; quantity: number; quantity_refunded?: number }>) => void): Record<string, unknown> {
  const { order: raw } = JSON.parse(readFileSync(join(__dirname, '../fixtures/orders/mixed-b2b-two-addresses-handling.json'), 'utf8')) as { order: Record<string, unknown> };
  const consignments = raw.consignments as { shipping: Array<{ line_items: Array<{ sku: string; quantity: number; quantity_refunded?: number }> }> };
  change?.(consignments.shipping.flatMap((consignment) => consignment.line_items));
  return { ...raw, id, status_id: statusId };
}

describe('waiting-order ledger', () => {
  let directory: string;
  let files: JsonStateStore;
  let clock: number;
  const ledger = () => new WaitingOrderLedger(files, 'abc123', () => clock);

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'waiting-orders-'));
    files = new JsonStateStore(directory);
    clock = Date.UTC(2026, 11, 1);
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  it("reads an order's SKUs and units, less what was refunded", () => {
    assert.deepEqual(storeOrderLines(order(1, 7)), [['BOX-STD-50', 2], ['TAPE-CLR', 12]]);
    const refunded = order(1, 7, (lines) => Object.assign(lines[1]!, { quantity_refunded: 12 }));
    assert.deepEqual(storeOrderLines(refunded), [['BOX-STD-50', 2]]);
  });

  it('holds the units of a waiting order until it is mapped into a sales order', async () => {
    const book = ledger();
    await book.noteOrder(order(5002, 7), true);
    await book.noteOrder(order(5003, 12, (lines) => (lines[0]!.quantity = 1)), true);
    const held = await book.held(30);
    assert.equal(held.units('BOX-STD-50'), 3);
    assert.equal(held.units('TAPE-CLR'), 24);
    assert.equal(held.units('OTHER'), 0);
    assert.equal(held.ordersHolding(['BOX-STD-50']), 2);
    // Now Awaiting Fulfillment: mapped, Sage's quantity on sales order counts it from here.
    await book.noteOrder(order(5002, 11), false);
    assert.equal((await book.held(30)).units('BOX-STD-50'), 1);
    assert.deepEqual(await book.orderIds(), [5003]);
  });

  it('keeps holding an order held for a person or as invalid (not in Sage either); only imported or mapped releases it', async () => {
    assert.deepEqual((['wait', 'needs-attention', 'invalid', 'imported'] as const).map(holdsStoreStock), [true, true, true, false]);
    const book = ledger();
    await book.noteOrder(order(5002, 11), holdsStoreStock('needs-attention'));
    assert.equal((await book.held(30)).units('BOX-STD-50'), 2);
    await book.noteOrder(order(5002, 11), holdsStoreStock('imported'));
    assert.deepEqual(await book.orderIds(), []);
  });

  it('releases a waiting order that is cancelled, declined or refunded (BigCommerce gives the units back)', async () => {
    const book = ledger();
    for (const id of [1, 2, 3]) await book.noteOrder(order(id, 1), true);
    // The gate holds them as `wait` still: they are not import statuses.
    await book.noteOrder(order(1, 5), true);
    await book.noteOrder(order(2, 6), true);
    await book.noteOrder(order(3, 4), true);
    assert.deepEqual(await book.orderIds(), []);
    assert.equal((await book.held(30)).skuCount, 0);
  });

  it('forgets an order held longer than the age limit, counted from when it was first held', async () => {
    const book = ledger();
    await book.noteOrder(order(1, 1), true);
    clock += 20 * DAY;
    // A status change 20 days on does not restart its age.
    await book.noteOrder(order(1, 7), true);
    await book.noteOrder(order(2, 7, (lines) => (lines[0]!.quantity = 5)), true);
    clock += 11 * DAY;
    const held = await book.held(30);
    assert.equal(held.units('BOX-STD-50'), 5);
    assert.deepEqual(await book.orderIds(), [2]);
    assert.equal((await ledger().held(30)).units('BOX-STD-50'), 5, 'the expired order is gone from the file too');
  });

  it('keeps at most its size limit, forgetting the oldest', async () => {
    const book = new WaitingOrderLedger(files, 'abc123', () => clock, 2);
    for (const id of [1, 2, 3]) await book.noteOrder(order(id, 7), true);
    assert.deepEqual(await book.orderIds(), [2, 3]);
  });

  it('survives a restart, one ledger per store and state directory', async () => {
    await waitingOrdersOf(files, 'ABC123').noteOrder(order(9, 7), true);
    assert.equal(waitingOrdersOf(files, 'abc123'), waitingOrdersOf(files, ' ABC123 '), 'the mapper and the push meet on the same ledger');
    assert.deepEqual(await ledger().orderIds(), [9], 'a new process reads it from the file');
    assert.deepEqual(await new WaitingOrderLedger(files, 'other').orderIds(), []);
    assert.deepEqual(await waitingOrdersOf(new JsonStateStore(join(directory, 'elsewhere')), 'abc123').orderIds(), []);
  });

  it('the push plan takes held units off the level, never below 0, and says how many', async () => {
    const book = ledger();
    await book.noteOrder(order(1, 7, (lines) => (lines[0]!.quantity = 3)), true);
    const item = (code: string, onHand: number): SageItem => ({ ItemCode: code, warehouses: [{ WarehouseCode: '000', QuantityOnHand: onHand, QuantityOnSalesOrder: 0, QuantityOnBackOrder: 0 }] });
    const items = SageItemTable.from([item('BOX-STD-50', 10), item('TAPE-CLR', 5), item('MUG', 4)]);
    const plan = planPush(items, { settings: { warehouses: [], subtractBackOrders: false, safetyStock: 0 }, held: await book.held(30) });
    assert.deepEqual(plan.stock, [
      { sku: 'BOX-STD-50', quantity: 7 },
      { sku: 'TAPE-CLR', quantity: 0 },
      { sku: 'MUG', quantity: 4 },
    ]);
    assert.deepEqual(plan.heldBack, { units: 8, skus: ['BOX-STD-50', 'TAPE-CLR'] });
  });
});
