import { translate, useCatalogs } from '../support/catalog';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeAPI, NodeDefinition, NodeMessage, NodeStatus } from '../../lib/node-red/types';
import syncOrderMapper from '../../nodes/sync/sync-order-mapper';
import syncQueue from '../../nodes/sync/sync-queue';
import syncRedis from '../../nodes/sync/sync-redis';
import { removeKeys, requireRedis, uniquePrefix, until } from '../unit/queue-support';
import { coreNode, helper, nextMessage, type TestNode, startWithUserDir } from '../support/node-red';

const catchNode = coreNode('common/25-catch.js');
const at = { x: 100, y: 100 };

function order(id: number, lines = 1) {
  const address = { first_name: 'Jo', last_name: 'Buyer', street_1: '1 Main St', city: 'Austin', state: 'Texas', zip: '78701', country_iso2: 'US', email: 'jo@example.com' };
  const items = Array.from({ length: lines }, (_, index) => ({ id: index + 1, product_id: 1, sku: 'TEE', quantity: 1, price_ex_tax: '10', price_inc_tax: '10' }));
  return {
    id,
    customer_id: 0,
    status_id: 11,
    date_created: 'Tue, 05 Mar 2019 21:40:11 +0000',
    date_modified: 'Tue, 05 Mar 2019 21:40:11 +0000',
    subtotal_ex_tax: '10',
    subtotal_inc_tax: '10',
    total_ex_tax: '10',
    total_inc_tax: '10',
    billing_address: address,
    consignments: { shipping: [{ id: 1, ...address, shipping_method: 'Ground', line_items: items }] },
  };
}

function statuses(node: TestNode): NodeStatus[] {
  const seen: NodeStatus[] = [];
  node.on('call:status', ((call: { args: [NodeStatus] }) => seen.push(call.args[0])) as never);
  return seen;
}

/** Records what a helper node receives. */
function inbox(node: TestNode): NodeMessage[] {
  const received: NodeMessage[] = [];
  node.on('input', ((msg: NodeMessage) => received.push(msg)) as never);
  return received;
}

