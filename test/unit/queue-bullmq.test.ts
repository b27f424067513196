import assert from 'node:assert/strict';
import { BullQueue } from '../../lib/sync/queue/bullmq';
import type { QueuePolicy } from '../../lib/sync/queue/types';
import { QueueRecorder, removeKeys, requireRedis, testConnection, uniquePrefix, until } from './queue-support';

interface Msg {
  payload: { orderId: number };
}

const policy = (overrides: Partial<QueuePolicy> = {}): QueuePolicy => ({ concurrency: 2, attempts: 3, backoffMs: 10, maxBackoffMs: 50, ackTimeoutMs: 10_000, ...overrides });

describe('sync queue, BullMQ backend on Redis', function () {
  const prefix = uniquePrefix();
  let open: Array<BullQueue<Msg>> = [];
  let queueNumber = 0;

  let redisUp = false;

  before(async function () {
    await requireRedis(this);
    redisUp = true;
  });
  afterEach(async () => {
    await Promise.all(open.map((queue) => queue.close()));
    open = [];
  });
  after(async () => {
    if (redisUp) await removeKeys(prefix);
  });

  /** Two or more backends on one prefix and queue name behave like queue nodes in separate Node-RED instances. */
  function instance(name: string, overrides: Partial<QueuePolicy> = {}) {
    const recorder = new QueueRecorder<Msg>();
    const queue = new BullQueue<Msg>(name, testConnection(prefix), policy(overrides), recorder);
    open.push(queue);
    return { queue, recorder };
  }

  function instances(count: number, overrides: Partial<QueuePolicy> = {}) {
    const name = `orders-${++queueNumber}`;
    return Array.from({ length: count }, () => instance(name, overrides));
  }

  async function closeInstance(queue: BullQueue<Msg>): Promise<void> {
    open = open.filter((other) => other !== queue);
    await queue.close();
  }

  it('turns the same job id added on two instances into one job, run once', async () => {
    const [a, b] = instances(2) as [ReturnType<typeof instance>, ReturnType<typeof instance>];
    const startsSoFar = () => a.recorder.started.length + b.recorder.started.length;
    const outcomes = await Promise.all([a.queue.add('order:250', { payload: { orderId: 250 } }), b.queue.add('order:250', { payload: { orderId: 250 } })]);
    assert.deepEqual([...outcomes].sort(), ['duplicate', 'queued']);
    await until(() => startsSoFar() === 1, 'the job starts');
    const runner = a.recorder.started.length === 1 ? a : b;
    const started = runner.recorder.started[0]!;
    assert.equal(started.job.id, 'order:250');
    assert.equal(started.job.attempt, 1);
    assert.deepEqual(started.data, { payload: { orderId: 250 } });
    assert.equal(await runner.queue.add('order:250', { payload: { orderId: 250 } }), 'duplicate');
    assert.equal(await runner.queue.complete(started.job), 'acked');
    // A later delivery of the same id, once BullMQ has removed the finished job, is a new job.
    const other = runner === a ? b : a;
    await until(async () => (await other.queue.add('order:250', { payload: { orderId: 250 } })) === 'queued', 'the id is free again');
    await until(() => startsSoFar() === 2, 'the later job starts');
  });

  it('retries failed attempts with backoff, then dead-letters the job with the last error', async () => {
    const [only] = instances(1, { attempts: 2 });
    const { queue, recorder } = only!;
    await queue.add('order:9', { payload: { orderId: 9 } });
    const first = await recorder.nextStart();
    assert.equal(first.job.attempt, 1);
    assert.equal(await queue.fail(first.job, { message: 'Sage 100 CI_NOF', details: { code: 'sage100.CI_NOF' } }), 'acked');
    const second = await recorder.nextStart();
    assert.equal(second.job.attempt, 2);
    await queue.fail(second.job, { message: 'Sage 100 still CI_NOF', details: { code: 'sage100.CI_NOF' } });
    const dead = await recorder.nextDead();
    assert.deepEqual(dead.job, { id: 'order:9', attempt: 2, queue: first.job.queue });
    assert.deepEqual(dead.data, { payload: { orderId: 9 } });
    assert.deepEqual(dead.failure, { message: 'Sage 100 still CI_NOF', details: { code: 'sage100.CI_NOF' } });
    assert.deepEqual(queue.counts(), { running: 0, dropped: 0, completed: 0, dead: 1 });
    // The failed job is gone from Redis, so the order can be queued again.
    assert.equal(await queue.add('order:9', { payload: { orderId: 9 } }), 'queued');
  });

  it('fails an attempt nobody acks in time, and ignores the late ack', async () => {
    const [only] = instances(1, { attempts: 2, ackTimeoutMs: 100 });
    const { queue, recorder } = only!;
    await queue.add('order:10', { payload: { orderId: 10 } });
    const first = await recorder.nextStart();
    const second = await recorder.nextStart();
    assert.equal(second.job.attempt, 2);
    assert.equal(await queue.complete(first.job), 'stale');
    assert.equal(await queue.complete(second.job), 'acked');
  });

  it('hands a running job to another instance when its instance closes, without using up an attempt', async () => {
    const [leaving] = instances(1, { concurrency: 1 });
    await leaving!.queue.add('order:11', { payload: { orderId: 11 } });
    const started = await leaving!.recorder.nextStart();
    const staying = instance(started.job.queue, { concurrency: 1 });
    await closeInstance(leaving!.queue);
    const resumed = await staying.recorder.nextStart();
    assert.deepEqual(resumed.job, started.job);
    assert.equal(await staying.queue.complete(resumed.job), 'acked');
  });

  it('leaves no keys behind once its jobs are done and the prefix is cleaned', async () => {
    const [only] = instances(1);
    await only!.queue.add('order:12', { payload: { orderId: 12 } });
    await only!.queue.complete((await only!.recorder.nextStart()).job);
    await closeInstance(only!.queue);
    assert.ok((await removeKeys(prefix)) > 0);
    assert.equal(await removeKeys(prefix), 0);
  });
});
