import assert from 'node:assert/strict';
import { ConnectorError, ValidationError } from '../../lib/errors';
import { bullJobId, loadBullMq } from '../../lib/sync/queue/bullmq';
import { QueueJournal } from '../../lib/sync/queue/journal';
import { discardDeadLetters, redriveDeadLetters } from '../../lib/sync/queue/dead-letters';
import { MemoryQueue, type SavedQueue } from '../../lib/sync/queue/memory';
import { ackedJob, deadLetterCommand, deadLetterMessage, failureFrom, jobIdFor, portableMessage } from '../../lib/sync/queue/messages';
import { backoffDelay, isLastAttempt, queuePolicy, type JobFailure, type QueueEvents, type QueueJob, type QueuePolicy } from '../../lib/sync/queue/types';
import { QueueRecorder, until } from './queue-support';

const policy = (overrides: Partial<QueuePolicy> = {}): QueuePolicy => ({ concurrency: 2, attempts: 3, backoffMs: 5, maxBackoffMs: 20, ackTimeoutMs: 10_000, retryHorizonMs: 0, ...overrides });

function memoryQueue(overrides: Partial<QueuePolicy> = {}) {
  const recorder = new QueueRecorder<string>();
  const queue = new MemoryQueue<string>('orders', policy(overrides), recorder as QueueEvents<string>);
  return { queue, recorder };
}

const read = (msg: Record<string, unknown>, path: string): unknown => path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], msg);

