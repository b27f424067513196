import { z } from 'zod';
import { ValidationError, redact } from '../errors';
import { HttpError, NetworkError, TimeoutError } from '../http/errors';
import type { RequestFunction } from '../http/transport';
import { createBigCommerceClient, type ClientSettings } from './client';
import { readRateLimitHeaders } from './governor';
import { priceListsAvailable } from './price-lists';
import { neededScopesText } from './scopes';

export type ConnectionFailure = 'settings' | 'bad-token' | 'unknown-store' | 'tls' | 'dns' | 'timeout' | 'network' | 'http';

export interface ConnectionCheck {
  ok: boolean;
  message: string;
  hint?: string;
  reason?: ConnectionFailure;
  /** The failure's error code, for its words in the shared catalog. */
  code?: string;
  /** Every setting that is missing or wrong. */
  issues?: Array<{ field: string; message: string }>;
  storeName?: string;
  /** The API account scopes the nodes need (Test connection cannot read the token's own). */
  scopes?: string;
  /** The rate limit the store announced with the answer. */
  quota?: { requests?: number; windowMs?: number; left: number };
  /** Whether the plan (and the API account) offer price lists: without them the push keeps to catalog prices. */
  priceListsAvailable?: boolean;
  /** Why not, in BigCommerce's words. */
  priceListsReason?: string;
}

const storeSchema = z.looseObject({ name: z.string().optional(), domain: z.string().optional() });

const FAILURE_CODES: Record<ConnectionFailure, string> = {
  settings: 'bigcommerce.settings',
  'bad-token': 'bigcommerce.unauthorized',
  'unknown-store': 'bigcommerce.not_found',
  tls: 'http.tls',
  dns: 'http.dns',
  timeout: 'http.timeout',
  network: 'http.network',
  http: 'http.status',
};

function failure(reason: ConnectionFailure, message: string, hint?: string): ConnectionCheck {
  return { ok: false, reason, code: FAILURE_CODES[reason], message, hint };
}

function quotaFrom(headers: Record<string, string>): ConnectionCheck['quota'] {
  const limits = readRateLimitHeaders(headers);
  return limits && { requests: limits.quota, windowMs: limits.windowMs, left: limits.left };
}

function explain(err: unknown): ConnectionCheck {
  if (err instanceof ValidationError) return { ...failure('settings', err.message, err.hint), issues: err.issues };
  if (err instanceof HttpError) {
    if (err.status === 401) {
      return failure('bad-token', 'BigCommerce refused the access token (401).', 'Check the access token, and that it was created for this store (Settings › API accounts).');
    }
    if (err.status === 404) {
      return failure('unknown-store', 'BigCommerce does not know this store hash (404).', 'The store hash is the part after /stores/ in the API path shown with the API account.');
    }
    // Only the status: the body is whatever the server at that URL chose to say.
    return failure('http', `The server answered HTTP ${err.status}.`, 'Check the API URL: it should be https://api.bigcommerce.com.');
  }
  if (err instanceof TimeoutError) return failure('timeout', err.message, 'Check the API URL, any proxy or firewall, and try a longer timeout.');
  if (err instanceof NetworkError) {
    const reason = err.code === 'http.dns' ? 'dns' : err.code === 'http.tls' ? 'tls' : 'network';
    return failure(reason, err.message, err.hint);
  }
  return failure('network', err instanceof Error ? err.message : String(err));
}

/** The store's name from `GET /v2/store`, which needs the Information & Settings scope the nodes do not. */
async function storeName(request: RequestFunction): Promise<string | undefined> {
  try {
    const store = storeSchema.safeParse((await request({ method: 'GET', path: '/v2/store' })).body);
    return store.success ? store.data.name || store.data.domain : undefined;
  } catch (err) {
    if (err instanceof HttpError && (err.status === 403 || err.status === 404)) return undefined;
    throw err;
  }
}

/**
 * Read-only calls with the given settings, through the same client stack the nodes use but without retries,
 * so a wrong setting is reported at once: `GET /v3/hooks/admin` (allowed to every API account, so it proves the
 * token and the store hash whatever the scopes, and shows the rate limit), then the store's name, then one price list
 * (whether the plan offers them). Never throws; never repeats the token.
 */
export async function testConnection(settings: ClientSettings): Promise<ConnectionCheck> {
  let result: ConnectionCheck;
  try {
    const client = createBigCommerceClient({ ...settings, retry: { retries: 0 }, maxInFlight: 1 });
    try {
      const ping = await client.request({ method: 'GET', path: '/v3/hooks/admin' });
      const name = await storeName(client.request);
      const priceLists = await priceListsAvailable(client.request);
      result = {
        ok: true,
        message: name ? `Connected to ${name}.` : 'Connected (the store name needs the Information & Settings read-only scope).',
        storeName: name,
        quota: quotaFrom(ping.headers),
        scopes: neededScopesText(),
        priceListsAvailable: priceLists.available,
        ...(priceLists.reason && { priceListsReason: priceLists.reason }),
      };
    } finally {
      await client.close();
    }
  } catch (err) {
    result = explain(err);
  }
  const secrets = [settings.accessToken];
  return {
    ...result,
    message: redact(result.message, secrets),
    ...(result.hint && { hint: redact(result.hint, secrets) }),
    ...(result.priceListsReason && { priceListsReason: redact(result.priceListsReason, secrets) }),
    ...(result.issues && { issues: result.issues.map((issue) => ({ field: issue.field, message: redact(issue.message, secrets) })) }),
  };
}
