/**
 * The end-to-end harness: the simulators, a real Node-RED process running the example flow pointed at them,
 * and what a test watches while the flow works — the editor's debug sidebar and node status (over Node-RED's
 * comms websocket), the store's exchanges and the Sage company's state. Every wait is bounded.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { WebSocket } from 'undici';
import { Webhook } from 'standardwebhooks';
import { ORDER_SCOPES } from '../../lib/bigcommerce/hooks';
import { startSage100Simulator, type Sage100Simulator } from '../../sandbox/sage100';
import { findNode, sandboxFlows, type FlowNode, type SandboxFlowOptions, type SimulatorEndpoints } from '../../sandbox/flows';
import { removeUserDir, startNodeRed, type NodeRedProcess } from '../../sandbox/node-red-process';
import { receiveWebhooks, startTestStore, type TestStore, type TestStoreOptions } from '../support/bigcommerce';

export const WEBHOOK_PATH = '/bigcommerce/webhook';
const DEFAULT_WAIT_MS = 30_000;

/** Resolves with the first truthy value `probe` gives, checking every 50 ms, or rejects naming `what` after `ms`. */
export async function eventually<T>(probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, what: string, ms = DEFAULT_WAIT_MS): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// ---- simulators -----------------------------------------------------------------------------------------

export interface Simulators {
  /** The BigCommerce simulator with the contract recorder: every exchange is checked against the official OpenAPI files. */
  bc: TestStore;
  sage: Sage100Simulator;
  endpoints: SimulatorEndpoints;
  close(): Promise<void>;
}

export async function startSimulators(options: { bc?: TestStoreOptions } = {}): Promise<Simulators> {
  const bc = await startTestStore(options.bc);
  const sage = await startSage100Simulator().catch(async (err: unknown) => {
    await bc.close();
    throw err;
  });
  return {
    bc,
    sage,
    endpoints: {
      bigcommerce: { apiUrl: bc.apiUrl, storeHash: bc.storeHash, accessToken: bc.accessToken, clientSecret: bc.clientSecret },
      sage100: {
        agentUrl: sage.agentUrl,
        apiKey: sage.apiKey,
        companyCode: sage.companyCode,
        fingerprint256: sage.fingerprint256,
        soap: { url: sage.soapUrl, username: sage.username, password: sage.password },
      },
    },
    async close() {
      await Promise.all([bc.close(), sage.close()]);
    },
  };
}

// ---- what the editor would show: debug sidebar and node status ------------------------------------------

export interface DebugEntry {
  /** The debug node's id and name. */
  id: string;
  name: string;
  /** What the node shows, decoded (objects parsed back from Node-RED's encoding). */
  value: unknown;
}

/** The example flow's debug nodes behind its Catch nodes and the queue's dead-letter output. */
export const PROBLEM_DEBUG_NODES = ['order errors', 'dead letters', 'catalog errors', 'reconciliation errors', 'fulfillment errors', 'shipments to check'];

export interface NodeStatusShown {
  text?: string;
  fill?: string;
}

interface CommsMessage {
  topic: string;
  data: Record<string, unknown>;
}

/**
 * The editor's view of a running flow, through Node-RED's comms websocket: every debug sidebar entry and the
 * latest status of each node. The debug nodes of the example flow are its outputs (sales orders, dead letters,
 * push summaries), so tests read outcomes where a user would.
 */
export class EditorView {
  readonly debug: DebugEntry[] = [];
  /** The latest status of each node, by id. */
  readonly status = new Map<string, NodeStatusShown>();
  /** Every status change, in order. */
  readonly statusLog: Array<NodeStatusShown & { id: string }> = [];

  private constructor(private readonly socket: WebSocket) {}

