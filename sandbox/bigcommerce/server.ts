/**
 * The HTTP front of the simulator: routes `/stores/{hash}/v2|v3/...` like api.bigcommerce.com, checks the
 * token and its scopes, enforces the store's quota, applies injected faults, and reports every exchange.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FaultKind, Faults } from './faults';
import { RequestError } from './query';
import type { RateLimiter } from './rate-limiter';
import { v2Error, v3Error, type SimResponse } from './responses';
import { SCOPES, type Api, type Router } from './router';
import type { SimulatedStore } from './store';

export interface Exchange {
  /** 1, 2, 3 … in arrival order. */
  seq: number;
  method: string;
  /** Path and query as received. */
  url: string;
  /** `v2`/`v3` for API calls, `sim` for `/__sim/*`, null for anything else. */
  api: Api | 'sim' | null;
  /** The path below `/stores/{hash}/{api}`, as the OpenAPI files write paths (`/orders/12`). */
  apiPath?: string;
  /** The matched route's path template, e.g. `/v2/orders/{order_id}` (with `method`, the key of `stats.requests`); absent when no route matched. */
  route?: string;
  /** Query parameters, decoded (a repeated name keeps its last value). */
  query: Record<string, string>;
  /** Lower-cased; the `x-auth-token` value is replaced by `[redacted]`. */
  requestHeaders: Record<string, string>;
  requestBody: unknown;
  /** 0 when the connection was dropped on purpose. */
  status: number;
  responseHeaders: Record<string, string>;
  /** The body exactly as sent; undefined for 204 and dropped connections. */
  responseText?: string;
  /** `responseText` parsed, on first read. */
  readonly responseBody: unknown;
  /** The injected fault that shaped this answer, if any. */
  fault?: FaultKind;
  durationMs: number;
}

export interface ApiAccount {
  token: string;
  clientId: string;
  scopes: ReadonlySet<string>;
}

export interface SimStats {
  /** Requests per route template (`GET /v2/orders`), unmatched ones under `unmatched`. */
  requests: Record<string, number>;
  /** Responses per status code. */
  statuses: Record<string, number>;
  /** 429s served because the quota ran out. */
  rateLimited: number;
  /** Faults injected, per kind. */
  faults: Record<string, number>;
  webhooks: { sent: number; delivered: number; failed: number; retried: number; duplicates: number; deactivated: number; dropped: number };
}

export function emptyStats(): SimStats {
  return {
    requests: {},
    statuses: {},
    rateLimited: 0,
    faults: {},
    webhooks: { sent: 0, delivered: 0, failed: 0, retried: 0, duplicates: 0, deactivated: 0, dropped: 0 },
  };
}

