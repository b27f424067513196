import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { createBigCommerceClient, type BigCommerceClient } from '../../lib/bigcommerce/client';
import { createShipment, listShipments } from '../../lib/bigcommerce/shipments';
import type { ConnectorError } from '../../lib/errors';
import { callStore, receiveWebhooks, SAMPLE_ADDRESS, sampleOrder, startTestStore, type TestStore, type WebhookReceiver } from '../support/bigcommerce';

/** The shape of `data` in BigCommerce's own callback example for a scope. */
function exampleData(scope: string): Record<string, unknown> {
  const file = join(__dirname, '..', '..', '..', 'shared', 'specs', 'bigcommerce', 'webhook-callbacks', `${scope.replace(/\//g, '_')}.json`);
  return (JSON.parse(readFileSync(file, 'utf8')) as { data: Record<string, unknown> }).data;
}

const typesOf = (data: Record<string, unknown>) => Object.fromEntries(Object.entries(data).map(([key, value]) => [key, typeof value === 'object' ? Object.keys(value as object).sort().join(',') : typeof value]));

interface Line {
  id: number;
  quantity: number;
  quantity_shipped: number;
}

describe('BigCommerce shipments', () => {
  let sim: TestStore;
  let receiver: WebhookReceiver;
  let client: BigCommerceClient;
  let orderId: number;
  let addressId: number;
  let lines: number[];

  beforeEach(async () => {
    receiver = await receiveWebhooks();
    sim = await startTestStore({ clientSecret: 'ship-secret' });
    sim.store.addProduct({ id: 10, sku: 'A-1', price: 10, inventory_level: 50 });
    sim.store.addProduct({ id: 11, sku: 'B-1', price: 20, inventory_level: 50 });
    sim.store.addProduct({ id: 12, sku: 'C-1', price: 30, inventory_level: 50 });
    const order = sim.store.addOrder(sampleOrder({ status_id: 11, products: [{ sku: 'A-1', quantity: 2 }, { sku: 'B-1', quantity: 1 }, { sku: 'C-1', quantity: 3 }] }));
    orderId = order.id;
    addressId = order.shipping[0]!.id;
    lines = order.lines.map((l) => l.id);
    client = createBigCommerceClient({ storeHash: sim.storeHash, accessToken: sim.accessToken, apiUrl: sim.apiUrl, retry: { retries: 0 } });
  });
  afterEach(async () => {
    await client?.close();
    await sim?.close();
    await receiver?.close();
  });

  async function hooks(...scopes: string[]) {
    for (const scope of scopes) assert.equal((await callStore(sim, 'POST', '/v3/hooks', { body: { scope, destination: receiver.url } })).status, 200);
  }

  const shippedQuantities = async () => (await callStore<Line[]>(sim, 'GET', `/v2/orders/${orderId}/products`)).body.map((l) => l.quantity_shipped);

  it('a partial shipment makes the order Partially Shipped, the rest Shipped, each firing signed statusUpdated and shipment/created', async () => {
    await hooks('store/order/statusUpdated', 'store/shipment/created');
    assert.equal((await callStore(sim, 'GET', `/v2/orders/${orderId}/shipments`)).status, 204);

    const first = await callStore<{ id: number; items: unknown[]; shipping_provider_display_name: string }>(sim, 'POST', `/v2/orders/${orderId}/shipments`, {
      body: { order_address_id: addressId, items: [{ order_product_id: lines[0], quantity: 2 }, { order_product_id: lines[2], quantity: 1 }], tracking_number: '1Z999AA10123456784', shipping_provider: 'ups', comments: 'box 1 of 2' },
    });
    assert.equal(first.status, 201);
    assert.equal(first.body.shipping_provider_display_name, 'UPS');
    assert.deepEqual(await shippedQuantities(), [2, 0, 1]);
    let order = (await callStore<{ status_id: number; status: string; items_shipped: number; date_shipped: string }>(sim, 'GET', `/v2/orders/${orderId}`)).body;
    assert.deepEqual([order.status_id, order.status, order.items_shipped, order.date_shipped], [3, 'Partially Shipped', 3, '']);

    await receiver.waitFor(2);
    const status = receiver.received.find((d) => d.payload.scope === 'store/order/statusUpdated')!;
    assert.deepEqual(status.payload.data, { type: 'order', id: orderId, status: { previous_status_id: 11, new_status_id: 3 } });
    const headers = Object.fromEntries(Object.entries(status.headers).map(([k, v]) => [k, String(v)]));
    assert.deepEqual(new Webhook(Buffer.from('ship-secret').toString('base64')).verify(status.rawBody, headers), status.payload);
    const created = receiver.received.find((d) => d.payload.scope === 'store/shipment/created')!;
    assert.deepEqual(created.payload.data, { type: 'shipment', id: first.body.id, orderId });
    // The same keys and types as BigCommerce's callback examples (camelCase orderId included).
    assert.deepEqual(typesOf(created.payload.data), typesOf(exampleData('store/shipment/created')));
    assert.deepEqual(typesOf(status.payload.data), typesOf(exampleData('store/order/statusUpdated')));

    const second = await callStore(sim, 'POST', `/v2/orders/${orderId}/shipments`, {
      body: { order_address_id: addressId, items: [{ order_product_id: lines[1], quantity: 1 }, { order_product_id: lines[2], quantity: 2 }], tracking_number: '1Z999AA10123456785', shipping_provider: 'ups' },
    });
    assert.equal(second.status, 201);
    order = (await callStore<typeof order>(sim, 'GET', `/v2/orders/${orderId}`)).body;
    assert.deepEqual([order.status_id, order.items_shipped], [2, 6]);
    assert.notEqual(order.date_shipped, '');
    await receiver.waitFor(4);
    assert.deepEqual(
      receiver.received.filter((d) => d.payload.scope === 'store/order/statusUpdated').map((d) => d.payload.data.status),
      [{ previous_status_id: 11, new_status_id: 3 }, { previous_status_id: 3, new_status_id: 2 }],
    );
    assert.equal((await callStore<{ count: number }>(sim, 'GET', `/v2/orders/${orderId}/shipments/count`)).body.count, 2);
  });

  it('refuses more than is left to ship, items of another address or order, and unknown providers, changing nothing', async () => {
    const post = (body: Record<string, unknown>) => callStore<Array<{ message: string }>>(sim, 'POST', `/v2/orders/${orderId}/shipments`, { body: { order_address_id: addressId, ...body } });
    const tooMany = await post({ items: [{ order_product_id: lines[0], quantity: 3 }] });
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.body[0]!.message, /2 of 2 left to ship; 3 cannot be shipped/);
    assert.equal((await post({ items: [{ order_product_id: lines[0], quantity: 1 }, { order_product_id: lines[0], quantity: 2 }] })).status, 400, 'an item named twice counts both');
    assert.equal((await post({ items: [{ order_product_id: 9999, quantity: 1 }] })).status, 400);
    assert.equal((await post({ items: [] })).status, 400);
    assert.equal((await post({ items: [{ order_product_id: lines[0], quantity: 1 }], shipping_provider: 'dhl' })).status, 400);
    assert.equal((await post({ items: [{ order_product_id: lines[0], quantity: 1 }], tracking_number: 'X'.repeat(51) })).status, 400);
    assert.equal((await callStore(sim, 'POST', `/v2/orders/${orderId}/shipments`, { body: { order_address_id: 9999, items: [{ order_product_id: lines[0], quantity: 1 }] } })).status, 400);
    assert.equal((await callStore(sim, 'POST', '/v2/orders/4242/shipments', { body: { order_address_id: addressId, items: [{ order_product_id: lines[0], quantity: 1 }] } })).status, 404);
    assert.deepEqual(await shippedQuantities(), [0, 0, 0]);
    assert.equal(sim.store.orders.get(orderId)!.statusId, 11);

    assert.equal((await post({ items: [{ order_product_id: lines[0], quantity: 1 }], shipping_provider: 'carrier_42', tracking_carrier: 'dhl' })).status, 201, 'a third-party carrier and an AfterShip slug are accepted');
  });

  it('never ships refunded units: an order is Shipped once every unit not refunded is', async () => {
    const order = sim.store.addOrder(sampleOrder({ products: [{ sku: 'A-1', quantity: 3, quantity_refunded: 1, refund_amount: 10 }] }));
    const post = (quantity: number) => callStore(sim, 'POST', `/v2/orders/${order.id}/shipments`, { body: { order_address_id: order.shipping[0]!.id, items: [{ order_product_id: order.lines[0]!.id, quantity }] } });
    assert.equal((await post(3)).status, 400);
    assert.equal((await post(2)).status, 201);
    assert.equal(sim.store.orders.get(order.id)!.statusId, 2);
  });

  it('checks that items ship to the shipment address on an order with two consignments', async () => {
    const order = sim.store.addOrder(
      sampleOrder({
        shipping_addresses: [SAMPLE_ADDRESS, { ...SAMPLE_ADDRESS, street_1: '9 Other St' }],
        products: [{ sku: 'A-1', quantity: 1, shipping_address_index: 0 }, { sku: 'B-1', quantity: 1, shipping_address_index: 1 }],
      }),
    );
    const [home, office] = order.shipping.map((s) => s.id);
    const wrong = await callStore(sim, 'POST', `/v2/orders/${order.id}/shipments`, { body: { order_address_id: home, items: [{ order_product_id: order.lines[1]!.id, quantity: 1 }] } });
    assert.equal(wrong.status, 400);
    const right = await callStore<{ shipping_address: { street_1: string } }>(sim, 'POST', `/v2/orders/${order.id}/shipments`, { body: { order_address_id: office, items: [{ order_product_id: order.lines[1]!.id, quantity: 1 }] } });
    assert.equal(right.status, 201);
    assert.equal(right.body.shipping_address.street_1, '9 Other St');
    const addresses = await callStore<Array<{ id: number; items_shipped: number }>>(sim, 'GET', `/v2/orders/${order.id}/shipping_addresses`);
    assert.deepEqual(addresses.body.map((a) => a.items_shipped), [0, 1]);
    assert.equal(sim.store.orders.get(order.id)!.statusId, 3);
  });

  it('reads, updates and deletes a shipment; deleting puts its units back to unshipped', async () => {
    await hooks('store/shipment/*');
    const created = await callStore<{ id: number }>(sim, 'POST', `/v2/orders/${orderId}/shipments`, { body: { order_address_id: addressId, items: [{ order_product_id: lines[2], quantity: 3 }] } });
    const id = created.body.id;
    const put = await callStore<{ tracking_number: string; tracking_carrier: string; generated_tracking_link: string }>(sim, 'PUT', `/v2/orders/${orderId}/shipments/${id}`, {
      body: { tracking_number: 'JD014600003828', tracking_carrier: 'dhl' },
    });
    assert.deepEqual([put.status, put.body.tracking_number, put.body.tracking_carrier], [200, 'JD014600003828', 'dhl']);
    assert.match(put.body.generated_tracking_link, /dhl\/JD014600003828$/);
    assert.equal((await callStore(sim, 'PUT', `/v2/orders/${orderId}/shipments/${id}`, { body: { items: [] } })).status, 400, 'items cannot change');
    assert.equal((await callStore<{ id: number }>(sim, 'GET', `/v2/orders/${orderId}/shipments/${id}`)).body.id, id);
    assert.equal((await callStore(sim, 'DELETE', `/v2/orders/${orderId}/shipments/${id}`)).status, 204);
    assert.deepEqual(await shippedQuantities(), [0, 0, 0]);
    assert.equal((await callStore(sim, 'GET', `/v2/orders/${orderId}/shipments/${id}`)).status, 404);
    await receiver.waitFor(3);
    assert.deepEqual(receiver.received.map((d) => d.payload.scope), ['store/shipment/created', 'store/shipment/updated', 'store/shipment/deleted']);

    await callStore(sim, 'POST', `/v2/orders/${orderId}/shipments`, { body: { order_address_id: addressId, items: [{ order_product_id: lines[0], quantity: 1 }] } });
    assert.equal((await callStore(sim, 'DELETE', `/v2/orders/${orderId}/shipments`)).status, 204);
    assert.equal((await callStore(sim, 'GET', `/v2/orders/${orderId}/shipments`)).status, 204);
  });

  it('POST /__sim/orders/{id}/shipments ships by hand as the control panel does, with the same checks', async () => {
    await hooks('store/order/statusUpdated');
    const items = [{ order_product_id: lines[0], quantity: 2 }, { order_product_id: lines[1], quantity: 1 }, { order_product_id: lines[2], quantity: 3 }];
    const shipped = await callStore<{ id: number; status_id: number }>(sim, 'POST', `/__sim/orders/${orderId}/shipments`, { body: { order_address_id: addressId, items, tracking_number: 'BYHAND1' } });
    assert.deepEqual([shipped.status, shipped.body.status_id], [201, 2]);
    const [delivery] = await receiver.waitFor(1);
    assert.deepEqual(delivery!.payload.data.status, { previous_status_id: 11, new_status_id: 2 });
    assert.equal((await callStore(sim, 'POST', `/__sim/orders/${orderId}/shipments`, { body: { order_address_id: addressId, items: [{ order_product_id: lines[0], quantity: 1 }] } })).status, 422);
    assert.equal((await callStore(sim, 'POST', '/__sim/orders/4242/shipments', { body: { order_address_id: addressId, items } })).status, 404);
    assert.equal((await listShipments(client.request, orderId))[0]!.tracking_number, 'BYHAND1');
  });

  describe('client', () => {
    it('createShipment sends the documented body and listShipments reads them back (an empty order is an empty list)', async () => {
      assert.deepEqual(await listShipments(client.request, orderId), []);
      const shipment = await createShipment(client.request, orderId, {
        orderAddressId: addressId,
        items: [{ orderProductId: lines[0]!, quantity: 1 }],
        trackingNumber: '9400100000000000000000',
        shippingProvider: 'usps',
        comments: 'Sage invoice 0000123',
      });
      assert.deepEqual([shipment.order_id, shipment.tracking_number, shipment.shipping_provider, shipment.items[0]!.quantity], [orderId, '9400100000000000000000', 'usps', 1]);
      const custom = await createShipment(client.request, orderId, { orderAddressId: addressId, items: [{ orderProductId: lines[1]!, quantity: 1 }], trackingNumber: 'JD01', trackingCarrier: 'dhl' });
      const listed = await listShipments(client.request, orderId);
      assert.deepEqual(listed.map((s) => s.id), [shipment.id, custom.id]);
      assert.equal(listed[1]!.tracking_carrier, 'dhl');
      assert.equal(sim.store.orders.get(orderId)!.statusId, 3);
    });

    it('validates the request before sending, and surfaces the store refusing a quantity', async () => {
      const before = sim.exchanges.length;
      await assert.rejects(createShipment(client.request, orderId, { orderAddressId: addressId, items: [] }), (err: ConnectorError) => err.code === 'bigcommerce.shipment_request_invalid' && err.field === 'items');
      await assert.rejects(
        createShipment(client.request, orderId, { orderAddressId: addressId, items: [{ orderProductId: lines[0]!, quantity: 1 }], shippingProvider: 'dhl' }),
        (err: ConnectorError) => err.field === 'shippingProvider' && err.record === `order ${orderId}`,
      );
      assert.equal(sim.exchanges.length, before);
      await assert.rejects(createShipment(client.request, orderId, { orderAddressId: addressId, items: [{ orderProductId: lines[0]!, quantity: 5 }] }), /BigCommerce 400 on POST .*left to ship/);
    });
  });
});