  static async open(nodeRed: NodeRedProcess): Promise<EditorView> {
    const socket = new WebSocket(`${nodeRed.url.replace(/^http/, 'ws')}/comms`);
    const view = new EditorView(socket);
    let subscribed = false;
    socket.addEventListener('message', (event) => {
      for (const message of JSON.parse(String(event.data)) as CommsMessage[]) {
        subscribed = true;
        view.receive(message);
      }
    });
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error(`could not open ${nodeRed.url}/comms`)), { once: true });
    });
    socket.send(JSON.stringify({ subscribe: 'debug' }));
    socket.send(JSON.stringify({ subscribe: 'status/#' }));
    // Node-RED answers a status subscription with the retained status of every node (the queue always has
    // one), after the debug subscription on the same socket: from then on no debug entry is missed.
    await eventually(() => subscribed, 'the editor connection to receive node status', 10_000);
    return view;
  }

  private receive({ topic, data }: CommsMessage): void {
    if (topic === 'debug') {
      this.debug.push({ id: String(data.id), name: String(data.name ?? ''), value: decodeDebugValue(data) });
    } else if (topic.startsWith('status/')) {
      const id = topic.slice('status/'.length);
      const shown = { text: data.text === undefined ? undefined : String(data.text), fill: data.fill === undefined ? undefined : String(data.fill) };
      this.status.set(id, shown);
      this.statusLog.push({ id, ...shown });
    }
  }

  /** The values shown so far by the debug node named `name`. */
  values<T = unknown>(name: string): T[] {
    return this.debug.filter((entry) => entry.name === name).map((entry) => entry.value as T);
  }

  /** Throws with the first thing a Catch or dead-letter debug node showed: a wait for an outcome need not run out. */
  throwOnProblems(): void {
    const problem = this.debug.find((entry) => PROBLEM_DEBUG_NODES.includes(entry.name));
    if (problem) throw new Error(`the flow's "${problem.name}" debug node shows: ${JSON.stringify(problem.value)}`);
  }

  /** Waits until the debug node named `name` has shown a value `match` accepts (and its position), and returns that value. */
  async waitForDebug<T = unknown>(name: string, match: (value: T, index: number) => boolean, what: string, ms = DEFAULT_WAIT_MS): Promise<T> {
    const found = await eventually(() => {
      this.throwOnProblems();
      const values = this.values<T>(name);
      const index = values.findIndex(match);
      return index >= 0 && { value: values[index] as T };
    }, `debug "${name}": ${what}`, ms);
    return found.value;
  }

  close(): void {
    this.socket.close();
  }
}

function decodeDebugValue(data: Record<string, unknown>): unknown {
  const format = String(data.format ?? '');
  if (typeof data.msg === 'string' && (format.startsWith('Object') || format.startsWith('array'))) return JSON.parse(data.msg) as unknown;
  return data.msg;
}

// ---- a Node-RED runtime with the example flow -----------------------------------------------------------

