import assert from 'node:assert/strict';
import { IMPORT_MARKER } from '../../lib/sync/import-once';
import { DEMO_ADDRESSES, demoBilling, demoOrderInput, seedDemoWorld, type DemoWorld } from '../../sandbox/demo';
import {
  backfill,
  eventually,
  heldOrders,
  registerOrderHooks,
  reportFailure,
  salesOrdersFor,
  startRuntime,
  startSimulators,
  type Runtime,
  type Simulators,
} from './support';

/**
 * Issue 11, the whole life of an order through the example flow, in agent and SOAP mode: an order waits while
 * it is not eligible, is imported when a status change makes it so, and stays one Sage sales order for ever —
 * after Sage invoiced it and moved it to history (where SOAP cannot look), through status webhooks, backfills and a
 * restart with empty memory. Undone after import, it needs attention; nothing in Sage is deleted.
 */

const STATUS = { pending: 1, shipped: 2, cancelled: 5, awaitingPayment: 7, awaitingShipment: 9, awaitingFulfillment: 11 } as const;

for (const sageMode of ['agent', 'soap'] as const) {
  describe(`end to end: the life of a web order (${sageMode} mode)`, function () {
    this.timeout(180_000);

    let sims: Simulators;
    let runtime: Runtime;
    let world: DemoWorld;

    async function start(): Promise<void> {
      runtime = await startRuntime(sims.endpoints, { sageMode });
      sims.bc.store.hooks.clear();
      registerOrderHooks(sims.bc, runtime.webhookUrl);
    }

    before(async function () {
      this.timeout(180_000);
      sims = await startSimulators();
      world = seedDemoWorld(sims.bc, sims.sage, { items: 6, seed: 11 });
      await start();
    });

    after(async () => {
      await runtime?.stop();
      await sims?.close();
    });

    afterEach(function () {
      reportFailure(this, [runtime]);
    });

    const place = (statusId: number, buyer = 0) =>
      sims.bc.store.placeOrder({
        ...demoOrderInput({
          customerId: world.customerIds[buyer]!,
          billing: demoBilling('Ada', 'Lovelace', DEMO_ADDRESSES[0]!, { guest: false, phone: '555-0101', email: 'ada@example.com' }),
          lines: [{ sku: world.items[buyer]!.itemCode, quantity: 2 }],
          shippingMethod: 'UPS Ground',
          shippingCost: 7.5,
        }),
        status_id: statusId,
      }).id;

    /** Waits for the mapper to hold the order with this kind, counting only holds shown after `from`. */
    async function heldAs(orderId: number, kind: string, from: number): Promise<void> {
      await eventually(() => {
        runtime.editor.throwOnProblems();
        return heldOrders(runtime).slice(from).some((held) => held.orderId === orderId && held.kind === kind);
      }, `order ${orderId} held as ${kind}`);
    }

    /** Every Sage sales order of the web order, open or in history. */
    const everySalesOrder = (orderId: number) => {
      const state = sims.sage.company.state();
      return [...state.salesOrders, ...state.salesOrderHistory].filter((order) => order.CustomerPONo === `BC${orderId}`).map((order) => order.SalesOrderNo);
    };

    it('waits while pending, is imported when it becomes Awaiting Fulfillment, and is one sales order for ever', async () => {
      let from = heldOrders(runtime).length;
      const orderId = place(STATUS.pending);
      await heldAs(orderId, 'wait', from);
      assert.deepEqual(everySalesOrder(orderId), [], 'a pending order is no sales order');

      sims.bc.store.setOrderStatus(orderId, STATUS.awaitingFulfillment);
      const [salesOrder] = await eventually(() => {
        runtime.editor.throwOnProblems();
        const found = salesOrdersFor(sims.sage, orderId);
        return found.length > 0 && found;
      }, 'the status change imports the order');
      const salesOrderNo = salesOrder!.SalesOrderNo;
      const marker = await eventually(
        () => [...sims.bc.store.orderMetafields.values()].find((field) => field.orderId === orderId && field.namespace === IMPORT_MARKER.namespace && field.key === IMPORT_MARKER.key),
        'the marker on the BigCommerce order',
      );
      assert.equal(marker.value, salesOrderNo);

      // A Sage user ships and invoices it; the daily sales journal update moves it to history.
      sims.sage.company.invoiceSalesOrder({ salesOrderNo, trackingNumbers: ['1Z999AA10123456784'] });
      sims.sage.company.dailySalesJournalUpdate();
      assert.deepEqual(salesOrdersFor(sims.sage, orderId), [], 'the order left the open file');

      from = heldOrders(runtime).length;
      sims.bc.store.setOrderStatus(orderId, STATUS.awaitingShipment);
      await heldAs(orderId, 'imported', from);
      from = heldOrders(runtime).length;
      await backfill([runtime]);
      await heldAs(orderId, 'imported', from);

      // A restart with empty memory: a new Node-RED user directory, the same store and company.
      await runtime.stop();
      await start();
      from = heldOrders(runtime).length;
      sims.bc.store.setOrderStatus(orderId, STATUS.shipped);
      await heldAs(orderId, 'imported', from);
      from = heldOrders(runtime).length;
      await backfill([runtime]);
      await heldAs(orderId, 'imported', from);

      from = heldOrders(runtime).length;
      sims.bc.store.setOrderStatus(orderId, STATUS.cancelled);
      await heldAs(orderId, 'needs-attention', from);
      assert.deepEqual(everySalesOrder(orderId), [salesOrderNo], 'one sales order, never deleted');
      assert.deepEqual(runtime.editor.values('order errors'), []);
      assert.deepEqual(runtime.editor.values('dead letters'), []);
    });

    it('makes no sales order of an order that is never eligible: awaiting payment, then cancelled', async () => {
      let from = heldOrders(runtime).length;
      const orderId = place(STATUS.awaitingPayment, 1);
      await heldAs(orderId, 'wait', from);
      from = heldOrders(runtime).length;
      sims.bc.store.setOrderStatus(orderId, STATUS.cancelled);
      await heldAs(orderId, 'wait', from);
      await backfill([runtime]);
      assert.deepEqual(everySalesOrder(orderId), []);
    });
  });
}
