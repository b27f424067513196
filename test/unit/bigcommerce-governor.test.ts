import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBigCommerceClient, type BigCommerceClient } from '../../lib/bigcommerce/client';
import { RateLimitGovernor, readRateLimitHeaders, throttleDelayMs } from '../../lib/bigcommerce/governor';
import { HttpError } from '../../lib/http/errors';
import type { HttpResponse } from '../../lib/http/transport';

/** A fixed window of `quota` requests that starts with the first request after the last one ran out, like the store's. */
function quotaWindow(quota: number, windowMs: number) {
  let start = 0;
  let used = 0;
  return () => {
    const now = Date.now();
    if (used === 0 || now >= start + windowMs) {
      start = now;
      used = 0;
    }
    const allowed = used < quota;
    if (allowed) used++;
    const headers = {
      'x-rate-limit-time-window-ms': String(windowMs),
      'x-rate-limit-time-reset-ms': String(Math.max(0, start + windowMs - now)),
      'x-rate-limit-requests-quota': String(quota),
      'x-rate-limit-requests-left': String(quota - used),
    };
    return { allowed, headers };
  };
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function reply(res: ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

describe('BigCommerce rate-limit governor', () => {
  let server: Server | undefined;
  let client: BigCommerceClient | undefined;
  afterEach(async () => {
    await client?.close();
    client = undefined;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('reads the rate-limit headers and the wait a 429 asks for', () => {
    assert.deepEqual(readRateLimitHeaders({ 'x-rate-limit-requests-left': '35', 'x-rate-limit-time-reset-ms': '15000', 'x-rate-limit-requests-quota': '150', 'x-rate-limit-time-window-ms': '30000' }), {
      left: 35,
      resetMs: 15000,
      quota: 150,
      windowMs: 30000,
    });
    assert.equal(readRateLimitHeaders({ 'x-rate-limit-requests-left': 'many' }), undefined);
    assert.equal(throttleDelayMs({ 'x-rate-limit-time-reset-ms': '1200', 'x-retry-after': '2' }), 1200);
    assert.equal(throttleDelayMs({ 'x-retry-after': '2' }), 2000);
    assert.equal(throttleDelayMs({ 'retry-after': '3' }), 3000);
    assert.equal(throttleDelayMs({}), undefined);
  });

  it('paces 300 concurrent requests through a small quota without a single 429, and loses none', async () => {
    const take = quotaWindow(10, 200);
    let refused = 0;
    let served = 0;
    ({ server } = await serve((req, res) => {
      const { allowed, headers } = take();
      if (!allowed) {
        refused++;
        return reply(res, 429, { ...headers, 'x-retry-after': '1' }, { status: 429, title: 'Too many requests' });
      }
      served++;
      reply(res, 200, headers, { path: req.url });
    }));
    client = createBigCommerceClient({ storeHash: 'abc123', accessToken: 'token-1234', apiUrl: server ? `http://127.0.0.1:${(server.address() as AddressInfo).port}` : '' });
    const results = await Promise.allSettled(
      Array.from({ length: 300 }, (_, i) => client!.request<{ path: string }>({ method: 'GET', path: `/v3/catalog/variants/${i}`, priority: i % 3 === 0 ? 'interactive' : 'bulk' })),
    );
    const failed = results.filter((r) => r.status === 'rejected');
    assert.equal(failed.length, 0, `failed: ${failed.map((f) => String((f as PromiseRejectedResult).reason)).slice(0, 3).join('; ')}`);
    const paths = results.map((r) => (r as PromiseFulfilledResult<HttpResponse<{ path: string }>>).value.body.path);
    assert.equal(new Set(paths).size, 300);
    assert.equal(refused, 0, 'the server refused requests');
    assert.equal(served, 300);
    const stats = client.stats();
    assert.equal(stats.requests, 300);
    assert.equal(stats.throttled, 0);
    assert.ok(stats.waits > 0, 'requests should have waited for the quota');
    assert.equal(stats.quota, 10);
    assert.equal(stats.windowMs, 200);
  });

  it('keeps pacing without a 429 when answers take longer than half a window (a slow, loaded machine)', async () => {
    const take = quotaWindow(10, 200);
    let refused = 0;
    let served = 0;
    // Answers that come back after 20 to 190 ms, in a fixed uneven order: often more than half the window.
    const delays = [150, 20, 190, 60, 120, 170, 40, 110, 180, 90, 30, 160];
    ({ server } = await serve((_req, res) => {
      // The store counts the request when it arrives; its answer takes a while to come back.
      const { allowed, headers } = take();
      if (!allowed) refused++;
      setTimeout(() => reply(res, allowed ? 200 : 429, allowed ? headers : { ...headers, 'x-retry-after': '1' }, {}), delays[served++ % delays.length]);
    }));
    client = createBigCommerceClient({ storeHash: 'abc123', accessToken: 'token-1234', apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    const results = await Promise.allSettled(Array.from({ length: 120 }, (_, i) => client!.request({ method: 'GET', path: `/v3/catalog/variants/${i}` })));
    assert.equal(results.filter((r) => r.status === 'rejected').length, 0);
    assert.equal(refused, 0, 'the server refused requests: a new window was taken for the old one');
  });

  it('lets interactive requests overtake bulk ones that are waiting', async () => {
    const order: string[] = [];
    ({ server } = await serve((req, res) => {
      order.push(req.url ?? '');
      reply(res, 200, {}, {});
    }));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = createBigCommerceClient({ storeHash: 'abc123', accessToken: 'token-1234', apiUrl: url, maxInFlight: 1 });
    const bulk = Array.from({ length: 4 }, (_, i) => client!.request({ method: 'PUT', path: `/v3/bulk/${i}`, body: {}, priority: 'bulk' }));
    const interactive = Array.from({ length: 2 }, (_, i) => client!.request({ method: 'GET', path: `/v2/orders/${i}`, priority: 'interactive' }));
    await Promise.all([...bulk, ...interactive]);
    assert.deepEqual(order, [
      '/stores/abc123/v3/bulk/0',
      '/stores/abc123/v2/orders/0',
      '/stores/abc123/v2/orders/1',
      '/stores/abc123/v3/bulk/1',
      '/stores/abc123/v3/bulk/2',
      '/stores/abc123/v3/bulk/3',
    ]);
  });

  it('on a 429 waits the announced reset, holds other requests back too, and retries', async () => {
    let calls = 0;
    ({ server } = await serve((_req, res) => {
      calls++;
      const headers = { 'x-rate-limit-time-window-ms': '1000', 'x-rate-limit-requests-quota': '5' };
      if (calls === 1) return reply(res, 429, { ...headers, 'x-rate-limit-time-reset-ms': '150', 'x-rate-limit-requests-left': '0', 'x-retry-after': '1' }, { status: 429 });
      reply(res, 200, { ...headers, 'x-rate-limit-time-reset-ms': '800', 'x-rate-limit-requests-left': '4' }, { ok: true });
    }));
    client = createBigCommerceClient({ storeHash: 'abc123', accessToken: 'token-1234', apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    const [first, second] = await Promise.all([
      client.request<{ ok: boolean }>({ method: 'POST', path: '/v3/hooks', body: {} }),
      client.request<{ ok: boolean }>({ method: 'GET', path: '/v2/orders/1' }),
    ]);
    assert.equal(first.body.ok, true);
    assert.equal(second.body.ok, true);
    assert.equal(calls, 3);
    const stats = client.stats();
    assert.equal(stats.throttled, 1);
    assert.equal(stats.retries, 1);
    assert.ok(stats.waits >= 1);
  });

  it('backs off and retries a 429 that carries no headers (platform load)', async () => {
    let calls = 0;
    ({ server } = await serve((_req, res) => {
      calls++;
      if (calls <= 2) return reply(res, 429, {}, {});
      reply(res, 200, {}, { ok: true });
    }));
    client = createBigCommerceClient({
      storeHash: 'abc123',
      accessToken: 'token-1234',
      apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
    });
    const response = await client.request<{ ok: boolean }>({ method: 'GET', path: '/v2/orders/1' });
    assert.equal(response.body.ok, true);
    assert.equal(client.stats().throttled, 2);
    assert.equal(client.stats().retries, 2);
  });

  it('gives up on a 429 after the bounded number of retries, with a typed error', async () => {
    ({ server } = await serve((_req, res) => reply(res, 429, { 'x-retry-after': '0' }, {})));
    client = createBigCommerceClient({ storeHash: 'abc123', accessToken: 'token-1234', apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, retry: { retries: 2 } });
    const err = await client.request({ method: 'GET', path: '/v2/orders/1' }).catch((e: unknown) => e);
    assert.ok(err instanceof HttpError);
    assert.equal(err.status, 429);
    assert.equal(err.code, 'bigcommerce.rate_limited');
    assert.equal(client.stats().throttled, 3);
  });

  it('retries a GET after a 5xx but never a POST, whose outcome is unknown', async () => {
    let calls = 0;
    ({ server } = await serve((_req, res) => {
      calls++;
      reply(res, 503, {}, { status: 503, title: 'Service Unavailable' });
    }));
    client = createBigCommerceClient({
      storeHash: 'abc123',
      accessToken: 'token-1234',
      apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 },
    });
    await assert.rejects(client.request({ method: 'GET', path: '/v2/orders/1' }), /BigCommerce 503 on GET \/v2\/orders\/1: Service Unavailable/);
    assert.equal(calls, 3);
    await assert.rejects(client.request({ method: 'POST', path: '/v3/hooks', body: {} }), HttpError);
    assert.equal(calls, 4);
  });

  it('sends the token as X-Auth-Token, never as a Bearer authorization', async () => {
    let seen: IncomingMessage['headers'] = {};
    ({ server } = await serve((req, res) => {
      seen = req.headers;
      reply(res, 200, {}, {});
    }));
    client = createBigCommerceClient({ storeHash: 'abc123', accessToken: 'token-1234', apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    await client.request({ method: 'GET', path: '/v2/orders' });
    assert.equal(seen['x-auth-token'], 'token-1234');
    assert.equal(seen.authorization, undefined);
    assert.equal(seen.accept, 'application/json');
  });

  it('drops a waiting request whose signal aborts, and fails waiting requests when closed', async () => {
    const governor = new RateLimitGovernor({ maxInFlight: 1 });
    let release: () => void = () => undefined;
    const send = governor.layer(
      async (request) =>
        new Promise((resolve) => {
          release = () => resolve({ status: 200, headers: {}, body: undefined, request: { method: request.method, path: request.path } } as never);
        }),
    );
    const first = send({ method: 'GET', path: '/a' });
    const controller = new AbortController();
    const aborted = send({ method: 'GET', path: '/b', signal: controller.signal });
    const closed = send({ method: 'GET', path: '/c' });
    controller.abort(new Error('caller gave up'));
    await assert.rejects(aborted, /caller gave up/);
    governor.close();
    await assert.rejects(closed, (err: { code?: string }) => err.code === 'bigcommerce.closed');
    release();
    await first;
    assert.equal(governor.stats().requests, 1);
  });

  it('names the field when the settings are wrong', () => {
    assert.throws(() => createBigCommerceClient({ storeHash: 'abc/123', accessToken: 'x' }), /BigCommerce settings: storeHash: must be the store hash/);
    assert.throws(() => createBigCommerceClient({ storeHash: 'abc123', accessToken: ' ' }), /accessToken: is required/);
    assert.throws(() => createBigCommerceClient({ storeHash: 'abc123', accessToken: 'x', apiUrl: 'ftp://x' }), /apiUrl/);
  });
});
