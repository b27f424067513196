import assert from 'node:assert/strict';
import { orderLines, orderSchema, type BigCommerceOrderInput } from '../../lib/bigcommerce/order';
import bigcommerceConfig from '../../nodes/bigcommerce/bigcommerce-config';
import bigcommerceOrder from '../../nodes/bigcommerce/bigcommerce-order';
import { startTestStore, type TestStore } from '../support/bigcommerce';
import { IMPORT_MARKER } from '../../lib/sync/import-once';
import { coreNode, helper, nextMessage, type TestNode, startWithUserDir } from '../support/node-red';

const catchNode = coreNode('common/25-catch.js');
const nodes = [bigcommerceConfig, bigcommerceOrder, catchNode];
const at = { x: 100, y: 100 };
const HOUR = 3_600_000;

interface OrderMsg {
  payload: BigCommerceOrderInput;
  orderId: number;
  storeHash?: string;
  imported?: boolean;
  importMarker?: string;
}

function collect(node: TestNode): OrderMsg[] {
  const seen: OrderMsg[] = [];
  node.on('input', ((msg: OrderMsg) => seen.push(msg)) as never);
  return seen;
}

function lastStatus(node: TestNode): () => { fill?: string; text?: string } | undefined {
  let last: { fill?: string; text?: string } | undefined;
  node.on('call:status', ((call: { args: [{ fill?: string; text?: string }] }) => (last = call.args[0])) as never);
  return () => last;
}

