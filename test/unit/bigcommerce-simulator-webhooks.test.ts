import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { callStore, receiveWebhooks, sampleOrder, startTestStore, type ReceivedWebhook, type TestStore, type WebhookReceiver } from '../support/bigcommerce';

/** The verifier BigCommerce tells integrators to use: key = base64 of the client secret. */
function verifierFor(secret: string): Webhook {
  return new Webhook(Buffer.from(secret, 'utf8').toString('base64'));
}

function headersOf(delivery: ReceivedWebhook): Record<string, string> {
  return Object.fromEntries(Object.entries(delivery.headers).map(([k, v]) => [k, String(v)]));
}

describe('BigCommerce simulator: webhooks', () => {
  let sim: TestStore;
  let receiver: WebhookReceiver;
  afterEach(async () => {
    await sim?.close();
    await receiver?.close();
  });

  async function start(answer?: Parameters<typeof receiveWebhooks>[0], options: Parameters<typeof startTestStore>[0] = {}) {
    receiver = await receiveWebhooks(answer);
    sim = await startTestStore({ clientSecret: 'hush-its-a-secret', ...options });
    sim.store.addProduct({ id: 10, sku: 'ABC-1', name: 'Widget', price: 12.5, inventory_level: 10 });
  }

  async function hook(scope: string, headers?: Record<string, string>) {
    const response = await callStore<{ data: { id: number } }>(sim, 'POST', '/v3/hooks', { body: { scope, destination: receiver.url, ...(headers && { headers }) } });
    assert.equal(response.status, 200);
    return response.body.data.id;
  }

  it('delivers store/order/created signed the Standard Webhooks way, with the custom headers verbatim', async () => {
    await start();
    await hook('store/order/created', { 'X-Bridge-Token': 'shared-secret-123' });
    const created = await callStore<{ id: number }>(sim, 'POST', '/v2/orders', { body: { billing_address: { zip: '78751' }, products: [{ product_id: 10, quantity: 1 }] } });
    const [delivery] = await receiver.waitFor(1);
    const headers = headersOf(delivery!);
    assert.equal(headers['x-bridge-token'], 'shared-secret-123');
    assert.equal(headers['content-type'], 'application/json');
    assert.match(headers['webhook-id']!, /^msg_/);
    assert.match(headers['webhook-signature']!, /^v1,[A-Za-z0-9+/]+=*$/);
    const payload = delivery!.payload;
    assert.deepEqual([payload.scope, payload.store_id, payload.data, payload.producer], ['store/order/created', '1001', { type: 'order', id: created.body.id }, `stores/${sim.storeHash}`]);
    assert.match(payload.hash, /^[0-9a-f]{40}$/);
    assert.equal(typeof payload.created_at, 'number');

    assert.deepEqual(verifierFor('hush-its-a-secret').verify(delivery!.rawBody, headers), payload);
    assert.throws(() => verifierFor('another-secret').verify(delivery!.rawBody, headers), /signature/i);
    assert.throws(() => verifierFor('hush-its-a-secret').verify(delivery!.rawBody.replace('"id"', '"id" '), headers), /signature/i);
  });

  it('fires updated and statusUpdated (with the previous and new status) on a status change', async () => {
    await start();
    await hook('store/order/updated');
    await hook('store/order/statusUpdated');
    const order = sim.store.addOrder(sampleOrder({ status_id: 7 }));
    await callStore(sim, 'PUT', `/v2/orders/${order.id}`, { body: { status_id: 11 } });
    const deliveries = await receiver.waitFor(2);
    const byScope = Object.fromEntries(deliveries.map((d) => [d.payload.scope, d.payload.data]));
    assert.deepEqual(byScope['store/order/updated'], { type: 'order', id: order.id });
    assert.deepEqual(byScope['store/order/statusUpdated'], { type: 'order', id: order.id, status: { previous_status_id: 7, new_status_id: 11 } });
    assert.notEqual(deliveries[0]!.payload.hash, deliveries[1]!.payload.hash);
  });

  it('retries failed deliveries on the schedule with the same webhook-id and hash', async () => {
    await start((count) => (count <= 2 ? 500 : 200), { webhooks: { retryScheduleMs: [5, 5, 5] } });
    await hook('store/order/created');
    sim.store.placeOrder(sampleOrder());
    const deliveries = await receiver.waitFor(3);
    await sim.webhooks.idle();
    assert.equal(new Set(deliveries.map((d) => d.headers['webhook-id'])).size, 1);
    assert.equal(new Set(deliveries.map((d) => d.payload.hash)).size, 1);
    assert.deepEqual(sim.webhooks.log().map((d) => [d.attempt, d.status]), [[1, 500], [2, 500], [3, 200]]);
    assert.deepEqual([sim.stats.webhooks.failed, sim.stats.webhooks.retried, sim.stats.webhooks.delivered], [2, 2, 1]);
  });

  it('deactivates a hook after the last retry fails, and PUT is_active brings it back', async () => {
    await start(() => 503, { webhooks: { retryScheduleMs: [5, 5] } });
    const id = await hook('store/order/created');
    sim.store.placeOrder(sampleOrder());
    await receiver.waitFor(3);
    await sim.webhooks.idle();
    const admin = await callStore<{ data: { hooks_list: Array<{ id: number; status: string; is_active: boolean }> } }>(sim, 'GET', '/v3/hooks/admin');
    assert.deepEqual(admin.body.data.hooks_list.map((h) => [h.id, h.status, h.is_active]), [[id, 'deactivated', false]]);
    assert.equal(sim.stats.webhooks.deactivated, 1);
    sim.store.placeOrder(sampleOrder());
    await sim.webhooks.idle();
    assert.equal(receiver.received.length, 3);

    await callStore(sim, 'PUT', `/v3/hooks/${id}`, { body: { is_active: true } });
    const again = await callStore<{ data: { hooks_list: Array<{ status: string }> } }>(sim, 'GET', '/v3/hooks/admin');
    assert.equal(again.body.data.hooks_list[0]!.status, 'active');
  });

  it('sends duplicates with a new webhook-id but the same hash when the fault asks for it', async () => {
    await start();
    await hook('store/order/created');
    sim.faults.add({ kind: 'duplicate-webhook', times: 1 });
    sim.store.placeOrder(sampleOrder());
    const [first, second] = await receiver.waitFor(2);
    assert.equal(first!.payload.hash, second!.payload.hash);
    assert.notEqual(first!.headers['webhook-id'], second!.headers['webhook-id']);
    assert.equal(sim.stats.webhooks.duplicates, 1);
  });

  it('fires inventory webhooks for stock changes of the matching kind', async () => {
    await start();
    sim.store.addProduct({ id: 11, sku: 'SHIRT', variants: [{ id: 101, sku: 'SHIRT-S', options: { Size: 'S' }, inventory_level: 3 }] });
    await hook('store/sku/inventory/updated');
    await hook('store/product/inventory/updated');
    await callStore(sim, 'PUT', '/v3/inventory/adjustments/absolute', { body: { items: [{ location_id: 1, sku: 'SHIRT-S', quantity: 8 }, { location_id: 1, sku: 'ABC-1', quantity: 4 }] } });
    const deliveries = await receiver.waitFor(2);
    const byScope = Object.fromEntries(deliveries.map((d) => [d.payload.scope, d.payload.data]));
    assert.deepEqual(byScope['store/sku/inventory/updated'], { type: 'sku', id: sim.store.variantBySku('SHIRT-S')!.skuId, inventory: { product_id: 11, method: 'absolute', value: 5, variant_id: 101 } });
    assert.deepEqual(byScope['store/product/inventory/updated'], { type: 'product', id: 10, inventory: { product_id: 10, method: 'absolute', value: -6 } });
  });

  it('keeps the number of pending deliveries bounded and stops delivering on close()', async () => {
    let answered = 0;
    await start(() => {
      answered++;
      return 500;
    }, { webhooks: { maxPending: 2, retryScheduleMs: [60_000] } });
    await hook('store/order/created');
    for (let i = 0; i < 5; i++) sim.store.placeOrder(sampleOrder());
    await receiver.waitFor(2);
    assert.equal(sim.stats.webhooks.dropped, 3);
    await sim.close();
    await sim.webhooks.idle(1000);
    const afterClose = answered;
    sim.store.placeOrder(sampleOrder());
    assert.equal(answered, afterClose);
    assert.equal(receiver.received.length, 2);
  });
});
