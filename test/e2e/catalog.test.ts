import assert from 'node:assert/strict';
import type { Exchange } from '../../sandbox/bigcommerce';
import type { PushSummary } from '../../lib/sync/stock';
import { reportFailure, startRuntime, startSimulators, type Runtime, type Simulators } from './support';

/**
 * Issue 5, "What it must show", the catalog half: the example flow's Catalog tab (items changed since the
 * cursor -> inventory push) in a real Node-RED, against a Sage company and a store holding the same SKUs.
 * Most SKUs are variants (products with sizes), a few are simple products; every price goes through the variant
 * batch (50 a call), a simple product's through its base variant (issue 15). The scenarios run in order:
 * each push starts from what the previous one left in the store and in the push's snapshot.
 */

const SIZES = ['S', 'M', 'L'] as const;
const VARIANT_PRODUCTS = 700;
const SIMPLE_PRODUCTS = 25;
const STOCK_PER_CALL = 2_000;
const VARIANT_PRICES_PER_CALL = 50;

const variantSkus = Array.from({ length: VARIANT_PRODUCTS }, (_, n) => SIZES.map((size) => `TEE-${String(n + 1).padStart(4, '0')}-${size}`)).flat();
const simpleSkus = Array.from({ length: SIMPLE_PRODUCTS }, (_, n) => `MUG-${String(n + 1).padStart(3, '0')}`);
const allSkus = [...variantSkus, ...simpleSkus];

type CallKind = 'lookups' | 'stock' | 'variantPrices' | 'productPrices';

/** What a store call was for, by method and route (as the push's summary counts them). */
function kindOf(exchange: Exchange): CallKind | 'other' {
  const call = `${exchange.method} ${exchange.route ?? exchange.url}`;
  if (call === 'GET /v3/catalog/products' || call === 'GET /v3/inventory/items') return 'lookups';
  if (call === 'PUT /v3/inventory/adjustments/absolute') return 'stock';
  if (call === 'PUT /v3/catalog/variants') return 'variantPrices';
  if (call === 'PUT /v3/catalog/products') return 'productPrices';
  return 'other';
}

interface Push {
  summary: PushSummary;
  exchanges: Exchange[];
  calls: Record<CallKind | 'other', number>;
}

