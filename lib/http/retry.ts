import { HttpError, NetworkError, TimeoutError } from './errors';
import type { HttpRequest, RequestFunction } from './transport';

export interface RetryPolicy {
  /** Attempts after the first one. */
  retries: number;
  /** First backoff step; each further attempt doubles it, with full jitter, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long a server-announced wait (e.g. a 429's reset time) may be before giving up instead. */
  maxServerDelayMs?: number;
  /** The server's own wait for this error, e.g. from rate-limit headers; undefined means use backoff. */
  serverDelayMs?: (err: HttpError) => number | undefined;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Called before each retry, for status and metrics. */
  onRetry?: (info: { attempt: number; delayMs: number; error: Error; request: HttpRequest }) => void;
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Whether sending the request again cannot do harm: a 429 or a refused connection was never processed;
 * anything else (5xx, timeout, reset) may have been, so only idempotent requests are repeated.
 */
export function isSafeToRetry(err: unknown, request: HttpRequest): boolean {
  if (err instanceof HttpError) {
    if (err.status === 429) return true;
    return err.retryable && request.idempotent === true;
  }
  if (err instanceof NetworkError) return err.retryable && (!err.reachedServer || request.idempotent === true);
  if (err instanceof TimeoutError) return request.idempotent === true;
  return false;
}

/** Retries failed requests that are safe to repeat, with exponential backoff and full jitter. */
export function withRetry(send: RequestFunction, policy: RetryPolicy): RequestFunction {
  const sleep = policy.sleep ?? defaultSleep;
  const random = policy.random ?? Math.random;
  return async function sendWithRetry<T>(request: HttpRequest) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await send<T>(request);
      } catch (err) {
        if (attempt >= policy.retries || !isSafeToRetry(err, request) || request.signal?.aborted) throw err;
        const serverDelay = err instanceof HttpError ? policy.serverDelayMs?.(err) : undefined;
        if (serverDelay !== undefined && policy.maxServerDelayMs !== undefined && serverDelay > policy.maxServerDelayMs) throw err;
        const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
        const delayMs = serverDelay ?? Math.round(random() * backoff);
        policy.onRetry?.({ attempt: attempt + 1, delayMs, error: err as Error, request });
        await sleep(delayMs);
      }
    }
  };
}
