import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeBigCommerceError } from '../../lib/bigcommerce/errors';
import { createAgent, createTransport, type HttpRequest, type HttpResponse, type RequestFunction } from '../../lib/http/transport';
import { JsonStateStore } from '../../lib/node-red/state-store';
import type { SageItem } from '../../lib/sage100/types';
import { pushInventory, type InventoryPushOptions, type PushSummary, type StockSettings } from '../../lib/sync/stock';
import { startTestStore, type TestStore } from '../support/bigcommerce';

const settings: StockSettings = { warehouses: [], subtractBackOrders: false, safetyStock: 0, priceColumn: 'StandardUnitPrice' };

function sageItem(code: string, onHand: number, price?: number): SageItem {
  return {
    ItemCode: code,
    ...(price !== undefined && { StandardUnitPrice: price }),
    warehouses: [{ WarehouseCode: '000', QuantityOnHand: onHand, QuantityOnSalesOrder: 0, QuantityOnBackOrder: 0 }],
  };
}

const PRODUCTS = 45;
const VARIANTS_EACH = 50;
const variantSkus = Array.from({ length: PRODUCTS * VARIANTS_EACH }, (_, i) => `V-${i}`);

describe('inventory push against the BigCommerce simulator', () => {
  const agent = createAgent();
  let sim: TestStore;
  let directory: string;
  let files: JsonStateStore;
  let request: RequestFunction;

  beforeEach(async () => {
    sim = await startTestStore({ quota: { requests: 10_000, windowMs: 30_000 } });
    directory = await mkdtemp(join(tmpdir(), 'inventory-push-'));
    files = new JsonStateStore(directory);
    request = createTransport({
      baseUrl: `${sim.apiUrl}/stores/${sim.storeHash}`,
      dispatcher: agent,
      timeoutMs: 10_000,
      service: 'BigCommerce',
      defaultHeaders: { 'x-auth-token': sim.accessToken },
      describeError: describeBigCommerceError,
    });
    for (let p = 0; p < PRODUCTS; p++) {
      sim.store.addProduct({
        sku: `PROD-${p}`,
        price: 1,
        variants: Array.from({ length: VARIANTS_EACH }, (_, v) => ({ sku: `V-${p * VARIANTS_EACH + v}`, options: { Pick: `o${v}` }, inventory_level: 0 })),
      });
    }
  });
  afterEach(async () => {
    await sim.close();
    await rm(directory, { recursive: true, force: true });
  });
  after(() => agent.close());

  function push(items: SageItem[], options: Partial<InventoryPushOptions> = {}): Promise<PushSummary> {
    return pushInventory({ items, settings, request, locationId: 1, fullResync: false, state: { files, key: 'push-1', store: sim.storeHash }, ...options });
  }

  const writesSince = (from: number) => sim.exchanges.slice(from).filter((exchange) => exchange.method === 'PUT').length;

  it('shows Sage stock and price in the store, pushing only what changed, with the expected number of calls', async () => {
    const items = variantSkus.map((sku, i) => sageItem(sku, i % 97, 10 + (i % 13)));
    const first = await push(items);
    await sim.inventorySettled();
    const lookups = 2 * Math.ceil(variantSkus.length / 250);
    assert.deepEqual(first.calls, { lookups, stock: Math.ceil(2_250 / 2_000), prices: Math.ceil(2_250 / 50), total: lookups + 2 + 45 });
    assert.deepEqual(first.changed, { stock: 2_250, price: 2_250 });
    assert.deepEqual(first.pushed, { stock: 2_250, price: 2_250 });
    assert.equal(sim.store.stockOf('V-100'), 100 % 97);
    assert.equal(sim.store.priceOf('V-100'), 10 + (100 % 13));

    // Sage changes: 130 stock levels, 70 prices.
    const changed = items.map((item, i) => {
      const quantity = item.warehouses[0]!.QuantityOnHand + (i < 130 ? 1_000 : 0);
      return sageItem(item.ItemCode, quantity, (item.StandardUnitPrice ?? 0) + (i >= 2_000 && i < 2_070 ? 0.5 : 0));
    });
    const before = sim.exchanges.length;
    const second = await push(changed);
    await sim.inventorySettled();
    assert.deepEqual(second.calls, { lookups: 0, stock: Math.ceil(130 / 2_000), prices: Math.ceil(70 / 50), total: 3 });
    assert.equal(sim.exchanges.length - before, 3, 'the store saw exactly those calls');
    assert.deepEqual(second.changed, { stock: 130, price: 70 });
    assert.equal(second.skipped, 2_250 - 200);
    assert.equal(sim.store.stockOf('V-5'), 5 + 1_000);
    assert.equal(sim.store.priceOf('V-2001'), 10 + (2_001 % 13) + 0.5);

    const third = await push(changed);
    assert.equal(third.calls.total, 0);
    assert.equal(writesSince(before + 3), 0);
    assert.deepEqual(third.changed, { stock: 0, price: 0 });
  });

  it('reports SKUs the store does not know, and looks up only those', async () => {
    const items = [sageItem('V-1', 5, 3), sageItem('NOT-IN-STORE', 2, 4), sageItem('ALSO-MISSING', 1)];
    const first = await push(items);
    assert.deepEqual(first.unknownSkus.sort(), ['ALSO-MISSING', 'NOT-IN-STORE']);
    assert.deepEqual(first.pushed, { stock: 1, price: 1 });
    assert.deepEqual(first.calls, { lookups: 2, stock: 1, prices: 1, total: 4 });

    const second = await push(items);
    assert.deepEqual(second.unknownSkus.sort(), ['ALSO-MISSING', 'NOT-IN-STORE']);
    assert.deepEqual(second.calls, { lookups: 2, stock: 0, prices: 0, total: 2 }, 'unknown SKUs are looked for again, nothing else');
  });

  it('leaves an item the store refuses for the next run, and pushes the rest', async () => {
    const kit = sim.store.addProduct({ sku: 'KIT', inventory_tracking: 'product', variants: [{ sku: 'KIT-A', options: { Colour: 'red' } }] });
    const items = [sageItem('V-1', 5, 3), sageItem('KIT-A', 9, 30)];
    const first = await push(items);
    assert.deepEqual(first.pushed, { stock: 1, price: 2 });
    assert.deepEqual(first.failed, { stock: 1, price: 0 });
    assert.equal(first.failures[0]?.sku, 'KIT-A');
    assert.equal(first.failures[0]?.field, 'stock');
    assert.match(first.failures[0]!.message, /tracked by product/);
    assert.equal(sim.store.stockOf('V-1'), 5);
    assert.equal(sim.store.priceOf('KIT-A'), 30);

    // The store owner switches KIT to variant tracking; the refused level goes through on the next run.
    kit.inventoryTracking = 'variant';
    const second = await push(items);
    assert.deepEqual(second.changed, { stock: 1, price: 0 });
    assert.deepEqual(second.pushed, { stock: 1, price: 0 });
    assert.equal(second.calls.lookups, 2, 'the SKU whose write failed is looked up again (products, then inventory items)');
    assert.equal(sim.store.stockOf('KIT-A'), 9);
  });

  it('leaves an item a 207 answer does not confirm for the next run', async () => {
    const items = variantSkus.slice(0, 3).map((sku) => sageItem(sku, 2, 9));
    const unconfirmed = sim.store.variantBySku('V-1')!.id;
    const direct = request;
    // BigCommerce's partial success: the batch answers 207 and leaves V-1 out of `data`.
    request = async <T>(req: HttpRequest) => {
      const response = await direct<{ data: Array<{ id: number }> }>(req);
      if (req.method !== 'PUT' || req.path !== '/v3/catalog/variants') return response as HttpResponse<T>;
      const body = { ...response.body, data: response.body.data.filter((row) => row.id !== unconfirmed), errors: { status: 422, title: 'Some variants were not saved' } };
      return { ...response, status: 207, body } as HttpResponse<T>;
    };
    const first = await push(items);
    assert.deepEqual(first.pushed, { stock: 3, price: 2 });
    assert.deepEqual(first.failures.map((failure) => [failure.sku, failure.field, failure.message]), [['V-1', 'price', 'Some variants were not saved']]);
    request = direct;
    const second = await push(items);
    assert.deepEqual(second.changed, { stock: 0, price: 1 });
    assert.deepEqual(second.pushed, { stock: 0, price: 1 });
  });

  describe('items the store did not confirm are sent again with the next run, which carries only later changes', () => {
    it('after a run a wrong token stopped', async () => {
      const direct = request;
      request = createTransport({
        baseUrl: `${sim.apiUrl}/stores/${sim.storeHash}`,
        dispatcher: agent,
        timeoutMs: 10_000,
        service: 'BigCommerce',
        defaultHeaders: { 'x-auth-token': 'a-wrong-token' },
        describeError: describeBigCommerceError,
      });
      await assert.rejects(push([sageItem('V-1', 11, 4), sageItem('V-2', 12, 5)]), (err: Error & { code?: string }) => err.code === 'bigcommerce.unauthorized');
      request = direct;
      // The items poll has moved its cursor on: the next run brings only what changed since.
      const next = await push([sageItem('V-3', 13, 6)]);
      assert.equal(next.resent, 2);
      assert.deepEqual(next.pushed, { stock: 3, price: 3 });
      assert.equal(next.pending, 0);
      assert.deepEqual([1, 2, 3].map((n) => [sim.store.stockOf(`V-${n}`), sim.store.priceOf(`V-${n}`)]), [[11, 4], [12, 5], [13, 6]]);
      const after = await push([]);
      assert.deepEqual([after.resent, after.calls.total], [0, 0], 'nothing is sent twice once confirmed');
    });

    it('after a partial 207 answer, with Sage\'s newer value when the item changed meanwhile', async () => {
      const unconfirmed = sim.store.variantBySku('V-1')!.id;
      const direct = request;
      request = async <T>(req: HttpRequest) => {
        const response = await direct<{ data: Array<{ id: number }> }>(req);
        if (req.method !== 'PUT' || req.path !== '/v3/catalog/variants') return response as HttpResponse<T>;
        const body = { ...response.body, data: response.body.data.filter((row) => row.id !== unconfirmed), errors: { status: 422, title: 'Some variants were not saved' } };
        return { ...response, status: 207, body } as HttpResponse<T>;
      };
      const first = await push([sageItem('V-0', 2, 9), sageItem('V-1', 2, 9), sageItem('V-4', 2, 9)]);
      assert.deepEqual([first.failed, first.pending], [{ stock: 0, price: 1 }, 1]);
      request = direct;
      assert.deepEqual((await push([])).pushed, { stock: 0, price: 1 });
      assert.equal(sim.store.priceOf('V-1'), 9);

      request = async <T>(req: HttpRequest) => {
        const response = await direct<{ data: Array<{ id: number }> }>(req);
        if (req.method !== 'PUT' || req.path !== '/v3/catalog/variants') return response as HttpResponse<T>;
        return { ...response, status: 207, body: { ...response.body, data: [] } } as HttpResponse<T>;
      };
      await push([sageItem('V-1', 2, 10)]);
      request = direct;
      const newer = await push([sageItem('V-1', 2, 11)]);
      assert.equal(newer.resent, 0, 'the newer copy of the item replaces the pending one');
      assert.equal(sim.store.priceOf('V-1'), 11);
    });

    it('after a value the store refuses (422), again on every run until the store takes it', async () => {
      const kit = sim.store.addProduct({ sku: 'KIT', inventory_tracking: 'product', variants: [{ sku: 'KIT-A', options: { Colour: 'red' } }] });
      const first = await push([sageItem('KIT-A', 9, 30), sageItem('NOT-IN-STORE', 1, 1)]);
      assert.deepEqual([first.failed.stock, first.pending], [1, 1], 'an unknown SKU is not kept: the store has nothing to take it');
      const still = await push([]);
      assert.deepEqual([still.resent, still.failed.stock, still.pending], [1, 1, 1]);
      kit.inventoryTracking = 'variant';
      const taken = await push([]);
      assert.deepEqual([taken.resent, taken.pushed.stock, taken.pending], [1, 1, 0]);
      assert.equal(sim.store.stockOf('KIT-A'), 9);
    });
  });

  it('pushes everything again on a full resync', async () => {
    const items = variantSkus.slice(0, 120).map((sku) => sageItem(sku, 4, 2));
    await push(items);
    const resync = await push(items, { fullResync: true });
    assert.deepEqual(resync.changed, { stock: 120, price: 120 });
    assert.deepEqual(resync.calls, { lookups: 0, stock: 1, prices: 3, total: 4 });
    assert.equal(resync.fullResync, true);
  });

  it('keeps what the store confirmed when a run stops half way', async () => {
    const items = variantSkus.slice(0, 60).map((sku) => sageItem(sku, 8, 6));
    sim.faults.add({ kind: 'error', route: 'PUT /v3/catalog/variants', status: 503, times: 1 });
    await assert.rejects(push(items), (err: Error & { code?: string }) => err.code === 'bigcommerce.unavailable');
    assert.equal(sim.store.stockOf('V-59'), 8);
    const resumed = await push(items);
    assert.deepEqual(resumed.changed, { stock: 0, price: 60 });
    assert.deepEqual(resumed.calls, { lookups: 0, stock: 0, prices: 2, total: 2 });
    assert.equal(sim.store.priceOf('V-59'), 6);
  });

  it('reads the snapshot and pending items in the forms written before the compact ones, and writes the compact ones', async () => {
    await push([sageItem('V-0', 2, 9)]);
    const target = `${sim.storeHash}#location-1`;
    await files.write('push-1.snapshot', { version: 2, target, skus: ['V-0'], stock: [2], price: [9] });
    await files.write('push-1.pending', { version: 1, target, items: [sageItem('V-1', 3, 4)] });
    const upgraded = await push([sageItem('V-0', 2, 9)]);
    assert.equal(upgraded.resent, 1, 'the pending item of the old form is sent again');
    assert.deepEqual([upgraded.changed, upgraded.pushed], [{ stock: 1, price: 1 }, { stock: 1, price: 1 }], 'V-0 is known from the old snapshot: only V-1 is pushed');
    assert.deepEqual([sim.store.stockOf('V-1'), sim.store.priceOf('V-1')], [3, 4]);
    assert.equal((await files.read<{ version: number }>('push-1.snapshot'))?.version, 3);
    assert.equal((await files.read<{ version: number }>('push-1.pending'))?.version, 2);
    assert.equal((await push([sageItem('V-0', 2, 9), sageItem('V-1', 3, 4)])).calls.total, 0, 'and the compact forms read back');
  });

  it('pushes everything once when its state file is unreadable', async () => {
    const items = variantSkus.slice(0, 3).map((sku) => sageItem(sku, 1, 1));
    await push(items);
    await writeFile(join(directory, 'push-1.snapshot.json'), '{"version":1,"tar');
    const summary = await push(items);
    assert.deepEqual(summary.pushed, { stock: 3, price: 3 });
    assert.equal((await push(items)).calls.total, 0, 'and a sound file again afterwards');
  });

  it('starts over when the store or the location changes', async () => {
    sim.store.catalog.addLocation({ id: 2 });
    const items = variantSkus.slice(0, 3).map((sku) => sageItem(sku, 1, 1));
    await push(items);
    const otherLocation = await push(items, { locationId: 2 });
    assert.deepEqual(otherLocation.changed, { stock: 3, price: 3 });
    assert.equal(sim.store.stockOf('V-2', 2), 1);
    const otherStore = await push(items, { locationId: 2, state: { files, key: 'push-1', store: 'another-store' } });
    assert.equal(otherStore.calls.lookups, 2, 'ids from another store are not used');
  });
});
