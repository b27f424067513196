import assert from 'node:assert/strict';
import { BullQueue } from '../../lib/sync/queue/bullmq';
import type { QueuePolicy } from '../../lib/sync/queue/types';
import { QueueRecorder, removeKeys, requireRedis, testConnection, uniquePrefix, until } from './queue-support';

interface Msg {
  payload: { orderId: number };
}

const policy = (overrides: Partial<QueuePolicy> = {}): QueuePolicy => ({ concurrency: 2, attempts: 3, backoffMs: 10, maxBackoffMs: 50, ackTimeoutMs: 10_000, retryHorizonMs: 0, ...overrides });

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
    await until(() => queue.counts().dead === 1, 'the status counts the dead letter');
    assert.deepEqual(queue.counts(), { running: 0, dropped: 0, completed: 0, dead: 1 });
    // The dead letter stays in Redis and holds the order's id until it is re-driven.
    assert.equal(await queue.add('order:9', { payload: { orderId: 9 } }), 'dead-letter');
  });

  it('keeps retrying a retryable failure for the retry horizon, then keeps the dead letter in Redis for any instance to re-drive', async () => {
    const [first] = instances(1, { attempts: 2, backoffMs: 5, maxBackoffMs: 10, retryHorizonMs: 400 });
    const queuedAt = Date.now();
    await first!.queue.add('order:13', { payload: { orderId: 13 } });
    const outage = { message: 'Sage 100 agent answered 503', details: { code: 'http.503', retryable: true } };
    let attempts = 0;
    while (first!.recorder.deadLetters.length === 0) {
      const started = await first!.recorder.nextStart();
      attempts = started.job.attempt;
      await first!.queue.fail(started.job, outage);
      await until(() => first!.recorder.started.length > attempts || first!.recorder.deadLetters.length > 0, 'the next attempt or the dead letter');
    }
    assert.ok(attempts > 2, `only ${attempts} attempts`);
    assert.ok(Date.now() - queuedAt >= 400);
    const name = first!.queue.name;
    await closeInstance(first!.queue);

    const later = instance(name, { attempts: 2 });
    const [letter] = await later.queue.deadLetters();
    assert.equal(letter?.id, 'order:13');
    assert.equal(letter?.attempts, attempts);
    assert.deepEqual(letter?.failure, outage);
    assert.deepEqual(letter?.msg, { payload: { orderId: 13 } });
    await until(() => later.queue.counts().dead === 1, 'a new instance counts the dead letter');
    // It outlived the retry period on an outage: a new msg for the order (e.g. the re-queue check) tries again.
    assert.equal(await later.queue.add('order:13', { payload: { orderId: 13 } }), 'queued');
    const again = await later.recorder.nextStart();
    assert.deepEqual(again.job, { id: 'order:13', attempt: 1, queue: name });
    assert.equal(await later.queue.complete(again.job), 'acked');
    assert.deepEqual(await later.queue.deadLetters(), []);
    assert.equal(await later.queue.redrive('order:13'), false);
  });

  it('holds a dead letter that failed on bad data until re-driven, and discards one, which frees its id', async () => {
    const [only] = instances(1, { attempts: 1 });
    const invalid = { message: 'the order has no product lines', details: { code: 'mapper.no_lines', retryable: false } };
    await only!.queue.add('order:14', { payload: { orderId: 14 } });
    await only!.queue.add('order:15', { payload: { orderId: 15 } });
    await only!.queue.fail((await only!.recorder.nextStart()).job, invalid);
    await only!.queue.fail((await only!.recorder.nextStart()).job, invalid);
    await only!.recorder.nextDead();
    await only!.recorder.nextDead();
    assert.equal(await only!.queue.add('order:14', { payload: { orderId: 14 } }), 'dead-letter');
    assert.equal(await only!.queue.redrive('order:14'), true);
    const again = await only!.recorder.nextStart();
    assert.deepEqual([again.job.id, again.job.attempt], ['order:14', 1]);
    await only!.queue.complete(again.job);
    assert.equal((await only!.queue.discard('order:15'))?.failure.message, 'the order has no product lines');
    assert.deepEqual(await only!.queue.deadLetters(), []);
    assert.equal(await only!.queue.add('order:15', { payload: { orderId: 15 } }), 'queued');
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
