import assert from 'node:assert/strict';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { reportFailure, startRuntime, startSimulators, type Runtime, type Simulators } from './support';

/**
 * The webhook door of the example flow in a real Node-RED process (not the test helper): the body cap sits in
 * front of Node-RED's own body reader, and no answer carries the request, whatever the path's letter case.
 */
describe('end to end: the webhook endpoint of the example flow', function () {
  this.timeout(120_000);
  let sims: Simulators;
  let runtime: Runtime;

  before(async () => {
    sims = await startSimulators();
    runtime = await startRuntime(sims.endpoints);
  });
  after(async () => {
    await runtime?.stop();
    await sims?.close();
  });
  afterEach(function () {
    reportFailure(this, [runtime]);
  });

  /**
   * The Node-RED process's peak resident memory in bytes (Linux: VmHWM). Node-RED renames its process, so it is
   * found as the one holding the listening socket of its port.
   */
  function peakMemoryOfNodeRed(): number | undefined {
    try {
      const port = runtime.nodeRed.port.toString(16).toUpperCase().padStart(4, '0');
      const listening = readFileSync('/proc/net/tcp', 'utf8').split('\n').map((line) => line.trim().split(/\s+/)).find((cols) => cols[1]?.endsWith(`:${port}`) && cols[3] === '0A');
      const socket = `socket:[${listening?.[9]}]`;
      for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
        let fds: string[];
        try {
          fds = readdirSync(`/proc/${pid}/fd`);
        } catch {
          continue;
        }
        if (!fds.some((fd) => { try { return readlinkSync(`/proc/${pid}/fd/${fd}`) === socket; } catch { return false; } })) continue;
        const peak = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
        return peak === undefined ? undefined : Number(peak) * 1024;
      }
    } catch {
      // not Linux
    }
    return undefined;
  }

  /** Sends `size` bytes in 1 MB pieces (with that Content-Length, or chunked), as a flood would, without holding them here. */
  function flood(size: number, declared: boolean): Promise<{ status: number; text: string; ms: number }> {
    const piece = Buffer.alloc(1024 * 1024, 'a');
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = httpRequest(runtime.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...(declared && { 'content-length': String(size) }) } }, (res) => {
        const parts: Buffer[] = [];
        const ms = performance.now() - started;
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8'), ms }));
      });
      req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
      let sent = 0;
      const more = (): void => {
        while (sent < size) {
          sent += piece.length;
          if (!req.write(piece)) return void req.once('drain', more);
        }
        req.end();
      };
      more();
    });
  }

  it('answers a 200 MB flood with 413 at once, and Node-RED does not read it into memory', async function () {
    const before = peakMemoryOfNodeRed();
    if (before === undefined) this.skip();
    for (const declared of [true, false]) {
      const answer = await flood(200 * 1024 * 1024, declared);
      console.log(`      real Node-RED: 200 MB body (${declared ? 'Content-Length' : 'chunked'}) answered ${answer.status} after ${answer.ms.toFixed(1)} ms`);
      assert.equal(answer.status, 413);
      assert.equal(answer.text, '{"status":"too-large"}');
    }
    const grown = peakMemoryOfNodeRed()! - before!;
    console.log(`      peak memory of Node-RED grew ${(grown / 1048576).toFixed(1)} MB`);
    assert.ok(grown < 50 * 1024 * 1024, `Node-RED's peak memory grew by ${(grown / 1048576).toFixed(0)} MB`);
  });

  function post(path: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; text: string; ms: number }> {
    const url = new URL(path, runtime.webhookUrl);
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, { method: 'POST', headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(parts).toString('utf8'), ms: performance.now() - started }));
      });
      req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
      req.end(body);
    });
  }

  it('refuses a 10 MB body with 413 at once, and never reflects a body on a case-varied path', async () => {
    const big = await post('/bigcommerce/webhook', Buffer.alloc(10 * 1024 * 1024, 'a'), { 'content-type': 'application/json' });
    console.log(`      real Node-RED: 10 MB body answered ${big.status} in ${big.ms.toFixed(1)} ms`);
    assert.equal(big.status, 413);
    assert.equal(big.text, '{"status":"too-large"}');

    for (const path of ['/bigcommerce/webhook', '/BigCommerce/Webhook']) {
      const answer = await post(path, Buffer.from('<script>alert(document.domain)</script>'), { 'content-type': 'text/plain' });
      assert.equal(answer.status, 401, path);
      assert.equal(answer.text, '{"status":"rejected"}');
      assert.match(String(answer.headers['content-type']), /^application\/json/);
      assert.equal(answer.headers['x-content-type-options'], 'nosniff');
    }
  });
});
