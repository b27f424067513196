import assert from 'node:assert/strict';
import { DEMO_ADDRESSES, demoBilling, placeDemoOrder, seedDemoWorld, type DemoOrder, type DemoWorld } from '../../sandbox/demo';
import { findNode, loadExampleFlow } from '../../sandbox/flows';
import {
  backfill,
  captureOrderCreated,
  deliver,
  eventually,
  heldOrders,
  registerOrderHooks,
  reportFailure,
  resigned,
  salesOrderOutcomes,
  salesOrdersFor,
  startRuntime,
  startSimulators,
  withHooksOff,
  type Runtime,
  type SageSalesOrder,
  type SalesOrderOutcome,
  type Simulators,
} from './support';

/**
 * Issue 5, "What it must show", the order half: the example flow in a real Node-RED, its config nodes pointed
 * at the BigCommerce and Sage 100 simulators, web orders placed in the store, outcomes read from Sage.
 * One runtime for the file: the scenarios use different orders, and each ends with every order settled.
 */

const CASH_CUSTOMER = 'WEBCASH';
/** The first store customers seedDemoWorld registers, in order, and a shopper who checks out as a guest. */
const BUYERS = [['Ada', 'Lovelace'], ['Grace', 'Hopper']] as const;
const GUEST = ['Alan', 'Turing'] as const;

