import assert from 'node:assert/strict';
import type { Exchange } from '../../sandbox/bigcommerce';
import { CHECK_EXCEPTIONS, contractRecorder, SPEC_EXCEPTIONS, type ContractRecorder } from '../support/bigcommerce-contract';
import { callStore, startTestStore, type TestStore } from '../support/bigcommerce';

/** A copy of a real exchange with some parts replaced, to feed the recorder something wrong on purpose. */
function altered(exchange: Exchange, change: Partial<Exchange>): Exchange {
  return { ...structuredClone(exchange), ...change };
}

describe('BigCommerce contract recorder', () => {
  let recorder: ContractRecorder;
  let sim: TestStore;

  before(async function () {
    const loaded = await contractRecorder();
    // Offline without the official files: these checks count as skipped (support/specs.ts printed why).
    if (!loaded) this.skip();
    recorder = loaded;
  });
  beforeEach(async () => {
    sim = await startTestStore();
    sim.store.addProduct({ id: 10, sku: 'ABC-1', name: 'Widget', price: 12.5, inventory_level: 10 });
    sim.store.addOrder({ billing_address: { zip: '78751' }, products: [{ sku: 'ABC-1', quantity: 2 }] });
  });
  afterEach(() => sim.close());

  async function exchangeOf(method: 'GET' | 'PUT', path: string, options: Parameters<typeof callStore>[3] = {}): Promise<Exchange> {
    await callStore(sim, method, path, options);
    return sim.exchanges.at(-1)!;
  }

  it('passes a conforming exchange and counts its response', async () => {
    const exchange = await exchangeOf('GET', '/v2/orders', { query: { include: 'consignments.line_items', consignment_structure: 'object' } });
    const before = recorder.counts.validated;
    assert.deepEqual(recorder.check(exchange), []);
    assert.equal(recorder.counts.validated, before + 1);
  });

  it('catches a response body that breaks the schema (money as a number in an order line)', async () => {
    const exchange = await exchangeOf('GET', '/v2/orders/100/products');
    const body = structuredClone(exchange.responseBody) as Array<Record<string, unknown>>;
    body[0]!.price_ex_tax = 12.5;
    const violations = recorder.check(altered(exchange, { responseBody: body }));
    assert.equal(violations.length, 1);
    assert.equal(violations[0]!.kind, 'invalid-response');
    assert.match(violations[0]!.message, /getOrderProducts.*price_ex_tax.*string/);
  });

  it('catches a v3 envelope with a wrongly typed field and an undocumented property on a closed object', async () => {
    const exchange = await exchangeOf('GET', '/v3/catalog/products', { query: { 'sku:in': 'ABC-1' } });
    const body = structuredClone(exchange.responseBody) as { data: Array<Record<string, unknown>> };
    body.data[0]!.inventory_tracking = 'sometimes';
    assert.match(recorder.check(altered(exchange, { responseBody: body }))[0]!.message, /inventory_tracking/);
    const lines = structuredClone((await exchangeOf('GET', '/v2/orders/100/products')).responseBody) as Array<Record<string, unknown>>;
    lines[0]!.surprise = true;
    const last = sim.exchanges.at(-1)!;
    assert.match(recorder.check(altered(last, { responseBody: lines }))[0]!.message, /additional/);
  });

  it('catches undocumented query parameters, paths and methods', async () => {
    const exchange = await exchangeOf('GET', '/v3/catalog/variants', { query: { 'sku:in': 'ABC-1' } });
    const [unknownQuery] = recorder.check(exchange);
    assert.equal(unknownQuery!.kind, 'undocumented-query');
    assert.match(unknownQuery!.message, /'sku:in' is not documented for getVariants/);
    sim.violations.length = 0;

    const path = recorder.check(altered(exchange, { apiPath: '/catalog/widgets', url: '/stores/sandbox1/v3/catalog/widgets', query: {} }));
    assert.equal(path[0]!.kind, 'undocumented-operation');
    const method = recorder.check(altered(exchange, { method: 'PATCH', query: {}, url: '/stores/sandbox1/v3/catalog/variants' }));
    assert.equal(method[0]!.kind, 'undocumented-operation');
  });

  it('flags a 2xx to a request that breaks the spec, but not a refusal of it', async () => {
    const refused = await exchangeOf('PUT', '/v3/inventory/adjustments/absolute', { body: { items: [{ location_id: 1, quantity: 3 }] } });
    assert.equal(refused.status, 422);
    assert.deepEqual(recorder.check(refused), []);
    const accepted = recorder.check(altered(refused, { status: 200, responseHeaders: { 'content-type': 'application/json' }, responseBody: { transaction_id: 'x' }, responseText: '{"transaction_id":"x"}' }));
    assert.equal(accepted[0]!.kind, 'invalid-request');
  });

  it('checks 204s carry no body, content types, and undocumented error statuses against the error shape', async () => {
    const empty = await exchangeOf('GET', '/v2/orders', { query: { min_id: 5000 } });
    assert.equal(empty.status, 204);
    assert.deepEqual(recorder.check(empty), []);
    assert.equal(recorder.check(altered(empty, { responseText: '[]', responseBody: [] }))[0]!.kind, 'invalid-response');

    const refused = await exchangeOf('PUT', '/v3/inventory/adjustments/absolute', { body: { items: [{ location_id: 1, sku: 'NOPE', quantity: 3 }] } });
    assert.equal(refused.responseHeaders['content-type'], 'application/problem+json; charset=utf-8');
    const asJson = altered(refused, { responseHeaders: { ...refused.responseHeaders, 'content-type': 'application/json' } });
    assert.equal(recorder.check(asJson)[0]!.kind, 'undocumented-content-type');

    const unauthorized = await exchangeOf('GET', '/v2/orders', { token: 'wrong' });
    assert.deepEqual(recorder.check(unauthorized), []);
    const badShape = recorder.check(altered(unauthorized, { responseBody: { error: 'nope' } }));
    assert.match(badShape[0]!.message, /not the documented v2 error shape/);
  });

  it('reads OpenAPI 3.0 exclusive bounds, so the refunds response is checked, and a positive adjustment caught', async () => {
    const order = sim.store.addOrder({ billing_address: { zip: '78751' }, products: [{ sku: 'ABC-1', quantity: 1 }] });
    sim.store.addRefund(order.id, { total_amount: 5, reason: 'damaged' });
    const exchange = await exchangeOf('GET', '/v3/orders/payment_actions/refunds');
    const before = recorder.counts.validated;
    assert.deepEqual(recorder.check(exchange), []);
    assert.equal(recorder.counts.validated, before + 1, 'the response was validated, not skipped');

    const withAdjustment = (amount: number) => {
      const body = structuredClone(exchange.responseBody) as { data: Array<{ items: Array<Record<string, unknown>> }> };
      body.data[0]!.items[0]!.adjustments = [{ amount, description: 'restocking fee' }];
      return recorder.check(altered(exchange, { responseBody: body }));
    };
    assert.deepEqual(withAdjustment(-2.5), []);
    const [positive] = withAdjustment(2.5);
    assert.equal(positive?.kind, 'invalid-response');
    assert.match(positive!.message, /adjustments\/0\/amount must be < 0/);
  });

  it('fails the test store on a violation and names the exchange', async () => {
    await callStore(sim, 'GET', '/v3/catalog/variants', { query: { 'sku:in': 'ABC-1' } });
    assert.throws(() => sim.assertContract(), /ContractBroken|contract broken by 1 exchange.*GET \/v3\/catalog\/variants.*undocumented-query/s);
  });

  it('documents every exception with a reason', () => {
    for (const exception of [...SPEC_EXCEPTIONS, ...CHECK_EXCEPTIONS]) {
      assert.ok(exception.where.length > 0);
      assert.ok(exception.reason.length > 40, exception.where);
    }
  });
});
