import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as BullMq from 'bullmq';
import { ConnectorError } from '../../errors';
import type { RedisConnectionOptions } from '../redis-options';
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

const REDIS_DEADLINE_MS = 10_000;
const CLOSE_DEADLINE_MS = 10_000;
const BACKOFF_TYPE = 'ml-connector';

/**
 * Jobs in Redis through BullMQ, shared by every Node-RED instance whose queue node uses the same Redis,
 * key prefix and queue name. A job id already in Redis (waiting, delayed or active anywhere) is not added
 * again, so a webhook delivered to two instances becomes one job. Each attempt runs on one instance and
 * stays active until the flow acks it there; BullMQ retries failed attempts with the queue's backoff.
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
  }

  async add(id: string, data: T): Promise<AddOutcome> {
    if (this.closing) throw queueClosed(this.name);
    const token = randomUUID();
    const jobId = bullJobId(id);
    await this.withinDeadline(
      this.queue.add('job', { id, token, msg: data }, {
        jobId,
        attempts: this.policy.attempts,
        backoff: { type: BACKOFF_TYPE },
        removeOnComplete: true,
        removeOnFail: true,
      }),
    );
    // BullMQ answers a duplicate jobId with the id alone; the stored token says whose job it is. No job at
    // all means the add met a job that was finishing and is now removed: a duplicate too (a job of ours
    // cannot have run and been acked by the flow within this one round trip).
    const stored = await this.withinDeadline(this.queue.getJob(jobId));
    if (stored?.data.token !== token) {
      this.dropped++;
      this.events.changed();
      return 'duplicate';
    }
    return 'queued';
  }

  async complete(job: QueueJob): Promise<AckOutcome> {
    return this.settle(job);
  }

  async fail(job: QueueJob, failure: JobFailure): Promise<AckOutcome> {
    return this.settle(job, new AttemptFailed(failure));
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

  private attempt(bullJob: BullMq.Job<JobData<T>>, lockToken?: string): Promise<void> {
    const job: QueueJob = { id: bullJob.data.id, attempt: bullJob.attemptsMade + 1, queue: this.name };
    return new Promise<void>((resolve, reject) => {
      const running: Running<T> = {
        job,
        bullJob,
        lockToken,
        finish: (error) => (error ? reject(error) : resolve()),
        timer: setTimeout(() => this.settle(job, new AttemptFailed(ackTimeoutFailure(this.policy))), this.policy.ackTimeoutMs),
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

  private settle(job: QueueJob, error?: AttemptFailed): AckOutcome {
    const running = this.running.get(job.id);
    if (!running || running.job.attempt !== job.attempt) return 'stale';
    clearTimeout(running.timer);
    this.running.delete(job.id);
    if (!error) this.completed++;
    running.finish(error);
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
    if (!bullJob || bullJob.attemptsMade < (bullJob.opts.attempts ?? 1)) return;
    this.dead++;
    const failure = err instanceof AttemptFailed ? err.failure : { message: err.message };
    this.events.dead({ id: bullJob.data.id, attempt: bullJob.attemptsMade, queue: this.name }, bullJob.data.msg, failure);
    this.events.changed();
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