describe('end to end: Sage 100 stock and prices reach the store (the example flow in Node-RED)', function () {
  this.timeout(120_000);

  let sims: Simulators;
  let runtime: Runtime;
  let pushes = 0;

  before(async function () {
    this.timeout(180_000);
    sims = await startSimulators();
    const { company } = sims.sage;
    company.addWarehouse('EST');
    // The store before the integration: prices typed in once, stock that drifted.
    for (let n = 0; n < VARIANT_PRODUCTS; n++) {
      const skus = variantSkus.slice(n * SIZES.length, (n + 1) * SIZES.length);
      sims.bc.store.addProduct({ sku: `TEE-${String(n + 1).padStart(4, '0')}`, name: `T-shirt ${n + 1}`, price: 15, variants: skus.map((sku, i) => ({ sku, options: { Size: SIZES[i]! }, inventory_level: 1 })) });
    }
    for (const sku of simpleSkus) sims.bc.store.addProduct({ sku, name: `Mug ${sku}`, price: 6, inventory_level: 1 });
    allSkus.forEach((sku, n) => {
      company.addItem({
        ItemCode: sku,
        ItemCodeDesc: sku,
        StandardUnitPrice: 10 + (n % 40) / 4,
        warehouses: [
          { WarehouseCode: '000', QuantityOnHand: 10 + ((n * 7) % 50), QuantityOnSalesOrder: n % 3 },
          { WarehouseCode: 'EST', QuantityOnHand: n % 11 },
        ],
      });
    });
    runtime = await startRuntime(sims.endpoints);
  });

  after(async () => {
    await runtime?.stop();
    await sims?.close();
  });

  afterEach(function () {
    reportFailure(this, [runtime]);
  });

  /** Presses the Catalog tab's inject once and returns the push's summary with the store calls made meanwhile. */
  async function pushOnce(): Promise<Push> {
    const exchanges: Exchange[] = [];
    const stopCounting = sims.bc.onExchange((exchange) => exchanges.push(exchange));
    let summary: PushSummary;
    try {
      pushes += 1;
      await runtime.nodeRed.inject(runtime.idOf('inject', 'every 5 min'));
      summary = await runtime.editor.waitForDebug<PushSummary>('push summary', (_, index) => index === pushes - 1, `push ${pushes} ends`, 60_000);
    } finally {
      stopCounting();
    }
    const calls = { lookups: 0, stock: 0, variantPrices: 0, productPrices: 0, other: 0 };
    for (const exchange of exchanges) calls[kindOf(exchange)]++;
    assert.deepEqual(exchanges.filter((exchange) => exchange.status !== 200).map((exchange) => `${exchange.method} ${exchange.url} ${exchange.status}`), [], 'every call answered 200');
    assert.equal(summary.calls.total, exchanges.length, "the summary's call count is what the store saw");
    return { summary, exchanges, calls };
  }

  /** Available to sell as the issue defines it: over all warehouses, on hand − on sales order, never below zero. */
  function availableInSage(sku: string): number {
    const rows = sims.sage.company.listStock({ itemCodes: [sku] });
    return Math.max(0, Math.floor(rows.reduce((sum, row) => sum + row.QuantityOnHand - row.QuantityOnSalesOrder, 0)));
  }

  const priceInSage = (sku: string) => sims.sage.company.listItems({ itemCodes: [sku] })[0]!.StandardUnitPrice;

  function assertStoreShowsSage(skus: readonly string[]): void {
    const wrong = skus.filter((sku) => sims.bc.store.stockOf(sku) !== availableInSage(sku) || sims.bc.store.priceOf(sku) !== priceInSage(sku));
    assert.deepEqual(
      wrong.slice(0, 5).map((sku) => `${sku}: store ${sims.bc.store.stockOf(sku)} at ${sims.bc.store.priceOf(sku)}, Sage ${availableInSage(sku)} at ${priceInSage(sku)}`),
      [],
      `${wrong.length} SKUs differ from Sage`,
    );
  }

  function addStock(skus: readonly string[], units: number): void {
    for (const sku of skus) {
      const [row] = sims.sage.company.listStock({ itemCodes: [sku], warehouses: ['000'] });
      sims.sage.company.setStock(sku, '000', { QuantityOnHand: row!.QuantityOnHand + units });
    }
  }

  function raisePrices(skus: readonly string[], by: number): void {
    for (const sku of skus) sims.sage.company.updateItem(sku, { StandardUnitPrice: priceInSage(sku) + by });
  }

  it('brings the whole store to Sage on the first push', async () => {
    const { summary, calls } = await pushOnce();
    assert.deepEqual(summary.changed, { stock: allSkus.length, price: allSkus.length });
    assert.deepEqual(summary.pushed, summary.changed);
    assert.deepEqual(summary.failed, { stock: 0, price: 0 });
    assert.deepEqual(summary.unknownSkus, []);
    assert.equal(calls.stock, Math.ceil(allSkus.length / STOCK_PER_CALL));
    assert.equal(calls.variantPrices, Math.ceil(allSkus.length / VARIANT_PRICES_PER_CALL));
    assert.equal(calls.productPrices, 0);
    assert.equal(calls.lookups, summary.calls.lookups);
    assert.equal(calls.other, 0);
    assertStoreShowsSage(allSkus);
  });

  it('shows Sage stock and variant price changes after one push, in ceil(stock / 2,000) + ceil(prices / 50) calls', async () => {
    const stockChanged = variantSkus.slice(0, 2_010);
    const priceChanged = variantSkus.slice(2_000, 2_060);
    addStock(stockChanged, 5);
    raisePrices(priceChanged, 1.25);

    const { summary, calls, exchanges } = await pushOnce();
    assert.deepEqual(summary.changed, { stock: stockChanged.length, price: priceChanged.length });
    assert.deepEqual(summary.pushed, summary.changed);
    const expected = Math.ceil(stockChanged.length / STOCK_PER_CALL) + Math.ceil(priceChanged.length / VARIANT_PRICES_PER_CALL);
    assert.equal(expected, 4);
    assert.equal(exchanges.length, expected);
    assert.deepEqual(calls, { lookups: 0, stock: 2, variantPrices: 2, productPrices: 0, other: 0 });
    assertStoreShowsSage([...stockChanged, ...priceChanged]);
  });

  it('sends simple products\u2019 prices through their base variants: ceil(stock / 2,000) + ceil(all prices / 50) calls', async () => {
    const stockChanged = simpleSkus.slice(0, 5);
    const productPrices = simpleSkus;
    const variantPrices = variantSkus.slice(100, 107);
    addStock(stockChanged, 3);
    raisePrices([...productPrices, ...variantPrices], 0.5);

    const { summary, calls, exchanges } = await pushOnce();
    assert.deepEqual(summary.changed, { stock: stockChanged.length, price: productPrices.length + variantPrices.length });
    assert.deepEqual(summary.pushed, summary.changed);
    const expected = Math.ceil(stockChanged.length / STOCK_PER_CALL) + Math.ceil((variantPrices.length + productPrices.length) / VARIANT_PRICES_PER_CALL);
    assert.equal(expected, 2);
    assert.equal(exchanges.length, expected);
    assert.deepEqual(calls, { lookups: 0, stock: 1, variantPrices: 1, productPrices: 0, other: 0 });
    assertStoreShowsSage([...stockChanged, ...productPrices, ...variantPrices]);
  });

  it('makes no call when nothing changed in Sage', async () => {
    const { summary, exchanges } = await pushOnce();
    assert.deepEqual(summary.changed, { stock: 0, price: 0 });
    assert.deepEqual(exchanges, []);
  });

  it('spends lookups only on a SKU the store does not know, and reports it', async () => {
    sims.sage.company.addItem({ ItemCode: 'NOT-IN-STORE', StandardUnitPrice: 3, warehouses: [{ WarehouseCode: '000', QuantityOnHand: 9 }] });
    const stockChanged = variantSkus.slice(500, 503);
    addStock(stockChanged, 2);

    const { summary, calls, exchanges } = await pushOnce();
    assert.deepEqual(summary.unknownSkus, ['NOT-IN-STORE']);
    assert.deepEqual(calls, { lookups: 2, stock: 1, variantPrices: 0, productPrices: 0, other: 0 });
    const lookups = exchanges.filter((exchange) => kindOf(exchange) === 'lookups');
    assert.deepEqual(lookups.map((exchange) => exchange.query['sku:in']), ['NOT-IN-STORE', 'NOT-IN-STORE'], 'the lookups ask for the unknown SKU only');
    assert.equal(summary.pushed.stock, stockChanged.length);
    assertStoreShowsSage(stockChanged);
  });

  it('sends the changes of a push that failed again with the next run, although the items poll has moved past them', async () => {
    const failedChanges = variantSkus.slice(600, 606);
    addStock(failedChanges, 4);
    raisePrices(failedChanges.slice(0, 2), 0.75);
    // The store refuses every stock write until the faults are cleared: the whole push fails.
    sims.bc.faults.add({ kind: 'error', route: 'PUT /v3/inventory/adjustments/absolute', status: 503 });
    const itemsNode = runtime.idOf('sage100-items', 'items changed');
    await runtime.nodeRed.inject(runtime.idOf('inject', 'every 5 min'));
    const failure = await eventuallyCaught();
    sims.bc.faults.clear();
    assert.match(failure, /503|unavailable/i);
    assert.ok(failedChanges.some((sku) => sims.bc.store.stockOf(sku) !== availableInSage(sku)), 'the failed push left the store behind Sage');
    assert.match(runtime.editor.status.get(itemsNode)?.text ?? '', /^[\d,]+ items?$/, 'the items poll finished and moved its cursor');

    const laterChanges = variantSkus.slice(700, 702);
    addStock(laterChanges, 1);
    const { summary } = await pushOnce();
    assert.equal(summary.items, laterChanges.length, 'the items poll sends only the later changes');
    assert.equal(summary.resent, failedChanges.length, 'the push sends the failed ones again');
    assert.equal(summary.pending, 0);
    assertStoreShowsSage([...failedChanges, ...laterChanges]);
  });

  /** Waits for the catalog tab's Catch to show the push's error, and takes it off the list of problems (it is expected here). */
  async function eventuallyCaught(): Promise<string> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const index = runtime.editor.debug.findIndex((entry) => entry.name === 'catalog errors');
      if (index >= 0) {
        const [entry] = runtime.editor.debug.splice(index, 1);
        return JSON.stringify(entry!.value);
      }
      if (Date.now() > deadline) throw new Error('the failed push did not reach the catalog errors debug node within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
});
