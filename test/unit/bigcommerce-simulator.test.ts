import assert from 'node:assert/strict';
import { callStore, startTestStore, type TestStore } from '../support/bigcommerce';

interface LineJson {
  sku: string;
  price_ex_tax: string;
  applied_discounts: Array<{ amount: string }>;
}
interface OrderJson {
  id: number;
  date_created: string;
  subtotal_ex_tax: string;
  coupon_discount: string;
  total_inc_tax: string;
  coupons: unknown;
  consignments: { shipping: Array<{ first_name: string; cost_ex_tax: number; line_items: LineJson[] }> };
}

const billing = { first_name: 'Jane', last_name: 'Doe', street_1: '1 Main St', city: 'Austin', state: 'Texas', zip: '78751', country: 'United States', country_iso2: 'US', email: 'jane@example.com' };

describe('BigCommerce simulator: auth, quota and v2 orders', () => {
  let sim: TestStore;
  let clock = Date.UTC(2026, 0, 5, 12, 0, 0);
  afterEach(() => sim?.close());

  async function start(options: Parameters<typeof startTestStore>[0] = {}) {
    clock = Date.UTC(2026, 0, 5, 12, 0, 0);
    sim = await startTestStore({ now: () => clock, ...options });
    sim.store.addProduct({ id: 10, sku: 'ABC-1', name: 'Widget', price: 12.5, inventory_level: 10 });
    sim.store.addProduct({ id: 11, sku: 'SHIRT', name: 'Shirt', price: 20, variants: [{ sku: 'SHIRT-S', options: { Size: 'S' } }, { sku: 'SHIRT-L', options: { Size: 'L' }, price: 22 }] });
    return sim;
  }

  describe('authentication', () => {
    it('answers 401 in the v2 shape without a token and with an unknown one, and 403 for a missing scope', async () => {
      await start({ extraAccounts: [{ token: 'read-only-products', scopes: ['store_v2_products_read_only'] }] });
      const missing = await callStore(sim, 'GET', '/v2/orders', { token: null });
      assert.equal(missing.status, 401);
      assert.match((missing.body as Array<{ message: string }>)[0]!.message, /No credentials/);
      const wrong = await callStore(sim, 'GET', '/v2/orders', { token: 'nope' });
      assert.equal(wrong.status, 401);
      assert.equal((wrong.body as Array<{ status: number }>)[0]!.status, 401);
      const scoped = await callStore(sim, 'GET', '/v2/orders', { token: 'read-only-products' });
      assert.equal(scoped.status, 403);
      assert.match((scoped.body as Array<{ message: string }>)[0]!.message, /store_v2_orders_read_only/);
    });

    it('answers 404 for another store hash', async () => {
      await start();
      const response = await callStore({ ...sim, storeHash: 'other' }, 'GET', '/v2/orders');
      assert.equal(response.status, 404);
      assert.match((response.body as Array<{ message: string }>)[0]!.message, /Store not found/);
    });
  });

  describe('rate limit', () => {
    it('sends the four X-Rate-Limit headers on every response and 429 with X-Retry-After when the quota is used up', async () => {
      await start({ quota: { requests: 3, windowMs: 10_000 } });
      const lefts: string[] = [];
      for (let i = 0; i < 3; i++) {
        const ok = await callStore(sim, 'GET', '/v2/order_statuses');
        assert.equal(ok.status, 200);
        assert.equal(ok.headers['x-rate-limit-requests-quota'], '3');
        assert.equal(ok.headers['x-rate-limit-time-window-ms'], '10000');
        assert.equal(ok.headers['x-rate-limit-time-reset-ms'], '10000');
        lefts.push(ok.headers['x-rate-limit-requests-left']!);
      }
      assert.deepEqual(lefts, ['2', '1', '0']);
      clock += 4_000;
      const refused = await callStore(sim, 'GET', '/v2/order_statuses');
      assert.equal(refused.status, 429);
      assert.equal(refused.headers['x-rate-limit-requests-left'], '0');
      assert.equal(refused.headers['x-rate-limit-time-reset-ms'], '6000');
      assert.equal(refused.headers['x-retry-after'], '6');
      assert.equal(sim.stats.rateLimited, 1);
      clock += 6_000;
      const renewed = await callStore(sim, 'GET', '/v2/order_statuses');
      assert.equal(renewed.status, 200);
      assert.equal(renewed.headers['x-rate-limit-requests-left'], '2');
    });

    it('does not count unauthenticated requests against the quota but still reports it', async () => {
      await start({ quota: { requests: 2, windowMs: 30_000 } });
      const anonymous = await callStore(sim, 'GET', '/v2/orders', { token: null });
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.headers['x-rate-limit-requests-left'], '2');
    });
  });

  describe('v2 orders', () => {
    function seedOrders(count: number) {
      for (let i = 0; i < count; i++) {
        sim.store.addOrder({
          billing_address: billing,
          products: [{ sku: 'ABC-1', quantity: 1 + (i % 3) }],
          // Modified in reverse id order, so sorting by date_modified differs from id order.
          date_created: clock - 3_600_000,
          date_modified: clock - i * 60_000,
        });
      }
    }

    it('lists with include=consignments.line_items&consignment_structure=object, money as strings and RFC-2822 dates', async () => {
      await start();
      const order = sim.store.addOrder({
        billing_address: billing,
        shipping_addresses: [{ ...billing, first_name: 'Ship', shipping_method: 'UPS Ground' }],
        products: [{ sku: 'ABC-1', quantity: 2 }, { sku: 'SHIRT-L', quantity: 1 }],
        coupons: [{ code: 'SAVE5', discount: 5 }],
        shipping_cost_ex_tax: 7,
      });
      const response = await callStore<OrderJson[]>(sim, 'GET', '/v2/orders', { query: { include: 'consignments.line_items', consignment_structure: 'object' } });
      assert.equal(response.status, 200);
      const [listed] = response.body;
      assert.equal(listed!.id, order.id);
      assert.equal(listed!.date_created, 'Mon, 05 Jan 2026 12:00:00 +0000');
      assert.equal(listed!.subtotal_ex_tax, '47.0000');
      assert.equal(listed!.coupon_discount, '5.0000');
      assert.equal(listed!.total_inc_tax, '49.0000');
      const shipping = listed!.consignments.shipping;
      assert.equal(shipping.length, 1);
      assert.equal(shipping[0]!.first_name, 'Ship');
      assert.equal(shipping[0]!.cost_ex_tax, 7);
      assert.deepEqual(shipping[0]!.line_items.map((l) => [l.sku, l.price_ex_tax]), [['ABC-1', '12.5000'], ['SHIRT-L', '22.0000']]);
      const discounts = shipping[0]!.line_items.map((l) => Number(l.applied_discounts[0]!.amount));
      assert.equal(discounts.reduce((a, b) => a + b, 0), 5);
      assert.deepEqual(listed!.coupons, { url: `${sim.apiUrl}/stores/${sim.storeHash}/v2/orders/${order.id}/coupons`, resource: `/orders/${order.id}/coupons` });
    });

    it('filters by min_date_modified in RFC-2822 and ISO-8601, sorts by date_modified:asc and pages to a 204', async () => {
      await start();
      seedOrders(7);
      const since = 'Mon, 05 Jan 2026 11:56:00 +0000';
      const iso = '2026-01-05T06:56:00-05:00';
      const pages: number[][] = [];
      for (let page = 1; page <= 4; page++) {
        const response = await callStore<Array<{ id: number }>>(sim, 'GET', '/v2/orders', { query: { min_date_modified: since, sort: 'date_modified:asc', limit: 2, page } });
        if (response.status === 204) {
          assert.equal(response.body, undefined);
          break;
        }
        pages.push(response.body.map((o) => o.id));
      }
      assert.deepEqual(pages, [[104, 103], [102, 101], [100]]);
      const viaIso = await callStore<Array<{ id: number }>>(sim, 'GET', '/v2/orders', { query: { min_date_modified: iso, sort: 'date_modified:asc' } });
      assert.deepEqual(viaIso.body.map((o) => o.id), [104, 103, 102, 101, 100]);
    });

    it('refuses an unencoded + in a date offset, an unknown sort, and limit above 250', async () => {
      await start();
      const raw = await fetch(`${sim.apiUrl}/stores/${sim.storeHash}/v2/orders?min_date_modified=2026-01-05T06:56:00+05:00`, { headers: { 'x-auth-token': sim.accessToken, accept: 'application/json' } });
      assert.equal(raw.status, 400);
      assert.match(((await raw.json()) as Array<{ message: string }>)[0]!.message, /%2B/);
      assert.equal((await callStore(sim, 'GET', '/v2/orders', { query: { sort: 'total:asc' } })).status, 400);
      assert.equal((await callStore(sim, 'GET', '/v2/orders', { query: { limit: 251 } })).status, 413);
      assert.equal((await callStore(sim, 'GET', '/v2/orders', { query: { include: 'consignments' } })).status, 400);
    });

    it('serves one order, its products, shipping addresses, coupons (204 when none) and the count by status', async () => {
      await start();
      const withCoupon = sim.store.addOrder({ billing_address: billing, products: [{ sku: 'ABC-1', quantity: 1 }], coupons: [{ code: 'TEN', discount: 1.25, type: 1, amount: 10 }] });
      const plain = sim.store.addOrder({ billing_address: billing, products: [{ name: 'Custom thing', sku: 'CUSTOM', quantity: 1, price_ex_tax: 3 }], status_id: 11 });
      const detail = await callStore<OrderJson>(sim, 'GET', `/v2/orders/${withCoupon.id}`, { query: { include: 'consignments.line_items', consignment_structure: 'object' } });
      assert.equal(detail.body.consignments.shipping[0]!.line_items[0]!.sku, 'ABC-1');
      const products = await callStore<Array<{ product_id: number; sku: string }>>(sim, 'GET', `/v2/orders/${plain.id}/products`);
      assert.deepEqual(products.body.map((p) => [p.product_id, p.sku]), [[0, 'CUSTOM']]);
      const addresses = await callStore<Array<{ id: number; cost_ex_tax: string }>>(sim, 'GET', `/v2/orders/${plain.id}/shipping_addresses`);
      assert.equal(addresses.body[0]!.id, plain.shipping[0]!.id);
      const coupons = await callStore<Array<{ code: string; discount: number }>>(sim, 'GET', `/v2/orders/${withCoupon.id}/coupons`);
      assert.deepEqual(coupons.body.map((c) => [c.code, c.discount]), [['TEN', 1.25]]);
      assert.equal((await callStore(sim, 'GET', `/v2/orders/${plain.id}/coupons`)).status, 204);
      const count = await callStore<{ count: number; statuses: Array<{ id: number; count: number }> }>(sim, 'GET', '/v2/orders/count');
      assert.equal(count.body.count, 2);
      assert.equal(count.body.statuses.find((s) => s.id === 11)!.count, 1);
      const missing = await callStore(sim, 'GET', '/v2/orders/999');
      assert.deepEqual(missing.body, [{ status: 404, message: 'The requested resource was not found.' }]);
    });

    it('creates an order with POST /v2/orders from catalog and custom products, taking stock', async () => {
      await start();
      const created = await callStore<OrderJson>(sim, 'POST', '/v2/orders', {
        body: { billing_address: billing, products: [{ product_id: 10, quantity: 3 }, { name: 'Gift wrap', quantity: 1, price_ex_tax: 2, price_inc_tax: 2 }] },
      });
      assert.equal(created.status, 200);
      assert.equal(created.body.subtotal_ex_tax, '39.5000');
      assert.equal(sim.store.stockOf('ABC-1'), 7);
      const invalid = await callStore<Array<{ message: string }>>(sim, 'POST', '/v2/orders', { body: { billing_address: billing, products: [] } });
      assert.equal(invalid.status, 400);
      assert.match(invalid.body[0]!.message, /products/);
    });

    it('reports every exchange with its route template', async () => {
      await start();
      await callStore(sim, 'GET', '/v2/orders/count');
      const last = sim.exchanges.at(-1)!;
      assert.equal(last.route, '/v2/orders/count');
      assert.equal(last.method, 'GET');
      assert.equal(last.apiPath, '/orders/count');
      assert.equal(last.requestHeaders['x-auth-token'], '[redacted]');
      assert.equal(sim.stats.requests['GET /v2/orders/count'], 1);
    });
  });
});
