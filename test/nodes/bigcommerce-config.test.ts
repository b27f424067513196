import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ConnectionCheck } from '../../lib/bigcommerce/connection-test';
import type { RegistrationResult } from '../../lib/bigcommerce/admin';
import type { HttpResponse } from '../../lib/http/transport';
import bigcommerceConfig, { type BigCommerceConfigNode } from '../../nodes/bigcommerce/bigcommerce-config';
import { startTestStore, type TestStore } from '../support/bigcommerce';
import { useCatalogs } from '../support/catalog';
import { helper } from '../support/node-red';

const TOKEN = 'sim-token-5c1d9a';

function configFlow(sim: TestStore, extra: Record<string, unknown> = {}) {
  return [{ id: 'bc', type: 'bigcommerce-config', storeHash: sim.storeHash, apiUrl: sim.apiUrl, timeout: 10, ...extra }];
}

describe('bigcommerce-config node', () => {
  let sim: TestStore;
  beforeEach(async () => {
    await helper.startServer();
  });
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
    await sim?.close();
  });

  it('gives every node one client for the store, with the token from credentials only', async () => {
    sim = await startTestStore({ accessToken: TOKEN });
    sim.store.addOrder({ billing_address: { zip: '78751', email: 'jane@example.com' }, products: [{ name: 'Thing', quantity: 1, price_ex_tax: 5, price_inc_tax: 5 }] } as never);
    await helper.load(bigcommerceConfig, configFlow(sim), { bc: { accessToken: TOKEN } });
    const config = helper.getNode('bc') as unknown as BigCommerceConfigNode;
    assert.equal(config.storeHash, sim.storeHash);
    const answer = await config.request<unknown[]>({ method: 'GET', path: '/v2/orders', query: { limit: 5 } });
    assert.equal(answer.body.length, 1);
    assert.equal(config.stats()?.requests, 1);
    assert.equal(config.stats()?.quota, 150);
  });

  it('sends 500 concurrent requests through a 20-per-500 ms quota: no 429 reaches the caller, none is lost', async function () {
    this.timeout(120_000);
    sim = await startTestStore({ accessToken: TOKEN, quota: { requests: 20, windowMs: 500 } });
    for (let i = 0; i < 5; i++) sim.store.addOrder({ billing_address: { zip: '78751', email: `b${i}@example.com` }, products: [{ name: 'Thing', quantity: 1, price_ex_tax: 5, price_inc_tax: 5 }] } as never);
    sim.store.addProduct({ sku: 'ABC-1', name: 'Widget', price: 12.5, inventory_level: 10 });
    await helper.load(bigcommerceConfig, configFlow(sim), { bc: { accessToken: TOKEN } });
    const config = helper.getNode('bc') as unknown as BigCommerceConfigNode;
    const orderIds = [...sim.store.orders.keys()];
    const calls = Array.from({ length: 500 }, (_, i) =>
      i % 4 === 0
        ? config.request({ method: 'GET', path: `/v2/orders/${orderIds[i % orderIds.length]}`, priority: 'interactive' })
        : config.request({ method: 'GET', path: '/v3/catalog/products', query: { limit: 1 }, priority: 'bulk' }),
    );
    const results = await Promise.allSettled(calls);
    const failed = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    assert.deepEqual(failed.map((f) => String(f.reason)), []);
    assert.ok(results.every((r) => (r as PromiseFulfilledResult<HttpResponse>).value.status === 200));
    const stats = config.stats()!;
    console.log(
      `      500 requests, quota 20 per 500 ms: 429s from the simulator ${sim.stats.rateLimited}, seen by the client ${stats.throttled}, ` +
        `retries ${stats.retries}, held back ${stats.waits}, sent ${stats.requests}`,
    );
    assert.equal(sim.stats.rateLimited, 0, 'the governor should keep the store from refusing any request');
    assert.equal(stats.requests, 500);
  });

  it('rides out a 429 storm and a bare 429 (platform load) without the caller seeing either', async () => {
    sim = await startTestStore({ accessToken: TOKEN, quota: { requests: 150, windowMs: 1000 } });
    await helper.load(bigcommerceConfig, configFlow(sim), { bc: { accessToken: TOKEN } });
    const config = helper.getNode('bc') as unknown as BigCommerceConfigNode;
    await config.request({ method: 'GET', path: '/v2/orders' });
    sim.faults.set([
      { kind: 'rate-limit', times: 3 },
      { kind: 'rate-limit', times: 1, withHeaders: false },
    ]);
    const results = await Promise.all(Array.from({ length: 10 }, () => config.request({ method: 'GET', path: '/v2/orders', query: { limit: 1 } })));
    assert.equal(results.length, 10);
    assert.equal(sim.stats.faults['rate-limit'], 4);
    assert.equal(config.stats()?.throttled, 4);
    assert.equal(config.stats()?.retries, 4);
  });

  it('closes its client on redeploy: later requests fail with a clear error', async () => {
    sim = await startTestStore({ accessToken: TOKEN });
    await helper.load(bigcommerceConfig, configFlow(sim), { bc: { accessToken: TOKEN } });
    const config = helper.getNode('bc') as unknown as BigCommerceConfigNode;
    await config.request({ method: 'GET', path: '/v2/orders' });
    await helper.unload();
    await assert.rejects(config.request({ method: 'GET', path: '/v2/orders' }), (err: { code?: string }) => err.code === 'bigcommerce.closed');
  });

  it('names the field when the store hash is wrong, on the request that needed it', async () => {
    sim = await startTestStore({ accessToken: TOKEN });
    await helper.load(bigcommerceConfig, configFlow(sim, { storeHash: 'not a hash' }), { bc: { accessToken: TOKEN } });
    const config = helper.getNode('bc') as unknown as BigCommerceConfigNode;
    await assert.rejects(config.request({ method: 'GET', path: '/v2/orders' }), /storeHash: must be the store hash/);
  });

  describe('Test connection (admin route)', () => {
    const test = (body: Record<string, unknown>) => helper.request().post('/ml-connector/bigcommerce-config/test').send(body).expect(200);

    it('connects with the values in the dialog and shows the rate limit', async () => {
      sim = await startTestStore({ accessToken: TOKEN, quota: { requests: 150, windowMs: 30_000 } });
      await helper.load(bigcommerceConfig, []);
      const { body } = (await test({ storeHash: sim.storeHash, apiUrl: sim.apiUrl, accessToken: TOKEN, timeout: 5 })) as { body: ConnectionCheck };
      assert.equal(body.ok, true, body.message);
      assert.equal(body.quota?.requests, 150);
      assert.equal(body.quota?.windowMs, 30_000);
      assert.equal(body.priceListsAvailable, true);
      assert.ok(!JSON.stringify(body).includes(TOKEN));
    });

    it("says when the store's plan offers no price lists, in BigCommerce's words, and still connects", async () => {
      sim = await startTestStore({ accessToken: TOKEN, features: { priceLists: false } });
      await helper.load(bigcommerceConfig, []);
      const { body } = (await test({ storeHash: sim.storeHash, apiUrl: sim.apiUrl, accessToken: TOKEN })) as { body: ConnectionCheck };
      assert.equal(body.ok, true, body.message);
      assert.equal(body.priceListsAvailable, false);
      assert.match(body.priceListsReason ?? '', /plan does not include Price Lists/);
      assert.deepEqual(sim.exchanges.map((exchange) => `${exchange.api}${exchange.apiPath}`), ['v3/hooks/admin', 'v2/store', 'v3/pricelists']);
    });

    it('uses the stored token of the config node when the password field was not changed', async () => {
      sim = await startTestStore({ accessToken: TOKEN });
      await helper.load(bigcommerceConfig, configFlow(sim), { bc: { accessToken: TOKEN } });
      const { body } = (await test({ id: 'bc', storeHash: sim.storeHash, apiUrl: sim.apiUrl, accessToken: '__PWRD__' })) as { body: ConnectionCheck };
      assert.equal(body.ok, true, body.message);
    });

    it('says the token is bad', async () => {
      sim = await startTestStore({ accessToken: TOKEN });
      await helper.load(bigcommerceConfig, []);
      const { body } = (await test({ storeHash: sim.storeHash, apiUrl: sim.apiUrl, accessToken: 'wrong-token-123' })) as { body: ConnectionCheck };
      assert.equal(body.ok, false);
      assert.equal(body.reason, 'bad-token');
      assert.ok(!JSON.stringify(body).includes('wrong-token-123'));
    });

    it('says the store hash is unknown', async () => {
      sim = await startTestStore({ accessToken: TOKEN });
      await helper.load(bigcommerceConfig, []);
      const { body } = (await test({ storeHash: 'zzz999', apiUrl: sim.apiUrl, accessToken: TOKEN })) as { body: ConnectionCheck };
      assert.equal(body.reason, 'unknown-store');
    });

    it('says when the server certificate is not trusted', async () => {
      sim = await startTestStore({ accessToken: TOKEN });
      const certs = 'sandbox/sage100/certs';
      const selfSigned = createTlsServer({ cert: readFileSync(`${certs}/cert.pem`), key: readFileSync(`${certs}/key.pem`) }, (_req, res) => res.end('{}'));
      await new Promise<void>((resolve) => selfSigned.listen(0, '127.0.0.1', resolve));
      try {
        await helper.load(bigcommerceConfig, []);
        const { body } = (await test({ storeHash: 'abc', apiUrl: `https://127.0.0.1:${(selfSigned.address() as AddressInfo).port}`, accessToken: TOKEN })) as { body: ConnectionCheck };
        assert.equal(body.reason, 'tls');
      } finally {
        await new Promise<void>((resolve) => selfSigned.close(() => resolve()));
      }
    });

    it('says when the server does not answer in time, or the host name does not resolve', async () => {
      sim = await startTestStore({ accessToken: TOKEN });
      const silent: Server = createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        await helper.load(bigcommerceConfig, []);
        const slow = (await test({ storeHash: 'abc', apiUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, accessToken: TOKEN, timeout: 0.2 })) as { body: ConnectionCheck };
        assert.equal(slow.body.reason, 'timeout');
        const dns = (await test({ storeHash: 'abc', apiUrl: 'https://store.invalid', accessToken: TOKEN })) as { body: ConnectionCheck };
        assert.equal(dns.body.reason, 'dns');
        const settings = (await test({ storeHash: 'abc', apiUrl: sim.apiUrl })) as { body: ConnectionCheck };
        assert.equal(settings.body.reason, 'settings');
        assert.match(settings.body.message, /accessToken: is required/);
      } finally {
        silent.closeAllConnections();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      }
    });
  });

  describe('Register webhooks (admin route)', () => {
    const register = (body: Record<string, unknown>) =>
      helper.request().post('/ml-connector/bigcommerce-config/register-webhooks').send(body).expect(200) as unknown as Promise<{ body: RegistrationResult }>;

    it('creates the order hooks once, re-activates a deactivated one and reports it', async () => {
      sim = await startTestStore({ accessToken: TOKEN });
      await helper.load(bigcommerceConfig, configFlow(sim), { bc: { accessToken: TOKEN, webhookSecret: 'hook-secret-99' } });
      const dialog = { id: 'bc', storeHash: sim.storeHash, apiUrl: sim.apiUrl, accessToken: '__PWRD__', webhookUrl: 'https://hooks.example.com/bigcommerce', webhookHeaderName: 'X-Bridge-Token', webhookSecret: '__PWRD__' };

      const first = (await register(dialog)).body;
      assert.ok(first.ok, JSON.stringify(first));
      assert.deepEqual(first.report.created.map((hook) => hook.scope), ['store/order/created', 'store/order/updated', 'store/order/statusUpdated']);
      const hooks = [...sim.store.hooks.values()];
      assert.equal(hooks.length, 3);
      assert.ok(hooks.every((hook) => hook.headers?.['X-Bridge-Token'] === 'hook-secret-99' && hook.destination === 'https://hooks.example.com/bigcommerce'));

      const again = (await register(dialog)).body;
      assert.ok(again.ok);
      assert.equal(again.report.created.length, 0);
      assert.equal(again.report.unchanged.length, 3);

      sim.store.deactivateHook(hooks[1]!.id);
      const third = (await register(dialog)).body;
      assert.ok(third.ok);
      assert.deepEqual(third.report.reactivated.map((hook) => hook.scope), ['store/order/updated']);
      assert.deepEqual(third.report.deactivated.map((hook) => hook.scope), ['store/order/updated']);
      assert.equal(sim.store.hooks.get(hooks[1]!.id)?.isActive, true);
      assert.equal(sim.store.hooks.size, 3);
    });

    it('names every missing setting at once, with the error in words, as Test connection does', async () => {
      await helper.load([useCatalogs, bigcommerceConfig], []);
      const result = (await register({ storeHash: '', accessToken: '', webhookUrl: '', webhookHeaderName: 'X-Bridge-Token' })).body as RegistrationResult & { words?: string };
      assert.equal(result.ok, false);
      assert.ok(!result.ok);
      assert.deepEqual(result.issues?.map((issue) => issue.field).sort(), ['accessToken', 'storeHash', 'webhookSecret', 'webhookUrl']);
      assert.equal(result.code, 'bigcommerce.settings');
      assert.equal(result.words, 'store settings incomplete');
    });

    it('refuses a destination BigCommerce cannot deliver to', async () => {
      sim = await startTestStore({ accessToken: TOKEN });
      await helper.load(bigcommerceConfig, []);
      const result = (await register({ storeHash: sim.storeHash, apiUrl: sim.apiUrl, accessToken: TOKEN, webhookUrl: 'https://hooks.example.com:8443/x' })).body;
      assert.equal(result.ok, false);
      assert.ok(!result.ok && /destination: must use port 443/.test(result.message));
      assert.equal(sim.store.hooks.size, 0);
    });
  });
});
