import {
  ackTimeoutFailure,
  backoffDelay,
  queueClosed,
  type AckOutcome,
  type AddOutcome,
  type JobFailure,
  type JobQueue,
  type QueueCounts,
  type QueueEvents,
  type QueueJob,
  type QueuePolicy,
} from './types';

interface Entry<T> {
  id: string;
  data: T;
  attempt: number;
  state: 'waiting' | 'running' | 'retrying';
  /** The ack deadline while running, the backoff while retrying. */
  timer?: NodeJS.Timeout;
}

/** A job as a memory queue hands it over to be kept across a restart, and takes it back. */
export interface SavedJob<T> {
  id: string;
  /** Attempts made so far; a running attempt counts, as its outcome was never known. */
  attempts: number;
  data: T;
}

/**
 * The zero-set-up backend: one process, jobs in memory. What is unfinished can be handed over before a
 * redeploy or restart (`unfinishedJobs`) and taken back after it (`restore`); the node keeps it in its state
 * file. Nothing else would find those jobs again: the order poll does not re-read orders it already emitted.
 */
export class MemoryQueue<T> implements JobQueue<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly waiting: Array<Entry<T>> = [];
  private running = 0;
  private dropped = 0;
  private completed = 0;
  private dead = 0;
  private closed = false;

  constructor(
    readonly name: string,
    private readonly policy: QueuePolicy,
    private readonly events: QueueEvents<T>,
  ) {}

  async add(id: string, data: T): Promise<AddOutcome> {
    if (this.closed) throw queueClosed(this.name);
    if (this.entries.has(id)) {
      this.dropped++;
      this.events.changed();
      return 'duplicate';
    }
    const entry: Entry<T> = { id, data, attempt: 0, state: 'waiting' };
    this.entries.set(id, entry);
    this.waiting.push(entry);
    this.startWaiting();
    this.events.changed();
    return 'queued';
  }

  async complete(job: QueueJob): Promise<AckOutcome> {
    return this.settle(job);
  }

  async fail(job: QueueJob, failure: JobFailure): Promise<AckOutcome> {
    return this.settle(job, failure);
  }

  counts(): QueueCounts {
    return { waiting: this.entries.size - this.running, running: this.running, dropped: this.dropped, completed: this.completed, dead: this.dead };
  }

  /** Jobs queued, running or waiting for a retry. */
  get unfinished(): number {
    return this.entries.size;
  }

  /** Every unfinished job, oldest first: what must survive a redeploy or restart. Works after close too. */
  unfinishedJobs(): Array<SavedJob<T>> {
    return [...this.entries.values()].map((entry) => ({ id: entry.id, attempts: entry.attempt, data: entry.data }));
  }

  /**
   * Takes back the jobs an earlier run of this queue left unfinished; each waits for its next attempt. A job
   * whose id was queued again meanwhile keeps the newer msg. Returns how many were taken back.
   */
  restore(jobs: ReadonlyArray<SavedJob<T>>): number {
    if (this.closed) return 0;
    let restored = 0;
    for (const job of jobs) {
      if (this.entries.has(job.id)) continue;
      const entry: Entry<T> = { id: job.id, data: job.data, attempt: job.attempts, state: 'waiting' };
      this.entries.set(entry.id, entry);
      this.waiting.push(entry);
      restored++;
    }
    this.startWaiting();
    this.events.changed();
    return restored;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.entries.values()) clearTimeout(entry.timer);
  }

  private jobOf(entry: Entry<T>): QueueJob {
    return { id: entry.id, attempt: entry.attempt, queue: this.name };
  }

  private startWaiting(): void {
    while (!this.closed && this.running < this.policy.concurrency) {
      const entry = this.waiting.shift();
      if (!entry) return;
      entry.state = 'running';
      entry.attempt++;
      this.running++;
      const attempt = entry.attempt;
      entry.timer = setTimeout(() => this.settle({ id: entry.id, attempt, queue: this.name }, ackTimeoutFailure(this.policy)), this.policy.ackTimeoutMs);
      this.events.start(this.jobOf(entry), entry.data);
    }
  }

  private settle(job: QueueJob, failure?: JobFailure): AckOutcome {
    const entry = this.entries.get(job.id);
    if (this.closed || !entry || entry.state !== 'running' || entry.attempt !== job.attempt) return 'stale';
    clearTimeout(entry.timer);
    this.running--;
    if (!failure) {
      this.entries.delete(entry.id);
      this.completed++;
    } else if (entry.attempt >= this.policy.attempts) {
      this.entries.delete(entry.id);
      this.dead++;
      this.events.dead(this.jobOf(entry), entry.data, failure);
    } else {
      entry.state = 'retrying';
      entry.timer = setTimeout(() => {
        entry.state = 'waiting';
        this.waiting.push(entry);
        this.startWaiting();
        this.events.changed();
      }, backoffDelay(entry.attempt, this.policy));
    }
    this.startWaiting();
    this.events.changed();
    return 'acked';
  }
}
