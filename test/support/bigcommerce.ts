/**
 * Test helpers around the BigCommerce simulator: `startTestStore` starts one with the contract recorder
 * attached (every exchange is checked against the official OpenAPI files; a violation fails the test that
 * caused it), and `callStore` sends one request the way the connector does.
 */
import { request as undiciRequest } from 'undici';
import { startBigCommerceSimulator, type BigCommerceSimulator, type Exchange, type SimulatorOptions } from '../../sandbox/bigcommerce';
import { contractRecorder, loadedContractRecorder, type ContractViolation } from './bigcommerce-contract';

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