describe('sync-queue node', () => {
  // An in-memory queue keeps its unfinished jobs in the user directory: each test has its own.
  let userDir: string;
  let stopNodeRed: () => Promise<void>;
  beforeEach(async () => {
    ({ userDir, stop: stopNodeRed } = await startWithUserDir('sync-queue-node-'));
  });
  afterEach(async () => {
    await stopNodeRed();
  });

  describe('in memory', () => {
    /** The Orders path in small: queue -> mapper -> ack; the mapper's errors reach the queue through Catch. */
    function orderFlow(settings: Record<string, unknown> = {}) {
      return [
        { id: 'tab', type: 'tab' },
        { id: 'queue', z: 'tab', ...at, type: 'sync-queue', queueName: 'orders', backend: 'memory', concurrency: 2, attempts: 2, backoff: 0.01, maxBackoff: 0.02, ackTimeout: 30, wires: [['mapper'], ['dead']], ...settings },
        { id: 'mapper', z: 'tab', ...at, type: 'sync-order-mapper', wires: [['queue', 'done']] },
        { id: 'catch', z: 'tab', ...at, type: 'catch', scope: ['mapper'], wires: [['queue']] },
        { id: 'done', z: 'tab', ...at, type: 'helper' },
        { id: 'dead', z: 'tab', ...at, type: 'helper' },
      ];
    }

    it('runs each order once, drops duplicates while queued, and completes the job on the ack', async () => {
      await helper.load([useCatalogs, syncQueue, syncOrderMapper, catchNode], orderFlow());
      const queue = helper.getNode('queue');
      const seen = statuses(queue);
      const done = inbox(helper.getNode('done'));
      for (let delivery = 0; delivery < 5; delivery++) queue.receive({ payload: order(250), orderId: 250 });
      await until(() => done.length === 1 && seen.at(-1)?.text === '4 duplicates', 'the order is mapped and acked');
      assert.deepEqual(done[0]?.queueJob, { id: 'order:250', attempt: 1, queue: 'orders' });
      assert.equal((done[0]?.payload as { salesOrder: { SalesOrderNo: string } }).salesOrder.SalesOrderNo, 'W000250');
      assert.equal(seen.at(-1)?.fill, 'green');
    });

    it('retries a job whose attempt reached Catch, then sends it to the dead letter with the last error', async () => {
      await helper.load([useCatalogs, syncQueue, syncOrderMapper, catchNode], orderFlow());
      const deadLetter = nextMessage<{ queueJob: unknown; error: { message: string; source: { id: string }; details: { code: string } }; payload: { id: number } }>(helper.getNode('dead'));
      const attempts = inbox(helper.getNode('mapper'));
      helper.getNode('queue').receive({ payload: order(251, 0), orderId: 251 });
      const dead = await deadLetter;
      assert.deepEqual(attempts.map((msg) => (msg.queueJob as { attempt: number }).attempt), [1, 2]);
      assert.deepEqual(dead.queueJob, { id: 'order:251', attempt: 2, queue: 'orders' });
      assert.equal(dead.payload.id, 251, 'the dead letter carries the msg as it entered the queue');
      assert.match(dead.error.message, /order 251: the order has no product lines/);
      assert.equal(dead.error.source.id, 'mapper');
      assert.equal(dead.error.details.code, 'mapper.no_lines');
    });

    it('starts no more than `At once` jobs before acks arrive', async () => {
      await helper.load([useCatalogs, syncQueue], [
        { id: 'tab', type: 'tab' },
        { id: 'queue', z: 'tab', ...at, type: 'sync-queue', queueName: 'orders', concurrency: 1, attempts: 1, backoff: 0, maxBackoff: 0, ackTimeout: 30, wires: [['out'], []] },
        { id: 'out', z: 'tab', ...at, type: 'helper' },
      ]);
      const queue = helper.getNode('queue');
      const out = inbox(helper.getNode('out'));
      queue.receive({ orderId: 1 });
      queue.receive({ orderId: 2 });
      await until(() => out.length === 1, 'the first job starts');
      queue.receive({ ...out[0] });
      await until(() => out.length === 2, 'the second job starts after the first is acked');
      assert.deepEqual(out.map((msg) => (msg.queueJob as { id: string }).id), ['order:1', 'order:2']);
    });

    it('keeps unfinished jobs across a restart, where they run again, and drops them when the queue is deleted', async () => {
      const flow = [
        { id: 'tab', type: 'tab' },
        { id: 'queue', z: 'tab', ...at, type: 'sync-queue', queueName: 'orders', concurrency: 1, attempts: 3, backoff: 0, maxBackoff: 0, ackTimeout: 30, wires: [['out'], []] },
        { id: 'out', z: 'tab', ...at, type: 'helper' },
      ];
      await helper.load([useCatalogs, syncQueue], flow);
      const out = inbox(helper.getNode('out'));
      helper.getNode('queue').receive({ orderId: 1, payload: { id: 1 }, req: { headers: {} } });
      helper.getNode('queue').receive({ orderId: 2, payload: { id: 2 } });
      await until(() => out.length === 1, 'the first job starts and is never acked');
      await helper.unload();

      await helper.load([useCatalogs, syncQueue], flow);
      const again = inbox(helper.getNode('out'));
      await until(() => again.length === 1, 'the running job starts again after the restart');
      helper.getNode('queue').receive({ ...again[0] });
      await until(() => again.length === 2, 'then the job that was waiting');
      assert.deepEqual(
        again.map((msg) => [msg.queueJob, msg.payload]),
        [
          // The redeploy cut the first attempt short: it is made again, and not counted.
          [{ id: 'order:1', attempt: 1, queue: 'orders' }, { id: 1 }],
          [{ id: 'order:2', attempt: 1, queue: 'orders' }, { id: 2 }],
        ],
      );
      assert.equal(again[0]?.req, undefined, 'only the JSON part of a msg is kept');

      await helper.setFlows([{ id: 'tab', type: 'tab' }], 'full');
      const kept = JSON.parse(await readFile(join(userDir, 'ml-connector-state', 'sync-queue-queue.json'), 'utf8')) as unknown;
      assert.deepEqual(kept, { jobs: [], deadLetters: [] }, 'a deleted queue keeps nothing');
    });

    it('spends no attempt and keeps the retry time across redeploys during a backoff', async () => {
      const flow = orderFlow({ attempts: 3, backoff: 0.6, maxBackoff: 0.6 });
      await helper.load([useCatalogs, syncQueue, syncOrderMapper, catchNode], flow);
      let attempts = inbox(helper.getNode('mapper'));
      helper.getNode('queue').receive({ payload: order(253, 0), orderId: 253 });
      await until(() => attempts.length === 1, 'the first attempt fails');
      const failedAt = Date.now();
      const starts: number[] = [];
      for (let redeploy = 0; redeploy < 3; redeploy++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        await helper.unload();
        await helper.load([useCatalogs, syncQueue, syncOrderMapper, catchNode], flow);
        attempts = inbox(helper.getNode('mapper'));
        helper.getNode('mapper').on('input', (() => starts.push(Date.now())) as never);
      }
      await until(() => attempts.length === 1, 'the second attempt, after the backoff');
      assert.ok(starts[0]! - failedAt >= 550, `the retry ran ${starts[0]! - failedAt} ms after the failure, not after the 600 ms backoff`);
      assert.equal((attempts[0]?.queueJob as { attempt: number }).attempt, 2);
    });

        it('keeps a dead letter (without the request) across a restart, holds its id, and runs it again on a redrive msg', async () => {
      await helper.load([useCatalogs, syncQueue, syncOrderMapper, catchNode], orderFlow({ attempts: 1 }));
      const dead = inbox(helper.getNode('dead'));
      helper.getNode('queue').receive({ payload: order(252, 0), orderId: 252, req: { headers: { 'x-shared-secret': 'hush-hush-secret' } } });
      await until(() => dead.length === 1, 'the order without lines is a dead letter');
      assert.equal(dead[0]?.req, undefined, 'the dead-letter output carries no http request');
      await helper.unload();

      const file = await readFile(join(userDir, 'ml-connector-state', 'sync-queue-queue.json'), 'utf8');
      assert.ok(!file.includes('hush-hush-secret'), 'the kept dead letter carries no request headers');
      await helper.load([useCatalogs, syncQueue, syncOrderMapper, catchNode], orderFlow({ attempts: 1 }));
      const queue = helper.getNode('queue') as TestNode & { deadLetters(): Promise<Array<{ id: string; failure: { message: string } }>> };
      const seen = statuses(queue);
      const letters = await queue.deadLetters();
      assert.deepEqual(letters.map((letter) => letter.id), ['order:252']);
      assert.match(letters[0]!.failure.message, /no product lines/);
      const attempts = inbox(helper.getNode('mapper'));
      const deadAgain = inbox(helper.getNode('dead'));
      queue.receive({ payload: order(252, 0), orderId: 252 });
      await until(() => seen.at(-1)?.text === '1 dead letter · 1 duplicate', 'a new msg for the dead letter\'s id is held');
      assert.equal(attempts.length, 0);
      queue.receive({ topic: 'redrive', payload: 'order:252' });
      await until(() => attempts.length === 1, 'the re-driven dead letter runs');
      assert.deepEqual(attempts[0]?.queueJob, { id: 'order:252', attempt: 1, queue: 'orders' });
      await until(() => deadAgain.length === 1, 'it fails again, and is a dead letter again');
    });

    it('sends a msg without a job id, or a BullMQ queue without Redis settings, to Catch with the reason', async () => {
      await helper.load([useCatalogs, syncQueue, catchNode], [
        { id: 'tab', type: 'tab' },
        { id: 'queue', z: 'tab', ...at, type: 'sync-queue', queueName: 'orders', wires: [[], []] },
        { id: 'redisless', z: 'tab', ...at, type: 'sync-queue', queueName: 'orders', backend: 'bullmq', wires: [[], []] },
        { id: 'catch', z: 'tab', ...at, type: 'catch', scope: ['queue', 'redisless'], wires: [['caught']] },
        { id: 'caught', z: 'tab', ...at, type: 'helper' },
      ]);
      const caught = inbox(helper.getNode('caught'));
      helper.getNode('queue').receive({ payload: 'no id here' });
      helper.getNode('redisless').receive({ orderId: 3 });
      await until(() => caught.length === 2, 'both errors reach Catch');
      const messages = caught.map((msg) => (msg.error as { message: string }).message).join('\n');
      assert.match(messages, /sync-queue: no job id in the msg \(looked at msg\.orderId, msg\.resourceId, msg\.payload\.data\.id\)/);
      assert.match(messages, /sync-queue redisless: no sync-redis configuration is selected/);
    });
  });

  describe('BullMQ on Redis', () => {
    const prefix = uniquePrefix();
    let redisUp = false;
    before(async function () {
      await requireRedis(this);
      redisUp = true;
    });
    after(async () => {
      if (redisUp) await removeKeys(prefix);
    });

    it('carries the JSON part of the msg through Redis and completes the job on the ack', async () => {
      await helper.load([useCatalogs, syncQueue, syncRedis], [
        { id: 'tab', type: 'tab' },
        { id: 'redis', type: 'sync-redis', url: 'redis://127.0.0.1:6379', keyPrefix: prefix },
        { id: 'queue', z: 'tab', ...at, type: 'sync-queue', queueName: 'node-test', backend: 'bullmq', redis: 'redis', concurrency: 1, attempts: 2, backoff: 0.01, maxBackoff: 0.01, ackTimeout: 30, wires: [['out'], []] },
        { id: 'out', z: 'tab', ...at, type: 'helper' },
      ]);
      const queue = helper.getNode('queue');
      const seen = statuses(queue);
      const started = nextMessage<NodeMessage>(helper.getNode('out'));
      queue.receive({ payload: { scope: 'store/order/created', data: { id: 77 } }, req: { headers: {} }, res: { _res: {} } });
      const msg = await started;
      assert.deepEqual(msg.payload, { scope: 'store/order/created', data: { id: 77 } });
      assert.equal(msg.req, undefined);
      assert.equal(msg.res, undefined);
      assert.deepEqual(msg.queueJob, { id: 'order:77', attempt: 1, queue: 'node-test' });
      queue.receive(msg);
      await until(() => seen.at(-1)?.text === 'idle', 'the ack completes the job');
    });

    it('runs a webhook delivered to two Node-RED instances sharing one Redis as one job', async () => {
      const first = new MiniRuntime();
      const second = new MiniRuntime();
      const flow = [
        { id: 'redis', type: 'sync-redis', url: 'redis://127.0.0.1:6379', keyPrefix: prefix },
        { id: 'queue', type: 'sync-queue', queueName: 'shared', backend: 'bullmq', redis: 'redis', concurrency: 2, attempts: 3, backoff: 1, maxBackoff: 1, ackTimeout: 30 },
      ];
      for (const runtime of [first, second]) runtime.load([syncRedis, syncQueue], flow);
      try {
        const webhook = { payload: { scope: 'store/order/created', data: { type: 'order', id: 4242 } }, resourceId: 4242 };
        await Promise.all([first.deliver('queue', webhook), second.deliver('queue', webhook)]);
        const runs = () => [...first.outputs('queue', 0), ...second.outputs('queue', 0)];
        await until(() => runs().length === 1, 'one instance starts the job');
        const runner = first.outputs('queue', 0).length === 1 ? first : second;
        const job = runner.outputs('queue', 0)[0] as NodeMessage;
        assert.deepEqual(job.queueJob, { id: 'order:4242', attempt: 1, queue: 'shared' });
        await runner.deliver('queue', job);
        await until(() => /^(idle|\d+ duplicates?)$/.test(runner.lastStatus('queue')?.text ?? ''), 'the ack completes the job');
        assert.equal(runs().length, 1);
        const dropped = [first, second].map((runtime) => runtime.lastStatus('queue')?.text ?? '');
        assert.ok(dropped.some((text) => text.includes('1 duplicate')), `one instance counts the duplicate: ${dropped.join(' / ')}`);
      } finally {
        await Promise.all([first.close(), second.close()]);
      }
    });
  });
});

