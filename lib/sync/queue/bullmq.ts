import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as BullMq from 'bullmq';
import { ConnectorError } from '../../errors';
import type { RedisConnectionOptions } from '../redis-options';
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

type BullMqModule = typeof BullMq;

const requireHere = createRequire(__filename);

/** bullmq is an optional dependency: loaded only when a queue node chooses this backend. */
export function loadBullMq(load: (id: string) => unknown = requireHere): BullMqModule {
  try {
    return load('bullmq') as BullMqModule;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
    throw new ConnectorError(
      `The BullMQ queue backend needs the optional package bullmq, which is not installed (${(err as Error).message.split('\n')[0]})`,
      {
        code: 'queue.bullmq_missing',
        hint: 'Run "npm install bullmq" in the Node-RED user directory (usually ~/.node-red) and restart Node-RED, or choose the in-memory backend.',
      },
      { cause: err },
    );
  }
}

/** BullMQ refuses custom ids that contain ":" or look like integers; this encoding avoids both and stays one-to-one. */
export function bullJobId(id: string): string {
  return `j${id.replace(/%/g, '%25').replace(/:/g, '%3A')}`;
}

interface JobData<T> {
  /** The queue's own job id (before encoding for BullMQ). */
  id: string;
  /** Tells this instance's add from another instance's add of the same job id. */
  token: string;
  msg: T;
  /** Epoch ms when the job was queued or last re-driven: where the retry horizon starts. */
  queuedAt?: number;
  /** The last failure, set when the job fails for good (BullMQ itself keeps only the message). */
  failure?: JobFailure;
}

interface Running<T> {
  job: QueueJob;
  bullJob: BullMq.Job<JobData<T>>;
  lockToken?: string;
  finish(error?: Error): void;
  timer: NodeJS.Timeout;
}

/** Rejects a BullMQ attempt with the failure the flow (or the ack timeout) reported. */
class AttemptFailed extends Error {
  constructor(readonly failure: JobFailure) {
    super(failure.message);
    this.name = 'AttemptFailed';
  }
}

/** The last attempt failed: BullMQ's UnrecoverableError moves the job to the failed set (the dead letters) without a retry. */
function lastAttemptFailed(failure: JobFailure, bullmq: BullMqModule): Error {
  return Object.assign(new bullmq.UnrecoverableError(failure.message), { failure });
}

function failureOf(err: Error): JobFailure {
  return (err as { failure?: JobFailure }).failure ?? { message: err.message };
}

const REDIS_DEADLINE_MS = 10_000;
const CLOSE_DEADLINE_MS = 10_000;
const BACKOFF_TYPE = 'ml-connector';
/** BullMQ retries until `attempts`; the queue's own rule (isLastAttempt) decides first, so this is only a bound. */
const BULLMQ_ATTEMPTS = 1_000_000;

/**
 * Jobs in Redis through BullMQ, shared by every Node-RED instance whose queue node uses the same Redis,
 * key prefix and queue name. A job id already in Redis (waiting, delayed or active anywhere) is not added
 * again, so a webhook delivered to two instances becomes one job. Each attempt runs on one instance and
 * stays active until the flow acks it there; BullMQ retries failed attempts with the queue's backoff.
 * Dead letters are BullMQ's failed jobs: they stay in Redis, holding their id, until re-driven or discarded.
 */
export class BullQueue<T> implements JobQueue<T> {
  private readonly queue: BullMq.Queue<JobData<T>>;
  private readonly worker: BullMq.Worker<JobData<T>>;
  private readonly running = new Map<string, Running<T>>();
  private dropped = 0;
  private completed = 0;
  private dead = 0;
  private closing = false;