export interface ServerParts {
  store: SimulatedStore;
  router: Router;
  limiter: RateLimiter;
  faults: Faults;
  stats: SimStats;
  accounts: Map<string, ApiAccount>;
  /** Answers `/__sim/*`; no token, no quota. */
  simRoutes(method: string, path: string, body: unknown): SimResponse | undefined;
  /** `http://host:port`, known once listening. */
  apiUrl(): string;
  emit(exchange: Exchange): void;
  sleep(ms: number): Promise<void>;
  /** Runs store work after the configured inventory delay. */
  defer(task: () => void): void;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;
const STORE_PATH = /^\/stores\/([^/]+)\/(v2|v3)(\/.*)?$/;

class BadRequest extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BadRequest('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Parses the body only for listeners that read it (a bench counting calls never pays for it). */
function defineParsedBody(exchange: Exchange): void {
  let parsed: unknown;
  let done = false;
  Object.defineProperty(exchange, 'responseBody', {
    enumerable: true,
    configurable: true,
    get() {
      if (!done) {
        parsed = exchange.responseText === undefined ? undefined : JSON.parse(exchange.responseText);
        done = true;
      }
      return parsed;
    },
  });
}

function errorFor(api: Api | null, status: number, message: string): SimResponse {
  return api === 'v2' ? v2Error(status, message) : v3Error(status, message);
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[key] = key === 'x-auth-token' ? '[redacted]' : Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export function createSimulatorServer(parts: ServerParts): Server {
  let seq = 0;
  const server = createServer((req, res) => {
    const started = performance.now();
    const exchange: Exchange = {
      seq: ++seq,
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      api: null,
      query: {},
      requestHeaders: headersOf(req),
      requestBody: undefined,
      status: 0,
      responseHeaders: {},
      responseBody: undefined,
      durationMs: 0,
    };
    handle(parts, req, res, exchange).then(
      () => finish(),
      (err: unknown) => {
        console.error('bigcommerce simulator: unexpected error', err);
        if (!res.headersSent && !res.destroyed) send(res, exchange, errorFor(exchange.api === 'sim' ? null : exchange.api, 500, 'Internal server error'), {});
        finish();
      },
    );
    function finish() {
      exchange.durationMs = performance.now() - started;
      defineParsedBody(exchange);
      parts.stats.statuses[String(exchange.status)] = (parts.stats.statuses[String(exchange.status)] ?? 0) + 1;
      parts.emit(exchange);
    }
  });
  server.keepAliveTimeout = 5_000;
  return server;
}

async function handle(parts: ServerParts, req: IncomingMessage, res: ServerResponse, exchange: Exchange): Promise<void> {
  const url = new URL(exchange.url, 'http://simulator');
  exchange.query = Object.fromEntries(url.searchParams.entries());
  let text: string;
  try {
    text = await readBody(req);
  } catch {
    send(res, exchange, v3Error(413, 'The request payload is too large.'), {});
    return;
  }
  let body: unknown;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      exchange.requestBody = text;
      const api = STORE_PATH.exec(url.pathname)?.[2] as Api | undefined;
      send(res, exchange, errorFor(api ?? null, 400, 'The request body is not valid JSON.'), {});
      return;
    }
  }
  exchange.requestBody = body;

  if (url.pathname.startsWith('/__sim/')) {
    exchange.api = 'sim';
    send(res, exchange, parts.simRoutes(exchange.method, url.pathname, body) ?? v3Error(404, 'Unknown simulator route'), {});
    return;
  }

  const storePath = STORE_PATH.exec(url.pathname);
  if (!storePath) {
    send(res, exchange, v3Error(404, 'Not Found'), {});
    return;
  }
  const [, storeHash, apiName, rest] = storePath;
  const api = apiName as Api;
  exchange.api = api;
  exchange.apiPath = rest ?? '/';
  if (storeHash !== parts.store.storeHash) {
    send(res, exchange, errorFor(api, 404, `Store not found: no store with hash ${storeHash}`), {});
    return;
  }

  const tokenHeader = req.headers['x-auth-token'];
  const account = typeof tokenHeader === 'string' ? parts.accounts.get(tokenHeader) : undefined;
  if (!account) {
    const message = typeof tokenHeader === 'string' && tokenHeader
      ? 'You are not authorized to access this resource: the X-Auth-Token is not valid for this store.'
      : 'No credentials found in request: send the API account access token in the X-Auth-Token header.';
    send(res, exchange, errorFor(api, 401, message), parts.limiter.peek());
    return;
  }

  const matched = parts.router.match(exchange.method, api, exchange.apiPath);
  const template = matched && matched !== 'method' ? matched.route.template : undefined;
  exchange.route = matched && matched !== 'method' ? `/${api}${matched.route.path}` : undefined;
  const statKey = template ?? 'unmatched';
  parts.stats.requests[statKey] = (parts.stats.requests[statKey] ?? 0) + 1;

  const storm = parts.faults.take('rate-limit', template);
  if (storm) {
    countFault(parts, exchange, 'rate-limit');
    const headers: Record<string, string> = storm.withHeaders === false ? {} : { ...parts.limiter.peek(), 'x-rate-limit-requests-left': '0' };
    if (storm.withHeaders !== false) headers['x-retry-after'] = String(Math.max(1, Math.ceil(Number(headers['x-rate-limit-time-reset-ms']) / 1000)));
    send(res, exchange, errorFor(api, 429, 'Too many requests'), headers, storm.withHeaders === false);
    return;
  }
  const decision = parts.limiter.take();
  if (!decision.allowed) {
    parts.stats.rateLimited++;
    send(res, exchange, errorFor(api, 429, 'Too many requests: the store request quota is used up; retry after X-Retry-After seconds.'), decision.headers);
    return;
  }
  const rateHeaders = decision.headers;

  const latency = parts.faults.take('latency', template);
  if (latency) {
    countFault(parts, exchange, 'latency');
    await parts.sleep(latency.latencyMs ?? 1000);
  }
  if (injectFailure(parts, res, exchange, template, 'before', api, rateHeaders)) return;

  if (!matched) {
    send(res, exchange, errorFor(api, 404, `The requested resource was not found: ${exchange.method} /${api}${exchange.apiPath}`), rateHeaders);
    return;
  }
  if (matched === 'method') {
    send(res, exchange, errorFor(api, 405, `Method ${exchange.method} is not allowed on /${api}${exchange.apiPath}`), rateHeaders);
    return;
  }
  const { route, params } = matched;
  if (route.scopes && !route.scopes.some((area) => grants(account, area, route.method !== 'GET'))) {
    const needed = route.scopes.map((area) => (route.method === 'GET' ? `${SCOPES[area].read} or ${SCOPES[area].write}` : SCOPES[area].write)).join(', or ');
    send(res, exchange, errorFor(api, 403, `You don't have a required scope to access the endpoint: it needs ${needed}`), rateHeaders);
    return;
  }
  let response: SimResponse;
  try {
    response = await route.handle({
      params,
      query: url.searchParams,
      body,
      store: parts.store,
      clientId: account.clientId,
      v2Base: `${parts.apiUrl()}/stores/${storeHash}/v2`,
      partialFailure() {
        if (!parts.faults.take('multi-status', template)) return false;
        countFault(parts, exchange, 'multi-status');
        return true;
      },
      defer: parts.defer,
    });
  } catch (err) {
    if (!(err instanceof RequestError)) throw err;
    response = api === 'v2' ? v2Error(err.status, err.message) : v3Error(err.status, err.message, err.errors);
  }
  if (injectFailure(parts, res, exchange, template, 'after', api, rateHeaders)) return;
  send(res, exchange, response, rateHeaders);
}

function grants(account: ApiAccount, area: keyof typeof SCOPES, write: boolean): boolean {
  return account.scopes.has(SCOPES[area].write) || (!write && account.scopes.has(SCOPES[area].read));
}

function countFault(parts: ServerParts, exchange: Exchange, kind: FaultKind): void {
  exchange.fault = kind;
  parts.stats.faults[kind] = (parts.stats.faults[kind] ?? 0) + 1;
}

function injectFailure(
  parts: ServerParts,
  res: ServerResponse,
  exchange: Exchange,
  template: string | undefined,
  phase: 'before' | 'after',
  api: Api,
  rateHeaders: Record<string, string>,
): boolean {
  if (parts.faults.take('drop', template, phase)) {
    countFault(parts, exchange, 'drop');
    res.socket?.destroy();
    return true;
  }
  const error = parts.faults.take('error', template, phase);
  if (error) {
    countFault(parts, exchange, 'error');
    const status = error.status ?? 500;
    send(res, exchange, errorFor(api, status, status === 503 ? 'Service Unavailable' : 'Internal Server Error'), rateHeaders);
    return true;
  }
  return false;
}

function send(res: ServerResponse, exchange: Exchange, response: SimResponse, rateHeaders: Record<string, string>, bare = false): void {
  const headers: Record<string, string> = { ...rateHeaders, ...response.headers };
  if (!bare) headers['x-bc-store-version'] = '7.6.0';
  let payload: string | undefined;
  if (response.status !== 204 && response.body !== undefined) {
    payload = JSON.stringify(response.body);
    headers['content-type'] = `${response.contentType ?? 'application/json'}; charset=utf-8`;
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  res.writeHead(response.status, headers);
  res.end(payload);
  exchange.status = response.status;
  exchange.responseHeaders = headers;
  exchange.responseText = payload;
}

