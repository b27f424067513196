/**
 * Delivers store events to registered hooks the way BigCommerce does: POST JSON with the hook's custom
 * `headers` verbatim plus the Standard Webhooks headers signed with the client secret, retries failures on the
 * (time-scaled) schedule, and deactivates a hook once the schedule is exhausted. Deliveries are bounded and
 * stop on close().
 */
import { createHash, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { Agent, request } from 'undici';
import type { Faults } from './faults';
import type { SimStats } from './server';
import type { HookRecord, SimulatedStore, StoreEvent } from './store';

/** BigCommerce's retry delays in seconds: 60 s … 24 h, eleven retries, about 48 hours in all. */
export const BIGCOMMERCE_RETRY_SCHEDULE_S = [60, 180, 300, 600, 900, 1800, 3600, 7200, 21600, 50400, 86400];

export interface WebhookOptions {
  /**
   * Delays before each retry. Default: the real schedule read as milliseconds instead of seconds (1000× faster);
   * the hook is deactivated after the first attempt plus one attempt per entry have failed.
   */
  retryScheduleMs?: number[];
  /** How long a destination may take to answer; default 5000 ms. */
  timeoutMs?: number;
  /** Delay between the event and the first attempt; default 0. */
  firstAttemptDelayMs?: number;
  /** Sign with webhook-id / webhook-timestamp / webhook-signature; default true. */
  sign?: boolean;
  /** Deliveries waiting or in flight at most; further ones are dropped and counted. Default 10,000. */
  maxPending?: number;
  /** Deliveries in flight at once; default 8. */
  concurrency?: number;
  /** Deliveries remembered for `log()`; default 1000. */
  logSize?: number;
}

export interface DeliveryRecord {
  webhookId: string;
  hookId: number;
  scope: string;
  destination: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** True for a copy made by a `duplicate-webhook` fault (new webhook-id, same payload and hash). */
  duplicate: boolean;
  /** HTTP status, or 0 when the request failed (refused, timeout). */
  status: number;
  error?: string;
  body: string;
  hash: string;
}

interface Delivery {
  webhookId: string;
  hook: HookRecord;
  scope: string;
  body: string;
  hash: string;
  attempt: number;
  duplicate: boolean;
}

export interface WebhookSenderParts {
  store: SimulatedStore;
  faults: Faults;
  stats: SimStats;
  clientSecret: string;
  /** The numeric store id BigCommerce puts in `store_id` (as a string). */
  storeId: string;
  now: () => number;
}

export class WebhookSender {
  private readonly schedule: number[];
  private readonly timeoutMs: number;
  private readonly firstDelayMs: number;
  private readonly maxPending: number;
  private readonly concurrency: number;
  private readonly logSize: number;
  private readonly signer: Webhook | undefined;
  private readonly agent = new Agent({ keepAliveTimeout: 1_000, connections: 16 });
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly ready: Delivery[] = [];
  private readonly inFlight = new Set<AbortController>();
  private readonly deliveries: DeliveryRecord[] = [];
  private readonly idleWaiters: Array<() => void> = [];
  private pending = 0;
  private eventSeq = 0;
  private closed = false;

  constructor(
    private readonly parts: WebhookSenderParts,
    options: WebhookOptions = {},
  ) {
    this.schedule = options.retryScheduleMs ?? BIGCOMMERCE_RETRY_SCHEDULE_S;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.firstDelayMs = options.firstAttemptDelayMs ?? 0;
    this.maxPending = options.maxPending ?? 10_000;
    this.concurrency = options.concurrency ?? 8;
    this.logSize = options.logSize ?? 1_000;
    // BigCommerce hands base64(client secret) to the Standard Webhooks library, so the HMAC key is the secret's bytes.
    this.signer = options.sign === false ? undefined : new Webhook(Buffer.from(parts.clientSecret, 'utf8').toString('base64'));
  }

  /** Queues one delivery per active hook whose scope covers the event. */
  enqueue(event: StoreEvent): void {
    if (this.closed) return;
    const hooks = this.parts.store.hooksFor(event.scope);
    if (hooks.length === 0) return;
    const seq = ++this.eventSeq;
    // The same hash on every delivery of this event (retries and duplicates): consumers de-duplicate on it.
    const hash = createHash('sha1').update(`${event.scope}|${JSON.stringify(event.data)}|${seq}`).digest('hex');
    const body = JSON.stringify({
      scope: event.scope,
      store_id: this.parts.storeId,
      data: event.data,
      hash,
      created_at: Math.floor(this.parts.now() / 1000),
      producer: `stores/${this.parts.store.storeHash}`,
    });
    for (const hook of hooks) {
      this.admit({ webhookId: `msg_${randomUUID()}`, hook, scope: event.scope, body, hash, attempt: 1, duplicate: false }, this.firstDelayMs);
      if (this.parts.faults.take('duplicate-webhook', undefined)) {
        this.parts.stats.faults['duplicate-webhook'] = (this.parts.stats.faults['duplicate-webhook'] ?? 0) + 1;
        this.parts.stats.webhooks.duplicates++;
        this.admit({ webhookId: `msg_${randomUUID()}`, hook, scope: event.scope, body, hash, attempt: 1, duplicate: true }, this.firstDelayMs);
      }
    }
  }

  /** The most recent deliveries, oldest first. */
  log(): DeliveryRecord[] {
    return [...this.deliveries];
  }

  /** Resolves once nothing is waiting, scheduled or in flight (or after `timeoutMs`, rejecting). */
  idle(timeoutMs = 10_000): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`webhook deliveries still pending after ${timeoutMs} ms (${this.pending} left)`)), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.ready.length = 0;
    for (const controller of this.inFlight) controller.abort();
    this.pending = 0;
    this.notifyIdle();
    await this.agent.close();
  }

  private admit(delivery: Delivery, delayMs: number): void {
    if (this.pending >= this.maxPending) {
      this.parts.stats.webhooks.dropped++;
      return;
    }
    this.pending++;
    this.later(delivery, delayMs);
  }

  private later(delivery: Delivery, delayMs: number): void {
    if (delayMs <= 0) {
      this.ready.push(delivery);
      this.pump();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.ready.push(delivery);
      this.pump();
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private pump(): void {
    while (!this.closed && this.inFlight.size < this.concurrency && this.ready.length > 0) {
      const delivery = this.ready.shift()!;
      const controller = new AbortController();
      this.inFlight.add(controller);
      void this.attempt(delivery, controller).finally(() => {
        this.inFlight.delete(controller);
        this.pump();
      });
    }
  }

  private async attempt(delivery: Delivery, controller: AbortController): Promise<void> {
    const { hook } = delivery;
    // A hook switched off or deleted meanwhile gets nothing more.
    if (!hook.isActive || !this.parts.store.hooks.has(hook.id)) {
      this.settle();
      return;
    }
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'BigCommerce-Simulator/1.0', ...hook.headers };
    if (this.signer) {
      // Wall-clock time, whatever clock the store runs on: receivers check it against their own clock.
      const at = new Date();
      headers['webhook-id'] = delivery.webhookId;
      headers['webhook-timestamp'] = String(Math.floor(at.getTime() / 1000));
      headers['webhook-signature'] = this.signer.sign(delivery.webhookId, at, delivery.body);
    }
    this.parts.stats.webhooks.sent++;
    let status = 0;
    let error: string | undefined;
    try {
      const response = await request(hook.destination, {
        method: 'POST',
        headers,
        body: delivery.body,
        dispatcher: this.agent,
        signal: AbortSignal.any([controller.signal, AbortSignal.timeout(this.timeoutMs)]),
      });
      status = response.statusCode;
      await response.body.dump();
    } catch (err) {
      error = (err as Error).message;
    }
    if (this.closed) return;
    this.record({ webhookId: delivery.webhookId, hookId: hook.id, scope: delivery.scope, destination: hook.destination, attempt: delivery.attempt, duplicate: delivery.duplicate, status, error, body: delivery.body, hash: delivery.hash });
    if (status >= 200 && status < 300) {
      this.parts.stats.webhooks.delivered++;
      this.settle();
      return;
    }
    this.parts.stats.webhooks.failed++;
    const delay = this.schedule[delivery.attempt - 1];
    if (delay === undefined) {
      this.parts.store.deactivateHook(hook.id);
      this.parts.stats.webhooks.deactivated++;
      this.settle();
      return;
    }
    this.parts.stats.webhooks.retried++;
    // A retry is the same message: same webhook-id, body and hash.
    this.later({ ...delivery, attempt: delivery.attempt + 1 }, delay);
  }

  private record(entry: DeliveryRecord): void {
    this.deliveries.push(entry);
    if (this.deliveries.length > this.logSize) this.deliveries.shift();
  }

  private settle(): void {
    this.pending = Math.max(0, this.pending - 1);
    if (this.pending === 0) this.notifyIdle();
  }

  private notifyIdle(): void {
    for (const waiter of this.idleWaiters.splice(0)) waiter();
  }
}
