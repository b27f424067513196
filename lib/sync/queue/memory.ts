import {
  ackTimeoutFailure,
  backoffDelay,
  isLastAttempt,
  isRetryable,
  queueClosed,
  type AckOutcome,
  type AddOutcome,
  type DeadLetter,
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
  /** Epoch ms when the job was queued (or re-driven): where the retry horizon starts. */
  queuedAt: number;
  /** Epoch ms of the next attempt while retrying. */
  retryAt?: number;
  /** The ack deadline while running, the backoff while retrying. */
  timer?: NodeJS.Timeout;
}

/** A job as a memory queue hands it over to be kept across a restart, and takes it back. */
export interface SavedJob<T> {
  id: string;
  /** Attempts made so far; a running attempt counts (its outcome was never known) unless the queue closed it. */
  attempts: number;
  data: T;
  queuedAt?: number;
  /** When the job was waiting for a retry: the epoch ms of that retry, kept so a restart does not hurry it. */
  retryAt?: number;
}

/** Everything a memory queue keeps across a restart. */
export interface SavedQueue<T> {
  jobs: Array<SavedJob<T>>;
  deadLetters: Array<DeadLetter<T>>;
}

/**
 * The zero-set-up backend: one process, jobs in memory. What is unfinished, and the dead letters, can be handed
 * over before a redeploy or restart (`saved`) and taken back after it (`restore`); the node keeps them in its
 * state file. A redeploy costs no attempt: an attempt cut short by `close` is not counted, and a job waiting
 * for a retry keeps the time of that retry.
 */
export class MemoryQueue<T> implements JobQueue<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly dead = new Map<string, DeadLetter<T>>();
  private readonly waiting: Array<Entry<T>> = [];
  private running = 0;
  private dropped = 0;
  private completed = 0;
  private closed = false;

  constructor(
    readonly name: string,
    private readonly policy: QueuePolicy,
    private readonly events: QueueEvents<T>,
  ) {}

  async add(id: string, data: T): Promise<AddOutcome> {
    if (this.closed) throw queueClosed(this.name);
    const letter = this.dead.get(id);
    if (letter && isRetryable(letter.failure)) {
      // It outlived the retry period on an outage: a new msg for it (e.g. the re-queue check) is worth a new try.
      this.dead.delete(id);
    } else if (letter) {
      this.dropped++;
      this.events.changed();
      return 'dead-letter';
    }
    if (this.entries.has(id)) {
      this.dropped++;
      this.events.changed();
      return 'duplicate';
    }
    this.enqueue({ id, data, attempt: 0, state: 'waiting', queuedAt: Date.now() });
    return 'queued';
  }

  async complete(job: QueueJob): Promise<AckOutcome> {
    return this.settle(job);
  }

  async fail(job: QueueJob, failure: JobFailure): Promise<AckOutcome> {
    return this.settle(job, failure);
  }

  counts(): QueueCounts {
    return { waiting: this.entries.size - this.running, running: this.running, dropped: this.dropped, completed: this.completed, dead: this.dead.size };
  }

  async deadLetters(): Promise<Array<DeadLetter<T>>> {
    return [...this.dead.values()];
  }

  async redrive(id: string): Promise<boolean> {
    const letter = this.dead.get(id);
    if (!letter || this.closed) return false;
    this.dead.delete(id);
    this.enqueue({ id, data: letter.msg, attempt: 0, state: 'waiting', queuedAt: Date.now() });
    return true;
  }

  async discard(id: string): Promise<DeadLetter<T> | undefined> {
    const letter = this.dead.get(id);
    if (!letter) return undefined;
    this.dead.delete(id);
    this.events.changed();
    return letter;
  }

  /** Jobs queued, running or waiting for a retry. */
  get unfinished(): number {
    return this.entries.size;
  }

  /** Every unfinished job, oldest first, and the dead letters: what must survive a redeploy or restart. Works after close too. */
  saved(): SavedQueue<T> {
    return {
      jobs: [...this.entries.values()].map((entry) => ({
        id: entry.id,
        attempts: entry.attempt,
        data: entry.data,
        queuedAt: entry.queuedAt,
        ...(entry.state === 'retrying' && entry.retryAt !== undefined && { retryAt: entry.retryAt }),
      })),
      deadLetters: [...this.dead.values()],
    };
  }

  /**
   * Takes back what an earlier run of this queue left: each job waits for its next attempt (a retry for its
   * time), each dead letter stays one. A job whose id was queued again meanwhile keeps the newer msg. Returns
   * how many jobs were taken back.
   */
  restore(saved: Partial<SavedQueue<T>>): number {
    if (this.closed) return 0;
    for (const letter of saved.deadLetters ?? []) if (!this.entries.has(letter.id)) this.dead.set(letter.id, letter);
    let restored = 0;
    for (const job of saved.jobs ?? []) {
      if (this.entries.has(job.id) || this.dead.has(job.id)) continue;
      const entry: Entry<T> = { id: job.id, data: job.data, attempt: job.attempts, state: 'waiting', queuedAt: job.queuedAt ?? Date.now() };
      if (job.retryAt !== undefined && job.retryAt > Date.now()) this.retryLater(entry, job.retryAt);
      else {
        this.entries.set(entry.id, entry);
        this.waiting.push(entry);
      }
      restored++;
    }
    this.startWaiting();
    this.events.changed();
    return restored;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.entries.values()) {
      clearTimeout(entry.timer);
      // Cut short by the redeploy, not failed: the attempt is made again and not counted.
      if (entry.state === 'running') {
        entry.state = 'waiting';
        entry.attempt--;
      }
    }
  }

  private enqueue(entry: Entry<T>): void {
    this.entries.set(entry.id, entry);
    this.waiting.push(entry);
    this.startWaiting();
    this.events.changed();
  }

  private retryLater(entry: Entry<T>, retryAt: number): void {
    entry.state = 'retrying';
    entry.retryAt = retryAt;
    this.entries.set(entry.id, entry);
    entry.timer = setTimeout(() => {
      entry.state = 'waiting';
      entry.retryAt = undefined;
      this.waiting.push(entry);
      this.startWaiting();
      this.events.changed();
    }, Math.max(0, retryAt - Date.now()));
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
    const now = Date.now();
    if (!failure) {
      this.entries.delete(entry.id);
      this.completed++;
    } else if (isLastAttempt(entry.attempt, failure, entry.queuedAt, now, this.policy)) {
      this.entries.delete(entry.id);
      this.dead.set(entry.id, {
        id: entry.id,
        attempts: entry.attempt,
        failure,
        queuedAt: new Date(entry.queuedAt).toISOString(),
        deadAt: new Date(now).toISOString(),
        msg: entry.data,
      });
      this.events.dead(this.jobOf(entry), entry.data, failure);
    } else {
      this.retryLater(entry, now + backoffDelay(entry.attempt, this.policy));
    }
    this.startWaiting();
    this.events.changed();
    return 'acked';
  }
}
