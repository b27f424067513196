import assert from 'node:assert/strict';
import { CatalogCalls, SkuCache, namedRecords, type BatchOutcome, type StockWrite } from '../../lib/bigcommerce/catalog';
import { describeBigCommerceError } from '../../lib/bigcommerce/errors';
import { HttpError } from '../../lib/http/errors';
import { createAgent, createTransport, type HttpRequest, type RequestFunction } from '../../lib/http/transport';
import { startTestStore, type TestStore } from '../support/bigcommerce';

/** Every write of a run, merged from the per-batch outcomes. */
function collect<T>(): { outcome: BatchOutcome<T>; onBatch: (batch: BatchOutcome<T>) => void } {
  const outcome: BatchOutcome<T> = { succeeded: [], failed: [] };
  return {
    outcome,
    onBatch: (batch) => {
      outcome.succeeded.push(...batch.succeeded);
      outcome.failed.push(...batch.failed);
    },
  };
}

/** The exchanges of one endpoint, e.g. `PUT /v3/catalog/variants`. */
const callsTo = (sim: TestStore, endpoint: string) => sim.exchanges.filter((exchange) => `${exchange.method} /${exchange.api}${exchange.apiPath}` === endpoint);

describe('catalog calls against the BigCommerce simulator', () => {
  const agent = createAgent();
  let sim: TestStore;
  let sent: HttpRequest[];
  let calls: CatalogCalls;

  function requestFor(store: TestStore, token = store.accessToken): RequestFunction {
    const transport = createTransport({
      baseUrl: `${store.apiUrl}/stores/${store.storeHash}`,
      dispatcher: agent,
      timeoutMs: 10_000,
      service: 'BigCommerce',
      defaultHeaders: { 'x-auth-token': token },
      describeError: describeBigCommerceError,
    });
    return (request) => {
      sent.push(request);
      return transport(request);
    };
  }

  beforeEach(async () => {
    sim = await startTestStore({ quota: { requests: 10_000, windowMs: 30_000 } });
    sent = [];
    calls = new CatalogCalls(requestFor(sim));
    sim.store.addProduct({ sku: 'MUG', price: 8, inventory_level: 3 });
    sim.store.addProduct({
      sku: 'TEE',
      price: 20,
      variants: [
        { sku: 'TEE-S', options: { Size: 'S' }, inventory_level: 1 },
        { sku: 'TEE-M', options: { Size: 'M' }, inventory_level: 2 },
      ],
    });
  });
  afterEach(() => sim.close());
  after(() => agent.close());

  it('finds product SKUs through the products filter and variant SKUs through inventory items', async () => {
    const found = await calls.lookup(['MUG', 'TEE-S', 'TEE', 'NOPE', 'TEE-M']);
    const mug = sim.store.product(sim.store.variantBySku('MUG')!.productId)!;
    const small = sim.store.variantBySku('TEE-S')!;
    // A simple product comes with its base variant, whose price the variants batch (50 a call) can set.
    assert.deepEqual(found.get('MUG'), { kind: 'product', productId: mug.id, baseVariantId: mug.baseVariantId });
    assert.deepEqual(found.get('TEE'), { kind: 'product', productId: small.productId });
    assert.deepEqual(found.get('TEE-S'), { kind: 'variant', productId: small.productId, variantId: small.id });
    assert.equal(found.get('TEE-M')?.kind, 'variant');
    assert.equal(found.has('NOPE'), false);
    assert.deepEqual(calls.calls, { lookups: 2, stock: 0, prices: 0 });
  });

  it('looks up many SKUs 250 at a time', async () => {
    sim.store.addProducts(Array.from({ length: 600 }, (_, i) => ({ sku: `P-${i}`, price: 1 })));
    const skus = Array.from({ length: 600 }, (_, i) => `P-${i}`);
    const found = await calls.lookup(skus);
    assert.equal(found.size, 600);
    const lookups = callsTo(sim, 'GET /v3/catalog/products');
    assert.equal(lookups.length, 3);
    for (const exchange of lookups) {
      const listed = exchange.query['sku:in']?.split(',') ?? [];
      assert.ok(listed.length <= 250);
    }
    // Everything was a product SKU, so inventory items were not asked.
    assert.equal(calls.calls.lookups, 3);
  });

  it('sets stock with absolute adjustments, 2,000 items a call, one call after the other', async () => {
    sim.store.addProducts(Array.from({ length: 2_500 }, (_, i) => ({ sku: `S-${i}`, inventory_level: 0 })));
    const found = await calls.lookup(Array.from({ length: 2_500 }, (_, i) => `S-${i}`));
    const writes: StockWrite[] = [...found].map(([sku, item], i) => ({ sku, item, quantity: i }));
    const progress: Array<[number, number]> = [];
    const { outcome, onBatch } = collect<StockWrite>();
    await calls.setStock(writes, {
      locationId: 1,
      reason: 'Sage 100 sync',
      onBatch: (batch, settled, total) => {
        onBatch(batch);
        progress.push([settled, total]);
      },
    });
    await sim.inventorySettled();
    assert.equal(outcome.succeeded.length, 2_500);
    assert.deepEqual(progress, [
      [2_000, 2_500],
      [2_500, 2_500],
    ]);
    assert.equal(sim.store.stockOf('S-0'), 0);
    assert.equal(sim.store.stockOf('S-2499'), 2_499);
    const adjustments = callsTo(sim, 'PUT /v3/inventory/adjustments/absolute');
    assert.deepEqual(adjustments.map((exchange) => (exchange.requestBody as { items: unknown[] }).items.length), [2_000, 500]);
    assert.ok(adjustments[0]!.seq < adjustments[1]!.seq);
    assert.equal(calls.calls.stock, 2);
  });

  it('sets product stock by product id and variant stock by variant id', async () => {
    const found = await calls.lookup(['MUG', 'TEE-S']);
    await calls.setStock(
      [
        { sku: 'MUG', item: found.get('MUG')!, quantity: 40 },
        { sku: 'TEE-S', item: found.get('TEE-S')!, quantity: 7 },
      ],
      { locationId: 1, reason: 'Sage 100 sync' },
    );
    const [adjustment] = callsTo(sim, 'PUT /v3/inventory/adjustments/absolute');
    assert.deepEqual((adjustment!.requestBody as { items: unknown[] }).items, [
      { location_id: 1, product_id: found.get('MUG')!.productId, quantity: 40 },
      { location_id: 1, variant_id: sim.store.variantBySku('TEE-S')!.id, quantity: 7 },
    ]);
    assert.equal(sim.store.stockOf('MUG'), 40);
    assert.equal(sim.store.stockOf('TEE-S'), 7);
  });

  it('fails only the item BigCommerce names in a 422 and sets the rest with one more call', async () => {
    const found = await calls.lookup(['MUG', 'TEE-S', 'TEE-M']);
    const stale = { kind: 'variant' as const, productId: 999, variantId: 9_999 };
    const { outcome, onBatch } = collect<StockWrite>();
    await calls.setStock(
      [
        { sku: 'MUG', item: found.get('MUG')!, quantity: 11 },
        { sku: 'GONE', item: stale, quantity: 5 },
        { sku: 'TEE-M', item: found.get('TEE-M')!, quantity: 12 },
      ],
      { locationId: 1, reason: 'Sage 100 sync', onBatch },
    );
    assert.deepEqual(outcome.succeeded.map((write) => write.sku), ['MUG', 'TEE-M']);
    assert.equal(outcome.failed.length, 1);
    assert.equal(outcome.failed[0]!.write.sku, 'GONE');
    assert.match(outcome.failed[0]!.message, /variant_id 9999 not found/);
    assert.equal(sim.store.stockOf('MUG'), 11);
    assert.equal(sim.store.stockOf('TEE-M'), 12);
    assert.equal(calls.calls.stock, 2);
  });

  it('sets variant prices 50 a call and product prices 10 a call', async () => {
    sim.store.addProduct({
      sku: 'SOCK',
      price: 3,
      variants: Array.from({ length: 60 }, (_, i) => ({ sku: `SOCK-${i}`, options: { Pattern: `p${i}` } })),
    });
    sim.store.addProducts(Array.from({ length: 12 }, (_, i) => ({ sku: `CUP-${i}`, price: 1 })));
    const found = await calls.lookup([...Array.from({ length: 60 }, (_, i) => `SOCK-${i}`), ...Array.from({ length: 12 }, (_, i) => `CUP-${i}`)]);
    const variants = collect<{ sku: string; variantId: number; price: number }>();
    const products = collect<{ sku: string; productId: number; price: number }>();
    const variantWrites = Array.from({ length: 60 }, (_, i) => {
      const item = found.get(`SOCK-${i}`)!;
      assert.equal(item.kind, 'variant');
      return { sku: `SOCK-${i}`, variantId: item.kind === 'variant' ? item.variantId : 0, price: 4 + i / 100 };
    });
    await calls.setVariantPrices(variantWrites, variants.onBatch);
    await calls.setProductPrices(
      Array.from({ length: 12 }, (_, i) => ({ sku: `CUP-${i}`, productId: found.get(`CUP-${i}`)!.productId, price: 2.5 })),
      products.onBatch,
    );
    assert.equal(variants.outcome.succeeded.length, 60);
    assert.equal(products.outcome.succeeded.length, 12);
    assert.equal(sim.store.priceOf('SOCK-59'), 4.59);
    assert.equal(sim.store.priceOf('CUP-11'), 2.5);
    assert.deepEqual(callsTo(sim, 'PUT /v3/catalog/variants').map((exchange) => (exchange.requestBody as unknown[]).length), [50, 10]);
    assert.deepEqual(callsTo(sim, 'PUT /v3/catalog/products').map((exchange) => (exchange.requestBody as unknown[]).length), [10, 2]);
    assert.equal(calls.calls.prices, 4);
  });

  it('fails the variant a 422 batch names and saves the others', async () => {
    const small = sim.store.variantBySku('TEE-S')!;
    const { outcome, onBatch } = collect<{ sku: string; variantId: number; price: number }>();
    await calls.setVariantPrices(
      [
        { sku: 'TEE-S', variantId: small.id, price: 21 },
        { sku: 'GONE', variantId: 9_999, price: 1 },
      ],
      onBatch,
    );
    assert.deepEqual(outcome.succeeded.map((write) => write.sku), ['TEE-S']);
    assert.deepEqual(outcome.failed.map(({ write }) => write.sku), ['GONE']);
    assert.match(outcome.failed[0]!.message, /Variant 9999 was not found/);
    assert.equal(sim.store.priceOf('TEE-S'), 21);
  });

  it('fails a product the products batch cannot find (404) and saves the others', async () => {
    const mug = sim.store.variantBySku('MUG')!.productId;
    const { outcome, onBatch } = collect<{ sku: string; productId: number; price: number }>();
    await calls.setProductPrices(
      [
        { sku: 'GONE', productId: 9_999, price: 1 },
        { sku: 'MUG', productId: mug, price: 8.75 },
      ],
      onBatch,
    );
    assert.deepEqual(outcome.succeeded.map((write) => write.sku), ['MUG']);
    assert.deepEqual(outcome.failed.map(({ write }) => write.sku), ['GONE']);
    assert.equal(sim.store.priceOf('MUG'), 8.75);
    assert.equal(calls.calls.prices, 2);
  });

  it('marks every write as bulk work that is safe to repeat', async () => {
    const found = await calls.lookup(['MUG']);
    await calls.setStock([{ sku: 'MUG', item: found.get('MUG')!, quantity: 1 }], { locationId: 1, reason: 'Sage 100 sync' });
    await calls.setProductPrices([{ sku: 'MUG', productId: found.get('MUG')!.productId, price: 9 }]);
    assert.ok(sent.length >= 3);
    for (const request of sent) {
      assert.equal(request.priority, 'bulk');
      assert.equal(request.idempotent, true);
    }
  });

  it('ends the run on an error that is not about one record, without the token in it', async () => {
    const denied = new CatalogCalls(requestFor(sim, 'wrong-token-123'));
    const err = await denied.setStock([{ sku: 'MUG', item: { kind: 'product', productId: 1 }, quantity: 1 }], { locationId: 1, reason: 'x' }).catch((e: unknown) => e);
    assert.ok(err instanceof HttpError);
    assert.equal(err.code, 'bigcommerce.unauthorized');
    assert.ok(!JSON.stringify(err.toDetails()).includes('wrong-token-123'));
  });
});

