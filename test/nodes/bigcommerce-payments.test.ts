import assert from 'node:assert/strict';
import type { OrderPayments } from '../../lib/bigcommerce/payments';
import bigcommerceConfig from '../../nodes/bigcommerce/bigcommerce-config';
import bigcommercePayments from '../../nodes/bigcommerce/bigcommerce-payments';
import { startTestStore, type TestStore } from '../support/bigcommerce';
import { coreNode, helper, nextMessage } from '../support/node-red';

const catchNode = coreNode('common/25-catch.js');
const at = { x: 100, y: 100 };
const DAY = 86_400_000;

describe('bigcommerce-payments node', () => {
  let sim: TestStore;

  function flow(settings: Record<string, unknown> = {}) {
    return [
      { id: 'tab', type: 'tab' },
      { id: 'bc', type: 'bigcommerce-config', storeHash: sim.storeHash, apiUrl: sim.apiUrl, timeout: 10 },
      { id: 'payments', z: 'tab', ...at, type: 'bigcommerce-payments', bigcommerce: 'bc', mode: 'order', days: 7, wires: [['out']], ...settings },
      { id: 'out', z: 'tab', ...at, type: 'helper' },
      { id: 'catch', z: 'tab', ...at, type: 'catch', scope: ['payments'], wires: [['caught']] },
      { id: 'caught', z: 'tab', ...at, type: 'helper' },
    ];
  }

  function addOrder(createdMs: number, price: number): number {
    return sim.store.addOrder({
      billing_address: { first_name: 'Jane', zip: '78751', email: 'jane@example.com', country_iso2: 'US' },
      products: [{ name: 'Widget', quantity: 1, price_ex_tax: price, price_inc_tax: price }],
      date_created: createdMs,
      status_id: 11,
    } as never).id;
  }

  async function run(input: Record<string, unknown>): Promise<{ payload: OrderPayments[]; range?: { from: string; to: string } }> {
    const sent = nextMessage<{ payload: OrderPayments[]; range?: { from: string; to: string } }>(helper.getNode('out'), 10_000);
    helper.getNode('payments').receive(input);
    return sent;
  }

  beforeEach(async () => {
    sim = await startTestStore();
    await helper.startServer();
  });
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
    await sim.close();
  });

  it("reads one order's total, transactions and refunds, and writes nothing", async () => {
    const id = addOrder(Date.now() - DAY, 40);
    sim.store.addTransaction(id, { event: 'purchase', amount: 40, gateway: 'braintree' });
    sim.store.addRefund(id, { total_amount: 15, reason: 'damaged' });
    await helper.load([bigcommerceConfig, bigcommercePayments, catchNode], flow(), { bc: { accessToken: sim.accessToken } });

    const { payload } = await run({ payload: id });
    assert.equal(payload.length, 1);
    const [entry] = payload;
    assert.equal(entry?.orderId, id);
    assert.equal(entry?.orderTotal, 40);
    assert.equal(entry?.currency, 'USD');
    assert.equal(entry?.statusId, 11);
    assert.deepEqual(entry?.transactions.map((t) => [t.event, t.amount, t.order_id]), [['purchase', 40, String(id)]]);
    assert.deepEqual(entry?.refunds.map((r) => [r.total_amount, r.reason]), [[15, 'damaged']]);
    assert.ok(sim.exchanges.every((exchange) => exchange.method === 'GET'), 'read only');
  });

  it('reads every order created in a date range, with empty lists for orders without payments', async () => {
    const now = Date.now();
    const before = addOrder(now - 20 * DAY, 5);
    const inside = [addOrder(now - 3 * DAY, 10), addOrder(now - 2 * DAY, 20)];
    sim.store.addTransaction(inside[0]!, { event: 'capture', amount: 10 });
    sim.store.addRefund(inside[1]!, { total_amount: 20 });
    await helper.load([bigcommerceConfig, bigcommercePayments, catchNode], flow({ mode: 'range' }), { bc: { accessToken: sim.accessToken } });

    const from = new Date(now - 5 * DAY).toISOString();
    const to = new Date(now).toISOString();
    const { payload, range } = await run({ payload: { from, to } });
    assert.deepEqual(payload.map((entry) => entry.orderId), inside);
    assert.ok(!payload.some((entry) => entry.orderId === before));
    assert.deepEqual(payload.map((entry) => entry.transactions.length), [1, 0]);
    assert.deepEqual(payload.map((entry) => entry.refunds.length), [0, 1]);
    assert.deepEqual(range, { from, to });
    const refundCalls = sim.exchanges.filter((exchange) => exchange.url.includes('/v3/orders/payment_actions/refunds'));
    assert.equal(refundCalls.length, 1, 'refunds of all orders in one call');

    const defaults = await run({ payload: 'go' });
    assert.deepEqual(defaults.payload.map((entry) => entry.orderId), inside, 'without a range: the last 7 days');
  });

  it('sends a bad range or a missing order id to Catch, naming the field', async () => {
    await helper.load([bigcommerceConfig, bigcommercePayments, catchNode], flow({ mode: 'range' }), { bc: { accessToken: sim.accessToken } });
    const caught = nextMessage<{ errorDetails: { code: string; field: string } }>(helper.getNode('caught'));
    helper.getNode('payments').receive({ payload: { from: '2026-11-30', to: '2026-11-01' } });
    const { errorDetails } = await caught;
    assert.equal(errorDetails.code, 'bigcommerce.range_invalid');
    assert.equal(errorDetails.field, 'from');

    await helper.unload();
    await helper.load([bigcommerceConfig, bigcommercePayments, catchNode], flow(), { bc: { accessToken: sim.accessToken } });
    const missing = nextMessage<{ errorDetails: { code: string } }>(helper.getNode('caught'));
    helper.getNode('payments').receive({ payload: 'which order?' });
    assert.equal((await missing).errorDetails.code, 'bigcommerce.order_id_missing');
  });
});
