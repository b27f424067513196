import assert from 'node:assert/strict';
import { callStore, seedTestCatalog, seedTestOrders, startTestStore, type TestStore } from '../support/bigcommerce';

// The size the benchmarks load: 50,000 SKUs and 10,000 orders.
describe('BigCommerce simulator at benchmark size', () => {
  let sim: TestStore;
  const end = Date.UTC(2026, 4, 1, 0, 0, 0);
  before(async () => {
    sim = await startTestStore({ quota: { requests: 100_000, windowMs: 30_000 }, now: () => end });
    assert.equal(seedTestCatalog(sim, { skus: 50_000 }) > 0, true);
    seedTestOrders(sim, { count: 10_000, spacingMs: 60_000, endAt: end });
  });
  after(() => sim.close());

  it('holds 50,000 SKUs and 10,000 orders', () => {
    assert.equal(sim.store.catalog.variants.size, 50_000);
    assert.equal(sim.store.orders.size, 10_000);
  });

  it('pages every order modified since a cursor, 250 at a time with line items, to a 204', async () => {
    const since = new Date(end - 9_999 * 60_000).toISOString();
    let seen = 0;
    let previous = '';
    let page = 1;
    for (; page <= 50; page++) {
      const response = await callStore<Array<{ date_modified: string; consignments: { shipping: Array<{ line_items: unknown[] }> } }>>(sim, 'GET', '/v2/orders', {
        query: { min_date_modified: since, sort: 'date_modified:asc', limit: 250, page, include: 'consignments.line_items', consignment_structure: 'object' },
      });
      if (response.status === 204) break;
      for (const order of response.body) {
        assert.ok(Date.parse(order.date_modified) >= Date.parse(previous || since));
        assert.ok(order.consignments.shipping[0]!.line_items.length > 0);
        previous = order.date_modified;
      }
      seen += response.body.length;
    }
    assert.equal(seen, 10_000);
    assert.equal(page, 41);
  });

  it('looks up 1,000 SKUs in one inventory call and sets 2,000 stock levels in one adjustment', async () => {
    const skus = [...sim.store.catalog.variantBySku.keys()].slice(10_000, 12_000);
    const lookup = await callStore<{ data: Array<{ identity: { sku: string } }> }>(sim, 'GET', '/v3/inventory/items', { query: { 'sku:in': skus.slice(0, 1000).join(','), limit: 1000 } });
    assert.equal(lookup.body.data.length, 1000);
    const adjusted = await callStore(sim, 'PUT', '/v3/inventory/adjustments/absolute', { body: { reason: 'bench', items: skus.map((sku, i) => ({ location_id: 1, sku, quantity: i })) } });
    assert.equal(adjusted.status, 200);
    assert.equal(sim.store.stockOf(skus[1999]!), 1999);
  });
});
