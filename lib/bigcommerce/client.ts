import { z } from 'zod';
import type { Agent } from 'undici';
import { parseWith } from '../errors';
import { HttpError } from '../http/errors';
import { withRetry, type RetryPolicy } from '../http/retry';
import { createAgent, createTransport, type HttpRequest, type RequestFunction } from '../http/transport';
import { describeBigCommerceError } from './errors';
import { RateLimitGovernor, throttleDelayMs, type GovernorStats } from './governor';

export const DEFAULT_API_URL = 'https://api.bigcommerce.com';

export const clientSettingsSchema = z.object({
  storeHash: z
    .string()
    .trim()
    .regex(/^[a-z0-9]+$/i, 'must be the store hash: letters and digits, as in https://api.bigcommerce.com/stores/{store_hash}/'),
  accessToken: z.string().trim().min(1, 'is required'),
  apiUrl: z
    .string()
    .trim()
    .default(DEFAULT_API_URL)
    .pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://api.bigcommerce.com' })),
  timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
});

export type ClientSettings = z.input<typeof clientSettingsSchema>;

export interface BigCommerceClientOptions extends ClientSettings {
  retry?: Partial<Omit<RetryPolicy, 'serverDelayMs' | 'onRetry'>>;
  /** Requests on the wire at once; also the connection pool size. */
  maxInFlight?: number;
}

export interface BigCommerceClient {
  /** Paths below `/stores/{store_hash}`, e.g. `/v3/catalog/variants`. GETs are marked safe to repeat. */
  readonly request: RequestFunction;
  readonly storeHash: string;
  stats(): GovernorStats;
  close(): Promise<void>;
}

/**
 * BigCommerce's advice for 5xx is a handful of retries with growing waits; 429s wait for the quota to refresh,
 * which the store announces (one 30 s window at most on every plan, so a longer wait means something is wrong).
 */
export const DEFAULT_RETRY: Omit<RetryPolicy, 'serverDelayMs' | 'onRetry'> = {
  retries: 5,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  maxServerDelayMs: 65_000,
};

/**
 * The one BigCommerce client: undici transport (X-Auth-Token, JSON, timeouts) -> the store's rate-limit
 * governor -> the retry layer. The config node builds one per store and every node using it shares it.
 */
export function createBigCommerceClient(options: BigCommerceClientOptions): BigCommerceClient {
  const settings = parseWith(clientSettingsSchema, options, { what: 'BigCommerce settings', code: 'bigcommerce.settings' });
  const maxInFlight = options.maxInFlight ?? 8;
  const agent: Agent = createAgent({ connections: maxInFlight });
  const transport = createTransport({
    baseUrl: `${settings.apiUrl.replace(/\/+$/, '')}/stores/${settings.storeHash}`,
    dispatcher: agent,
    timeoutMs: settings.timeoutMs,
    service: 'BigCommerce',
    defaultHeaders: { 'x-auth-token': settings.accessToken },
    describeError: describeBigCommerceError,
  });
  const governor = new RateLimitGovernor({ maxInFlight });
  const send = withRetry(governor.layer(transport), {
    ...DEFAULT_RETRY,
    ...options.retry,
    serverDelayMs: (err: HttpError) => (err.status === 429 ? throttleDelayMs(err.headers) : undefined),
    onRetry: () => governor.noteRetry(),
  });
  const request: RequestFunction = (req: HttpRequest) => send({ ...req, idempotent: req.idempotent ?? req.method === 'GET' });
  return {
    request,
    storeHash: settings.storeHash,
    stats: () => governor.stats(),
    async close() {
      governor.close();
      await agent.close();
    },
  };
}
