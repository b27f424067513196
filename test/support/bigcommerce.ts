/**
 * Test helpers around the BigCommerce simulator: `startTestStore` starts one with the contract recorder
 * attached (every exchange is checked against the official OpenAPI files; a violation fails the test that
 * caused it), and `callStore` sends one request the way the connector does.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request as undiciRequest } from 'undici';
import { startBigCommerceSimulator, type BigCommerceSimulator, type Exchange, type OrderInput, type SimulatorOptions } from '../../sandbox/bigcommerce';
import { SAMPLE_ADDRESS, seedCatalog, seedOrders, type CatalogSeedOptions, type OrderSeedOptions } from '../../sandbox/bigcommerce/seed';
import { contractRecorder, loadedContractRecorder, type ContractViolation } from './bigcommerce-contract';
// Adds price lists, customer groups and exceptions to the recorder before any store starts.
import './bigcommerce-contract-extra';

export interface TestStore extends BigCommerceSimulator {
  /** Every exchange so far, in order. */
  readonly exchanges: Exchange[];
  /** Contract violations so far (they also fail the running test). */
  readonly violations: ContractViolation[];
  /** Config-node style settings pointing at this store. */
  readonly config: { apiUrl: string; storeHash: string; accessToken: string; clientSecret: string; clientId: string };
  /** Throws when any exchange so far broke the contract; `close()` does the same. */
  assertContract(): void;
}

export interface TestStoreOptions extends SimulatorOptions {
  /**
   * false: no contract checks, for tests that send undocumented requests on purpose (e.g. an unknown path).
   * Default true.
   */
  contract?: boolean;
}

const openStores = new Set<TestStore>();

class ContractBroken extends Error {
  constructor(violations: ContractViolation[]) {
    const lines = violations.slice(0, 10).map((v) => `  #${v.seq} ${v.request}: [${v.kind}] ${v.message}`);
    super(`BigCommerce contract broken by ${violations.length} exchange(s):\n${lines.join('\n')}${violations.length > 10 ? '\n  …' : ''}`);
    this.name = 'ContractBroken';
  }
}

export async function startTestStore(options: TestStoreOptions = {}): Promise<TestStore> {
  const { contract = true, ...simulatorOptions } = options;
  const recorder = contract ? await contractRecorder() : undefined;
  const sim = await startBigCommerceSimulator(simulatorOptions);
  const exchanges: Exchange[] = [];
  const violations: ContractViolation[] = [];
  let reported = 0;
  sim.onExchange((exchange) => {
    exchanges.push(exchange);
    if (recorder) violations.push(...recorder.check(exchange));
  });
  const close = sim.close.bind(sim);
  const assertContract = () => {
    if (violations.length > reported) {
      const fresh = violations.slice(reported);
      reported = violations.length;
      throw new ContractBroken(fresh);
    }
  };
  const store: TestStore = Object.assign(sim, {
    exchanges,
    violations,
    config: { apiUrl: sim.apiUrl, storeHash: sim.storeHash, accessToken: sim.accessToken, clientSecret: sim.clientSecret, clientId: sim.clientId },
    assertContract,
    async close() {
      openStores.delete(store);
      await close();
      assertContract();
    },
  });
  openStores.add(store);
  return store;
}

// A root-level hook: a contract violation fails the test that caused it, even when the store stays open.
if (typeof afterEach === 'function') {
  afterEach(function checkBigCommerceContract() {
    for (const store of openStores) store.assertContract();
  });
}

// The suite's closing line: how many responses were checked against the official files.
if (typeof after === 'function') {
  after(function printContractCount() {
    const recorder = loadedContractRecorder();
    if (!recorder) return;
    const { validated, genericErrors, requests } = recorder.counts;
    console.log(
      `contract: ${validated} BigCommerce responses validated against the official OpenAPI files` +
        ` (+${genericErrors} undocumented error statuses checked against the documented error shape; ${requests} requests checked)`,
    );
  });
}

export interface StoreAnswer<T = unknown> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

/**
 * One request to the store, e.g. `callStore(sim, 'GET', '/v2/orders', { query: { limit: 5 } })`; the path is
 * below `/stores/{hash}` (or a `/__sim/...` path). Sends the token unless `token` is given (null sends none).
 */
export async function callStore<T = unknown>(
  sim: Pick<BigCommerceSimulator, 'apiUrl' | 'storeHash' | 'accessToken'>,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  options: { query?: Record<string, string | number | boolean>; body?: unknown; token?: string | null; headers?: Record<string, string> } = {},
): Promise<StoreAnswer<T>> {
  const url = new URL(path.startsWith('/__sim') ? path : `/stores/${sim.storeHash}${path}`, sim.apiUrl);
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, String(value));
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  const token = options.token === undefined ? sim.accessToken : options.token;
  if (token !== null) headers['x-auth-token'] = token;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await undiciRequest(url, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await response.body.text();
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(response.headers)) if (value !== undefined) flat[key] = Array.isArray(value) ? value.join(', ') : value;
  return { status: response.statusCode, headers: flat, body: (text ? JSON.parse(text) : undefined) as T };
}

// ---- seeding shortcuts ----------------------------------------------------------------------------------

export { SAMPLE_ADDRESS };

/** An order input with a complete billing address; lines default to one unit of `sku`. */
export function sampleOrder(overrides: Partial<OrderInput> & { sku?: string } = {}): OrderInput {
  const { sku = 'ABC-1', ...rest } = overrides;
  return { billing_address: SAMPLE_ADDRESS, products: [{ sku, quantity: 1 }], shipping_cost_ex_tax: 10, payment_method: 'Credit Card', status_id: 11, ...rest };
}

/** Generated products adding up to `skus` SKUs (`SKU-000001` …, every 10th product with S/M/L variants). */
export function seedTestCatalog(sim: BigCommerceSimulator, options: CatalogSeedOptions): number {
  return seedCatalog(sim.store, options);
}

/** Generated orders, modified a minute apart up to the store's clock, without webhooks. */
export function seedTestOrders(sim: BigCommerceSimulator, options: OrderSeedOptions): number {
  return seedOrders(sim.store, options);
}

// ---- a webhook destination ------------------------------------------------------------------------------

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  /** The body exactly as received, for signature checks. */
  rawBody: string;
  payload: { scope: string; store_id: string; data: Record<string, unknown>; hash: string; created_at?: number; producer: string };
}

export interface WebhookReceiver {
  /** Give this to a hook's `destination`. */
  url: string;
  received: ReceivedWebhook[];
  /** Resolves once `count` deliveries have arrived in all (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

/**
 * A local HTTP server standing in for the integration's webhook endpoint. `answer` picks the status for each
 * delivery (default 200), e.g. `(n) => (n <= 2 ? 500 : 200)` to fail the first two.
 */
export async function receiveWebhooks(answer: (count: number, delivery: ReceivedWebhook) => number = () => 200): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const delivery: ReceivedWebhook = { headers: req.headers, rawBody, payload: JSON.parse(rawBody) as ReceivedWebhook['payload'] };
      received.push(delivery);
      res.statusCode = answer(received.length, delivery);
      res.end();
      for (const waiter of waiters.filter((w) => received.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    received,
    waitFor(count, timeoutMs = 5_000) {
      if (received.length >= count) return Promise.resolve(received.slice(0, count));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${received.length} of ${count} webhook deliveries arrived within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(received.slice(0, count));
          },
        });
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