  constructor(
    readonly name: string,
    connection: RedisConnectionOptions & { prefix: string },
    private readonly policy: QueuePolicy,
    private readonly events: QueueEvents<T>,
    private readonly bullmq: BullMqModule = loadBullMq(),
  ) {
    const { prefix, ...redis } = connection;
    this.queue = new bullmq.Queue<JobData<T>>(name, { connection: redis, prefix });
    this.worker = new bullmq.Worker<JobData<T>>(name, (job, lockToken) => this.attempt(job, lockToken), {
      connection: redis,
      prefix,
      concurrency: policy.concurrency,
      settings: { backoffStrategy: (attemptsMade: number) => backoffDelay(attemptsMade, policy) },
    });
    this.worker.on('failed', (job, err) => this.onFailed(job, err));
    this.worker.on('error', (err) => events.trouble(err));
    this.queue.on('error', (err) => events.trouble(err));
    void this.countDead();
  }

  async add(id: string, data: T): Promise<AddOutcome> {
    if (this.closing) throw queueClosed(this.name);
    const token = randomUUID();
    const jobId = bullJobId(id);
    await this.withinDeadline(
      this.queue.add('job', { id, token, msg: data, queuedAt: Date.now() }, {
        jobId,
        attempts: BULLMQ_ATTEMPTS,
        backoff: { type: BACKOFF_TYPE },
        removeOnComplete: true,
        removeOnFail: false,
      }),
    );
    // BullMQ answers a duplicate jobId with the id alone; the stored token says whose job it is. No job at
    // all means the add met a job that was finishing and is now removed: a duplicate too (a job of ours
    // cannot have run and been acked by the flow within this one round trip).
    const stored = await this.withinDeadline(this.queue.getJob(jobId));
    if (stored?.data.token === token) return 'queued';
    const dead = stored !== undefined && (await this.withinDeadline(stored.isFailed()));
    if (dead && stored.data.failure && isRetryable(stored.data.failure)) {
      // It outlived the retry period on an outage: a new msg for it (e.g. the re-queue check) is worth a new try.
      await this.requeue(stored, { id, token, msg: data, queuedAt: Date.now() });
      return 'queued';
    }
    this.dropped++;
    this.events.changed();
    return dead ? 'dead-letter' : 'duplicate';
  }

  async deadLetters(): Promise<Array<DeadLetter<T>>> {
    const failed = await this.withinDeadline(this.queue.getFailed());
    return failed
      .filter((job): job is BullMq.Job<JobData<T>> => job !== undefined)
      .sort((a, b) => (a.finishedOn ?? 0) - (b.finishedOn ?? 0))
      .map((job) => ({
        id: job.data.id,
        attempts: job.attemptsMade,
        failure: job.data.failure ?? { message: job.failedReason },
        queuedAt: new Date(job.data.queuedAt ?? job.timestamp).toISOString(),
        deadAt: new Date(job.finishedOn ?? job.timestamp).toISOString(),
        msg: job.data.msg,
      }));
  }

  async redrive(id: string): Promise<boolean> {
    const job = await this.deadJob(id);
    if (!job) return false;
    const { failure: _failure, ...data } = job.data;
    await this.requeue(job, { ...data, queuedAt: Date.now() });
    return true;
  }

  async discard(id: string): Promise<DeadLetter<T> | undefined> {
    const job = await this.deadJob(id);
    if (!job) return undefined;
    const letter = (await this.deadLetters()).find((dead) => dead.id === id);
    await this.withinDeadline(job.remove());
    await this.countDead();
    return letter;
  }

  async complete(job: QueueJob): Promise<AckOutcome> {
    return this.settle(job);
  }

  async fail(job: QueueJob, failure: JobFailure): Promise<AckOutcome> {
    return this.settle(job, failure);
  }

  counts(): QueueCounts {
    return { running: this.running.size, dropped: this.dropped, completed: this.completed, dead: this.dead };
  }