describe('catalog calls: a 207 partial success', () => {
  it('keeps what the answer lists as saved and fails what it names or leaves out', async () => {
    const partial: RequestFunction = async <T>(request: HttpRequest) => ({
      status: 207,
      headers: {},
      request: { method: request.method, path: request.path },
      body: {
        data: [{ id: 1 }, { id: 2 }],
        errors: { status: 422, title: 'Inventory data failed to update', errors: { inventory_level: 'not saved for product 2' } },
        meta: {},
      } as T,
    });
    const calls = new CatalogCalls(partial);
    const { outcome, onBatch } = collect<{ sku: string; productId: number; price: number }>();
    await calls.setProductPrices(
      [1, 2, 3].map((productId) => ({ sku: `P${productId}`, productId, price: 5 })),
      onBatch,
    );
    assert.deepEqual(outcome.succeeded.map((write) => write.sku), ['P1']);
    assert.deepEqual(outcome.failed.map(({ write }) => write.sku), ['P2', 'P3']);
    assert.match(outcome.failed[0]!.message, /Inventory data failed to update/);
    assert.equal(calls.calls.prices, 1);
  });
});

describe('catalog helpers', () => {
  it('reads the records an error names', () => {
    const named = namedRecords({
      status: 422,
      title: '[Item with variant_id 106 is tracked by product, please update stock by product id, Item with sku AB-1 not found]',
      errors: { 'items.3': 'x', '7.price': 'y' },
    });
    assert.deepEqual([...named.variantIds], [106]);
    assert.deepEqual([...named.skus], ['AB-1']);
    assert.deepEqual([...named.positions], [3, 7]);
    assert.deepEqual([...named.productIds], []);
  });

  it('keeps SKU ids per store through its document', () => {
    const cache = new SkuCache('store-a');
    cache.set('MUG', { kind: 'product', productId: 4, baseVariantId: 9 });
    cache.set('TEE-S', { kind: 'variant', productId: 5, variantId: 9 });
    const copy = SkuCache.fromDocument(JSON.parse(JSON.stringify(cache.toDocument())), 'store-a');
    assert.deepEqual(copy.get('MUG'), { kind: 'product', productId: 4, baseVariantId: 9 });
    assert.deepEqual(copy.get('TEE-S'), { kind: 'variant', productId: 5, variantId: 9 });
    assert.equal(SkuCache.fromDocument(cache.toDocument(), 'store-b').size, 0);
  });
});