/**
 * Just enough of a Node-RED runtime to run this package's nodes in a second (and third) instance inside one
 * test process, the way separate Node-RED processes would: each has its own nodes, connections and outputs.
 */
class MiniRuntime {
  private readonly constructors = new Map<string, (this: never, definition: NodeDefinition) => void>();
  private readonly nodes = new Map<string, MiniNode>();

  readonly RED = {
    nodes: {
      createNode: (node: object, definition: NodeDefinition) => Object.assign(Object.setPrototypeOf(node, MiniNode.prototype), new MiniNode(definition)),
      registerType: (type: string, constructor: (this: never, definition: NodeDefinition) => void) => this.constructors.set(type, constructor),
      getNode: (id: string) => this.nodes.get(id),
      getCredentials: () => undefined,
    },
    settings: {},
    util: {
      cloneMessage: <T>(msg: T): T => structuredClone(msg),
      getMessageProperty: (msg: NodeMessage, path: string): unknown => path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], msg),
    },
    log: { info() {}, warn() {}, error() {}, debug() {} },
    _: translate,
  } as unknown as NodeAPI;

  load(modules: Array<(RED: NodeAPI) => void>, flow: NodeDefinition[]): void {
    for (const register of modules) register(this.RED);
    for (const definition of flow) {
      const constructor = this.constructors.get(definition.type);
      if (!constructor) throw new Error(`no node type ${definition.type}`);
      const node = {} as MiniNode;
      (constructor as (this: MiniNode, definition: NodeDefinition) => void).call(node, definition);
      this.nodes.set(definition.id, node);
    }
  }

  /** Sends a msg into a node and waits for its handler to finish (done). */
  deliver(id: string, msg: NodeMessage): Promise<void> {
    return this.node(id).deliver(structuredClone(msg));
  }

  outputs(id: string, port: number): NodeMessage[] {
    return this.node(id).sent[port] ?? [];
  }

  lastStatus(id: string): NodeStatus | undefined {
    return this.node(id).statuses.at(-1);
  }

  async close(): Promise<void> {
    await Promise.all([...this.nodes.values()].map((node) => node.close()));
  }

  private node(id: string): MiniNode {
    const node = this.nodes.get(id);
    if (!node) throw new Error(`no node ${id}`);
    return node;
  }
}

class MiniNode {
  readonly id: string;
  readonly type: string;
  readonly name?: string;
  readonly credentials = {};
  readonly sent: NodeMessage[][] = [];
  readonly statuses: NodeStatus[] = [];
  private readonly events = new EventEmitter();

  constructor(definition: NodeDefinition) {
    this.id = definition.id;
    this.type = definition.type;
    this.name = definition.name;
  }

  on(event: string, listener: Parameters<EventEmitter['on']>[1]): void {
    this.events.on(event, listener);
  }

  send(msg: NodeMessage | Array<NodeMessage | null>): void {
    (Array.isArray(msg) ? msg : [msg]).forEach((out, port) => {
      if (out) (this.sent[port] ??= []).push(out);
    });
  }

  status(status: NodeStatus): void {
    this.statuses.push(status);
  }

  warn(): void {}
  error(): void {}
  log(): void {}
  debug(): void {}

  deliver(msg: NodeMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      this.events.emit('input', msg, (out: NodeMessage | Array<NodeMessage | null>) => this.send(out), (err?: Error) => (err ? reject(err) : resolve()));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.events.listenerCount('close') === 0) return resolve();
      this.events.emit('close', false, resolve);
    });
  }
}