describe('end to end: web orders become Sage 100 sales orders (the example flow in Node-RED)', function () {
  this.timeout(120_000);

  let sims: Simulators;
  let runtime: Runtime;
  let world: DemoWorld;

  before(async function () {
    this.timeout(180_000);
    sims = await startSimulators();
    world = seedDemoWorld(sims.bc, sims.sage, { items: 24, seed: 7 });
    // Sage price level 2 is pushed as a price list, so its buyers go into its customer group.
    runtime = await startRuntime(sims.endpoints, { overrides: { [findNode(loadExampleFlow(), 'bigcommerce-customer-group').id]: { priceLevels: '2' } } });
    registerOrderHooks(sims.bc, runtime.webhookUrl);
  });

  after(async () => {
    await runtime?.stop();
    await sims?.close();
  });

  afterEach(function () {
    reportFailure(this, [runtime]);
  });

  /** A registered buyer's web order, billed and shipped to one of the addresses Sage's ZIP table knows. */
  function webOrder(buyer: 0 | 1 | 'guest', lines: DemoOrder['lines'], extra: Partial<DemoOrder> = {}): DemoOrder {
    const guest = buyer === 'guest';
    const [first, last] = guest ? GUEST : BUYERS[buyer];
    const address = DEMO_ADDRESSES[guest ? 1 : 0]!;
    return {
      customerId: guest ? 0 : world.customerIds[buyer]!,
      billing: demoBilling(first, last, address, { guest, phone: '555-0101', email: `${first.toLowerCase()}@example.com` }),
      lines,
      shippingMethod: 'UPS Ground',
      shippingCost: 12.95,
      ...extra,
    };
  }

  const sku = (index: number) => world.items[index]!.itemCode;

  async function oneSalesOrderFor(orderId: number): Promise<SageSalesOrder> {
    const [order] = await eventually(() => {
      runtime.editor.throwOnProblems();
      const found = salesOrdersFor(sims.sage, orderId);
      return found.length > 0 && found;
    }, `a Sage sales order for web order ${orderId}`);
    return order!;
  }

  /** What the example flow's "sales orders" debug node showed for this sales order. */
  const outcomesOf = (salesOrderNo: string) => salesOrderOutcomes(runtime).filter((shown) => shown.salesOrderNo === salesOrderNo).map((shown) => shown.outcome);

  const fetchesOf = (orderId: number) => sims.bc.exchanges.filter((exchange) => exchange.method === 'GET' && exchange.apiPath === `/orders/${orderId}`).length;

  /** Every web order in the store has at most one sales order, and nothing reached the error or dead-letter debug. */
  function assertSettled(): void {
    for (const orderId of sims.bc.store.orders.keys()) {
      assert.ok(salesOrdersFor(sims.sage, orderId).length <= 1, `web order ${orderId} has more than one sales order`);
    }
    assert.deepEqual(runtime.editor.values('order errors'), [], 'the Catch node saw errors');
    assert.deepEqual(runtime.editor.values('dead letters'), [], 'jobs went to the dead letter output');
  }

  it('turns a signed store/order/created webhook into one sales order with its lines, and one AR customer', async () => {
    const customersBefore = sims.sage.company.state().customers.map((customer) => customer.CustomerNo);
    const order = webOrder(0, [{ sku: sku(0), quantity: 3 }, { sku: sku(5), quantity: 1 }], { message: 'Please deliver to the loading dock at the back.' });
    const orderId = placeDemoOrder(sims.bc, order);

    const salesOrder = await oneSalesOrderFor(orderId);
    const customerNo = `BC${order.customerId}`;
    assert.match(salesOrder.SalesOrderNo, /^W\d{6}$/);
    assert.equal(Number(salesOrder.SalesOrderNo.slice(1)), orderId);
    assert.equal(salesOrder.CustomerPONo, `BC${orderId}`);
    assert.equal(salesOrder.ARDivisionNo, '00');
    assert.equal(salesOrder.CustomerNo, customerNo);
    assert.equal(salesOrder.ShipToCity, 'Seattle');
    assert.equal(salesOrder.ShipToZipCode, '98109');
    assert.deepEqual(
      salesOrder.Lines.map((line) => (line.ItemCode === '/C' ? { ItemCode: line.ItemCode, CommentText: line.CommentText } : { ItemCode: line.ItemCode, QuantityOrdered: line.QuantityOrdered, UnitPrice: line.UnitPrice })),
      [
        { ItemCode: sku(0), QuantityOrdered: 3, UnitPrice: sims.bc.store.priceOf(sku(0)) },
        { ItemCode: sku(5), QuantityOrdered: 1, UnitPrice: sims.bc.store.priceOf(sku(5)) },
        { ItemCode: '/C', CommentText: 'Customer message: Please deliver to the loading dock at the back.' },
      ],
    );
    assert.equal(salesOrder.FreightAmt, 12.95, 'freight in the header');

    const customers = sims.sage.company.state().customers;
    assert.deepEqual(
      customers.map((customer) => customer.CustomerNo).filter((no) => !customersBefore.includes(no)),
      [customerNo],
      'exactly one new AR customer',
    );
    const customer = customers.find((candidate) => candidate.CustomerNo === customerNo)!;
    assert.equal(customer.CustomerName, 'Lovelace Supply Co');
    assert.equal(customer.AddressLine1, '400 Broad St');
    assert.equal(customer.AddressLine3, 'Ada Lovelace');
    assert.equal(customer.ZipCode, '98109');
    assert.equal(customer.EmailAddress, 'ada@example.com');

    await runtime.editor.waitForDebug<SalesOrderOutcome>('sales orders', (shown) => shown.salesOrderNo === salesOrder.SalesOrderNo, 'the job reaches the end of the chain');
    assert.deepEqual(outcomesOf(salesOrder.SalesOrderNo), ['created']);
    await sims.bc.webhooks.idle(10_000);
    const deliveries = sims.bc.webhooks.log().filter((delivery) => delivery.scope === 'store/order/created');
    assert.ok(deliveries.length > 0 && deliveries.every((delivery) => delivery.status === 200), 'BigCommerce got 200 for its delivery');
    assertSettled();
  });

  it('makes one sales order of the same webhook delivered 5 times at once, a duplicate from BigCommerce, and the backfill seeing both orders', async () => {
    // The same signed body, five times in parallel.
    const { orderId: first, delivery } = await captureOrderCreated(sims.bc, () => placeDemoOrder(sims.bc, webOrder(1, [{ sku: sku(2), quantity: 2 }])));
    const statuses = await Promise.all(Array.from({ length: 5 }, () => deliver(runtime.webhookUrl, delivery)));
    assert.deepEqual(statuses, [200, 200, 200, 200, 200]);
    const firstOrder = await oneSalesOrderFor(first);
    await runtime.editor.waitForDebug<SalesOrderOutcome>('sales orders', (shown) => shown.salesOrderNo === firstOrder.SalesOrderNo, 'the first job ends');

    // BigCommerce itself sends the event twice: a new webhook-id, the same hash.
    sims.bc.faults.add({ kind: 'duplicate-webhook', times: 1 });
    const second = placeDemoOrder(sims.bc, webOrder(1, [{ sku: sku(3), quantity: 1 }]));
    const secondOrder = await oneSalesOrderFor(second);
    await sims.bc.webhooks.idle(10_000);
    const secondDeliveries = sims.bc.webhooks.log().filter((entry) => entry.scope === 'store/order/created' && entry.destination === runtime.webhookUrl && JSON.parse(entry.body).data.id === second);
    assert.equal(secondDeliveries.length, 2, 'the store delivered the event twice');
    assert.ok(secondDeliveries.every((entry) => entry.status === 200));

    await runtime.editor.waitForDebug<SalesOrderOutcome>('sales orders', (shown) => shown.salesOrderNo === secondOrder.SalesOrderNo, 'the second job ends');
    assert.equal(fetchesOf(first), 1, 'one job fetched the first order');
    assert.equal(fetchesOf(second), 1, 'one job fetched the second order');

    // The backfill reads both orders again with their import markers: held as imported, nothing created.
    await backfill([runtime]);
    for (const [orderId, salesOrder] of [[first, firstOrder], [second, secondOrder]] as const) {
      assert.deepEqual(outcomesOf(salesOrder.SalesOrderNo), ['created'], `no second create for ${salesOrder.SalesOrderNo}`);
      assert.ok(heldOrders(runtime).some((held) => held.orderId === orderId && held.kind === 'imported'), `the backfill holds ${orderId} as imported`);
    }
    assert.equal(salesOrdersFor(sims.sage, first).length, 1);
    assert.equal(salesOrdersFor(sims.sage, second).length, 1);
    assertSettled();
  });

  it('creates the orders whose webhook never arrived on the next backfill; a guest buys on the cash customer', async () => {
    const customersBefore = sims.sage.company.state().customers.map((customer) => customer.CustomerNo);
    // A checkout while the store delivered nothing, and an order that predates the webhooks altogether.
    const guestOrder = withHooksOff(sims.bc, () => placeDemoOrder(sims.bc, webOrder('guest', [{ sku: sku(4), quantity: 5 }], { shippingCost: 0 })));
    const older = sims.bc.store.addOrder({
      customer_id: world.customerIds[0],
      billing_address: webOrder(0, []).billing,
      products: [{ sku: sku(6), quantity: 4 }],
      shipping_cost_ex_tax: 7.5,
      shipping_cost_inc_tax: 7.5,
      payment_method: 'Credit Card',
      status_id: 11,
    }).id;
    assert.deepEqual(salesOrdersFor(sims.sage, guestOrder), []);

    await backfill([runtime]);
    const guestSalesOrder = await oneSalesOrderFor(guestOrder);
    const olderSalesOrder = await oneSalesOrderFor(older);

    assert.equal(guestSalesOrder.CustomerNo, CASH_CUSTOMER);
    assert.equal(guestSalesOrder.ShipToCity, 'New York');
    assert.deepEqual(
      guestSalesOrder.Lines.map((line) => [line.ItemCode, line.QuantityOrdered]),
      [[sku(4), 5]],
      'no freight line for free shipping',
    );
    assert.equal(olderSalesOrder.CustomerNo, `BC${world.customerIds[0]}`);
    assert.deepEqual(
      olderSalesOrder.Lines.map((line) => [line.ItemCode, line.QuantityOrdered, line.UnitPrice]),
      [[sku(6), 4, sims.bc.store.priceOf(sku(6))]],
    );
    assert.equal(olderSalesOrder.FreightAmt, 7.5, 'freight in the header');
    const newCustomers = sims.sage.company.state().customers.map((customer) => customer.CustomerNo).filter((no) => !customersBefore.includes(no));
    assert.ok(newCustomers.every((no) => no === olderSalesOrder.CustomerNo), `the guest made no AR customer (new: ${newCustomers.join(', ')})`);
    for (const salesOrder of [guestSalesOrder, olderSalesOrder]) assert.deepEqual(outcomesOf(salesOrder.SalesOrderNo), ['created']);
    assertSettled();
  });

  it('finds an order invoiced and moved to Sage history when the backfill sees it again: still one Sage order', async () => {
    const orderId = placeDemoOrder(sims.bc, webOrder(0, [{ sku: sku(8), quantity: 1 }]));
    const salesOrder = await oneSalesOrderFor(orderId);
    await runtime.editor.waitForDebug<SalesOrderOutcome>('sales orders', (shown) => shown.salesOrderNo === salesOrder.SalesOrderNo, 'the job ends');
    // In Sage: shipped and invoiced with a tracking number, then the daily sales journal update posts it.
    sims.sage.company.invoiceSalesOrder({ salesOrderNo: salesOrder.SalesOrderNo, trackingNumbers: ['1Z999AA10123456784'] });
    sims.sage.company.dailySalesJournalUpdate();
    assert.deepEqual(salesOrdersFor(sims.sage, orderId), [], 'the order left the open file');

    await backfill([runtime]);
    assert.deepEqual(outcomesOf(salesOrder.SalesOrderNo), ['created'], 'no second create');
    assert.ok(
      heldOrders(runtime).some((held) => held.orderId === orderId && held.kind === 'imported'),
      'the backfill sees the marker on the order and holds it as imported',
    );
    const history = sims.sage.company.state().salesOrderHistory.filter((order) => order.CustomerPONo === `BC${orderId}`);
    assert.deepEqual(history.map((order) => [order.SalesOrderNo, order.OrderStatus]), [[salesOrder.SalesOrderNo, 'C']]);
    assert.deepEqual(salesOrdersFor(sims.sage, orderId), [], 'no second order in the open file');
    assertSettled();
  });

  it("puts a B2B buyer in the store's customer group of its Sage price level with its first order, and costs no call after", async () => {
    const customerId = world.customerIds[2]!;
    // The sales team keeps this customer in Sage at price level 2.
    sims.sage.company.createCustomer({ ARDivisionNo: '00', CustomerNo: `BC${customerId}`, CustomerName: 'Babbage Engines Ltd', PriceLevel: '2' });
    const customerCalls = () => sims.bc.exchanges.filter((exchange) => exchange.apiPath === '/customers').map((exchange) => exchange.method);

    // The group step follows the sales order; its status names the customer once it is done.
    const groupStatus = () => runtime.editor.status.get(runtime.idOf('bigcommerce-customer-group'))?.text ?? '';
    const first = await oneSalesOrderFor(placeDemoOrder(sims.bc, webOrder(1, [{ sku: sku(9), quantity: 2 }], { customerId })));
    await runtime.editor.waitForDebug<SalesOrderOutcome>('sales orders', (shown) => shown.salesOrderNo === first.SalesOrderNo, 'the sales order');
    await eventually(() => groupStatus().startsWith(`customer ${customerId} into`), 'the job passes the price level group');
    const group = sims.bc.store.pricing.groupByName('Sage price level 2');
    assert.ok(group, 'the level has its customer group');
    assert.equal(sims.bc.store.customers.get(customerId)!.customerGroupId, group.id);
    assert.deepEqual(customerCalls(), ['GET', 'PUT'], 'one read of the customer, one write');

    const second = await oneSalesOrderFor(placeDemoOrder(sims.bc, webOrder(1, [{ sku: sku(10), quantity: 1 }], { customerId })));
    await runtime.editor.waitForDebug<SalesOrderOutcome>('sales orders', (shown) => shown.salesOrderNo === second.SalesOrderNo, 'the second sales order');
    await eventually(() => groupStatus().startsWith(`customer ${customerId} already in`), 'the second job passes the price level group');
    assert.deepEqual(customerCalls(), ['GET', 'PUT'], 'the second order costs the store no call');
    assert.equal(sims.bc.store.customers.get(customerId)!.customerGroupId, group.id);
    assertSettled();
  });

  it('answers 401 to a webhook whose signature is wrong, missing or stale, or whose body was changed, and creates nothing', async () => {
    const sageBefore = sims.sage.company.state();
    const { orderId, delivery } = await captureOrderCreated(sims.bc, () => placeDemoOrder(sims.bc, webOrder(1, [{ sku: sku(7), quantity: 1 }])));
    const tampered = { ...delivery, body: delivery.body.replace(`"id":${orderId}`, `"id":${orderId + 1000}`) };
    const unsigned = { body: delivery.body, headers: { 'content-type': 'application/json' } };
    // Signed with the store's own secret, but an hour ago: a replayed delivery, outside the 5-minute tolerance.
    const stale = resigned(delivery, sims.bc.clientSecret, new Date(Date.now() - 3_600_000));
    const attempts = [['wrong secret', resigned(delivery, 'not-the-client-secret')], ['changed body', tampered], ['no signature', unsigned], ['stale timestamp', stale]] as const;
    for (const [what, attempt] of attempts) {
      assert.equal(await deliver(runtime.webhookUrl, attempt), 401, what);
    }
    assert.equal(fetchesOf(orderId), 0, 'no job fetched the order');
    assert.deepEqual(salesOrdersFor(sims.sage, orderId), []);
    const sageAfter = sims.sage.company.state();
    assert.equal(sageAfter.salesOrders.length, sageBefore.salesOrders.length, 'no sales order');
    assert.equal(sageAfter.customers.length, sageBefore.customers.length, 'no customer');
    const verifyId = runtime.idOf('bigcommerce-webhook-verify');
    await eventually(() => /\(4\)$/.test(runtime.editor.status.get(verifyId)?.text ?? ''), 'the verify node shows four rejected deliveries');
    assertSettled();
  });
});
