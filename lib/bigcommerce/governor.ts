import { ConnectorError } from '../errors';
import { HttpError } from '../http/errors';
import type { HttpRequest, HttpResponse, RequestFunction } from '../http/transport';

/**
 * The per-store rate-limit governor: a layer around the transport that paces requests from BigCommerce's
 * `X-Rate-Limit-*` headers so a busy flow does not run into 429s, and lets interactive work (orders) go
 * ahead of bulk work (catalog pushes) whenever requests have to wait.
 *
 * The store's quota is a window of N requests shared by every app on the store. The governor keeps its own
 * count of what is left in the current window and spends one unit per request *before* sending, so many
 * requests in flight never all spend the last units. Each answer corrects the count downwards (another app
 * may be using the quota too): BigCommerce's "requests left" already counts every request sent before this
 * one, so the requests still in flight that were sent after it are subtracted. The count only ever goes up
 * when the window resets, and the reset time is always an upper bound (the time the answer arrived plus the
 * reset time it announced), so the governor never assumes a fresh window too early.
 */

export interface GovernorOptions {
  /** Requests on the wire at once; the rest wait here, where interactive work can overtake bulk work. */
  maxInFlight?: number;
  now?: () => number;
}

export interface GovernorStats {
  /** Requests sent. */
  requests: number;
  /** Requests held back because the quota was used up or a 429 asked to wait. */
  waits: number;
  /** 429 answers seen. */
  throttled: number;
  /** Requests sent again by the retry layer (after a 429, a 5xx or a network error). */
  retries: number;
  inFlight: number;
  queued: number;
  /** Learnt from the headers; undefined until the first answer that carried them. */
  quota?: number;
  windowMs?: number;
  /** The governor's estimate of the units left in the current window. */
  left?: number;
}

export interface RateLimitHeaders {
  left: number;
  resetMs: number;
  quota?: number;
  windowMs?: number;
}

