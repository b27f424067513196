import type { Attention, AttentionKind } from './board';

/**
 * Turns the board's "a person should look at this" events into one summary per quiet spell: a burst of dead
 * letters during an outage becomes one e-mail, not fifty. The summary goes out `quietMs` after the last event,
 * and at the latest `maxWaitMs` after the first, so a steady trickle still reaches someone.
 */

export interface AlertSummary {
  /** e.g. `3 things need a person: 2 dead letters, 1 order needing attention`. */
  subject: string;
  /** One line per event, oldest first. */
  lines: string[];
  counts: Partial<Record<AttentionKind, number>>;
  /** The web orders named, without repeats. */
  orderIds: string[];
}

export interface AlertOptions {
  quietMs: number;
  maxWaitMs: number;
  /** Words for the subject: `(count, kind) => "2 dead letters"` and `(count, parts) => the subject`. */
  words: { kind(kind: AttentionKind, count: number): string; subject(count: number, parts: string): string };
}

export function summarize(items: readonly Attention[], words: AlertOptions['words']): AlertSummary {
  const counts: Partial<Record<AttentionKind, number>> = {};
  for (const item of items) counts[item.kind] = (counts[item.kind] ?? 0) + 1;
  const parts = (Object.entries(counts) as Array<[AttentionKind, number]>).map(([kind, count]) => words.kind(kind, count)).join(', ');
  return {
    subject: words.subject(items.length, parts),
    lines: items.map((item) => item.text),
    counts,
    orderIds: [...new Set(items.flatMap((item) => (item.orderId === undefined ? [] : [item.orderId])))],
  };
}

export class AlertDebouncer {
  private pending: Attention[] = [];
  private quiet?: NodeJS.Timeout;
  private deadline?: NodeJS.Timeout;

  constructor(
    private readonly options: AlertOptions,
    private readonly emit: (summary: AlertSummary) => void,
  ) {}

  add(item: Attention): void {
    this.pending.push(item);
    clearTimeout(this.quiet);
    this.quiet = setTimeout(() => this.flush(), this.options.quietMs);
    this.deadline ??= setTimeout(() => this.flush(), this.options.maxWaitMs);
  }

  flush(): void {
    clearTimeout(this.quiet);
    clearTimeout(this.deadline);
    this.quiet = this.deadline = undefined;
    const items = this.pending.splice(0);
    if (items.length > 0) this.emit(summarize(items, this.options.words));
  }

  /** Stops the timers; what is pending is dropped (the board still shows it). */
  close(): void {
    clearTimeout(this.quiet);
    clearTimeout(this.deadline);
    this.quiet = this.deadline = undefined;
    this.pending = [];
  }
}
