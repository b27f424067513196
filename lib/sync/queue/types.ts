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
});

export type QueuePolicy = z.infer<typeof queuePolicySchema>;

export function queuePolicy(policy: QueuePolicy): QueuePolicy {
  return parseWith(queuePolicySchema, policy, { what: 'sync-queue settings', code: 'queue.settings' });
}

/** The wait before the next attempt, after attempt number `failedAttempt` (1-based) failed. */
export function backoffDelay(failedAttempt: number, policy: Pick<QueuePolicy, 'backoffMs' | 'maxBackoffMs'>): number {
  return Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** Math.max(0, failedAttempt - 1));
}

export function ackTimeoutFailure(policy: Pick<QueuePolicy, 'ackTimeoutMs'>): JobFailure {
  return {
    message: `no ack within ${policy.ackTimeoutMs / 1000} s: the msg did not come back to the queue node`,
    details: { code: 'queue.ack_timeout' },
  };
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

export type AddOutcome = 'queued' | 'duplicate';
/** `stale`: the ack names a job or attempt that is no longer running (timed out, or acked already); ignored. */
export type AckOutcome = 'acked' | 'stale';

export interface JobQueue<T> {
  readonly name: string;
  /** Queues a job, or reports a duplicate when a job with that id is already queued or running. */
  add(id: string, data: T): Promise<AddOutcome>;
  complete(job: QueueJob): Promise<AckOutcome>;
  fail(job: QueueJob, failure: JobFailure): Promise<AckOutcome>;
  counts(): QueueCounts;
  /** Stops starting jobs and releases timers and connections; unfinished jobs of a shared queue stay for others. */
  close(): Promise<void>;
}

export function queueClosed(name: string): ConnectorError {
  return new ConnectorError(`queue ${name} is closed`, { code: 'queue.closed', hint: 'The node is being redeployed; the msg can be sent again.', retryable: true });
}