export interface Runtime {
  nodeRed: NodeRedProcess;
  /** The flow as deployed. */
  flows: FlowNode[];
  editor: EditorView;
  /** Where BigCommerce delivers webhooks to this runtime. */
  webhookUrl: string;
  /** The id of the node of `type` (and `name`) in the deployed flow. */
  idOf(type: string, name?: string): string;
  /** The last lines Node-RED printed, for a failing test's report. */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

/**
 * Node-RED in a temporary user directory (removed on stop) with this package linked from dist/, running the
 * example flow pointed at the simulators. Schedules are off unless asked for: tests press the inject buttons.
 */
export async function startRuntime(endpoints: SimulatorEndpoints, options: SandboxFlowOptions = {}): Promise<Runtime> {
  const userDir = mkdtempSync(join(tmpdir(), 'ml-connector-e2e-'));
  let nodeRed: NodeRedProcess | undefined;
  let editor: EditorView | undefined;
  try {
    nodeRed = await startNodeRed({ userDir, settings: { debugMaxLength: 1_000_000 } });
    const flows = sandboxFlows(endpoints, { withoutSchedules: true, ...options });
    await nodeRed.deploy(flows);
    editor = await EditorView.open(nodeRed);
    const running = nodeRed;
    const view = editor;
    return {
      nodeRed: running,
      flows,
      editor: view,
      webhookUrl: `${running.url}${WEBHOOK_PATH}`,
      idOf: (type, name) => findNode(flows, type, name).id,
      logTail: (lines = 40) => running.log().split('\n').slice(-lines).join('\n'),
      async stop() {
        view.close();
        await running.stop();
        removeUserDir(userDir);
      },
    };
  } catch (err) {
    editor?.close();
    await nodeRed?.stop();
    removeUserDir(userDir);
    throw err;
  }
}

/** In an `afterEach`: when the test failed, prints what each runtime logged last and what its debug sidebar showed. */
export function reportFailure(context: Mocha.Context, runtimes: Array<Runtime | undefined>): void {
  if (context.currentTest?.state !== 'failed') return;
  runtimes.forEach((runtime, index) => {
    if (!runtime) return;
    const debug = runtime.editor.debug.slice(-10).map((entry) => `  ${entry.name}: ${JSON.stringify(entry.value)}`);
    console.log(`--- Node-RED ${index + 1}: last log lines ---\n${runtime.logTail()}\n--- Node-RED ${index + 1}: last debug entries ---\n${debug.join('\n')}`);
  });
}

// ---- the Orders tab ----------------------------------------------------------------------------------

export interface SalesOrderOutcome {
  salesOrderNo: string;
  outcome: 'created' | 'already-posted';
}

/** What the Orders tab's "sales orders" debug node showed: one entry per job that reached the sales order node. */
export const salesOrderOutcomes = (runtime: Runtime): SalesOrderOutcome[] => runtime.editor.values<SalesOrderOutcome>('sales orders');

export interface HeldOrder {
  orderId: number;
  reason: string;
  field?: string;
  kind: string;
}

/** What the Orders tab's "held orders" debug node showed: one entry per order the mapper held. */
export const heldOrders = (runtime: Runtime): HeldOrder[] => runtime.editor.values<HeldOrder>('held orders');

/** Jobs the order queue dropped as already queued or running ("N duplicates" in its status). */
export function queueDrops(runtime: Runtime): number {
  const text = runtime.editor.status.get(runtime.idOf('sync-queue'))?.text ?? '';
  return Number(/(\d+) duplicates?\b/.exec(text)?.[1] ?? 0);
}

/**
 * Presses the Orders tab's backfill inject on each runtime and waits until the poll is over (its status says
 * how many orders it sent on) and each order it sent became a job that ended, or was dropped as one already
 * queued.
 */
export async function backfill(runtimes: Runtime[]): Promise<void> {
  // A job ends with a sales order, or held by the mapper (an imported order seen again, one that waits …).
  const ended = () => runtimes.reduce((sum, runtime) => sum + salesOrderOutcomes(runtime).length + heldOrders(runtime).length, 0);
  const dropped = () => runtimes.reduce((sum, runtime) => sum + queueDrops(runtime), 0);
  // Counted from a settled queue: a drop of earlier work whose status arrives late would count as this backfill's.
  await eventually(
    () => runtimes.every((runtime) => !/running|waiting/.test(runtime.editor.status.get(runtime.idOf('sync-queue'))?.text ?? '')),
    'the order queues have finished earlier work',
  );
  const [endedBefore, droppedBefore] = [ended(), dropped()];
  const accounted = () => ended() - endedBefore + dropped() - droppedBefore;
  const progress = () => `${ended() - endedBefore} jobs ended, ${dropped() - droppedBefore} dropped`;
  const sent = await Promise.all(runtimes.map((runtime) => pollOnce(runtime)));
  const jobs = sent.reduce((sum, orders) => sum + orders, 0);
  await eventually(() => {
    for (const runtime of runtimes) runtime.editor.throwOnProblems();
    return accounted() >= jobs;
  }, `the backfill: each of the ${jobs} orders the polls sent becomes a job that ends, or is dropped as a duplicate`).catch((err: unknown) => {
    throw new Error(`${(err as Error).message} (${progress()})`);
  });
  if (accounted() !== jobs) throw new Error(`the backfill polls sent ${jobs} orders, but ${progress()}`);
}

/** Presses the backfill inject and returns how many orders the poll sent on (from its final status). */
async function pollOnce(runtime: Runtime): Promise<number> {
  const pollId = runtime.idOf('bigcommerce-order', 'orders modified since last poll');
  const from = runtime.editor.statusLog.length;
  await runtime.nodeRed.inject(runtime.idOf('inject', 'every 15 min'));
  const { orders } = await eventually(() => {
    const shown = runtime.editor.statusLog.slice(from).find((entry) => entry.id === pollId && (entry.fill === 'green' || entry.fill === 'red'));
    if (shown?.fill === 'red') throw new Error(`the backfill poll failed: ${shown.text}`);
    return shown && { orders: Number(/^(\d+) orders?\b/.exec(shown.text ?? '')?.[1] ?? Number.NaN) };
  }, 'the backfill poll ends');
  if (!Number.isInteger(orders)) throw new Error('the backfill poll ended without saying how many orders it sent');
  return orders;
}

// ---- webhooks -------------------------------------------------------------------------------------------

/** Subscribes `destination` to the order events the integration listens to, as Register webhooks would. */
export function registerOrderHooks(bc: TestStore, destination: string): void {
  for (const scope of ORDER_SCOPES) bc.store.addHook({ scope, destination, client_id: bc.clientId });
}

/** Runs `action` with every webhook switched off, so its events reach nobody: a webhook that never arrived. */
export function withHooksOff<T>(bc: TestStore, action: () => T): T {
  const active = [...bc.store.hooks.values()].filter((hook) => hook.isActive);
  for (const hook of active) hook.isActive = false;
  try {
    return action();
  } finally {
    for (const hook of active) hook.isActive = true;
  }
}

export interface SignedDelivery {
  /** The body exactly as BigCommerce sent it. */
  body: string;
  /** Its content-type and Standard Webhooks headers. */
  headers: Record<string, string>;
}

/**
 * The store/order/created delivery of the order `place` makes, signed by the simulator, caught before it
 * reaches any runtime (the other hooks are off meanwhile), so a test can deliver it itself.
 */
export async function captureOrderCreated(bc: TestStore, place: () => number): Promise<{ orderId: number; delivery: SignedDelivery }> {
  const receiver = await receiveWebhooks();
  const hook = bc.store.addHook({ scope: 'store/order/created', destination: receiver.url, client_id: bc.clientId, is_active: false });
  try {
    const orderId = withHooksOff(bc, () => {
      hook.isActive = true;
      return place();
    });
    const [received] = await receiver.waitFor(1, 10_000);
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'webhook-id', 'webhook-timestamp', 'webhook-signature']) headers[name] = String(received!.headers[name]);
    return { orderId, delivery: { body: received!.rawBody, headers } };
  } finally {
    bc.store.hooks.delete(hook.id);
    await receiver.close();
  }
}

