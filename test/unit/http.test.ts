import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpError, NetworkError, TimeoutError } from '../../lib/http/errors';
import { withRetry } from '../../lib/http/retry';
import { createAgent, createTransport, type RequestFunction } from '../../lib/http/transport';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

async function serve(handler: Handler): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/base` };
}

describe('HTTP stack', () => {
  let server: Server | undefined;
  const agent = createAgent();
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));
  after(() => agent.close());

  function transport(url: string, timeoutMs = 2000): RequestFunction {
    return createTransport({ baseUrl: url, dispatcher: agent, timeoutMs, service: 'Test', defaultHeaders: { 'x-auth-token': 'tok-123456' } });
  }

  it('sends JSON with the default headers under the base path and parses the answer', async () => {
    let seen: { url?: string; token?: string; body?: string; type?: string } = {};
    ({ server } = await serve((req, res, body) => {
      seen = { url: req.url, token: req.headers['x-auth-token'] as string, body, type: req.headers['content-type'] };
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    }));
    const send = transport(`http://127.0.0.1:${(server.address() as AddressInfo).port}/base`);
    const response = await send<{ ok: boolean }>({ method: 'POST', path: '/v3/x', query: { a: 1, skip: undefined, d: 'Thu, 20 Apr 2017 11:32:00 +0400' }, body: { n: 1 } });
    assert.deepEqual(response.body, { ok: true });
    assert.equal(seen.url, '/base/v3/x?a=1&d=Thu%2C+20+Apr+2017+11%3A32%3A00+%2B0400');
    assert.equal(seen.token, 'tok-123456');
    assert.equal(seen.body, '{"n":1}');
    assert.equal(seen.type, 'application/json');
  });

  it('raises HttpError with status, path and body, and never the token', async () => {
    ({ server } = await serve((_req, res) => {
      res.statusCode = 404;
      res.setHeader('content-type', 'application/json');
      res.end('[{"status":404,"message":"The requested resource was not found."}]');
    }));
    const send = transport(`http://127.0.0.1:${(server.address() as AddressInfo).port}/base`);
    const err = await send({ method: 'GET', path: '/v2/orders/9' }).catch((e: unknown) => e);
    assert.ok(err instanceof HttpError);
    assert.equal(err.status, 404);
    assert.equal(err.request.path, '/base/v2/orders/9');
    assert.deepEqual(err.body, [{ status: 404, message: 'The requested resource was not found.' }]);
    assert.ok(!JSON.stringify(err.toDetails()).includes('tok-123456'));
    assert.ok(!err.message.includes('tok-123456'));
  });

  it('times out slow answers as TimeoutError', async () => {
    ({ server } = await serve((_req, res) => setTimeout(() => res.end('late'), 500)));
    const send = transport(`http://127.0.0.1:${(server.address() as AddressInfo).port}/base`, 100);
    await assert.rejects(send({ method: 'GET', path: '/slow' }), TimeoutError);
  });

  it('reports a refused connection as not having reached the server', async () => {
    const send = transport('http://127.0.0.1:1/base');
    const err = await send({ method: 'POST', path: '/x', body: {} }).catch((e: unknown) => e);
    assert.ok(err instanceof NetworkError);
    assert.equal(err.reachedServer, false);
  });

  describe('withRetry', () => {
    const noSleep = async () => undefined;

    it('retries an idempotent request on 5xx until it succeeds', async () => {
      let calls = 0;
      ({ server } = await serve((_req, res) => {
        calls++;
        res.statusCode = calls < 3 ? 503 : 200;
        res.end('{}');
      }));
      const send = withRetry(transport(`http://127.0.0.1:${(server.address() as AddressInfo).port}/base`), { retries: 4, baseDelayMs: 1, maxDelayMs: 2, sleep: noSleep });
      await send({ method: 'GET', path: '/x', idempotent: true });
      assert.equal(calls, 3);
    });

    it('does not repeat a non-idempotent request after a 5xx, whose outcome is unknown', async () => {
      let calls = 0;
      ({ server } = await serve((_req, res) => {
        calls++;
        res.statusCode = 500;
        res.end('{}');
      }));
      const send = withRetry(transport(`http://127.0.0.1:${(server.address() as AddressInfo).port}/base`), { retries: 4, baseDelayMs: 1, maxDelayMs: 2, sleep: noSleep });
      await assert.rejects(send({ method: 'POST', path: '/x', body: {} }), HttpError);
      assert.equal(calls, 1);
    });

    it('repeats any request after a 429 and waits what the server says', async () => {
      let calls = 0;
      const waits: number[] = [];
      ({ server } = await serve((_req, res) => {
        calls++;
        res.statusCode = calls === 1 ? 429 : 201;
        res.setHeader('x-retry-after', '2');
        res.end('{}');
      }));
      const send = withRetry(transport(`http://127.0.0.1:${(server.address() as AddressInfo).port}/base`), {
        retries: 2,
        baseDelayMs: 1,
        maxDelayMs: 2,
        serverDelayMs: (err) => Number(err.headers['x-retry-after']) * 1000,
        sleep: async (ms) => void waits.push(ms),
      });
      const response = await send({ method: 'POST', path: '/x', body: {} });
      assert.equal(response.status, 201);
      assert.deepEqual(waits, [2000]);
    });
  });
});
