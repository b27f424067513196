import assert from 'node:assert/strict';
import { callStore, sampleOrder, seedTestCatalog, startTestStore, type TestStore } from '../support/bigcommerce';

interface Envelope<T> {
  data: T;
  meta: { pagination?: { total: number; count: number; per_page: number; current_page: number; total_pages: number; links: Record<string, string> }; cursor_pagination?: { count: number; end_cursor?: string } };
}
interface ProductJson {
  id: number;
  sku: string;
  price: number;
  calculated_price: number;
  inventory_level: number;
  inventory_tracking: string;
  base_variant_id: number | null;
  variants?: Array<{ id: number; sku: string; price: number | null; calculated_price: number; inventory_level: number; option_values: Array<{ label: string }> }>;
}
interface VariantJson {
  id: number;
  product_id: number;
  sku: string;
  price: number | null;
  calculated_price: number;
  inventory_level: number;
}
interface ItemJson {
  identity: { sku: string; variant_id: number; product_id: number };
  locations: Array<{ location_id: number; available_to_sell: number; total_inventory_onhand: number }>;
}
interface ProblemJson {
  status: number;
  title: string;
  errors: Record<string, string>;
}

describe('BigCommerce simulator: v3 catalog, inventory, payments, customers, hooks', () => {
  let sim: TestStore;
  const start = async (options: Parameters<typeof startTestStore>[0] = {}) => {
    sim = await startTestStore({ quota: { requests: 10_000, windowMs: 30_000 }, ...options });
    sim.store.addProduct({ id: 10, sku: 'ABC-1', name: 'Widget', price: 12.5, inventory_level: 10 });
    sim.store.addProduct({
      id: 11,
      sku: 'SHIRT',
      name: 'Shirt',
      price: 20,
      sale_price: 18,
      variants: [
        { id: 101, sku: 'SHIRT-S', options: { Size: 'S' }, inventory_level: 3 },
        { id: 102, sku: 'SHIRT-L', options: { Size: 'L' }, price: 22, inventory_level: 4, inventory_by_location: { 2: 9 } },
      ],
    });
    return sim;
  };
  afterEach(() => sim?.close());

  describe('catalog products', () => {
    it('finds products by sku:in and id:in, with variants on request and base_variant_id null for products with options', async () => {
      await start();
      const bySku = await callStore<Envelope<ProductJson[]>>(sim, 'GET', '/v3/catalog/products', { query: { 'sku:in': 'ABC-1,SHIRT,NOPE', include: 'variants' } });
      assert.equal(bySku.status, 200);
      assert.deepEqual(bySku.body.data.map((p) => p.sku), ['ABC-1', 'SHIRT']);
      const [widget, shirt] = bySku.body.data;
      assert.equal(widget!.inventory_tracking, 'product');
      assert.equal(widget!.inventory_level, 10);
      assert.equal(typeof widget!.base_variant_id, 'number');
      assert.equal(shirt!.base_variant_id, null);
      assert.equal(shirt!.inventory_tracking, 'variant');
      assert.equal(shirt!.inventory_level, 7);
      assert.deepEqual(shirt!.variants!.map((v) => [v.sku, v.price, v.calculated_price, v.option_values[0]!.label]), [['SHIRT-S', null, 18, 'S'], ['SHIRT-L', 22, 18, 'L']]);
      const byId = await callStore<Envelope<ProductJson[]>>(sim, 'GET', '/v3/catalog/products', { query: { 'id:in': '11' } });
      assert.deepEqual(byId.body.data.map((p) => [p.id, p.variants]), [[11, undefined]]);
    });

    it('pages with meta.pagination and refuses limit above 250', async () => {
      await start();
      seedTestCatalog(sim, { skus: 30, variantEvery: 0 });
      const page = await callStore<Envelope<ProductJson[]>>(sim, 'GET', '/v3/catalog/products', { query: { limit: 10, page: 2 } });
      assert.deepEqual(page.body.meta.pagination, { total: 32, count: 10, per_page: 10, current_page: 2, total_pages: 4, links: { previous: '?page=1&limit=10', current: '?page=2&limit=10', next: '?page=3&limit=10' } });
      assert.equal((await callStore(sim, 'GET', '/v3/catalog/products', { query: { limit: 251 } })).status, 413);
    });

    it('updates up to 10 products per PUT, 413 with the exact title beyond, 207 when stock cannot be saved', async () => {
      await start();
      const updated = await callStore<Envelope<ProductJson[]>>(sim, 'PUT', '/v3/catalog/products', { body: [{ id: 10, price: 14.25, inventory_level: 6 }] });
      assert.equal(updated.status, 200);
      assert.deepEqual(updated.body.data.map((p) => [p.price, p.inventory_level]), [[14.25, 6]]);
      assert.equal(sim.store.stockOf('ABC-1'), 6);

      const tooMany = await callStore<ProblemJson>(sim, 'PUT', '/v3/catalog/products', { body: Array.from({ length: 11 }, () => ({ id: 10, price: 1 })) });
      assert.equal(tooMany.status, 413);
      assert.equal(tooMany.body.title, 'The request payload is too large. The maximum items allowed in the array is 10.');

      const variantTracked = await callStore<{ data: ProductJson[]; errors: ProblemJson }>(sim, 'PUT', '/v3/catalog/products', { body: [{ id: 11, price: 21, inventory_level: 50 }] });
      assert.equal(variantTracked.status, 207);
      assert.equal(variantTracked.body.data[0]!.price, 21);
      assert.match(variantTracked.body.errors.errors.inventory_level!, /product 11/);

      sim.faults.add({ kind: 'multi-status', route: 'PUT /v3/catalog/products', times: 1 });
      const partial = await callStore(sim, 'PUT', '/v3/catalog/products', { body: [{ id: 10, inventory_level: 99 }] });
      assert.equal(partial.status, 207);
      assert.equal(sim.store.stockOf('ABC-1'), 6);

      assert.equal((await callStore(sim, 'PUT', '/v3/catalog/products', { body: [{ id: 999, price: 1 }] })).status, 404);
      assert.equal((await callStore(sim, 'PUT', '/v3/catalog/products', { body: [{ id: 10, sku: 'SHIRT-L' }] })).status, 409);
      assert.equal((await callStore(sim, 'PUT', '/v3/catalog/products', { body: [{ id: 10, price: -1 }] })).status, 422);
    });
  });

  describe('catalog variants', () => {
    it('lists variants by product_id:in and sku', async () => {
      await start();
      const byProduct = await callStore<Envelope<VariantJson[]>>(sim, 'GET', '/v3/catalog/variants', { query: { 'product_id:in': '10,11' } });
      assert.deepEqual(byProduct.body.data.map((v) => v.sku), ['ABC-1', 'SHIRT-S', 'SHIRT-L']);
      const bySku = await callStore<Envelope<VariantJson[]>>(sim, 'GET', '/v3/catalog/variants', { query: { sku: 'SHIRT-L' } });
      assert.deepEqual(bySku.body.data.map((v) => [v.id, v.inventory_level]), [[102, 4]]);
      const ofProduct = await callStore<Envelope<VariantJson[]>>(sim, 'GET', '/v3/catalog/products/11/variants');
      assert.equal(ofProduct.body.data.length, 2);
    });

    it('updates up to 50 variants, 413 beyond, and refuses the whole batch with batch_errors when one is bad', async () => {
      await start();
      const ok = await callStore<Envelope<VariantJson[]>>(sim, 'PUT', '/v3/catalog/variants', { body: [{ id: 101, price: 19.5 }, { id: 102, price: null }] });
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.body.data.map((v) => [v.price, v.calculated_price]), [[19.5, 18], [null, 18]]);
      assert.equal(sim.store.priceOf('SHIRT-S'), 18);
      sim.store.catalog.products.get(11)!.salePrice = 0;
      assert.equal(sim.store.priceOf('SHIRT-S'), 19.5);
      assert.equal(sim.store.priceOf('SHIRT-L'), 20);

      const tooMany = await callStore<ProblemJson>(sim, 'PUT', '/v3/catalog/variants', { body: Array.from({ length: 51 }, () => ({ id: 101, price: 1 })) });
      assert.equal(tooMany.status, 413);
      assert.equal(tooMany.body.title, 'The request payload is too large. The maximum items allowed in the array is 50');

      const bad = await callStore<{ batch_errors: ProblemJson[] }>(sim, 'PUT', '/v3/catalog/variants', { body: [{ id: 101, price: 1 }, { id: 9999, price: 2 }] });
      assert.equal(bad.status, 422);
      assert.equal(bad.body.batch_errors.length, 1);
      assert.match(bad.body.batch_errors[0]!.title, /9999/);
      assert.equal(sim.store.variantBySku('SHIRT-S')!.price, 19.5);
    });

    it('answers 207 for a single variant update when a multi-status fault asks for it', async () => {
      await start();
      sim.faults.add({ kind: 'multi-status', times: 1 });
      const partial = await callStore(sim, 'PUT', '/v3/catalog/products/11/variants/101', { body: { price: 25, inventory_level: 40 } });
      assert.equal(partial.status, 207);
      assert.equal(sim.store.variantBySku('SHIRT-S')!.price, 25);
      assert.equal(sim.store.stockOf('SHIRT-S'), 3);
    });
  });

  describe('inventory', () => {
    it('looks items up by sku:in, variant_id:in and product_id:in with every location, up to 1000 per page', async () => {
      await start();
      const bySku = await callStore<Envelope<ItemJson[]>>(sim, 'GET', '/v3/inventory/items', { query: { 'sku:in': 'SHIRT-L,ABC-1', limit: 1000 } });
      assert.deepEqual(bySku.body.data.map((i) => [i.identity.sku, i.identity.product_id, i.locations.map((l) => [l.location_id, l.total_inventory_onhand])]), [
        ['ABC-1', 10, [[1, 10]]],
        ['SHIRT-L', 11, [[1, 4], [2, 9]]],
      ]);
      const byVariant = await callStore<Envelope<ItemJson[]>>(sim, 'GET', '/v3/inventory/items', { query: { 'variant_id:in': '101,102', 'location_id:in': '2' } });
      assert.deepEqual(byVariant.body.data.map((i) => i.locations.length), [0, 1]);
      const byProduct = await callStore<Envelope<ItemJson[]>>(sim, 'GET', '/v3/inventory/items', { query: { 'product_id:in': '11' } });
      assert.equal(byProduct.body.data.length, 2);
      assert.equal((await callStore(sim, 'GET', '/v3/inventory/items', { query: { limit: 1001 } })).status, 413);
    });

    it('applies absolute adjustments by sku, variant_id and product_id at location 1 and returns a transaction id', async () => {
      await start();
      const response = await callStore<{ transaction_id: string }>(sim, 'PUT', '/v3/inventory/adjustments/absolute', {
        body: { reason: 'Sage 100 sync', items: [{ location_id: 1, sku: 'ABC-1', quantity: 5 }, { location_id: 1, variant_id: 101, quantity: 0 }, { location_id: 2, sku: 'SHIRT-L', quantity: 12 }] },
      });
      assert.equal(response.status, 200);
      assert.match(response.body.transaction_id, /^[0-9a-f-]{36}$/);
      assert.deepEqual([sim.store.stockOf('ABC-1'), sim.store.stockOf('SHIRT-S'), sim.store.stockOf('SHIRT-L', 2)], [5, 0, 12]);
      const byProduct = await callStore(sim, 'PUT', '/v3/inventory/adjustments/absolute', { body: { items: [{ location_id: 1, product_id: 10, quantity: 8 }] } });
      assert.equal(byProduct.status, 200);
      assert.equal(sim.store.stockOf('ABC-1'), 8);
    });

    it('refuses bad items with 422 problem+json and applies none of the batch; 413 above 2,000 items', async () => {
      await start();
      const wrongMode = await callStore<ProblemJson>(sim, 'PUT', '/v3/inventory/adjustments/absolute', {
        body: { items: [{ location_id: 1, sku: 'SHIRT-S', quantity: 1 }, { location_id: 1, variant_id: sim.store.variantBySku('ABC-1')!.id, quantity: 2 }] },
      });
      assert.equal(wrongMode.status, 422);
      assert.match(wrongMode.body.title, /^\[Item with variant_id \d+ is tracked by product, please update stock by product id\]$/);
      assert.equal(sim.exchanges.at(-1)!.responseHeaders['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal(sim.store.stockOf('SHIRT-S'), 3);
      const byProductOfVariants = await callStore<ProblemJson>(sim, 'PUT', '/v3/inventory/adjustments/absolute', { body: { items: [{ location_id: 1, product_id: 11, quantity: 1 }] } });
      assert.match(byProductOfVariants.body.title, /tracked by variant/);
      const twoIdentities = await callStore<ProblemJson>(sim, 'PUT', '/v3/inventory/adjustments/absolute', { body: { items: [{ location_id: 1, sku: 'ABC-1', variant_id: 101, quantity: 1 }] } });
      assert.match(twoIdentities.body.errors['items.0']!, /exactly one/);
      const tooHigh = await callStore<ProblemJson>(sim, 'PUT', '/v3/inventory/adjustments/absolute', { body: { items: [{ location_id: 1, sku: 'ABC-1', quantity: 2_147_483_648 }] } });
      assert.equal(tooHigh.status, 422);
      const tooMany = await callStore<ProblemJson>(sim, 'PUT', '/v3/inventory/adjustments/absolute', { body: { items: Array.from({ length: 2001 }, () => ({ location_id: 1, sku: 'ABC-1', quantity: 1 })) } });
      assert.equal(tooMany.status, 413);
      assert.equal(sim.store.stockOf('ABC-1'), 10);
    });

    it('applies adjustments after the configured delay, so a read right after the 200 is stale', async () => {
      await start({ inventoryDelayMs: 30 });
      const response = await callStore(sim, 'PUT', '/v3/inventory/adjustments/absolute', { body: { items: [{ location_id: 1, sku: 'ABC-1', quantity: 1 }] } });
      assert.equal(response.status, 200);
      assert.equal(sim.store.stockOf('ABC-1'), 10);
      await sim.inventorySettled();
      assert.equal(sim.store.stockOf('ABC-1'), 1);
    });
  });

  describe('transactions and refunds', () => {
    it('answers 204 when an order has no transactions, the list when it has, 404 for an unknown order', async () => {
      await start();
      const order = sim.store.addOrder(sampleOrder());
      assert.equal((await callStore(sim, 'GET', `/v3/orders/${order.id}/transactions`)).status, 204);
      sim.store.addTransaction(order.id, { amount: 22.5, event: 'purchase', credit_card: { card_type: 'visa', card_last4: '4242', card_expiry_month: 12, card_expiry_year: 2030 } });
      const list = await callStore<Envelope<Array<{ order_id: string; amount: number; event: string }>>>(sim, 'GET', `/v3/orders/${order.id}/transactions`);
      assert.deepEqual(list.body.data.map((t) => [t.order_id, t.amount, t.event]), [[String(order.id), 22.5, 'purchase']]);
      assert.equal((await callStore(sim, 'GET', '/v3/orders/9999/transactions')).status, 404);
    });

    it('lists refunds per order and store-wide with created:min/max and order_id:in', async () => {
      let clock = Date.UTC(2026, 2, 1, 10, 0, 0);
      await start({ now: () => clock });
      const first = sim.store.addOrder(sampleOrder());
      const second = sim.store.addOrder(sampleOrder());
      sim.store.addRefund(first.id, { total_amount: 5, reason: 'damaged' });
      clock += 3_600_000;
      sim.store.addRefund(second.id, { total_amount: 7.5 });
      const perOrder = await callStore<Envelope<Array<{ order_id: number; total_amount: number }>>>(sim, 'GET', `/v3/orders/${first.id}/payment_actions/refunds`);
      assert.deepEqual(perOrder.body.data.map((r) => r.total_amount), [5]);
      const windowed = await callStore<Envelope<Array<{ order_id: number }>>>(sim, 'GET', '/v3/orders/payment_actions/refunds', { query: { 'created:min': '2026-03-01T10:30:00+00:00', 'created:max': '2026-03-01T12:00:00Z' } });
      assert.deepEqual(windowed.body.data.map((r) => r.order_id), [second.id]);
      assert.deepEqual(windowed.body.meta, {});
      const byOrder = await callStore<Envelope<Array<{ order_id: number }>>>(sim, 'GET', '/v3/orders/payment_actions/refunds', { query: { 'order_id:in': `${first.id},${second.id}` } });
      assert.equal(byOrder.body.data.length, 2);
      const order = await callStore<{ refunded_amount: string }>(sim, 'GET', `/v2/orders/${first.id}`);
      assert.equal(order.body.refunded_amount, '5.0000');
    });
  });

  describe('customers', () => {
    it('finds customers by email:in (any case) and id:in, with addresses and both pagination blocks on page 1', async () => {
      await start();
      sim.store.addCustomer({ email: 'Jane@Example.com', first_name: 'Jane', last_name: 'Doe', addresses: [{ first_name: 'Jane', last_name: 'Doe', address1: '1 Main', city: 'Austin', country_code: 'US', state_or_province: 'Texas', postal_code: '78751' }] });
      const bob = sim.store.addCustomer({ email: 'bob@example.com', first_name: 'Bob', last_name: 'Roe' });
      const byEmail = await callStore<Envelope<Array<{ email: string; addresses?: Array<{ city: string }> }>>>(sim, 'GET', '/v3/customers', { query: { 'email:in': 'jane@example.com', include: 'addresses' } });
      assert.deepEqual(byEmail.body.data.map((c) => [c.email, c.addresses?.[0]?.city]), [['Jane@Example.com', 'Austin']]);
      assert.ok(byEmail.body.meta.pagination && byEmail.body.meta.cursor_pagination);
      const byId = await callStore<Envelope<Array<{ id: number }>>>(sim, 'GET', '/v3/customers', { query: { 'id:in': bob.id, page: 2 } });
      assert.equal(byId.body.meta.cursor_pagination, undefined);
      const created = await callStore<Envelope<Array<{ id: number }>>>(sim, 'POST', '/v3/customers', { body: [{ email: 'new@example.com', first_name: 'New', last_name: 'Person' }] });
      assert.equal(created.status, 200);
      assert.equal((await callStore(sim, 'POST', '/v3/customers', { body: [{ email: 'bob@example.com', first_name: 'B', last_name: 'R' }] })).status, 422);
      assert.equal((await callStore(sim, 'POST', '/v3/customers', { body: Array.from({ length: 11 }, (_, i) => ({ email: `x${i}@example.com`, first_name: 'X', last_name: 'Y' })) })).status, 413);
    });
  });

  describe('hooks', () => {
    it('creates, lists, updates and deletes hooks per API account, and reports them in /hooks/admin', async () => {
      await start({ extraAccounts: [{ token: 'other-app', scopes: [], clientId: 'other-client' }] });
      const created = await callStore<Envelope<{ id: number; client_id: string; store_hash: string; headers: Record<string, string> | null; is_active: boolean }>>(sim, 'POST', '/v3/hooks', {
        body: { scope: 'store/order/created', destination: 'https://example.com/hooks', headers: { 'X-Bridge-Token': 'abc' } },
      });
      assert.equal(created.status, 200);
      assert.deepEqual([created.body.data.client_id, created.body.data.store_hash, created.body.data.headers, created.body.data.is_active], [sim.clientId, sim.storeHash, { 'X-Bridge-Token': 'abc' }, true]);
      const id = created.body.data.id;
      const duplicate = await callStore(sim, 'POST', '/v3/hooks', { body: { scope: 'store/order/created', destination: 'https://example.com/hooks' } });
      assert.equal(duplicate.status, 422);
      assert.equal((await callStore(sim, 'POST', '/v3/hooks', { body: { scope: 'nonsense', destination: 'https://example.com/hooks' } })).status, 422);

      const otherList = await callStore<Envelope<unknown[]>>(sim, 'GET', '/v3/hooks', { token: 'other-app' });
      assert.equal(otherList.body.data.length, 0);
      assert.equal((await callStore(sim, 'GET', `/v3/hooks/${id}`, { token: 'other-app' })).status, 404);

      const off = await callStore<Envelope<{ is_active: boolean }>>(sim, 'PUT', `/v3/hooks/${id}`, { body: { is_active: false } });
      assert.equal(off.body.data.is_active, false);
      const inactive = await callStore<Envelope<unknown[]>>(sim, 'GET', '/v3/hooks', { query: { is_active: false } });
      assert.equal(inactive.body.data.length, 1);
      const admin = await callStore<{ data: { hooks_list: Array<{ status: string }>; emails: string[] } }>(sim, 'GET', '/v3/hooks/admin');
      assert.deepEqual(admin.body.data.hooks_list.map((h) => h.status), ['inactive']);
      assert.equal((await callStore(sim, 'PUT', '/v3/hooks/admin', { body: { emails: ['ops@example.com'] } })).status, 204);
      assert.deepEqual(sim.store.hookAdminEmails, ['ops@example.com']);
      assert.equal((await callStore(sim, 'DELETE', `/v3/hooks/${id}`)).status, 200);
      assert.equal((await callStore(sim, 'GET', `/v3/hooks/${id}`)).status, 404);
    });
  });

  describe('store profile and simulator routes', () => {
    it('serves GET /v2/store with the information scope and 403 without it', async () => {
      await start({ extraAccounts: [{ token: 'orders-only', scopes: ['store_v2_orders_read_only'] }], storeName: 'Test Shop' });
      const profile = await callStore<{ name: string; id: string }>(sim, 'GET', '/v2/store');
      assert.deepEqual([profile.body.name, profile.body.id], ['Test Shop', sim.storeHash]);
      assert.equal((await callStore(sim, 'GET', '/v2/store', { token: 'orders-only' })).status, 403);
    });

    it('shows state at GET /__sim/state and takes fault rules at POST /__sim/faults, without a token or quota', async () => {
      await start({ quota: { requests: 1, windowMs: 60_000 } });
      sim.store.addOrder(sampleOrder({ sku: 'SHIRT-L' }));
      await callStore(sim, 'GET', '/v2/order_statuses');
      const state = await callStore<{ orders: Array<{ lines: unknown[] }>; products: Array<{ sku: string; variants: Array<{ sku: string; stock: Record<string, number> }> }>; stats: { requests: Record<string, number> } }>(sim, 'GET', '/__sim/state', { token: null });
      assert.equal(state.status, 200);
      assert.deepEqual(state.body.orders[0]!.lines, [{ sku: 'SHIRT-L', quantity: 1 }]);
      assert.deepEqual(state.body.products[1]!.variants[1], { id: 102, sku: 'SHIRT-L', price: 22, calculated_price: 18, stock: { 1: 4, 2: 9 } });
      assert.equal(state.body.stats.requests['GET /v2/order_statuses'], 1);

      const set = await callStore<{ rules: Array<{ kind: string; used: number }> }>(sim, 'POST', '/__sim/faults', { token: null, body: [{ kind: 'error', status: 503, times: 1 }] });
      assert.deepEqual(set.body.rules, [{ kind: 'error', status: 503, times: 1, used: 0 }]);
      const invalid = await callStore(sim, 'POST', '/__sim/faults', { token: null, body: [{ kind: 'meteor' }] });
      assert.equal(invalid.status, 422);
      await callStore(sim, 'POST', '/__sim/faults', { token: null, body: { rules: [] } });
      assert.deepEqual(sim.faults.list(), []);
    });
  });
});
