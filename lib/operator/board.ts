import { EventEmitter } from 'node:events';
import type { GovernorStats } from '../bigcommerce/governor';
import type { DeadLetter, QueueCounts } from '../sync/queue/types';
import { openLedgers, type WaitingOrderLedger } from '../sync/waiting-orders';

/**
 * What the operator's view shows, gathered in the runtime as the nodes work: per company the last web order
 * imported, per store the last poll and the rate-limit budget, the order queues with their dead letters, held
 * orders, per store the orders waiting at the status gate with the units they hold, the last catalog push and
 * reconciliation. Nodes report here; the editor's sidebar reads a snapshot through an admin route and is told over
 * comms when something changed. Kept in memory: after a restart the view fills again as the flows run (dead letters
 * persist in their queue, waiting orders in their ledger, shown once the mapper or the push opens it).
 */

/** Why an order is not going on to Sage, as the mapper's held output (`msg.hold`) or a validation error says. */
export type HoldKind = 'wait' | 'needs-attention' | 'invalid';

export interface HeldOrder {
  orderId: string;
  kind: HoldKind;
  reason: string;
  field?: string;
  /** ISO time it was last held. */
  at: string;
}

/** A queue node as the board sees it: counts and dead letters, and the operator's two actions. */
export interface QueueHandle {
  id: string;
  name: string;
  counts(): QueueCounts;
  deadLetters(): Promise<Array<DeadLetter<Record<string, unknown>>>>;
  redrive(which: string): Promise<string[]>;
  discard(which: string, note?: string): Promise<unknown[]>;
}

export interface StoreHandle {
  id: string;
  storeHash: string;
  stats(): GovernorStats | undefined;
}

export interface ShownDeadLetter {
  id: string;
  /** The web order the job was about, when its msg names one. */
  orderId?: string;
  reason: string;
  attempts: number;
  deadAt: string;
}

export interface Snapshot {
  companies: Array<{ company: string; lastOrder: { orderId: string; salesOrderNo: string; at: string } }>;
  stores: Array<{
    storeHash: string;
    lastPoll?: { at: string; cursor: unknown; orders: number };
    budget?: { quota?: number; left?: number; windowMs?: number; waits: number; throttled: number };
    /** Store orders waiting at the status gate (the waiting-orders ledger) and their units, which the push holds back unless told not to. */
    waiting?: { orders: number; units: number };
  }>;
  queues: Array<{ id: string; name: string; running: number; waiting?: number; dead: number; deadLetters: ShownDeadLetter[] }>;
  held: HeldOrder[];
  lastCatalogPush?: { at: string; summary: string };
  lastReconciliation?: { at: string; summary: string; mismatches: number };
  authFailures: Array<{ source: string; count: number; message: string; at: string }>;
}

export type AttentionKind = 'dead-letter' | 'needs-attention' | 'auth';

/** Something a person has to look at; alerts nodes turn these into one debounced summary. */
export interface Attention {
  kind: AttentionKind;
  /** A sentence that names the web order or the failing connection. */
  text: string;
  orderId?: string;
  at: string;
}

/** Consecutive authentication failures of one source before a person is told (one may be a blip). */
export const AUTH_FAILURES_BEFORE_ALERT = 3;

/** Error codes that say a credential was refused, not that a system was down. */
const AUTH_CODES = new Set(['bigcommerce.unauthorized', 'bigcommerce.forbidden', 'sage100.Unauthorized', 'sage100.LogonFailure', 'sage100.NoAccess', 'http.401', 'http.403']);

export function isAuthFailure(code: string | undefined): boolean {
  return code !== undefined && AUTH_CODES.has(code);
}

/** The web order a msg is about: msg.orderId, msg.resourceId, or a job id such as `order:1042`. */
export function orderIdOf(msg: Record<string, unknown> | undefined, jobId?: string): string | undefined {
  for (const value of [msg?.orderId, msg?.resourceId]) {
    if ((typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value.trim() !== '')) return String(value).trim();
  }
  const fromJob = jobId ? /(\d+)$/.exec(jobId)?.[1] : undefined;
  return fromJob;
}

const now = () => new Date().toISOString();

/** Ledgers opened under several state directories for one store add up; store hashes compare without case. */
async function waitingByStore(ledgers: Iterable<WaitingOrderLedger>): Promise<Map<string, { orders: number; units: number }>> {
  const byStore = new Map<string, { orders: number; units: number }>();
  for (const ledger of ledgers) {
    const { orders, units } = await ledger.totals();
    const seen = byStore.get(ledger.store);
    byStore.set(ledger.store, { orders: (seen?.orders ?? 0) + orders, units: (seen?.units ?? 0) + units });
  }
  return byStore;
}

export class OperatorBoard extends EventEmitter {
  private readonly lastOrders = new Map<string, { orderId: string; salesOrderNo: string; at: string }>();
  private readonly polls = new Map<string, { at: string; cursor: unknown; orders: number }>();
  private readonly queues = new Map<string, QueueHandle>();
  private readonly stores = new Map<string, StoreHandle>();
  private readonly holds = new Map<string, HeldOrder>();
  private readonly auth = new Map<string, { count: number; message: string; at: string }>();
  private catalogPush?: { at: string; summary: string };
  private reconciliation?: { at: string; summary: string; mismatches: number };