function headerNumber(headers: Record<string, string>, name: string): number | undefined {
  const raw = headers[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** The `X-Rate-Limit-*` headers of an answer (header names already lower case), or undefined when absent. */
export function readRateLimitHeaders(headers: Record<string, string>): RateLimitHeaders | undefined {
  const left = headerNumber(headers, 'x-rate-limit-requests-left');
  const resetMs = headerNumber(headers, 'x-rate-limit-time-reset-ms');
  if (left === undefined || resetMs === undefined) return undefined;
  return {
    left,
    resetMs,
    quota: headerNumber(headers, 'x-rate-limit-requests-quota'),
    windowMs: headerNumber(headers, 'x-rate-limit-time-window-ms'),
  };
}

/**
 * How long a 429 asks the client to wait: the reset time, else `X-Retry-After` seconds (or a standard
 * `Retry-After` in seconds, which BigCommerce does not document but may send). Undefined when the 429 carries
 * none: then the platform is under load (not the quota) and the caller backs off exponentially.
 */
export function throttleDelayMs(headers: Record<string, string>): number | undefined {
  const resetMs = headerNumber(headers, 'x-rate-limit-time-reset-ms');
  if (resetMs !== undefined) return resetMs;
  const retryAfter = headerNumber(headers, 'x-retry-after') ?? headerNumber(headers, 'retry-after');
  return retryAfter === undefined ? undefined : retryAfter * 1000;
}

interface Waiter {
  start(sequence: number): void;
  fail(err: unknown): void;
  /** Counted once in `waits` when the quota first holds it back. */
  heldBack: boolean;
}

/**
 * `probing`: nothing is known yet, so one request goes alone to learn the quota.
 * `paced`: the store sends rate-limit headers and the governor follows them.
 * `unpaced`: answers carry no rate-limit headers (not BigCommerce, e.g. a proxy); only `maxInFlight` applies.
 */
type Mode = 'probing' | 'paced' | 'unpaced';

const DEFAULT_WINDOW_MS = 30_000;

export class RateLimitGovernor {
  private readonly maxInFlight: number;
  private readonly now: () => number;
  private mode: Mode = 'probing';
  private quota?: number;
  private windowMs?: number;
  private available = 0;
  /** When the current window ends: an upper bound once an answer from it arrived (`resetKnown`), a guess before. */
  private resetAt = 0;
  private resetKnown = false;
  /** Requests numbered below this were sent before the current window began; their headers are stale. */
  private windowStartSequence = 0;
  private blockedUntil = 0;
  private sequence = 0;
  /** Requests on the wire: sequence → when it was sent. */
  private readonly inFlight = new Map<number, number>();
  private readonly interactive: Waiter[] = [];
  private readonly bulk: Waiter[] = [];
  private timer?: NodeJS.Timeout;
  private timerAt = Number.POSITIVE_INFINITY;
  private closed = false;
  private readonly counters = { requests: 0, waits: 0, throttled: 0, retries: 0 };

  constructor(options: GovernorOptions = {}) {
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 8);
    this.now = options.now ?? Date.now;
  }

  /** Wraps the transport: every request waits for a unit of quota, and every answer updates the count. */
  layer(send: RequestFunction): RequestFunction {
    return async <T>(request: HttpRequest): Promise<HttpResponse<T>> => {
      const sequence = await this.acquire(request);
      try {
        const response = await send<T>(request);
        this.observe(sequence, response.status, response.headers);
        return response;
      } catch (err) {
        if (err instanceof HttpError) this.observe(sequence, err.status, err.headers);
        throw err;
      } finally {
        this.inFlight.delete(sequence);
        this.pump();
      }
    };
  }

  /** Called by the retry layer before each retry. */
  noteRetry(): void {
    this.counters.retries++;
  }

  stats(): GovernorStats {
    return {
      ...this.counters,
      inFlight: this.inFlight.size,
      queued: this.interactive.length + this.bulk.length,
      quota: this.quota,
      windowMs: this.windowMs,
      left: this.mode === 'paced' ? Math.max(0, this.available) : undefined,
    };
  }

  /** Fails every request still waiting; requests already on the wire finish on their own. */
  close(): void {
    this.closed = true;
    this.clearTimer();
    const waiting = [...this.interactive.splice(0), ...this.bulk.splice(0)];
    for (const waiter of waiting) waiter.fail(closedError());
  }

  private acquire(request: HttpRequest): Promise<number> {
    if (this.closed) return Promise.reject(closedError());
    if (request.signal?.aborted) return Promise.reject(request.signal.reason);
    return new Promise<number>((resolve, reject) => {
      const queue = request.priority === 'bulk' ? this.bulk : this.interactive;
      const signal = request.signal;
      const onAbort = () => {
        const index = queue.indexOf(waiter);
        if (index >= 0) queue.splice(index, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        heldBack: false,
        start: (sequence) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(sequence);
        },
        fail: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(waiter);
      this.pump();
    });
  }

  /** Sends as many waiting requests as the quota and `maxInFlight` allow, interactive ones first. */
  private pump(): void {
    while (!this.closed) {
      const queue = this.interactive.length > 0 ? this.interactive : this.bulk;
      const waiter = queue[0];
      if (!waiter) return;
      const now = this.now();
      if (this.mode === 'paced' && now >= this.resetAt && (this.resetKnown || !this.awaitingWindowAnswer())) this.startWindow(now);
      if (this.inFlight.size >= this.maxInFlight) return;
      if (this.mode === 'probing' && this.inFlight.size > 0) return;
      const holdUntil =
        this.blockedUntil > now ? this.blockedUntil : this.mode === 'paced' && this.available <= 0 ? this.resetAt : undefined;
      if (holdUntil !== undefined) {
        this.holdBack();
        // A window past its guessed end with no answer yet: the next answer says when it really ends.
        if (holdUntil > now) this.wakeAt(holdUntil);
        return;
      }
      queue.shift();
      const sequence = ++this.sequence;
      this.inFlight.set(sequence, now);
      this.available--;
      this.counters.requests++;
      waiter.start(sequence);
    }
  }

  /** The window has certainly ended: assume the full quota, less what is still on the wire (it may count in the new window). */
  private startWindow(now: number): void {
    if (this.quota === undefined) {
      this.mode = 'probing';
      return;
    }
    this.available = this.quota - this.inFlight.size;
    // The store starts its next window with the next request it receives, so its end is not known until an
    // answer from it arrives; until then this guess only schedules a check.
    this.resetAt = Math.max(now, this.resetAt) + (this.windowMs ?? DEFAULT_WINDOW_MS);
    this.resetKnown = false;
    this.windowStartSequence = this.sequence + 1;
  }

  private observe(sequence: number, status: number, headers: Record<string, string>): void {
    const limits = readRateLimitHeaders(headers);
    if (limits?.quota !== undefined) this.quota = limits.quota;
    if (limits?.windowMs !== undefined) this.windowMs = limits.windowMs;
    if (status === 429) {
      this.counters.throttled++;
      this.throttled(sequence, headers);
      return;
    }
    if (!limits) {
      if (this.mode === 'probing' && status < 400) this.mode = 'unpaced';
      return;
    }
    const now = this.now();
    const resetAt = now + limits.resetMs;
    // An answer from the window the governor counts in ends at most one round trip after that window's reset as
    // known (its own reset time is late by at most its own round trip): one ending later is from the next window.
    // Half a window alone let a loaded machine's slow answers from the next window pass for this one's.
    const roundTripMs = now - (this.inFlight.get(sequence) ?? now);
    const windowMs = this.windowMs ?? DEFAULT_WINDOW_MS;
    const sameWindowSlackMs = Math.min(roundTripMs, windowMs / 2);
    const left = limits.left - this.sentAfter(sequence);
    if (this.mode !== 'paced') {
      this.mode = 'paced';
      this.available = left;
      this.resetAt = resetAt;
      this.resetKnown = true;
      this.windowStartSequence = 0;
    } else if (sequence >= this.windowStartSequence) {
      if (resetAt > this.resetAt + sameWindowSlackMs) {
        // The store opened a new window before the governor's own reset (this request arrived just after the
        // old one ended). Start it from this answer, less whatever may have counted in it after this request.
        this.available = limits.left - this.mayCountAfter(sequence);
        this.resetAt = resetAt;
        this.resetKnown = true;
        this.windowStartSequence = this.sequence + 1;
      } else {
        this.available = Math.min(this.available, left);
        this.settleReset(resetAt);
      }
    }
  }

  /** A 429: nothing more goes out until the quota refreshes (when the 429 says when). */
  private throttled(sequence: number, headers: Record<string, string>): void {
    const delayMs = throttleDelayMs(headers);
    if (delayMs === undefined) return;
    if (this.mode === 'paced' && sequence < this.windowStartSequence) return;
    const until = this.now() + delayMs;
    this.blockedUntil = Math.max(this.blockedUntil, until);
    if (this.mode === 'paced') {
      this.available = 0;
      this.settleReset(until);
    } else if (this.quota !== undefined) {
      this.mode = 'paced';
      this.available = 0;
      this.resetAt = until;
      this.resetKnown = true;
      this.windowStartSequence = 0;
    }
  }

  /** Every answer's own reset time is an upper bound of the real one, so the earliest of them is the best. */
  private settleReset(resetAt: number): void {
    this.resetAt = this.resetKnown ? Math.min(this.resetAt, resetAt) : resetAt;
    this.resetKnown = true;
  }

  private awaitingWindowAnswer(): boolean {
    for (const sequence of this.inFlight.keys()) if (sequence >= this.windowStartSequence) return true;
    return false;
  }

  /**
   * Requests that may have reached the store's count after request `sequence` did: every one sent after it,
   * answered or not (answers come back out of order: counting only those still on the wire let a slow answer
   * start the window with room that quicker ones had already used, and 429s followed), and those sent before it
   * that are still on the wire.
   */
  private mayCountAfter(sequence: number): number {
    let earlierOnTheWire = 0;
    for (const other of this.inFlight.keys()) if (other < sequence) earlierOnTheWire++;
    return this.sequence - sequence + earlierOnTheWire;
  }

  private sentAfter(sequence: number): number {
    let count = 0;
    for (const other of this.inFlight.keys()) if (other > sequence) count++;
    return count;
  }

  private holdBack(): void {
    for (const waiter of [...this.interactive, ...this.bulk]) {
      if (!waiter.heldBack) {
        waiter.heldBack = true;
        this.counters.waits++;
      }
    }
  }

  private wakeAt(at: number): void {
    if (this.timer && this.timerAt <= at) return;
    this.clearTimer();
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.pump();
    }, Math.max(1, at - this.now()));
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }
}

function closedError(): ConnectorError {
  return new ConnectorError('The BigCommerce configuration was closed (redeploy or shutdown) before this request was sent', {
    code: 'bigcommerce.closed',
    hint: 'Send the message again once the flow is deployed.',
    retryable: true,
  });
}
