import assert from 'node:assert/strict';
import { callStore, sampleOrder, startTestStore, type TestStore } from '../support/bigcommerce';

describe('BigCommerce simulator: fault injection', () => {
  let sim: TestStore;
  beforeEach(async () => {
    sim = await startTestStore({ quota: { requests: 1000, windowMs: 30_000 } });
    sim.store.addProduct({ id: 10, sku: 'ABC-1', name: 'Widget', price: 12.5, inventory_level: 10 });
  });
  afterEach(() => sim.close());

  const order = { billing_address: { zip: '78751' }, products: [{ product_id: 10, quantity: 1 }] };

  it('adds latency to the chosen route only, and marks the exchange', async () => {
    sim.faults.add({ kind: 'latency', route: '/v2/orders/count', latencyMs: 20 });
    assert.equal((await callStore(sim, 'GET', '/v2/orders/count')).status, 200);
    assert.equal((await callStore(sim, 'GET', '/v2/order_statuses')).status, 200);
    assert.deepEqual(sim.exchanges.map((e) => [e.route, e.fault]), [['/v2/orders/count', 'latency'], ['/v2/order_statuses', undefined]]);
    assert.equal(sim.stats.faults.latency, 1);
  });

  it('fails a write before processing it, or after, when the client cannot know it happened', async () => {
    sim.faults.add({ kind: 'error', route: 'POST /v2/orders', status: 503, times: 1 });
    const refused = await callStore<Array<{ status: number }>>(sim, 'POST', '/v2/orders', { body: order });
    assert.equal(refused.status, 503);
    assert.equal(refused.body[0]!.status, 503);
    assert.equal(sim.store.orders.size, 0);

    sim.faults.add({ kind: 'error', route: 'POST /v2/orders', phase: 'after', times: 1 });
    const lost = await callStore(sim, 'POST', '/v2/orders', { body: order });
    assert.equal(lost.status, 500);
    assert.equal(sim.store.orders.size, 1, 'the order was created although the answer was an error');
    assert.equal((await callStore(sim, 'POST', '/v2/orders', { body: order })).status, 200);
  });

  it('drops the connection without an answer, then behaves again once the rule is used up', async () => {
    sim.faults.add({ kind: 'drop', route: '/v3/catalog/products', times: 1 });
    await assert.rejects(callStore(sim, 'GET', '/v3/catalog/products'), /socket|closed|terminated/i);
    assert.equal((await callStore(sim, 'GET', '/v3/catalog/products')).status, 200);
    assert.equal(sim.stats.faults.drop, 1);
    assert.deepEqual(sim.faults.list().map((r) => r.used), [1]);
  });

  it('serves 429 storms with the rate-limit headers, or bare 429s like a platform under load', async () => {
    sim.faults.set([{ kind: 'rate-limit', times: 2 }]);
    const limited = await callStore(sim, 'GET', '/v2/orders');
    assert.equal(limited.status, 429);
    assert.equal(limited.headers['x-rate-limit-requests-left'], '0');
    assert.ok(Number(limited.headers['x-retry-after']) >= 1);
    await callStore(sim, 'GET', '/v2/orders');

    sim.faults.set([{ kind: 'rate-limit', withHeaders: false, times: 1 }]);
    const bare = await callStore(sim, 'GET', '/v2/orders');
    assert.equal(bare.status, 429);
    assert.deepEqual(Object.keys(bare.headers).filter((h) => h.startsWith('x-rate-limit') || h === 'x-retry-after'), []);
    assert.equal((await callStore(sim, 'GET', '/v2/orders')).status, 204);
    assert.equal(sim.stats.rateLimited, 0, 'storms are faults, not the quota');
  });

  it('applies a rule with its probability, reproducibly from the seed', async () => {
    sim.faults.add({ kind: 'error', route: 'GET /v2/order_statuses', probability: 0.5 });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await callStore(sim, 'GET', '/v2/order_statuses')).status);
    const failed = statuses.filter((s) => s === 500).length;
    assert.ok(failed > 0 && failed < 20, `${failed} of 20 failed`);

    const again = await startTestStore();
    try {
      again.faults.add({ kind: 'error', route: 'GET /v2/order_statuses', probability: 0.5 });
      const replay: number[] = [];
      for (let i = 0; i < 20; i++) replay.push((await callStore(again, 'GET', '/v2/order_statuses')).status);
      assert.deepEqual(replay, statuses);
    } finally {
      await again.close();
    }
  });

  it('answers pending slow requests when closed instead of keeping the process waiting', async () => {
    sim.faults.add({ kind: 'latency', latencyMs: 600_000 });
    sim.store.addOrder(sampleOrder());
    const slow = callStore(sim, 'GET', '/v2/orders').then(
      (answer) => answer.status,
      () => 'closed',
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    await sim.close();
    assert.ok(['closed', 200].includes(await slow));
  });
});
