import assert from 'node:assert/strict';
import { DEMO_ADDRESSES, placeDemoOrder, seedDemoWorld, type DemoOrder, type DemoWorld } from '../../sandbox/demo';
import { removeKeys, uniquePrefix } from '../unit/queue-support';
import {
  REDIS_URL,
  backfill,
  eventually,
  queueDrops,
  registerOrderHooks,
  reportFailure,
  requireRedis,
  salesOrderOutcomes,
  salesOrdersFor,
  startRuntime,
  startSimulators,
  withHooksOff,
  type Runtime,
  type Simulators,
} from './support';

/**
 * Issue 5, "What it must show": two Node-RED instances running the example flow with the order queue on one
 * Redis (BullMQ). Both receive the same webhook, or both backfill the same order; Sage gets one sales order,
 * and one job runs, on one of them.
 */

describe('end to end: two Node-RED instances on one Redis make one sales order of one web order', function () {
  this.timeout(120_000);

  const keyPrefix = uniquePrefix();
  let redisUp = false;
  let sims: Simulators | undefined;
  let runtimes: Runtime[] = [];
  let world: DemoWorld;

  before(async function () {
    this.timeout(180_000);
    await requireRedis(this);
    redisUp = true;
    sims = await startSimulators();
    world = seedDemoWorld(sims.bc, sims.sage, { items: 12, seed: 11 });
    const endpoints = sims.endpoints;
    runtimes = await Promise.all([0, 1].map(() => startRuntime(endpoints, { redis: { url: REDIS_URL, keyPrefix } })));
    for (const runtime of runtimes) registerOrderHooks(sims.bc, runtime.webhookUrl);
  });

  after(async () => {
    await Promise.all(runtimes.map((runtime) => runtime.stop()));
    await sims?.close();
    if (redisUp) await removeKeys(keyPrefix);
  });

  afterEach(function () {
    reportFailure(this, runtimes);
  });

  function webOrder(lines: DemoOrder['lines']): DemoOrder {
    return {
      customerId: world.customerIds[2]!,
      billing: { first_name: 'Alan', last_name: 'Turing', company: '', ...DEMO_ADDRESSES[2]!, country: 'United States', country_iso2: 'US', phone: '555-0102', email: 'alan@example.com' },
      lines,
      shippingMethod: 'Flat Rate',
      shippingCost: 7.5,
    };
  }

  /** Jobs the instances dropped because one of them already had them. */
  const duplicatesDropped = () => runtimes.reduce((sum, runtime) => sum + queueDrops(runtime), 0);

  /** The "sales orders" debug entries of both instances for one sales order: one per job that ran. */
  const outcomesOf = (salesOrderNo: string) =>
    runtimes.flatMap(salesOrderOutcomes).filter((shown) => shown.salesOrderNo === salesOrderNo).map((shown) => shown.outcome);

  const fetchesOf = (orderId: number) => sims!.bc.exchanges.filter((exchange) => exchange.method === 'GET' && exchange.apiPath === `/orders/${orderId}`).length;

  function assertNoErrors(): void {
    for (const runtime of runtimes) {
      assert.deepEqual(runtime.editor.values('order errors'), []);
      assert.deepEqual(runtime.editor.values('dead letters'), []);
    }
  }

  it('turns the same webhook delivered to both instances into one job and one sales order', async () => {
    const { bc, sage } = sims!;
    // The store answers the job's order fetch slowly, so the job is still running when the second delivery
    // is in, however the two runtimes are scheduled: that delivery meets the job in Redis.
    bc.faults.add({ kind: 'latency', route: 'GET /v2/orders/{order_id}', latencyMs: 1_500, times: 1 });
    const orderId = placeDemoOrder(bc, webOrder([{ sku: world.items[0]!.itemCode, quantity: 2 }]));

    const [salesOrder] = await eventually(() => {
      for (const runtime of runtimes) runtime.editor.throwOnProblems();
      const found = salesOrdersFor(sage, orderId);
      return found.length > 0 && found;
    }, `a Sage sales order for web order ${orderId}`);
    await bc.webhooks.idle(10_000);
    const deliveries = bc.webhooks.log().filter((entry) => entry.scope === 'store/order/created' && JSON.parse(entry.body).data.id === orderId);
    assert.deepEqual(
      deliveries.map((entry) => [entry.destination, entry.status]).sort(),
      runtimes.map((runtime) => [runtime.webhookUrl, 200]).sort(),
      'each instance got the webhook and answered 200',
    );
    // The instance that came second found the job in Redis already: no second job can start after this.
    await eventually(() => duplicatesDropped() === 1, 'one instance drops the webhook as a job already queued');
    await eventually(() => outcomesOf(salesOrder!.SalesOrderNo).length > 0, 'the job reaches the end of the chain');
    assert.deepEqual(outcomesOf(salesOrder!.SalesOrderNo), ['created'], 'one job ran, on one instance');
    assert.equal(fetchesOf(orderId), 1);
    assert.equal(salesOrdersFor(sage, orderId).length, 1);
    assertNoErrors();
  });

  it('makes one sales order of an order both instances\u2019 backfill find, each add either run or dropped', async () => {
    const { bc, sage } = sims!;
    const orderId = withHooksOff(bc, () => placeDemoOrder(bc, webOrder([{ sku: world.items[1]!.itemCode, quantity: 1 }])));

    // Each poll reads every order of the last day (the first test's too) and adds one job per order. An add
    // meeting the job on the other instance is dropped; one after that job ended runs again and finds the
    // sales order in Sage. Either way Sage has one sales order per web order.
    await backfill(runtimes);

    const [salesOrder, ...more] = salesOrdersFor(sage, orderId);
    assert.ok(salesOrder, `the backfill made a sales order for web order ${orderId}`);
    assert.deepEqual(more, []);
    const outcomes = outcomesOf(salesOrder.SalesOrderNo);
    assert.equal(outcomes.filter((outcome) => outcome === 'created').length, 1, `outcomes: ${outcomes.join(', ')}`);
    assert.ok(outcomes.every((outcome) => outcome === 'created' || outcome === 'already-posted'));
    for (const id of bc.store.orders.keys()) assert.equal(salesOrdersFor(sage, id).length, 1, `web order ${id} has one sales order`);
    assertNoErrors();
  });
});
