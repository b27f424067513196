import { z } from 'zod';
import { ConnectorError, parseWith } from '../../errors';

/** What travels with a job's msg as `msg.queueJob`, and what an ack hands back. */
export interface QueueJob {
  id: string;
  /** 1 for the first attempt. */
  attempt: number;
  queue: string;
}

/** Why an attempt failed: the msg.error a Catch node produced, or the queue's own reason (ack timeout). JSON only. */
export interface JobFailure {
  message: string;
  source?: unknown;
  details?: unknown;
}

/** How the queue tells its node what to do; the node sends msgs, the backend never sees Node-RED. */
export interface QueueEvents<T> {
  /** An attempt starts: send the job's msg on. */
  start(job: QueueJob, data: T): void;
  /** The last attempt failed: send the job's msg to the dead-letter output. */
  dead(job: QueueJob, data: T, failure: JobFailure): void;
  /** Counts changed (for the status). */
  changed(): void;
  /** The backend has trouble that no msg caused, e.g. Redis unreachable. */
  trouble(err: Error): void;
}

export const queuePolicySchema = z.object({
  concurrency: z.number().int().min(1).max(100),
  /** Attempts in all, the first one included. */
  attempts: z.number().int().min(1).max(100),
  /** Wait after the first failed attempt; each further failure doubles it, up to maxBackoffMs. */
  backoffMs: z.number().min(0),
  maxBackoffMs: z.number().min(0),
  /** An attempt not acked within this time counts as failed. */
  ackTimeoutMs: z.number().min(1),
  /**
   * How long a job whose failures are retryable (Sage or the store down, a 5xx, a record lock, a timeout) keeps
   * being retried, counted from when it was queued; `attempts` then only sets the least number of tries.
   */
  retryHorizonMs: z.number().min(0),
});

export type QueuePolicy = z.infer<typeof queuePolicySchema>;

export function queuePolicy(policy: QueuePolicy): QueuePolicy {
  return parseWith(queuePolicySchema, policy, { what: 'sync-queue settings', code: 'queue.settings' });
}

/** The wait before the next attempt, after attempt number `failedAttempt` (1-based) failed. */
export function backoffDelay(failedAttempt: number, policy: Pick<QueuePolicy, 'backoffMs' | 'maxBackoffMs'>): number {
  return Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** Math.max(0, failedAttempt - 1));
}

/** A missing ack is most often a slow or unreachable system, so it is retried like one. */
export function ackTimeoutFailure(policy: Pick<QueuePolicy, 'ackTimeoutMs'>): JobFailure {
  return {
    message: `no ack within ${policy.ackTimeoutMs / 1000} s: the msg did not come back to the queue node`,
    details: { code: 'queue.ack_timeout', retryable: true },
  };
}

/** Whether the error says trying again later may succeed (`retryable` of ConnectorError, in msg.errorDetails). */
export function isRetryable(failure: JobFailure): boolean {
  const details = failure.details as { retryable?: unknown } | undefined;
  return details?.retryable === true;
}

/**
 * Whether the job goes to the dead letters after attempt `attempt` failed. A retryable failure is retried until
 * the job has been waiting `retryHorizonMs` (and had `attempts` tries); any other failure after `attempts` tries.
 */
export function isLastAttempt(attempt: number, failure: JobFailure, queuedAt: number, now: number, policy: Pick<QueuePolicy, 'attempts' | 'retryHorizonMs'>): boolean {
  if (attempt < policy.attempts) return false;
  return !isRetryable(failure) || now - queuedAt >= policy.retryHorizonMs;
}

/** A job that failed for good, kept (in the state file or in Redis) until it is re-driven or discarded. */
export interface DeadLetter<T> {
  id: string;
  /** Attempts made. */
  attempts: number;
  failure: JobFailure;
  /** ISO times: when the job was queued (or last re-driven), and when it failed for good. */
  queuedAt: string;
  deadAt: string;
  msg: T;
}

export interface QueueCounts {
  /** Jobs waiting to start here; undefined when the backend cannot tell without asking Redis. */
  waiting?: number;
  running: number;
  /** Messages dropped because their job was already queued or running. */
  dropped: number;
  completed: number;
  dead: number;
}

/**
 * `dead-letter`: the id is held as a dead letter that failed on something retrying does not cure; it runs again
 * only when re-driven. (A dead letter that outlived the retry period on retryable failures is queued again.)
 */
export type AddOutcome = 'queued' | 'duplicate' | 'dead-letter';
/** `stale`: the ack names a job or attempt that is no longer running (timed out, or acked already); ignored. */
export type AckOutcome = 'acked' | 'stale';

export interface JobQueue<T> {
  readonly name: string;
  /** Queues a job, or reports a duplicate when a job with that id is already queued or running. */
  add(id: string, data: T): Promise<AddOutcome>;
  complete(job: QueueJob): Promise<AckOutcome>;
  fail(job: QueueJob, failure: JobFailure): Promise<AckOutcome>;
  counts(): QueueCounts;
  /** The dead letters, oldest first. */
  deadLetters(): Promise<Array<DeadLetter<T>>>;
  /** Queues a dead letter again with its msg, as a new job (attempts and retry horizon start afresh); false when there is none with that id. */
  redrive(id: string): Promise<boolean>;
  /** Removes a dead letter for good; returns it, or undefined when there is none with that id. */
  discard(id: string): Promise<DeadLetter<T> | undefined>;
  /** Stops starting jobs and releases timers and connections; unfinished jobs of a shared queue stay for others. */
  close(): Promise<void>;
}

export function queueClosed(name: string): ConnectorError {
  return new ConnectorError(`queue ${name} is closed`, { code: 'queue.closed', hint: 'The node is being redeployed; the msg can be sent again.', retryable: true });
}