  async close(): Promise<void> {
    this.closing = true;
    const closed = (async () => {
      // Attempts running here go back to waiting, for any instance, without using up an attempt.
      await Promise.all([...this.running.values()].map((running) => this.giveBack(running)));
      await Promise.all([this.worker.close(), this.queue.close()]);
    })();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), CLOSE_DEADLINE_MS)));
    const outcome = await Promise.race([closed, late]);
    clearTimeout(timer);
    if (outcome === 'late') {
      // Redis is not answering: drop the connections rather than hold up Node-RED's redeploy.
      void this.worker.close(true).catch(() => undefined);
      void this.queue.disconnect().catch(() => undefined);
    }
  }

  /** A dead letter back to waiting, as a new job: attempts and the retry period start afresh. */
  private async requeue(job: BullMq.Job<JobData<T>>, data: JobData<T>): Promise<void> {
    await this.withinDeadline(job.updateData(data));
    await this.withinDeadline(job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true }));
    await this.countDead();
  }

  private async deadJob(id: string): Promise<BullMq.Job<JobData<T>> | undefined> {
    const job = await this.withinDeadline(this.queue.getJob(bullJobId(id)));
    return job && (await this.withinDeadline(job.isFailed())) ? job : undefined;
  }

  /** The dead letters in Redis, from every instance, for the status. */
  private async countDead(): Promise<void> {
    try {
      this.dead = await this.withinDeadline(this.queue.getFailedCount());
      this.events.changed();
    } catch (err) {
      this.events.trouble(err as Error);
    }
  }

  private attempt(bullJob: BullMq.Job<JobData<T>>, lockToken?: string): Promise<void> {
    const job: QueueJob = { id: bullJob.data.id, attempt: bullJob.attemptsMade + 1, queue: this.name };
    return new Promise<void>((resolve, reject) => {
      const running: Running<T> = {
        job,
        bullJob,
        lockToken,
        finish: (error) => (error ? reject(error) : resolve()),
        timer: setTimeout(() => void this.settle(job, ackTimeoutFailure(this.policy)), this.policy.ackTimeoutMs),
      };
      this.running.set(job.id, running);
      if (this.closing) {
        void this.giveBack(running);
        return;
      }
      this.events.changed();
      this.events.start(job, bullJob.data.msg);
    });
  }

  private async settle(job: QueueJob, failure?: JobFailure): Promise<AckOutcome> {
    const running = this.running.get(job.id);
    if (!running || running.job.attempt !== job.attempt) return 'stale';
    clearTimeout(running.timer);
    this.running.delete(job.id);
    if (!failure) {
      this.completed++;
      running.finish();
    } else if (isLastAttempt(job.attempt, failure, running.bullJob.data.queuedAt ?? running.bullJob.timestamp, Date.now(), this.policy)) {
      try {
        await running.bullJob.updateData({ ...running.bullJob.data, failure });
      } catch {
        // Redis is not answering: the dead letter keeps BullMQ's failedReason, the message alone.
      }
      running.finish(lastAttemptFailed(failure, this.bullmq));
    } else {
      running.finish(new AttemptFailed(failure));
    }
    this.events.changed();
    return 'acked';
  }

  private async giveBack(running: Running<T>): Promise<void> {
    clearTimeout(running.timer);
    this.running.delete(running.job.id);
    try {
      await running.bullJob.moveToWait(running.lockToken);
    } catch {
      // The lock is gone (Redis down or lock expired): BullMQ's stalled-job check hands the job out again.
    }
    running.finish(new this.bullmq.WaitingError());
  }

  private onFailed(bullJob: BullMq.Job<JobData<T>> | undefined, err: Error): void {
    if (!bullJob || !(err instanceof this.bullmq.UnrecoverableError || bullJob.attemptsMade >= (bullJob.opts.attempts ?? 1))) return;
    this.events.dead({ id: bullJob.data.id, attempt: bullJob.attemptsMade, queue: this.name }, bullJob.data.msg, failureOf(err));
    void this.countDead();
  }

  private async withinDeadline<R>(work: Promise<R>): Promise<R> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ConnectorError(`Redis did not answer within ${REDIS_DEADLINE_MS / 1000} s (queue ${this.name})`, {
              code: 'queue.redis_unavailable',
              hint: 'Check that Redis is running and reachable with the sync-redis settings.',
              retryable: true,
            }),
          ),
        REDIS_DEADLINE_MS,
      );
    });
    try {
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}