describe('sync queue', () => {
  describe('memory backend', () => {
    let close: Array<() => Promise<void>> = [];
    afterEach(async () => {
      await Promise.all(close.map((fn) => fn()));
      close = [];
    });
    const open = (overrides: Partial<QueuePolicy> = {}) => {
      const made = memoryQueue(overrides);
      close.push(() => made.queue.close());
      return made;
    };

    it('drops a job whose id is already queued or running, and takes it again once done', async () => {
      const { queue, recorder } = open({ concurrency: 1 });
      assert.equal(await queue.add('order:1', 'first'), 'queued');
      assert.equal(await queue.add('order:2', 'second'), 'queued');
      assert.equal(await queue.add('order:1', 'again while running'), 'duplicate');
      assert.equal(await queue.add('order:2', 'again while waiting'), 'duplicate');
      assert.deepEqual(queue.counts(), { waiting: 1, running: 1, dropped: 2, completed: 0, dead: 0 });
      const [first] = recorder.started;
      assert.deepEqual(first, { job: { id: 'order:1', attempt: 1, queue: 'orders' }, data: 'first' });
      assert.equal(await queue.complete(first!.job), 'acked');
      assert.equal(await queue.add('order:1', 'a later delivery'), 'queued');
      assert.deepEqual(recorder.started.map((start) => start.data), ['first', 'second']);
    });

    it('runs at most `concurrency` jobs at once, starting the next as one finishes', async () => {
      const { queue, recorder } = open({ concurrency: 2 });
      for (const id of ['a', 'b', 'c', 'd']) await queue.add(id, id);
      assert.deepEqual(recorder.started.map((start) => start.job.id), ['a', 'b']);
      await queue.complete(recorder.started[1]!.job);
      assert.deepEqual(recorder.started.map((start) => start.job.id), ['a', 'b', 'c']);
      await queue.fail(recorder.started[0]!.job, { message: 'boom' });
      assert.deepEqual(recorder.started.map((start) => start.job.id), ['a', 'b', 'c', 'd']);
      assert.equal(queue.counts().running, 2);
    });

    it('retries a failed job with backoff, then sends it to the dead letter with the last error', async () => {
      const { queue, recorder } = open({ attempts: 3 });
      await queue.add('order:7', 'payload');
      for (let attempt = 1; attempt <= 3; attempt++) {
        const started = await recorder.nextStart();
        assert.deepEqual(started.job, { id: 'order:7', attempt, queue: 'orders' });
        assert.equal(await queue.add('order:7', 'duplicate while retrying'), 'duplicate');
        await queue.fail(started.job, { message: `failure ${attempt}`, details: { code: 'x' } });
      }
      const dead = await recorder.nextDead();
      assert.deepEqual(dead, { job: { id: 'order:7', attempt: 3, queue: 'orders' }, data: 'payload', failure: { message: 'failure 3', details: { code: 'x' } } });
      assert.deepEqual(queue.counts(), { waiting: 0, running: 0, dropped: 3, completed: 0, dead: 1 });
    });

    it('counts an attempt not acked in time as failed, and ignores its late ack', async () => {
      const { queue, recorder } = open({ attempts: 2, ackTimeoutMs: 15 });
      await queue.add('order:8', 'payload');
      const first = await recorder.nextStart();
      const second = await recorder.nextStart();
      assert.equal(second.job.attempt, 2);
      assert.equal(await queue.complete(first.job), 'stale');
      const dead = await recorder.nextDead();
      assert.match(dead.failure.message, /no ack within 0\.015 s/);
      assert.equal(await queue.complete(second.job), 'stale');
    });

    it('stops on close: no more starts, and new jobs are refused', async () => {
      const { queue, recorder } = open({ concurrency: 1, backoffMs: 1 });
      await queue.add('a', 'a');
      await queue.add('b', 'b');
      assert.equal(queue.unfinished, 2);
      await queue.close();
      assert.equal(await queue.complete(recorder.started[0]!.job), 'stale');
      await assert.rejects(queue.add('c', 'c'), (err: unknown) => err instanceof ConnectorError && err.code === 'queue.closed');
      assert.equal(recorder.started.length, 1);
    });

    it('hands over its unfinished jobs when closed, and a new queue takes them back for their next attempt', async () => {
      const { queue, recorder } = open({ concurrency: 1 });
      await queue.add('order:1', 'done');
      await queue.add('order:2', 'running');
      await queue.add('order:3', 'not started yet');
      await queue.complete(recorder.started[0]!.job);
      await queue.close();
      const saved = queue.saved();
      assert.deepEqual(
        saved.jobs.map(({ id, attempts, data }) => ({ id, attempts, data })),
        [
          { id: 'order:2', attempts: 0, data: 'running' },
          { id: 'order:3', attempts: 0, data: 'not started yet' },
        ],
        'the attempt the close cut short is not counted',
      );

      const next = open({ concurrency: 2 });
      assert.equal(await next.queue.add('order:3', 'queued again meanwhile'), 'queued');
      assert.equal(next.queue.restore(saved), 1);
      assert.deepEqual(
        next.recorder.started.map((start) => [start.job.id, start.job.attempt, start.data]),
        [
          ['order:3', 1, 'queued again meanwhile'],
          ['order:2', 1, 'running'],
        ],
      );
    });

    it('costs no attempt and keeps the backoff across redeploys: five redeploys during a retry wait do not hurry the job', async () => {
      let { queue, recorder } = open({ attempts: 3, backoffMs: 300, maxBackoffMs: 300 });
      await queue.add('order:5', 'payload');
      await queue.fail((await recorder.nextStart()).job, { message: 'Sage 100 is busy', details: { retryable: false } });
      const failedAt = Date.now();
      for (let redeploy = 0; redeploy < 5; redeploy++) {
        await queue.close();
        const saved = queue.saved();
        ({ queue, recorder } = open({ attempts: 3, backoffMs: 300, maxBackoffMs: 300 }));
        queue.restore(saved);
      }
      assert.equal(recorder.started.length, 0, 'the retry waits for its time, not for the redeploy');
      const second = await recorder.nextStart();
      assert.ok(Date.now() - failedAt >= 290, `the retry came ${Date.now() - failedAt} ms after the failure`);
      assert.equal(second.job.attempt, 2);
      // A redeploy in the middle of that attempt does not spend it either.
      await queue.close();
      const saved = queue.saved();
      ({ queue, recorder } = open({ attempts: 3, backoffMs: 300, maxBackoffMs: 300 }));
      queue.restore(saved);
      assert.equal((await recorder.nextStart()).job.attempt, 2);
    });

    it('keeps retrying a retryable failure past `attempts` for the retry horizon, then keeps it as a dead letter', async () => {
      const { queue, recorder } = open({ attempts: 2, backoffMs: 1, maxBackoffMs: 5, retryHorizonMs: 150 });
      const queuedAt = Date.now();
      await queue.add('order:20', 'payload');
      const outage: JobFailure = { message: 'Sage 100 agent: connection failed (ECONNREFUSED)', details: { code: 'http.network', retryable: true } };
      let attempts = 0;
      while (recorder.deadLetters.length === 0) {
        const started = await recorder.nextStart();
        attempts = started.job.attempt;
        await queue.fail(started.job, outage);
      }
      assert.ok(attempts > 5, `only ${attempts} attempts`);
      assert.ok(Date.now() - queuedAt >= 150, 'dead only once the horizon passed');
      const [letter] = await queue.deadLetters();
      assert.equal(letter?.id, 'order:20');
      assert.equal(letter?.attempts, attempts);
      assert.deepEqual(letter?.failure, outage);
      assert.equal(letter?.msg, 'payload');
      // The outage outlived the retry period; a new msg for the order (e.g. from the re-queue check) tries again.
      assert.equal(await queue.add('order:20', 'found missing again'), 'queued');
      assert.deepEqual((await recorder.nextStart()).job, { id: 'order:20', attempt: 1, queue: 'orders' });
      assert.deepEqual(await queue.deadLetters(), []);
    });

    it('dead-letters a failure that is not retryable after `attempts` attempts, whatever the horizon', async () => {
      const { queue, recorder } = open({ attempts: 2, backoffMs: 1, retryHorizonMs: 3_600_000 });
      await queue.add('order:21', 'payload');
      const invalid: JobFailure = { message: 'order 21: billing_address.zip: Required', details: { code: 'validation.invalid', retryable: false } };
      await queue.fail((await recorder.nextStart()).job, invalid);
      await queue.fail((await recorder.nextStart()).job, invalid);
      assert.equal((await recorder.nextDead()).job.attempt, 2);
    });

    it('holds a dead letter\'s id until it is re-driven, which runs it as a new job; a discarded one is gone', async () => {
      const { queue, recorder } = open({ attempts: 1 });
      await queue.add('order:30', 'thirty');
      await queue.add('order:31', 'thirty-one');
      await queue.fail((await recorder.nextStart()).job, { message: 'no' });
      await queue.fail((await recorder.nextStart()).job, { message: 'no' });
      assert.deepEqual((await queue.deadLetters()).map((letter) => letter.id), ['order:30', 'order:31']);
      assert.equal(await queue.add('order:30', 'a new delivery'), 'dead-letter');
      assert.equal(queue.counts().dead, 2);

      assert.deepEqual(await redriveDeadLetters(queue, 'order:30'), ['order:30']);
      const again = await recorder.nextStart();
      assert.deepEqual([again.job, again.data], [{ id: 'order:30', attempt: 1, queue: 'orders' }, 'thirty']);
      await queue.complete(again.job);

      const [discarded] = await discardDeadLetters(queue, 'all');
      assert.equal(discarded?.id, 'order:31');
      assert.deepEqual(await queue.deadLetters(), []);
      await assert.rejects(redriveDeadLetters(queue, 'order:31'), (err: unknown) => err instanceof ConnectorError && err.code === 'queue.no_dead_letter');
      assert.equal(await queue.add('order:31', 'later'), 'queued');
    });

    it('hands its dead letters over across a restart', async () => {
      const { queue, recorder } = open({ attempts: 1 });
      await queue.add('order:40', 'forty');
      await queue.fail((await recorder.nextStart()).job, { message: 'no' });
      await queue.close();
      const next = open({ attempts: 1 });
      next.queue.restore(JSON.parse(JSON.stringify(queue.saved())) as SavedQueue<string>);
      assert.deepEqual((await next.queue.deadLetters()).map((letter) => [letter.id, letter.msg, letter.failure.message]), [['order:40', 'forty', 'no']]);
      assert.equal(await next.queue.add('order:40', 'again'), 'dead-letter');
    });
  });

  describe('journal of a memory queue', () => {
    function journal(document?: unknown) {
      const writes: unknown[] = [];
      const errors: string[] = [];
      let jobs: SavedQueue<Record<string, unknown>>['jobs'] = [];
      const made = new QueueJournal<Record<string, unknown>>({
        read: async () => document,
        write: async (saved) => {
          writes.push(saved);
        },
        saved: () => ({ jobs, deadLetters: [] }),
        intervalMs: 20,
        onError: (err) => errors.push(err.message),
      });
      return { journal: made, writes, errors, setJobs: (next: typeof jobs) => (jobs = next) };
    }

    it('saves the latest jobs once per interval however often they change, and at once on flush', async () => {
      const { journal: saver, writes, setJobs } = journal();
      for (let change = 1; change <= 5; change++) {
        setJobs([{ id: `order:${change}`, attempts: 0, data: { orderId: change } }]);
        saver.changed();
      }
      await until(() => writes.length === 1, 'the coalesced save');
      const last = { jobs: [{ id: 'order:5', attempts: 0, data: { orderId: 5 } }], deadLetters: [] };
      assert.deepEqual(writes[0], last);
      setJobs([]);
      saver.changed();
      await saver.flush();
      assert.deepEqual(writes, [last, { jobs: [], deadLetters: [] }]);
      await new Promise((resolve) => setTimeout(resolve, 40));
      assert.equal(writes.length, 2, 'flush replaced the pending save');
    });

    it('loads what was saved (also in the older form: the jobs alone), nothing when there is no file, and reports a file that is not a journal', async () => {
      const jobs = [{ id: 'order:9', attempts: 2, data: { orderId: 9 }, queuedAt: 1, retryAt: 2 }];
      const deadLetters = [{ id: 'order:8', attempts: 5, failure: { message: 'no' }, queuedAt: '2026-12-04T10:00:00.000Z', deadAt: '2026-12-04T11:00:00.000Z', msg: { orderId: 8 } }];
      assert.deepEqual(await journal({ jobs, deadLetters }).journal.load(), { jobs, deadLetters });
      assert.deepEqual(await journal([{ id: 'order:9', attempts: 2, data: { orderId: 9 } }]).journal.load(), { jobs: [{ id: 'order:9', attempts: 2, data: { orderId: 9 } }], deadLetters: [] });
      assert.deepEqual(await journal(undefined).journal.load(), { jobs: [], deadLetters: [] });
      const broken = journal({ jobs: 'not a list' });
      assert.deepEqual(await broken.journal.load(), { jobs: [], deadLetters: [] });
      assert.match(broken.errors[0] ?? '', /not in the expected form/);
    });

    it('writes an empty journal when cleared, and reports a failed write without throwing', async () => {
      const { journal: saver, writes } = journal();
      await saver.clear();
      assert.deepEqual(writes, [{ jobs: [], deadLetters: [] }]);
      const errors: string[] = [];
      const failing = new QueueJournal({ read: async () => undefined, write: async () => Promise.reject(new Error('disk full')), saved: () => ({ jobs: [], deadLetters: [] }), intervalMs: 5, onError: (err) => errors.push(err.message) });
      await failing.flush();
      assert.deepEqual(errors, ['disk full']);
    });
  });

  it('doubles the backoff after each failed attempt, up to the cap', () => {
    const steps = [1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, { backoffMs: 1000, maxBackoffMs: 10_000 }));
    assert.deepEqual(steps, [1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('retries a retryable failure until the horizon, anything else until `attempts`; a missed ack counts as retryable', () => {
    const rule = { attempts: 5, retryHorizonMs: 24 * 3_600_000 };
    const outage = { message: 'down', details: { retryable: true } };
    const invalid = { message: 'bad', details: { retryable: false } };
    assert.equal(isLastAttempt(5, invalid, 0, 60_000, rule), true);
    assert.equal(isLastAttempt(4, invalid, 0, 60_000, rule), false);
    assert.equal(isLastAttempt(5, { message: 'a plain Error from a function node' }, 0, 60_000, rule), true);
    assert.equal(isLastAttempt(50, outage, 0, 23 * 3_600_000, rule), false);
    assert.equal(isLastAttempt(150, outage, 0, 24 * 3_600_000, rule), true);
    assert.equal(isLastAttempt(2, outage, 0, 48 * 3_600_000, rule), false, 'never fewer than `attempts` tries');
    assert.equal(isLastAttempt(99, { message: 'no ack', details: { code: 'queue.ack_timeout', retryable: true } }, 0, 60_000, rule), false);
  });

  it('names a bad queue setting', () => {
    assert.throws(() => queuePolicy(policy({ concurrency: 0 })), (err: unknown) => err instanceof ValidationError && /sync-queue settings: concurrency/.test(err.message));
  });

  describe('messages', () => {
    it('take the job id from orderId, resourceId or payload.data.id, or from the configured property', () => {
      const settings = { property: '', prefix: 'order:' };
      assert.equal(jobIdFor({ orderId: 12, resourceId: 99 }, settings, read), 'order:12');
      assert.equal(jobIdFor({ resourceId: 99 }, settings, read), 'order:99');
      assert.equal(jobIdFor({ payload: { data: { id: 250 } } }, settings, read), 'order:250');
      assert.equal(jobIdFor({ payload: { hash: 'abc' } }, { property: 'payload.hash', prefix: 'hook:' }, read), 'hook:abc');
      const throwing = () => {
        throw new TypeError("Cannot read properties of undefined (reading 'id')");
      };
      assert.throws(() => jobIdFor({ payload: 'text' }, settings, throwing), (err: unknown) => err instanceof ValidationError && err.code === 'queue.job_id');
      assert.throws(
        () => jobIdFor({ payload: {} }, settings, read),
        (err: unknown) => err instanceof ValidationError && err.code === 'queue.job_id' && /looked at msg\.orderId, msg\.resourceId, msg\.payload\.data\.id/.test(err.message),
      );
    });

    it('keep only the JSON part of a msg for Redis, without req, res or an old queueJob', () => {
      const msg = { _msgid: 'm1', payload: { id: 1, at: new Date('2024-01-01T00:00:00Z') }, req: { socket: {} }, res: {}, queueJob: { id: 'x' }, fn: () => 1 };
      assert.deepEqual(portableMessage(msg), { _msgid: 'm1', payload: { id: 1, at: '2024-01-01T00:00:00.000Z' } });
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      assert.throws(() => portableMessage({ payload: circular }), (err: unknown) => err instanceof ValidationError && err.code === 'queue.not_serializable');
    });

    it('keep a dead letter without the request or its headers, and read redrive and discard commands', () => {
      const msg = { payload: { id: 7 }, orderId: 7, req: { headers: { 'x-secret': 'shh' } }, headers: { authorization: 'Bearer shh' } };
      assert.deepEqual(deadLetterMessage(msg), { payload: { id: 7 }, orderId: 7 });
      assert.deepEqual(deadLetterCommand({ topic: 'redrive', payload: 'order:7' }), { action: 'redrive', which: 'order:7' });
      assert.deepEqual(deadLetterCommand({ topic: 'discard', payload: 'all', note: ' refunded in the store ' }), { action: 'discard', which: 'all', note: 'refunded in the store' });
      assert.equal(deadLetterCommand({ topic: 'store/order/created', payload: 'x' }), undefined);
      assert.throws(() => deadLetterCommand({ topic: 'redrive' }), (err: unknown) => err instanceof ValidationError && err.code === 'queue.command');
    });

    it('recognize an ack for this queue, and a failure from Catch', () => {
      const job: QueueJob = { id: 'order:1', attempt: 2, queue: 'orders' };
      assert.deepEqual(ackedJob({ queueJob: job }, 'orders'), job);
      assert.equal(ackedJob({ queueJob: job }, 'other'), undefined);
      assert.equal(ackedJob({ payload: 1 }, 'orders'), undefined);
      const failure: JobFailure | undefined = failureFrom({ error: { message: 'Sage said no', source: { id: 'n1', type: 'sage100-sales-order' }, stack: 'long' }, errorDetails: { code: 'sage100.CI_NOF' } });
      assert.deepEqual(failure, { message: 'Sage said no', source: { id: 'n1', type: 'sage100-sales-order' }, details: { code: 'sage100.CI_NOF' } });
      assert.equal(failureFrom({ payload: 1 }), undefined);
    });
  });

  describe('BullMQ loading', () => {
    it('explains how to install bullmq when it is missing', () => {
      const missing = () => {
        throw Object.assign(new Error("Cannot find module 'bullmq'\nRequire stack: …"), { code: 'MODULE_NOT_FOUND' });
      };
      assert.throws(
        () => loadBullMq(missing),
        (err: unknown) =>
          err instanceof ConnectorError &&
          err.code === 'queue.bullmq_missing' &&
          /needs the optional package bullmq, which is not installed \(Cannot find module 'bullmq'\)$/.test(err.message) &&
          /npm install bullmq/.test(err.hint ?? ''),
      );
    });

    it('encodes job ids the way BullMQ accepts them, one to one', () => {
      assert.equal(bullJobId('order:12'), 'jorder%3A12');
      assert.equal(bullJobId('123'), 'j123');
      assert.notEqual(bullJobId('a%3Ab'), bullJobId('a:b'));
    });
  });
});