  /** `ledgers`: the waiting-order ledgers to show (those the runtime opened; a test passes its own). */
  constructor(private readonly ledgers: () => Iterable<WaitingOrderLedger> = openLedgers) {
    super();
  }

  private changed(): void {
    this.emit('changed');
  }

  private attention(kind: AttentionKind, text: string, orderId?: string): void {
    const item: Attention = { kind, text, at: now(), ...(orderId !== undefined && { orderId }) };
    this.emit('attention', item);
  }

  addQueue(queue: QueueHandle): void {
    this.queues.set(queue.id, queue);
    this.changed();
  }

  removeQueue(id: string): void {
    if (this.queues.delete(id)) this.changed();
  }

  queue(id: string): QueueHandle | undefined {
    return this.queues.get(id);
  }

  addStore(store: StoreHandle): void {
    this.stores.set(store.id, store);
    this.changed();
  }

  removeStore(id: string): void {
    if (this.stores.delete(id)) this.changed();
  }

  queueChanged(): void {
    this.changed();
  }

  deadLettered(queueName: string, jobId: string, msg: Record<string, unknown>, reason: string): void {
    const orderId = orderIdOf(msg, jobId);
    this.attention('dead-letter', `${orderId ? `Web order ${orderId}` : `Job ${jobId}`} stopped in queue ${queueName} after its last attempt: ${reason}`, orderId);
    this.changed();
  }

  orderImported(company: string, orderId: string, salesOrderNo: string): void {
    this.lastOrders.set(company, { orderId, salesOrderNo, at: now() });
    this.holds.delete(orderId);
    this.changed();
  }

  held(hold: Omit<HeldOrder, 'at'>): void {
    this.holds.set(hold.orderId, { ...hold, at: now() });
    if (hold.kind !== 'wait') this.attention('needs-attention', `Web order ${hold.orderId} is held: ${hold.reason}`, hold.orderId);
    this.changed();
  }

  polled(storeHash: string, cursor: unknown, orders: number): void {
    this.polls.set(storeHash, { at: now(), cursor, orders });
    this.changed();
  }

  catalogPushed(summary: string): void {
    this.catalogPush = { at: now(), summary };
    this.changed();
  }

  reconciled(summary: string, mismatches: number): void {
    this.reconciliation = { at: now(), summary, mismatches };
    this.changed();
  }

  /** A node's work failed; a refused credential counts towards an alert, anything else that source did resets it. */
  failed(source: string, code: string | undefined, message: string): void {
    if (!isAuthFailure(code)) return this.succeeded(source);
    const seen = this.auth.get(source);
    const count = (seen?.count ?? 0) + 1;
    this.auth.set(source, { count, message, at: now() });
    if (count === AUTH_FAILURES_BEFORE_ALERT) this.attention('auth', `${source} was refused ${count} times in a row: ${message}`);
    this.changed();
  }

  succeeded(source: string): void {
    if (this.auth.delete(source)) this.changed();
  }

  async snapshot(): Promise<Snapshot> {
    const queues = await Promise.all(
      [...this.queues.values()].map(async (queue) => {
        const counts = queue.counts();
        const letters = await queue.deadLetters().catch(() => []);
        return {
          id: queue.id,
          name: queue.name,
          running: counts.running,
          ...(counts.waiting !== undefined && { waiting: counts.waiting }),
          dead: letters.length,
          deadLetters: letters.map((letter) => ({
            id: letter.id,
            ...(orderIdOf(letter.msg, letter.id) !== undefined && { orderId: orderIdOf(letter.msg, letter.id) }),
            reason: letter.failure.message,
            attempts: letter.attempts,
            deadAt: letter.deadAt,
          })),
        };
      }),
    );
    const storeHashes = new Set([...this.polls.keys(), ...[...this.stores.values()].map((store) => store.storeHash)]);
    const waiting = await waitingByStore(this.ledgers());
    const known = new Set([...storeHashes].map((storeHash) => storeHash.trim().toLowerCase()));
    for (const store of waiting.keys()) if (!known.has(store)) storeHashes.add(store);
    return {
      companies: [...this.lastOrders].map(([company, lastOrder]) => ({ company, lastOrder })),
      stores: [...storeHashes].map((storeHash) => {
        const stats = [...this.stores.values()].find((store) => store.storeHash === storeHash)?.stats();
        const lastPoll = this.polls.get(storeHash);
        const held = waiting.get(storeHash.trim().toLowerCase());
        return {
          storeHash,
          ...(lastPoll && { lastPoll }),
          ...(stats && { budget: { quota: stats.quota, left: stats.left, windowMs: stats.windowMs, waits: stats.waits, throttled: stats.throttled } }),
          ...(held && { waiting: held }),
        };
      }),
      queues,
      held: [...this.holds.values()],
      ...(this.catalogPush && { lastCatalogPush: this.catalogPush }),
      ...(this.reconciliation && { lastReconciliation: this.reconciliation }),
      authFailures: [...this.auth].map(([source, seen]) => ({ source, ...seen })),
    };
  }
}

/** The one board of this Node-RED runtime: node files and the sidebar's routes load this module once. */
export const operatorBoard = new OperatorBoard();
