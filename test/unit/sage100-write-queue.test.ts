import assert from 'node:assert/strict';
import { HttpError } from '../../lib/http/errors';
import { withRetry } from '../../lib/http/retry';
import type { HttpRequest, HttpResponse } from '../../lib/http/transport';
import { serializeWrite, withSerializedWrites } from '../../lib/sage100/write-queue';

describe('serializeWrite', () => {
  it('runs writes to one company one at a time, in order, even when one fails', async () => {
    const events: string[] = [];
    const write = (name: string, fail = false) => async () => {
      events.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, 5));
      events.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([
      serializeWrite('https://sage|ABC', write('a')),
      serializeWrite('https://sage|ABC', write('b', true)),
      serializeWrite('https://sage|ABC', write('c')),
    ]);
    assert.deepEqual(events, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  });

  it('lets writes to different companies overlap', async () => {
    const events: string[] = [];
    const write = (name: string) => async () => {
      events.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, 5));
      events.push(`end ${name}`);
    };
    await Promise.all([serializeWrite('s|ABC', write('abc')), serializeWrite('s|XYZ', write('xyz'))]);
    assert.deepEqual(events.slice(0, 2), ['start abc', 'start xyz']);
  });

  it('as a layer under the retry layer, holds the queue for an exchange but not for the wait before a retry', async () => {
    const sent: string[] = [];
    let failures = 1;
    const transport = async <T>(request: HttpRequest): Promise<HttpResponse<T>> => {
      sent.push(`${request.method} ${request.path}`);
      const summary = { method: request.method, path: request.path };
      if (request.path === '/a' && failures-- > 0) {
        throw new HttpError('unavailable', { status: 503, request: summary, headers: {}, body: undefined, code: 'http.503', retryable: true });
      }
      return { status: 200, headers: {}, body: undefined as T, request: summary };
    };
    const send = withRetry(withSerializedWrites(transport, 'agent|ABC', (request) => request.method !== 'GET'), {
      retries: 1,
      baseDelayMs: 30,
      maxDelayMs: 30,
      random: () => 1,
    });
    const first = send({ method: 'POST', path: '/a', idempotent: true });
    await new Promise((r) => setTimeout(r, 5));
    await Promise.all([first, send({ method: 'POST', path: '/b' })]);
    assert.deepEqual(sent, ['POST /a', 'POST /b', 'POST /a']);
  });
});