describe('bigcommerce-order node', () => {
  let sim: TestStore;
  let stopNodeRed: () => Promise<void>;

  function flow(settings: Record<string, unknown> = {}) {
    return [
      { id: 'tab', type: 'tab' },
      { id: 'bc', type: 'bigcommerce-config', storeHash: sim.storeHash, apiUrl: sim.apiUrl, timeout: 10 },
      { id: 'order', z: 'tab', ...at, type: 'bigcommerce-order', bigcommerce: 'bc', mode: 'get', statusId: '', overlap: 300, lookback: 24, wires: [['out']], ...settings },
      { id: 'out', z: 'tab', ...at, type: 'helper' },
      { id: 'catch', z: 'tab', ...at, type: 'catch', scope: ['order'], wires: [['caught']] },
      { id: 'caught', z: 'tab', ...at, type: 'helper' },
    ];
  }
  const credentials = () => ({ bc: { accessToken: sim.accessToken } });
  /** The requests the store received, as `GET /v2/orders/100` with their query. */
  const requests = () =>
    sim.exchanges.map((exchange) => {
      const url = new URL(exchange.url, sim.apiUrl);
      return { call: `${exchange.method} ${url.pathname.replace(`/stores/${sim.storeHash}`, '')}`, query: Object.fromEntries(url.searchParams) };
    });
  const calls = (pattern: RegExp) => requests().filter((request) => pattern.test(request.call)).length;
  const orderList = () => requests().find((request) => request.call === 'GET /v2/orders');

  function addOrder(extra: Record<string, unknown> = {}): number {
    const order = sim.store.addOrder({
      billing_address: { first_name: 'Jane', last_name: 'Doe', zip: '78751', email: 'jane@example.com', country_iso2: 'US' },
      products: [{ name: 'Widget', quantity: 2, price_ex_tax: 10, price_inc_tax: 10 }],
      ...extra,
    } as never);
    return order.id;
  }

  /** Triggers one poll and resolves with the orders it sent, once its status says it is done. */
  async function poll(): Promise<OrderMsg[]> {
    const out = collect(helper.getNode('out'));
    const status = lastStatus(helper.getNode('order'));
    helper.getNode('order').receive({ payload: 'tick' });
    for (let i = 0; i < 200 && status()?.fill !== 'green'; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    assert.equal(status()?.fill, 'green', `poll did not finish: ${JSON.stringify(status())}`);
    return out;
  }

  beforeEach(async () => {
    sim = await startTestStore();
    ({ stop: stopNodeRed } = await startWithUserDir('bigcommerce-order-node-'));
  });
  afterEach(async () => {
    await stopNodeRed();
    await sim.close();
  });

  describe('get', () => {
    it('emits the full order from one call: header, consignments with addresses and line items', async () => {
      const id = addOrder({ shipping_addresses: [{ first_name: 'Sam', last_name: 'Roe', street_1: '1 Main St', city: 'Austin', state: 'Texas', zip: '78751', country_iso2: 'US' }] });
      await helper.load(nodes, flow(), credentials());
      const sent = nextMessage<OrderMsg>(helper.getNode('out'));
      helper.getNode('order').receive({ payload: id });
      const msg = await sent;
      assert.equal(msg.orderId, id);
      assert.equal(msg.storeHash, sim.storeHash, "the store, for the mapper's waiting-order ledger");
      const order = orderSchema.parse(msg.payload);
      assert.equal(order.id, id);
      assert.equal(order.consignments.shipping[0]?.street_1, '1 Main St');
      assert.equal(order.consignments.shipping[0]?.line_items[0]?.quantity, 2);
      assert.equal(typeof msg.payload.total_inc_tax, 'string', 'payload is the order as BigCommerce sent it');
      assert.equal(order.coupons, undefined, 'no coupon discount: the coupons link is left as BigCommerce sent it');
      assert.deepEqual(order.fees, [], 'the fees come with the order (include=fees), not as a link the mapper cannot follow');
      assert.equal(calls(/^GET \/v2\/orders\/\d+$/), 1);
      assert.equal(calls(/^GET \/v2\/orders\/\d+\/coupons$/), 0);
      assert.deepEqual(requests()[0]?.query, { include: 'consignments.line_items,fees', consignment_structure: 'object' });
    });

    it('adds the coupons, with one more call, only for a coupon discount that its lines do not name', async () => {
      const named = addOrder({ coupons: [{ code: 'SAVE5', discount: 5 }] });
      const unnamed = addOrder({ coupons: [{ code: 'SAVE7', discount: 7 }] });
      // As from a checkout that did not spread the coupon over the lines: only /coupons knows its code.
      sim.store.updateOrder(unnamed, (order) => {
        for (const line of order.lines) line.discounts = [];
      });
      await helper.load(nodes, flow(), credentials());

      let sent = nextMessage<OrderMsg>(helper.getNode('out'));
      helper.getNode('order').receive({ topic: 'store/order/created', payload: { scope: 'store/order/created' }, resourceId: named });
      const lines = orderLines(orderSchema.parse((await sent).payload));
      assert.equal(lines[0]?.applied_discounts[0]?.code, 'SAVE5');
      assert.equal(calls(/^GET \/v2\/orders\/\d+\/coupons$/), 0);

      sent = nextMessage<OrderMsg>(helper.getNode('out'));
      helper.getNode('order').receive({ topic: 'store/order/created', payload: { scope: 'store/order/created' }, resourceId: unnamed });
      assert.equal(orderSchema.parse((await sent).payload).coupons?.[0]?.code, 'SAVE7');
      assert.equal(calls(/^GET \/v2\/orders\/\d+\/coupons$/), 1);
    });

    it('sends a missing order, a msg without an id, and a non-order event to Catch with the reason', async () => {
      addOrder();
      await helper.load(nodes, flow(), credentials());
      const caught = helper.getNode('caught');

      let next = nextMessage<{ errorDetails: { code: string; status?: number } }>(caught);
      helper.getNode('order').receive({ payload: 999_999 });
      assert.equal((await next).errorDetails.code, 'bigcommerce.not_found');

      next = nextMessage(caught);
      helper.getNode('order').receive({ payload: 'hello' });
      assert.equal((await next).errorDetails.code, 'bigcommerce.order_id_missing');

      next = nextMessage(caught);
      helper.getNode('order').receive({ topic: 'store/product/updated', resourceId: 12 });
      assert.equal((await next).errorDetails.code, 'bigcommerce.not_an_order');
    });
  });

  describe('import marker', () => {
    const mark = (orderId: number, value: string) =>
      sim.store.addOrderMetafield(orderId, { ...IMPORT_MARKER, value, permission_set: 'app_only' }, sim.clientId);

    it('get: one more call reads the marker; a marked order says imported, with its Sage number', async () => {
      const [marked, fresh] = [addOrder(), addOrder()];
      mark(marked, 'W000001');
      await helper.load(nodes, flow({ readMarker: true }), credentials());
      const out = collect(helper.getNode('out'));
      for (const id of [marked, fresh]) helper.getNode('order').receive({ payload: id });
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.deepEqual(out.map((msg) => [msg.orderId, msg.imported, msg.importMarker]), [[marked, true, 'W000001'], [fresh, false, undefined]]);
      assert.equal(calls(/^GET \/v3\/orders\/\d+\/metafields$/), 2);
    });

    it('poll: one listing of every marker for the whole poll, not one read per order', async () => {
      const now = Date.now();
      const ids = [3, 2, 1].map((hoursAgo) => addOrder({ date_created: now - hoursAgo * HOUR, date_modified: now - hoursAgo * HOUR }));
      mark(ids[1]!, 'W000002');
      await helper.load(nodes, flow({ mode: 'poll', readMarker: true }), credentials());
      const sent = await poll();
      assert.deepEqual(sent.map((msg) => [msg.orderId, msg.imported === true]), [[ids[0], false], [ids[1], true], [ids[2], false]]);
      assert.equal(calls(/^GET \/v3\/orders\/metafields$/), 1);
      assert.equal(calls(/^GET \/v3\/orders\/\d+\/metafields$/), 0);
    });
  });

  describe('poll', () => {
    it('emits each order modified since the cursor once, oldest first, and keeps the cursor across a restart', async () => {
      const now = Date.now();
      const old = addOrder({ date_created: now - 48 * HOUR, date_modified: now - 48 * HOUR });
      const ids = [5, 4, 3, 2, 1].map((hoursAgo) => addOrder({ date_created: now - hoursAgo * HOUR, date_modified: now - hoursAgo * HOUR }));
      await helper.load(nodes, flow({ mode: 'poll', pageSize: 2 }), credentials());

      const first = await poll();
      assert.deepEqual(first.map((msg) => msg.orderId), ids, 'orders of the last 24 h, oldest first');
      assert.ok(!first.some((msg) => msg.orderId === old));
      assert.ok(first.every((msg) => msg.storeHash === sim.storeHash));
      const list = orderList();
      assert.equal(list?.query.sort, 'date_modified:asc');
      assert.equal(list?.query.limit, '2');
      assert.ok(requests().filter((request) => request.call === 'GET /v2/orders').length >= 3, 'five orders, two per call');
      assert.equal(list?.query.include, 'consignments.line_items,fees');

      assert.deepEqual(await poll(), [], 'nothing changed: nothing sent again, despite the overlap');

      sim.store.setOrderStatus(ids[1]!, 11);
      const third = await poll();
      assert.deepEqual(third.map((msg) => msg.orderId), [ids[1]]);
      assert.equal(third[0]?.payload.status_id, 11);

      await helper.unload();
      await helper.load(nodes, flow({ mode: 'poll', pageSize: 2 }), credentials());
      assert.deepEqual(await poll(), [], 'the cursor came back from disk');
      sim.store.setOrderStatus(ids[3]!, 2);
      assert.deepEqual((await poll()).map((msg) => msg.orderId), [ids[3]]);
    });

    it('polls only the chosen status', async () => {
      const now = Date.now();
      addOrder({ status_id: 1, date_modified: now - HOUR });
      const wanted = addOrder({ status_id: 11, date_modified: now - HOUR });
      await helper.load(nodes, flow({ mode: 'poll', statusId: '11' }), credentials());
      assert.deepEqual((await poll()).map((msg) => msg.orderId), [wanted]);
      assert.equal(orderList()?.query.status_id, '11');
    });
  });
});