/** The same body signed again with `secret` (the store's client secret, or any other) at `at` (default: as sent). */
export function resigned(delivery: SignedDelivery, secret: string, at?: Date): SignedDelivery {
  const signer = new Webhook(Buffer.from(secret, 'utf8').toString('base64'));
  const id = delivery.headers['webhook-id']!;
  const timestamp = at ?? new Date(Number(delivery.headers['webhook-timestamp']) * 1000);
  const headers = { ...delivery.headers, 'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)), 'webhook-signature': signer.sign(id, timestamp, delivery.body) };
  return { body: delivery.body, headers };
}

/** POSTs a delivery to a runtime's webhook endpoint and returns the status it answered. */
export async function deliver(url: string, delivery: SignedDelivery): Promise<number> {
  const response = await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body });
  await response.arrayBuffer();
  return response.status;
}

// ---- Sage --------------------------------------------------------------------------------------------------

export type SageSalesOrder = ReturnType<Sage100Simulator['company']['state']>['salesOrders'][number];

/** Every Sage sales order made for a BigCommerce order (CustomerPONo carries the order id, as the mapper is set up). */
export function salesOrdersFor(sage: Sage100Simulator, orderId: number, customerPoPrefix = 'BC'): SageSalesOrder[] {
  return sage.company.state().salesOrders.filter((order) => order.CustomerPONo === `${customerPoPrefix}${orderId}`);
}

// ---- Redis ----------------------------------------------------------------------------------------------

export const REDIS_URL = 'redis://127.0.0.1:6379';
export const REDIS_MISSING = 'Redis is not running on 127.0.0.1:6379 (the multi-instance test needs it)';

async function redisAnswers(): Promise<boolean> {
  const redis = new IORedis(REDIS_URL, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** In a `before` hook: fails with a clear message when Redis is absent, or skips with it when SKIP_REDIS_TESTS=1. */
export async function requireRedis(context: Mocha.Context): Promise<void> {
  if (await redisAnswers()) return;
  if (process.env.SKIP_REDIS_TESTS === '1') {
    console.warn(`      skipped: ${REDIS_MISSING}`);
    context.skip();
  }
  throw new Error(REDIS_MISSING);
}
