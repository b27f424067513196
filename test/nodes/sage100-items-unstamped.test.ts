import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpsRequest } from 'node:https';
import bigcommerceConfig from '../../nodes/bigcommerce/bigcommerce-config';
import inventoryPush from '../../nodes/bigcommerce/bigcommerce-inventory-push';
import sage100Config from '../../nodes/sage100/sage100-config';
import sage100Items from '../../nodes/sage100/sage100-items';
import type { PushSummary } from '../../lib/sync/stock';
import { SageCompany } from '../../sandbox/sage100/company';
import { startSage100Simulator, type Sage100Simulator } from '../../sandbox/sage100/index';
import { startTestStore, type TestStore } from '../support/bigcommerce';
import { helper, nextMessage, startWithUserDir } from '../support/node-red';

/**
 * Issue 15, "Must show": a receipt Sage did not stamp (a purchase-order receipt, a Visual Integrator import) reaches
 * the store within one change poll — through the real nodes: sage100-items (changes mode) → inventory push, against
 * the agent over the BOI emulator and the store simulator.
 */

const at = { x: 100, y: 100 };

/** The sandbox's test route, over HTTPS like any client of the agent. */
function simReceipt(sim: Sage100Simulator, body: { itemCode: string; warehouseCode: string; quantity: number }): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL('/__sim/receipt', sim.agentUrl);
    const req = httpsRequest(url, { method: 'POST', ca: sim.certificatePem, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('sage100-items → inventory push: quantity changes Sage did not stamp', function () {
  this.timeout(30_000);
  let sage: Sage100Simulator;
  let store: TestStore;
  let stopNodeRed: () => Promise<void>;
  let agentData: string;
  let now: Date;

  beforeEach(async () => {
    now = new Date('2026-03-02T09:00:00Z');
    const company = new SageCompany({ now: () => now, warehouses: ['000', 'EST'] });
    company.addItem({ ItemCode: 'BOLT-10', ItemCodeDesc: 'Bolt', StandardUnitPrice: 2, warehouses: [{ WarehouseCode: '000', QuantityOnHand: 10 }] });
    company.addItem({ ItemCode: 'NUT-10', ItemCodeDesc: 'Nut', StandardUnitPrice: 1, warehouses: [{ WarehouseCode: '000', QuantityOnHand: 4 }] });
    agentData = await mkdtemp(join(tmpdir(), 'agent-data-'));
    sage = await startSage100Simulator({ company, dataDir: agentData });
    store = await startTestStore({ quota: { requests: 10_000, windowMs: 30_000 } });
    store.store.addProduct({ sku: 'BOLT-10', price: 2, inventory_level: 0 });
    store.store.addProduct({ sku: 'NUT-10', price: 1, inventory_level: 0 });
    ({ stop: stopNodeRed } = await startWithUserDir('unstamped-'));
  });
  afterEach(async () => {
    await stopNodeRed();
    await sage.close();
    await store.close();
    await rm(agentData, { recursive: true, force: true });
  });

  async function load(unstampedStock: boolean, push: Record<string, unknown> = {}) {
    await helper.load(
      [sage100Config, sage100Items, bigcommerceConfig, inventoryPush],
      [
        { id: 'tab', type: 'tab' },
        { id: 'sage', type: 'sage100-config', mode: 'agent', agentUrl: sage.agentUrl, companyCode: 'ABC', tlsMode: 'pin', pinSha256: sage.fingerprint256, timeoutMs: 5000 },
        { id: 'bc', type: 'bigcommerce-config', storeHash: store.storeHash, apiUrl: store.apiUrl, timeout: 10 },
        { id: 'items', z: 'tab', ...at, type: 'sage100-items', sage100: 'sage', mode: 'changes', warehouses: '', pageSize: 200, unstampedStock, wires: [['push']] },
        { id: 'push', z: 'tab', ...at, type: 'bigcommerce-inventory-push', bigcommerce: 'bc', warehouses: '', subtractBackOrders: false, safetyStock: '0', priceColumn: '', locationId: '1', wires: [['out']], ...push },
        { id: 'out', z: 'tab', ...at, type: 'helper' },
      ],
      { sage: { apiKey: sage.apiKey }, bc: { accessToken: store.accessToken } },
    );
  }

  /** One change poll: the items node's trigger, answered by the push's summary. */
  async function poll(): Promise<{ summary: PushSummary; unstamped?: { items: number; scanned: number; baseline: boolean } }> {
    const done = nextMessage<{ payload: PushSummary; sage100: { items: { unstamped?: { items: number; scanned: number; baseline: boolean } } } }>(helper.getNode('out'), 15_000);
    helper.getNode('items').receive({ payload: 'tick' });
    const msg = await done;
    // The items node saves its cursor and token after handing the items on; its green status follows.
    await new Promise((resolve) => setTimeout(resolve, 200));
    return { summary: msg.payload, unstamped: msg.sage100.items.unstamped };
  }

  it('brings an unstamped receipt to the store on the next poll, and only the item it touched', async () => {
    await load(true);
    now = new Date('2026-03-02T09:01:00Z');
    const first = await poll();
    assert.equal(first.unstamped?.baseline, true, 'the first poll takes the baseline');
    assert.equal(store.store.stockOf('BOLT-10'), 10);

    now = new Date('2026-03-02T09:05:00Z');
    const before = sage.company.listStock({ itemCodes: ['BOLT-10'] })[0]!;
    assert.equal(await simReceipt(sage, { itemCode: 'BOLT-10', warehouseCode: '000', quantity: 25 }), 200);
    const after = sage.company.listStock({ itemCodes: ['BOLT-10'] })[0]!;
    assert.equal(after.QuantityOnHand, 35);
    assert.deepEqual([after.DateUpdated, after.TimeUpdated], [before.DateUpdated, before.TimeUpdated], 'Sage did not stamp the receipt');

    const second = await poll();
    assert.equal(second.unstamped?.items, 1, 'one item found only by the comparison');
    assert.equal(second.unstamped?.scanned, 2, 'both item-warehouse rows compared on the Sage side');
    assert.equal(second.summary.items, 1);
    assert.equal(store.store.stockOf('BOLT-10'), 35, 'the receipt reached the store within one poll');
    assert.equal(store.store.stockOf('NUT-10'), 4);
    assert.deepEqual(await readdir(join(agentData, 'stock-snapshots')), ['ABC-node-red.items.json'], "the agent keeps the client's generations in its data folder");

    const third = await poll();
    assert.equal(third.unstamped?.items, 0, 'nothing changed since');
    assert.equal(third.summary.items, 0);
  });

  it("shows a Sage promotion as the sale price only between its dates (Sage's clock), and reverts it within one poll once it ends", async () => {
    sage.company.addItem({
      ItemCode: 'GADGET-2',
      StandardUnitPrice: 6,
      SalesPromotionPrice: 4.5,
      SaleStartingDate: '20260303',
      SaleEndingDate: '20260305',
      SaleMethod: 'P',
      warehouses: [{ WarehouseCode: '000', QuantityOnHand: 3 }],
    });
    store.store.addProduct({ sku: 'GADGET-2', price: 6, inventory_level: 0 });
    await load(true, { salePromotions: true, priceColumn: 'StandardUnitPrice' });
    now = new Date('2026-03-02T09:01:00Z');
    const before = await poll();
    assert.equal(store.store.priceOf('GADGET-2'), 6, 'not yet: the promotion starts tomorrow');
    assert.deepEqual(before.summary.salePrices, { set: 0, removed: 0 });

    // Nothing changes in Sage when a promotion starts or ends: only the date moves.
    now = new Date('2026-03-03T08:00:00Z');
    const started = await poll();
    assert.equal(started.summary.items, 0, 'no Sage item changed');
    assert.deepEqual(started.summary.salePrices, { set: 1, removed: 0 });
    assert.equal(store.store.priceOf('GADGET-2'), 4.5);

    now = new Date('2026-03-05T17:00:00Z');
    assert.deepEqual((await poll()).summary.salePrices, { set: 0, removed: 0 }, 'still on its last day');

    now = new Date('2026-03-06T08:00:00Z');
    const ended = await poll();
    assert.deepEqual(ended.summary.salePrices, { set: 0, removed: 1 });
    assert.equal(store.store.priceOf('GADGET-2'), 6, 'the ended promotion reverted within one poll');
    assert.deepEqual((await poll()).summary.salePrices, { set: 0, removed: 0 }, 'and is forgotten');
  });

  it('misses the same receipt when the comparison is off (the gap it closes)', async () => {
    await load(false);
    now = new Date('2026-03-02T09:01:00Z');
    await poll();
    now = new Date('2026-03-02T09:05:00Z');
    assert.equal(await simReceipt(sage, { itemCode: 'BOLT-10', warehouseCode: '000', quantity: 25 }), 200);
    const second = await poll();
    assert.equal(second.unstamped, undefined);
    assert.equal(second.summary.items, 0);
    assert.equal(store.store.stockOf('BOLT-10'), 10);
  });
});
