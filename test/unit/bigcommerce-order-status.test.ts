import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { createBigCommerceClient, type BigCommerceClient } from '../../lib/bigcommerce/client';
import { ORDER_STATUS, updateOrderStatus } from '../../lib/bigcommerce/order-status';
import type { ConnectorError, ValidationError } from '../../lib/errors';
import type { RequestFunction } from '../../lib/http/transport';
import { callStore, receiveWebhooks, sampleOrder, startTestStore, type TestStore, type WebhookReceiver } from '../support/bigcommerce';

describe('BigCommerce order status: PUT /v2/orders/{id} and the simulator hook', () => {
  let sim: TestStore;
  let receiver: WebhookReceiver;
  let client: BigCommerceClient;

  async function start(options: Parameters<typeof startTestStore>[0] = {}) {
    receiver = await receiveWebhooks();
    sim = await startTestStore({ clientSecret: 'status-secret', ...options });
    sim.store.addProduct({ id: 10, sku: 'ABC-1', name: 'Widget', price: 12.5, inventory_level: 10 });
    client = createBigCommerceClient({ storeHash: sim.storeHash, accessToken: sim.accessToken, apiUrl: sim.apiUrl, retry: { retries: 0 } });
    for (const scope of ['store/order/updated', 'store/order/statusUpdated']) {
      assert.equal((await callStore(sim, 'POST', '/v3/hooks', { body: { scope, destination: receiver.url } })).status, 200);
    }
  }
  afterEach(async () => {
    await client?.close();
    await sim?.close();
    await receiver?.close();
  });

  it('changes status, status name, custom_status and date_modified, and fires signed updated + statusUpdated', async () => {
    let clock = Date.UTC(2026, 11, 4, 10, 0, 0);
    await start({ now: () => clock });
    const order = sim.store.addOrder(sampleOrder({ status_id: ORDER_STATUS.awaitingPayment }));
    clock += 65_000;

    const change = await updateOrderStatus(client.request, order.id, ORDER_STATUS.awaitingFulfillment);
    assert.deepEqual(
      { id: change.orderId, status_id: change.statusId, status: change.status, custom: change.customStatus },
      { id: order.id, status_id: 11, status: 'Awaiting Fulfillment', custom: 'Awaiting Fulfillment' },
    );
    assert.equal(Date.parse(change.dateModified), clock - (clock % 1000));
    const read = await callStore<{ status_id: number; status: string; date_modified: string }>(sim, 'GET', `/v2/orders/${order.id}`);
    assert.deepEqual([read.body.status_id, read.body.status], [11, 'Awaiting Fulfillment']);

    const deliveries = await receiver.waitFor(2);
    const status = deliveries.find((d) => d.payload.scope === 'store/order/statusUpdated')!;
    assert.deepEqual(status.payload.data, { type: 'order', id: order.id, status: { previous_status_id: 7, new_status_id: 11 } });
    const headers = Object.fromEntries(Object.entries(status.headers).map(([k, v]) => [k, String(v)]));
    assert.deepEqual(new Webhook(Buffer.from('status-secret').toString('base64')).verify(status.rawBody, headers), status.payload);
    assert.ok(deliveries.some((d) => d.payload.scope === 'store/order/updated'));
  });

  it('the same status again fires store/order/updated only', async () => {
    await start();
    const order = sim.store.addOrder(sampleOrder({ status_id: 11 }));
    await updateOrderStatus(client.request, order.id, 11);
    await receiver.waitFor(1);
    await sim.webhooks.idle();
    assert.deepEqual(receiver.received.map((d) => d.payload.scope), ['store/order/updated']);
  });

  it('refuses a status id BigCommerce does not have before any call, and names a missing order', async () => {
    await start();
    const order = sim.store.addOrder(sampleOrder());
    const before = sim.exchanges.length;
    await assert.rejects(updateOrderStatus(client.request, order.id, 15), (err: ValidationError) => err.code === 'bigcommerce.status_invalid' && err.record === `order ${order.id}`);
    await assert.rejects(updateOrderStatus(client.request, 0, 2), (err: ValidationError) => err.code === 'bigcommerce.order_id_invalid');
    assert.equal(sim.exchanges.length, before);
    await assert.rejects(updateOrderStatus(client.request, 999, 2), /BigCommerce 404 on PUT \/v2\/orders\/999/);
  });

  it('reports a status the store did not apply (another app holding the order) with the order named', async () => {
    await start();
    const order = sim.store.addOrder(sampleOrder({ status_id: 11 }));
    // A store rule that keeps the order where it is: the answer carries the old status.
    const holding: RequestFunction = async (req) => {
      const response = await client.request(req);
      return { ...response, body: { ...(response.body as object), status_id: 11, status: 'Awaiting Fulfillment' } } as never;
    };
    await assert.rejects(updateOrderStatus(holding, order.id, ORDER_STATUS.shipped), (err: ConnectorError) => {
      assert.equal(err.code, 'bigcommerce.status_not_applied');
      assert.equal(err.record, `order ${order.id}`);
      assert.match(err.message, /kept order \d+ in status 11 \(Awaiting Fulfillment\) instead of 2/);
      return true;
    });
  });

  it('POST /__sim/orders/{id}/status changes the status as the control panel does; POST /__sim/orders creates orders with full control', async () => {
    await start();
    const created = await callStore<{ id: number; lines: Array<{ id: number; sku: string }>; order_address_ids: number[] }>(sim, 'POST', '/__sim/orders', {
      body: { ...sampleOrder({ status_id: 7 }), notify: false },
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.lines[0]!.sku, 'ABC-1');
    assert.equal(created.body.order_address_ids.length, 1);
    assert.equal(sim.store.stockOf('ABC-1'), 10, 'notify: false seeds without taking stock');

    const changed = await callStore<{ previous_status_id: number; status_id: number }>(sim, 'POST', `/__sim/orders/${created.body.id}/status`, { body: { status_id: 5 } });
    assert.deepEqual([changed.status, changed.body.previous_status_id, changed.body.status_id], [200, 7, 5]);
    const [statusHook] = (await receiver.waitFor(2)).filter((d) => d.payload.scope === 'store/order/statusUpdated');
    assert.deepEqual(statusHook!.payload.data.status, { previous_status_id: 7, new_status_id: 5 });

    assert.equal((await callStore(sim, 'POST', `/__sim/orders/${created.body.id}/status`, { body: { status_id: 99 } })).status, 422);
    assert.equal((await callStore(sim, 'POST', '/__sim/orders/4242/status', { body: { status_id: 2 } })).status, 404);
    assert.equal((await callStore(sim, 'POST', '/__sim/orders', { body: { products: [{ sku: 'ABC-1', quantity: 0 }] } })).status, 422);

    const placed = await callStore<{ id: number }>(sim, 'POST', '/__sim/orders', { body: sampleOrder({ products: [{ sku: 'ABC-1', quantity: 3 }] }) });
    assert.equal(placed.status, 201);
    assert.equal(sim.store.stockOf('ABC-1'), 7, 'placed orders take stock');
  });

  for (const [name, statusId] of [['Cancelled', 5], ['Declined', 6], ['Refunded', 4]] as const) {
    it(`${name} (${statusId}) gives a placed order's units back to stock once, not on a second ${name.toLowerCase()} nor for a seeded order`, async () => {
      await start();
      assert.equal((await callStore(sim, 'POST', '/v3/hooks', { body: { scope: 'store/product/inventory/order/updated', destination: receiver.url } })).status, 200);
      const placed = sim.store.placeOrder(sampleOrder({ products: [{ sku: 'ABC-1', quantity: 3 }] }));
      const seeded = sim.store.addOrder(sampleOrder({ products: [{ sku: 'ABC-1', quantity: 2 }] }));
      assert.equal(sim.store.stockOf('ABC-1'), 7);

      await updateOrderStatus(client.request, placed.id, statusId);
      assert.equal(sim.store.stockOf('ABC-1'), 10, 'the placed order gave its 3 units back');
      await updateOrderStatus(client.request, placed.id, ORDER_STATUS.awaitingFulfillment);
      assert.equal(sim.store.stockOf('ABC-1'), 10, 'back to an active status takes nothing (undocumented)');
      const again = await callStore(sim, 'POST', `/__sim/orders/${placed.id}/status`, { body: { status_id: statusId } });
      assert.equal(again.status, 200);
      assert.equal(sim.store.stockOf('ABC-1'), 10, 'a second change gives nothing back again');
      await updateOrderStatus(client.request, seeded.id, statusId);
      assert.equal(sim.store.stockOf('ABC-1'), 10, 'a seeded order took no stock, so gives none back');

      await sim.webhooks.idle();
      const stockChanges = receiver.received.filter((d) => d.payload.scope === 'store/product/inventory/order/updated').map((d) => d.payload.data);
      assert.deepEqual(
        stockChanges.map((data) => data.inventory),
        [-3, 3].map((value) => ({ product_id: 10, method: 'relative', value })),
        'taken when placed, given back once',
      );
    });
  }
});
