/**
 * Test helpers around the BigCommerce simulator: `startTestStore` starts one with the contract recorder
 * attached (every exchange is checked against the official OpenAPI files; a violation fails the test), and
 * `callStore` sends one request the way the connector does.
 */
import { request as undiciRequest } from 'undici';
import { startBigCommerceSimulator, type BigCommerceSimulator, type Exchange, type SimulatorOptions } from '../../sandbox/bigcommerce';

export interface TestStore extends BigCommerceSimulator {
  /** Every exchange so far, in order. */
  readonly exchanges: Exchange[];
  /** Config-node style settings pointing at this store. */
  readonly config: { apiUrl: string; storeHash: string; accessToken: string; clientSecret: string; clientId: string };
}

export async function startTestStore(options: SimulatorOptions = {}): Promise<TestStore> {
  const sim = await startBigCommerceSimulator(options);
  const exchanges: Exchange[] = [];
  sim.onExchange((exchange) => exchanges.push(exchange));
  return Object.assign(sim, {
    exchanges,
    config: { apiUrl: sim.apiUrl, storeHash: sim.storeHash, accessToken: sim.accessToken, clientSecret: sim.clientSecret, clientId: sim.clientId },
  });
}

export interface StoreAnswer<T = unknown> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

/**
 * One request to the store, e.g. `callStore(sim, 'GET', '/v2/orders', { query: { limit: 5 } })`; the path is
 * below `/stores/{hash}`. Sends the token unless `token` is given (null sends none).
 */
export async function callStore<T = unknown>(
  sim: BigCommerceSimulator,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  options: { query?: Record<string, string | number>; body?: unknown; token?: string | null } = {},
): Promise<StoreAnswer<T>> {
  const url = new URL(path.startsWith('/__sim') ? path : `/stores/${sim.storeHash}${path}`, sim.apiUrl);
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, String(value));
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = options.token === undefined ? sim.accessToken : options.token;
  if (token !== null) headers['x-auth-token'] = token;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await undiciRequest(url, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await response.body.text();
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(response.headers)) if (value !== undefined) flat[key] = Array.isArray(value) ? value.join(', ') : value;
  return { status: response.statusCode, headers: flat, body: (text ? JSON.parse(text) : undefined) as T };
}
