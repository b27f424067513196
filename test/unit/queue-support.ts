import { connect } from 'node:net';
import IORedis from 'ioredis';
import type { RedisConnectionOptions } from '../../lib/sync/redis-options';
import type { JobFailure, QueueEvents, QueueJob } from '../../lib/sync/queue/types';

/** Shared by the queue tests: an event recorder for backends, and the Redis the BullMQ tests run against. */

interface Started<T> {
  job: QueueJob;
  data: T;
}

interface Dead<T> extends Started<T> {
  failure: JobFailure;
}

const WAIT_MS = 8000;

/** Records what a queue backend reports, and waits (bounded) for the next start or dead letter. */
export class QueueRecorder<T> implements QueueEvents<T> {
  readonly started: Array<Started<T>> = [];
  readonly deadLetters: Array<Dead<T>> = [];
  readonly troubles: Error[] = [];
  private startsTaken = 0;
  private deadTaken = 0;
  private wake: Array<() => void> = [];

  start(job: QueueJob, data: T): void {
    this.started.push({ job, data });
    this.notify();
  }

  dead(job: QueueJob, data: T, failure: JobFailure): void {
    this.deadLetters.push({ job, data, failure });
    this.notify();
  }

  changed(): void {}

  trouble(err: Error): void {
    this.troubles.push(err);
  }

  /** The next start not yet taken by a previous call. */
  nextStart(ms = WAIT_MS): Promise<Started<T>> {
    return this.next(() => this.started[this.startsTaken] && this.started[this.startsTaken++], 'start', ms);
  }

  nextDead(ms = WAIT_MS): Promise<Dead<T>> {
    return this.next(() => this.deadLetters[this.deadTaken] && this.deadLetters[this.deadTaken++], 'dead letter', ms);
  }

  private notify(): void {
    const waiting = this.wake;
    this.wake = [];
    for (const wake of waiting) wake();
  }

  private next<R>(take: () => R | undefined, what: string, ms: number): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
      const attempt = () => {
        const value = take();
        if (value) {
          clearTimeout(timer);
          resolve(value);
        } else this.wake.push(attempt);
      };
      attempt();
    });
  }
}

/** Resolves once `condition` holds, checking every few ms, or rejects after `ms`. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const REDIS = { host: '127.0.0.1', port: 6379 };
export const REDIS_MISSING = 'Redis is not running on 127.0.0.1:6379 (the BullMQ backend tests need it)';

function redisAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(REDIS.port, REDIS.host);
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/** In a `before` hook: fails the suite when Redis is absent, or skips it when SKIP_REDIS_TESTS=1. */
export async function requireRedis(context: Mocha.Context): Promise<void> {
  if (await redisAnswers()) return;
  if (process.env.SKIP_REDIS_TESTS === '1') {
    console.warn(`      skipped: ${REDIS_MISSING}`);
    context.skip();
  }
  throw new Error(REDIS_MISSING);
}

/** A key prefix no other test run uses, so runs never see each other's jobs. */
export function uniquePrefix(): string {
  return `ml-connector-test-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export function testConnection(prefix: string): RedisConnectionOptions & { prefix: string } {
  return { ...REDIS, db: 0, maxRetriesPerRequest: null, prefix };
}

/** Deletes every key under the prefix and returns how many were left before. */
export async function removeKeys(prefix: string): Promise<number> {
  const redis = new IORedis({ ...REDIS, lazyConnect: true });
  await redis.connect();
  try {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    return keys.length;
  } finally {
    redis.disconnect();
  }
}
