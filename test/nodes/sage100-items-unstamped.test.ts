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
 * the store within one change poll; an ended promotion reverts within one poll; level-2 prices with their quantity
 * breaks become the level's price list; inactive and discontinued items are kept off sale and Sage items the store
 * lacks are listed — through the real nodes: sage100-items (changes mode) → inventory push, against the agent over
 * the BOI emulator and the store simulator.
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

  it("pushes Sage's level-2 prices, read from IM_PriceCode through the agent, as the level's price list with its quantity breaks", async () => {
    // Level 2 pays 5 % off up to 9 units, 10 % off from 10 to 49, 15 % off from 50.
    sage.company.addPriceCode({ ItemCode: 'BOLT-10', CustomerPriceLevel: '2', PricingMethod: 'D', breaks: [{ quantity: 9, discountMarkup: 5 }, { quantity: 49, discountMarkup: 10 }, { quantity: 99_999_999, discountMarkup: 15 }] });
    await load(true, { priceColumn: 'StandardUnitPrice', priceLevels: '2', currency: 'USD' });
    now = new Date('2026-03-02T09:01:00Z');
    const { summary } = await poll();
    assert.deepEqual(summary.priceLists?.levels.map((level) => [level.level, level.records]), [['2', 1]], 'one record: NUT-10 has no level-2 price code');
    const list = store.store.pricing.priceListByName('Sage price level 2');
    assert.ok(list);
    const record = store.store.pricing.recordsOf(list.id).get([...store.store.pricing.recordsOf(list.id).keys()][0]!);
    assert.deepEqual([record?.sku, record?.price, record?.bulkTiers], [
      'BOLT-10',
      1.9,
      [
        { quantity_min: 10, quantity_max: 49, type: 'fixed', amount: 1.8 },
        { quantity_min: 50, type: 'fixed', amount: 1.7 },
      ],
    ]);
    assert.equal(store.store.priceOf('BOLT-10'), 2, 'the catalog price stays the standard price');
  });

  for (const inactiveItems of ['zero', 'hide'] as const) {
    it(`keeps inactive and discontinued Sage items off sale (${inactiveItems}) and lists the Sage items the store lacks`, async () => {
      sage.company.addItem({ ItemCode: 'OLD-BOLT', ItemCodeDesc: 'Old bolt', StandardUnitPrice: 2, InactiveItem: 'Y', warehouses: [{ WarehouseCode: '000', QuantityOnHand: 8 }] });
      sage.company.addItem({ ItemCode: 'LAST-NUT', ItemCodeDesc: 'Last nut', StandardUnitPrice: 1, ProductType: 'D', warehouses: [{ WarehouseCode: '000', QuantityOnHand: 5 }] });
      sage.company.addItem({ ItemCode: 'NEW-WASHER', ItemCodeDesc: 'Washer', StandardUnitPrice: 1, warehouses: [{ WarehouseCode: '000', QuantityOnHand: 7 }] });
      store.store.addProduct({ sku: 'OLD-BOLT', price: 2, inventory_level: 3 });
      store.store.addProduct({ sku: 'LAST-NUT', price: 1, inventory_level: 3 });
      await load(true, { inactiveItems });
      now = new Date('2026-03-02T09:01:00Z');
      const { summary } = await poll();
      const visible = (sku: string) => store.store.product(store.store.variantBySku(sku)!.productId)!.isVisible;
      if (inactiveItems === 'zero') {
        assert.deepEqual([store.store.stockOf('OLD-BOLT'), store.store.stockOf('LAST-NUT')], [0, 0], 'offered at stock 0');
      } else {
        assert.deepEqual(summary.offSale, { hidden: 2, restored: 0 });
        assert.deepEqual([visible('OLD-BOLT'), visible('LAST-NUT')], [false, false], 'taken off sale');
      }
      assert.deepEqual([store.store.stockOf('BOLT-10'), visible('BOLT-10')], [10, true], 'an item for sale stays on sale');
      assert.deepEqual(summary.unknownSkus, ['NEW-WASHER'], 'the Sage item the store does not have is listed');
    });
  }

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
