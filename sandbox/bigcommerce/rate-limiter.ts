export interface Quota {
  requests: number;
  windowMs: number;
}

/** BigCommerce's Standard and Plus plans: 20k requests an hour, refreshed as 150 every 30 s. */
export const STANDARD_PLAN: Quota = { requests: 150, windowMs: 30_000 };
export const PRO_PLAN: Quota = { requests: 450, windowMs: 30_000 };

export interface RateLimitDecision {
  allowed: boolean;
  /** The four `X-Rate-Limit-*` headers (plus `X-Retry-After` when refused). */
  headers: Record<string, string>;
}

/**
 * The store's request quota: one fixed window shared by every client of the store, starting with the first
 * request after the previous window ran out, like the real reset timer.
 */
export class RateLimiter {
  private windowStart = 0;
  private used = 0;

  constructor(
    private quota: Quota,
    private readonly now: () => number,
  ) {}

  setQuota(quota: Quota): void {
    this.quota = quota;
    this.windowStart = 0;
    this.used = 0;
  }

  /** Counts one request against the quota. */
  take(): RateLimitDecision {
    const now = this.roll();
    if (this.used >= this.quota.requests) {
      const headers = this.headers(now);
      headers['x-retry-after'] = String(Math.max(1, Math.ceil(Number(headers['x-rate-limit-time-reset-ms']) / 1000)));
      return { allowed: false, headers };
    }
    this.used++;
    return { allowed: true, headers: this.headers(now) };
  }

  /** The headers for a response that does not count (e.g. a 401 before the store is known to the caller). */
  peek(): Record<string, string> {
    return this.headers(this.roll());
  }

  private roll(): number {
    const now = this.now();
    if (this.used === 0 || now >= this.windowStart + this.quota.windowMs) {
      this.windowStart = now;
      this.used = 0;
    }
    return now;
  }

  private headers(now: number): Record<string, string> {
    const resetMs = Math.max(0, this.windowStart + this.quota.windowMs - now);
    return {
      'x-rate-limit-time-window-ms': String(this.quota.windowMs),
      'x-rate-limit-time-reset-ms': String(resetMs),
      'x-rate-limit-requests-quota': String(this.quota.requests),
      'x-rate-limit-requests-left': String(Math.max(0, this.quota.requests - this.used)),
    };
  }
}
