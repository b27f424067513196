import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ORDER_SCOPES } from '../lib/bigcommerce/hooks';
import { readSettings } from '../lib/settings/definition';
import { orderNumberingSettings } from '../lib/settings/sync';
import { startBigCommerceSimulator, type BigCommerceSimulator, type FaultRule } from '../sandbox/bigcommerce';
import { changeSageItem, demoOrderInput, nextDemoOrder, placeDemoOrder, seedDemoWorld, type DemoOrder, type DemoWorld } from '../sandbox/demo';
import { findNode, loadExampleFlow, sandboxFlows, type FlowNode } from '../sandbox/flows';
import { freePort, removeUserDir, startNodeRed, type NodeRedProcess } from '../sandbox/node-red-process';
import { startSage100Simulator, type Sage100Simulator } from '../sandbox/sage100';
import type { FaultRule as SageFaultRule } from '../sandbox/sage100/company';
import type { PushSummary } from '../lib/sync/stock';
import { EditorFeed, type StatusEntry } from './chaos-editor';
import { generatedOrders, mapperTab, runMapper, type Json, type MapperRun } from './chaos-mapper';
import { chaosSecrets, LeakScanner, type ChaosSecrets, type Leak } from './chaos-secrets';
import { deliverAll, forgeries, FORGERY_KINDS } from './chaos-webhooks';
import { sleep, waitFor } from './harness';

/**
 * Issue 7's chaos run: the example flow in a real Node-RED process against both simulators while they
 * misbehave, then the invariants checked from the outside (Sage's company, the store, what the editor and
 * the log show). Used by `npm run chaos` (bench/chaos.ts, 2,000 orders) and the short variant in `npm test`
 * (test/e2e/chaos.test.ts). Every wait has a deadline.
 */

export interface ChaosOptions {
  /** Web orders placed during the storm. */
  orders: number;
  /** Orders generated for the mapper node. */
  mapperOrders: number;
  /** Forged, tampered, replayed and unsigned webhook deliveries. */
  forgeries: number;
  /** Checkout rate during the storm; default 20 a second. */
  ordersPerSecond?: number;
  /** Demo catalog size (Sage items = store products); default 300. */
  items?: number;
  /** How long Sage refuses every connection in the outage phase; default 30 s (several times the queue's old 10-attempt schedule). */
  sageOutageMs?: number;
  seed?: number;
  /** Progress lines; silent by default. */
  log?: (line: string) => void;
}

export interface ChaosReport {
  /** `CHAOS <name>=<value>` figures, in print order. */
  figures: Record<string, number>;
  /** Broken invariants, each a sentence; empty when the run passed. */
  violations: string[];
  leaks: Leak[];
  mapper: MapperRun;
  lostOrders: number[];
  duplicatedReferences: string[];
  stockMismatches: StockMismatch[];
}

type SnapshotPushSummary = Pick<PushSummary, 'pushed' | 'failed' | 'heldBack'>;

interface StockMismatch {
  sku: string;
  store: number | undefined;
  sage: number;
}

/** The Sage timeout the run gives the config node; a commit-then-timeout holds its answer a second longer. */
const SAGE_TIMEOUT_MS = 1500;
/** A 429 storm lasts half the simulator's quota window, and one starts every few seconds. */
const STORM_MS = 1500;
const STORM_EVERY_MS = 6000;
/** A wait in which neither Sage nor the queue changes for this long has stalled. */
const STALL_MS = 120_000;
/** Order ids of forged deliveries start here: far above anything the store has. */
const FORGED_ORDER_IDS_FROM = 9_000_000;
/** Probabilistic Sage rules fire until cleared. */
const ENDLESS = 1e9;
/** The queue settings of the run: quick retries, so faults resolve in seconds. */
const QUEUE = { concurrency: 4, attempts: 10, backoff: 0.2, maxBackoff: 2, ackTimeout: 30, retryFor: 1 };
/** Under the old rule a job died after QUEUE.attempts tries: the waits between them, in ms. */
const OLD_DEAD_AFTER_MS = Array.from({ length: QUEUE.attempts - 1 }, (_, n) => Math.min(QUEUE.maxBackoff, QUEUE.backoff * 2 ** n) * 1000).reduce((a, b) => a + b, 0);
/** Orders the dead-letter phase sends to the dead letters (Sage refuses them as not allowed, which is no outage). */
const DEAD_LETTER_ORDERS = 3;
/** An operator's button added to the flow: re-drive every dead letter of the order queue. */
const REDRIVE_INJECT = 'redrive all dead letters';

const BIGCOMMERCE_FAULTS: FaultRule[] = [
  { kind: 'duplicate-webhook', probability: 0.1 },
  { kind: 'error', status: 500, probability: 0.1 },
  // The rest of the 20 %: processed, then answered 503, so a write happened without the client knowing.
  { kind: 'error', status: 503, phase: 'after', probability: 0.1 / 0.9 },
];

const SAGE_FAULTS: SageFaultRule[] = [
  // The first create surely, then one in twenty: Sage commits, and the answer does not come in time. The flow
  // creates through the agent's create-if-absent.
  { kind: 'commit-then-timeout', operation: 'ensureSalesOrder', ms: SAGE_TIMEOUT_MS + 1000 },
  { kind: 'commit-then-timeout', operation: 'ensureSalesOrder', ms: SAGE_TIMEOUT_MS + 1000, probability: 0.05, times: ENDLESS },
  { kind: 'fault', status: 500, probability: 0.1, times: ENDLESS },
  { kind: 'fault', status: 503, code: 'Unavailable', message: 'The Sage 100 session is busy.', probability: 0.1 / 0.9, times: ENDLESS },
];

/** The example flow's settings the run changes: quick retries and short timeouts, so faults resolve in seconds. */
function chaosOverrides(): Record<string, Record<string, unknown>> {
  const example = loadExampleFlow();
  const overrides: Record<string, Record<string, unknown>> = {
    [findNode(example, 'sync-queue', 'order jobs').id]: QUEUE,
    [findNode(example, 'bigcommerce-config').id]: { timeout: 5 },
    [findNode(example, 'sage100-config').id]: { timeoutMs: SAGE_TIMEOUT_MS },
  };
  // The log then holds what the sidebar showed too, across the restart (a full msg with an http request in it
  // stays in the sidebar: printed, it would be the whole socket).
  for (const node of example) if (node.type === 'debug' && node.complete !== 'true') overrides[node.id] = { console: true };
  return overrides;
}

/** Everything a phase of the run works with. */
class ChaosWorld {
  readonly placed = new Map<number, DemoOrder['lines']>();
  /** Web orders placed in statuses that must never become sales orders (Pending, Awaiting Payment, then Cancelled). */
  readonly ineligible = new Set<number>();
  /** Calls for one order (`/v2/orders/{id}` and below) the store received, by order id. */
  readonly orderCalls = new Map<number, number>();
  private storming?: NodeJS.Timeout;
  private calm?: NodeJS.Timeout;
  storms = 0;

  constructor(
    readonly options: ChaosOptions,
    readonly bc: BigCommerceSimulator,
    readonly sage: Sage100Simulator,
    readonly demo: DemoWorld,
    readonly nodeRed: NodeRedProcess,
    readonly editor: EditorFeed,
    readonly flows: FlowNode[],
    readonly scanner: LeakScanner,
    readonly secrets: ChaosSecrets,
    readonly log: (line: string) => void,
  ) {
    bc.onExchange((exchange) => {
      const match = /^\/orders\/(\d+)/.exec(exchange.apiPath ?? '');
      if (match) this.orderCalls.set(Number(match[1]), (this.orderCalls.get(Number(match[1])) ?? 0) + 1);
    });
  }

  id(type: string, name?: string): string {
    return findNode(this.flows, type, name).id;
  }

  /** Presses the button of the inject node with this name, as in the editor. */
  inject(name: string): Promise<void> {
    return this.nodeRed.inject(this.id('inject', name));
  }

  salesOrders() {
    return this.sage.company.state().salesOrders;
  }

  /** Every sales order Sage holds, open or (invoiced, journal updated) in SO history, once each. */
  everySalesOrder() {
    const state = this.sage.company.state();
    const byNumber = new Map(state.salesOrderHistory.map((order) => [order.SalesOrderNo, order]));
    for (const order of state.salesOrders) byNumber.set(order.SalesOrderNo, order);
    return [...byNumber.values()];
  }

  /** The longest one wait of the run may take: the order queue drains at a few orders a second under these faults. */
  get settleMs(): number {
    return 300_000 + this.options.orders * 1500;
  }

  /**
   * Waits until the order queue is empty and Sage's sales orders have not changed for two seconds. Fails early
   * when nothing moves (no new sales order, no change in the queue) for STALL_MS.
   */
  async settle(what: string): Promise<void> {
    const queueId = this.id('sync-queue', 'order jobs');
    let seen = '';
    let movedAt = Date.now();
    let reportedAt = Date.now();
    await waitFor(
      what,
      () => {
        const orders = this.salesOrders().length;
        const queue = this.editor.latestStatus(queueId)?.text ?? '';
        const now = Date.now();
        if (`${orders} ${queue}` !== seen) [seen, movedAt] = [`${orders} ${queue}`, now];
        if (now - movedAt > STALL_MS) throw new Error(`${what}: stalled for ${STALL_MS / 1000} s at ${orders} sales orders, queue "${queue}"`);
        if (now - reportedAt > 30_000) {
          reportedAt = now;
          this.log(`draining: Sage has ${orders} sales orders; queue: ${queue}`);
        }
        // Nothing running or waiting: the status then shows only dead letters and duplicates, or "idle".
        return queue !== '' && !/running|waiting/.test(queue) && now - movedAt > 2000 ? true : undefined;
      },
      { timeoutMs: this.settleMs, intervalMs: 250 },
    );
  }

  /** A web order for what the store has in stock, as a checkout allows; false when nothing asked for is in stock. */
  placeOrder(): boolean {
    for (let attempt = 0; attempt < 20; attempt++) {
      const order = nextDemoOrder(this.demo);
      const lines = order.lines.filter((line) => (this.bc.store.stockOf(line.sku) ?? 0) >= line.quantity);
      if (lines.length === 0) continue;
      this.placed.set(placeDemoOrder(this.bc, { ...order, lines }), lines);
      return true;
    }
    return false;
  }

  /** A web order in a status that is not (yet) eligible for Sage; not expected to become a sales order. */
  placeIneligible(statusId: number): number | undefined {
    for (let attempt = 0; attempt < 20; attempt++) {
      const order = nextDemoOrder(this.demo);
      const lines = order.lines.filter((line) => (this.bc.store.stockOf(line.sku) ?? 0) >= line.quantity);
      if (lines.length === 0) continue;
      const id = this.bc.store.placeOrder({ ...demoOrderInput({ ...order, lines }), status_id: statusId }).id;
      this.ineligible.add(id);
      return id;
    }
    return undefined;
  }

  faultsOn(): void {
    this.bc.faults.set(BIGCOMMERCE_FAULTS);
    this.sage.faults.set(SAGE_FAULTS);
  }

  /** 429 storms from now until faultsOff: every few seconds every request is refused for a while, whatever the quota says. */
  startStorms(): void {
    const storm = () => {
      this.bc.faults.set([...BIGCOMMERCE_FAULTS, { kind: 'rate-limit' }]);
      this.storms++;
      this.calm = setTimeout(() => this.bc.faults.set(BIGCOMMERCE_FAULTS), STORM_MS);
    };
    storm();
    this.storming = setInterval(storm, STORM_EVERY_MS);
  }

  faultsOff(): void {
    clearInterval(this.storming);
    clearTimeout(this.calm);
    this.bc.faults.clear();
    this.sage.faults.clear();
  }

  /** Presses the backfill poll's inject and waits for the poll to end; returns its last status (green: done). */
  async poll(): Promise<StatusEntry> {
    const pollId = this.id('bigcommerce-order', 'orders modified since last poll');
    const mark = this.editor.mark();
    await this.inject('every 15 min');
    return this.editor.waitForStatus(pollId, mark, (s) => s.fill === 'green' || s.fill === 'red', 'the backfill poll to finish', this.settleMs);
  }

  /** Presses the nightly snapshot inject and waits for the push's summary or its error; returns the summary. */
  async snapshotPush(): Promise<SnapshotPushSummary | undefined> {
    const mark = this.editor.mark();
    await this.inject('nightly 02:00');
    const outcome = await waitFor('a snapshot push to finish', () => this.editor.debugSince('push summary', mark)[0] ?? this.editor.debugSince('catalog errors', mark)[0], {
      timeoutMs: this.settleMs,
    });
    return outcome.name === 'push summary' ? (outcome.value as SnapshotPushSummary) : undefined;
  }
}

// ---- the phases ----------------------------------------------------------------------------------------

/** Web orders under every fault, a Sage user changing stock, catalog pushes, and a restart half way. */
async function orderStorm(world: ChaosWorld): Promise<void> {
  const { options, log } = world;
  const rate = options.ordersPerSecond ?? 20;
  const restartAt = Math.floor(options.orders / 2);
  const pushEvery = Math.max(10, Math.floor(options.orders / 8));
  let restarting: Promise<void> | undefined;
  world.faultsOn();
  log(`storm: ${options.orders} orders at ${rate}/s, restart after ${restartAt}`);
  for (let index = 0; index < options.orders; index++) {
    if (index === Math.floor(options.orders / 10)) world.startStorms();
    world.placeOrder();
    if (index % 25 === 24) changeSageItem(world.sage, world.demo);
    // The 15-minute backfill poll runs during the storm too, as it would on a busy day.
    if (index === Math.floor(options.orders * 0.4)) log(`backfill poll during the storm: ${(await world.poll()).text}`);
    // The 5-minute catalog push, pressed now and then; while Node-RED restarts the press just fails.
    if (index % pushEvery === Math.floor(pushEvery / 2)) void world.inject('every 5 min').catch(() => undefined);
    if (index === restartAt) {
      log('restarting Node-RED in the middle of the storm');
      restarting = world.nodeRed
        .restart()
        .then(() => world.editor.connect())
        .then(() => log('Node-RED is back'));
    }
    await sleep(1000 / rate);
  }
  await restarting;
  log('storm over: waiting for webhook retries and the queue');
  await world.bc.webhooks.idle(world.settleMs);
  await world.settle('the order queue to drain after the storm');
}

/** Presses the backfill poll until a poll completes without Sage changing. Returns how many polls ran. */
async function backfill(world: ChaosWorld): Promise<number> {
  for (let round = 1; ; round++) {
    const before = world.salesOrders().length;
    const end = await world.poll();
    await world.settle(`the order queue to drain after backfill poll ${round}`);
    world.log(`backfill poll ${round}: ${end.text}; Sage has ${world.salesOrders().length} sales orders`);
    if ((end.fill === 'green' && world.salesOrders().length === before) || round === 6) return round;
  }
}

/** Snapshot pushes (faults still on) until one has nothing failed. Returns how many ran. */
async function settleStock(world: ChaosWorld): Promise<number> {
  for (let run = 1; ; run++) {
    const summary = await world.snapshotPush();
    world.log(`snapshot push ${run}: ${summary ? `${summary.pushed.stock} stock levels pushed, ${summary.failed.stock + summary.failed.price} failed` : 'failed'}`);
    if ((summary && summary.failed.stock + summary.failed.price === 0) || run === 6) return run;
  }
}

/** Places `count` orders, two a second; returns their ids. */
async function placeOrders(world: ChaosWorld, count: number): Promise<number[]> {
  const before = new Set(world.placed.keys());
  for (let index = 0; index < count; index++) {
    world.placeOrder();
    await sleep(500);
  }
  return [...world.placed.keys()].filter((orderId) => !before.has(orderId));
}

/**
 * A long Sage outage: every connection refused for longer than the old rule kept a job alive, while web orders
 * keep coming (answered 200 by the webhook). Each must reach Sage once Sage is back, with no dead letter.
 */
async function sageOutage(world: ChaosWorld): Promise<Record<string, number>> {
  const outageMs = world.options.sageOutageMs ?? 30_000;
  const mark = world.editor.mark();
  world.log(`Sage outage: every connection refused for ${outageMs / 1000} s (the old rule gave up after about ${(OLD_DEAD_AFTER_MS / 1000).toFixed(1)} s)`);
  await world.sage.faults.refuseConnections(outageMs);
  const orders = await placeOrders(world, Math.max(5, Math.floor(world.options.orders / 10)));
  await world.settle('the order queue to drain after the Sage outage');
  return {
    'chaos.outage_s': outageMs / 1000,
    'chaos.outage_orders': orders.length,
    'chaos.outage_failed_attempts': world.editor.debugSince('order errors', mark).length,
    'chaos.outage_dead_letters': world.editor.debugSince('dead letters', mark).length,
  };
}

/**
 * Orders Sage refuses for a reason retrying does not cure (no access to Sales Order Entry) become dead letters;
 * once "fixed" (the fault used up), the operator's re-drive button runs them again, into Sage.
 */
async function deadLetterRedrive(world: ChaosWorld): Promise<Record<string, number>> {
  const mark = world.editor.mark();
  world.sage.faults.set([{ kind: 'fault', operation: 'ensureSalesOrder', status: 403, code: 'NoAccess', message: 'No access to Sales Order Entry.', times: DEAD_LETTER_ORDERS * QUEUE.attempts }]);
  const orders = await placeOrders(world, DEAD_LETTER_ORDERS);
  await waitFor('the refused orders to become dead letters', () => (world.editor.debugSince('dead letters', mark).length >= orders.length ? true : undefined), { timeoutMs: world.settleMs });
  await world.settle('the order queue to hold only dead letters');
  const salesOrders = new Set(world.salesOrders().map((order) => String(order.CustomerPONo)));
  const prefix = customerPoPrefixOf(world.flows);
  const inSage = () => orders.filter((orderId) => salesOrders.has(`${prefix}${orderId}`)).length;
  const beforeRedrive = inSage();
  world.sage.faults.clear();
  world.log(`dead letters: ${world.editor.debugSince('dead letters', mark).length}; re-driving them`);
  await world.inject(REDRIVE_INJECT);
  await waitFor('the re-driven orders to reach Sage', () => {
    for (const order of world.salesOrders()) salesOrders.add(String(order.CustomerPONo));
    return inSage() === orders.length ? true : undefined;
  }, { timeoutMs: world.settleMs });
  await world.settle('the order queue to drain after the re-drive');
  return {
    'chaos.dead_letter_orders': orders.length,
    'chaos.dead_letters_in_sage_before_redrive': beforeRedrive,
    'chaos.dead_letters_redriven': inSage(),
  };
}

/** Every dead letter the sidebar showed, scanned on its own so the report shows the leak scanner read them. */
function scanDeadLetters(world: ChaosWorld): number {
  const shown = world.editor.debug.filter((entry) => entry.name === 'dead letters');
  for (const entry of shown) world.scanner.scan('debug "dead letters"', JSON.stringify(entry.value));
  return shown.length;
}

function faultFigures(world: ChaosWorld): Record<string, number> {
  const { bc, sage } = world;
  const pending = sage.faults.pending();
  const sageFired = (kind: string) =>
    pending.filter((rule) => rule.kind === kind && rule.probability !== undefined).reduce((sum, rule) => sum + ENDLESS - (rule.times ?? 0), 0);
  const firstCreateHeld = pending.some((rule) => rule.kind === 'commit-then-timeout' && rule.probability === undefined) ? 0 : 1;
  return {
    'chaos.bc_5xx': bc.stats.faults.error ?? 0,
    'chaos.bc_429': (bc.stats.faults['rate-limit'] ?? 0) + bc.stats.rateLimited,
    'chaos.rate_limit_storms': world.storms,
    'chaos.webhook_deliveries': bc.stats.webhooks.sent,
    'chaos.webhook_duplicates': bc.stats.webhooks.duplicates,
    'chaos.webhook_retries': bc.stats.webhooks.retried,
    'chaos.sage_5xx': sageFired('fault'),
    'chaos.sage_commit_timeouts': sageFired('commit-then-timeout') + firstCreateHeld,
    // Each start prints the banner once.
    'chaos.node_red_restarts': (world.nodeRed.log().match(/Welcome to Node-RED/g) ?? []).length - 1,
    // The watch that would see a forged delivery become work (a call for its order) saw the real ones.
    'chaos.order_calls_seen': [...world.orderCalls].filter(([orderId]) => world.placed.has(orderId)).reduce((sum, [, calls]) => sum + calls, 0),
  };
}

/** The PO prefix the flow's mapper numbers with: from the numbering node it names, else its own fields. */
function customerPoPrefixOf(flows: FlowNode[]): string {
  const mapper = findNode(flows, 'sync-order-mapper');
  const shared = flows.find((node) => node.type === 'sync-order-numbering' && node.id === mapper.numbering);
  return readSettings(orderNumberingSettings, shared ?? mapper).customerPoPrefix;
}

/** One sales order per web order, found by CustomerPONo, with the web order's items and quantities. */
function exactlyOnce(world: ChaosWorld) {
  const prefix = customerPoPrefixOf(world.flows);
  const reference = (orderId: number) => `${prefix}${orderId}`.toUpperCase();
  // Open and history: an order invoiced and moved to history is still the one sales order of its web order.
  const orders = world.everySalesOrder();
  const byReference = new Map<string, typeof orders>();
  for (const order of orders) {
    const key = String(order.CustomerPONo).trim().toUpperCase();
    byReference.set(key, [...(byReference.get(key) ?? []), order]);
  }
  const expected = new Set([...world.placed.keys()].map(reference));
  const ineligible = new Set([...world.ineligible].map(reference));
  const items = new Set(world.demo.items.map((item) => item.itemCode));
  const lostOrders: number[] = [];
  let lineMismatches = 0;
  for (const [orderId, lines] of world.placed) {
    const found = byReference.get(reference(orderId));
    if (!found) {
      lostOrders.push(orderId);
      continue;
    }
    const quantities = new Map<string, number>();
    for (const line of found[0]!.Lines) {
      const code = String(line.ItemCode);
      if (items.has(code)) quantities.set(code, (quantities.get(code) ?? 0) + Number(line.QuantityOrdered));
    }
    const same = quantities.size === lines.length && lines.every((line) => quantities.get(line.sku) === line.quantity);
    if (!same) lineMismatches++;
  }
  const duplicatedReferences = [...byReference].filter(([, found]) => found.length > 1).map(([key]) => key);
  return {
    lostOrders,
    duplicatedReferences,
    figures: {
      'chaos.sales_orders': orders.length,
      'chaos.duplicates': [...byReference.values()].reduce((sum, found) => sum + found.length - 1, 0),
      'chaos.lost': lostOrders.length,
      'chaos.strays': [...byReference.keys()].filter((key) => !expected.has(key)).length,
      'chaos.life_ineligible_imported': [...byReference.keys()].filter((key) => ineligible.has(key)).length,
      'chaos.line_mismatches': lineMismatches,
      'chaos.dead_letters': world.editor.debug.filter((entry) => entry.name === 'dead letters').length,
    },
  };
}

const LIFE_INVOICED = 10;
const STATUS = { pending: 1, shipped: 2, refunded: 4, cancelled: 5, declined: 6, awaitingPayment: 7, awaitingShipment: 9 } as const;

/**
 * The order's life: orders that are not eligible (pending, awaiting payment, then cancelled) arrive by webhook;
 * a Sage user invoices imported orders and the daily sales journal moves them to history; then their status
 * changes in the store (statusUpdated webhooks) and a backfill poll reads them all again. Still exactly one sales
 * order per eligible web order (checked by exactlyOnce, over open orders and history), none for the others.
 */
async function orderLife(world: ChaosWorld): Promise<Record<string, number>> {
  const ineligible = [STATUS.pending, STATUS.awaitingPayment, STATUS.pending, STATUS.awaitingPayment].map((status) => world.placeIneligible(status));
  const open = world.salesOrders().filter((order) => /^BC\d+$/i.test(String(order.CustomerPONo).trim()));
  const invoiced = open.slice(0, LIFE_INVOICED);
  for (const order of invoiced) world.sage.company.invoiceSalesOrder({ salesOrderNo: order.SalesOrderNo, trackingNumbers: [`1Z${order.SalesOrderNo}`] });
  world.sage.company.dailySalesJournalUpdate();
  world.log(`order life: ${invoiced.length} orders invoiced and moved to history, ${ineligible.length} ineligible orders placed`);
  let statusChanges = 0;
  for (const [index, order] of invoiced.entries()) {
    const orderId = Number(String(order.CustomerPONo).trim().replace(/^BC/i, ''));
    world.bc.store.setOrderStatus(orderId, index % 2 === 0 ? STATUS.shipped : STATUS.awaitingShipment);
    statusChanges++;
  }
  for (const orderId of ineligible.slice(0, 2)) {
    if (orderId === undefined) continue;
    world.bc.store.setOrderStatus(orderId, STATUS.cancelled);
    statusChanges++;
  }
  await world.bc.webhooks.idle(world.settleMs);
  await world.settle('the order queue to drain after the status changes');
  const end = await world.poll();
  await world.settle('the order queue to drain after the order-life backfill');
  world.log(`order life: backfill ${end.text}`);
  return {
    'chaos.life_invoiced': invoiced.length,
    'chaos.life_in_history': world.sage.company.state().salesOrderHistory.filter((order) => invoiced.some((sent) => sent.SalesOrderNo === order.SalesOrderNo)).length,
    'chaos.life_status_changes': statusChanges,
    'chaos.life_ineligible': ineligible.filter((id) => id !== undefined).length,
  };
}

const GIVES_STOCK_BACK: ReadonlySet<number> = new Set([STATUS.refunded, STATUS.cancelled, STATUS.declined]);

/** Units of each SKU on the order-life phase's ineligible orders that still wait (not cancelled). */
function unitsOfWaitingOrders(world: ChaosWorld): Map<string, number> {
  const units = new Map<string, number>();
  for (const id of world.ineligible) {
    const order = world.bc.store.orders.get(id);
    if (!order || GIVES_STOCK_BACK.has(order.statusId)) continue;
    for (const line of order.lines) units.set(line.sku, (units.get(line.sku) ?? 0) + line.quantity - line.quantityRefunded);
  }
  return units;
}

/**
 * The waiting orders' stock: a Sage user receives 5 more of every SKU on an ineligible order, so the snapshot push
 * sets those SKUs again; it must keep the units of the orders still waiting off the store (the store gave the
 * cancelled ones back to its stock on the cancel, and the mapper let go of them).
 */
async function waitingOrderStock(world: ChaosWorld): Promise<Record<string, number>> {
  const { store } = world.bc;
  const skus = new Set<string>();
  for (const id of world.ineligible) {
    for (const line of store.orders.get(id)?.lines ?? []) skus.add(line.sku);
  }
  for (const sku of skus) {
    const row = world.sage.company.listStock({ itemCodes: [sku], warehouses: ['000'] })[0];
    if (row) world.sage.company.setStock(sku, '000', { QuantityOnHand: row.QuantityOnHand + 5 });
  }
  const summary = await world.snapshotPush();
  await world.bc.inventorySettled();
  world.log(`waiting orders: ${skus.size} SKUs received in Sage, push held back ${summary?.heldBack?.units ?? 0} units for ${summary?.heldBack?.orders ?? 0} orders`);
  return {
    'chaos.stock_held_by_waiting_orders': [...unitsOfWaitingOrders(world).values()].reduce((sum, units) => sum + units, 0),
    'chaos.stock_held_back_by_push': summary?.heldBack?.units ?? -1,
  };
}

/**
 * Store stock against Sage's available quantity over all warehouses (floored, never below zero, as pushed), less
 * the units of store orders still waiting at the status gate, per SKU.
 */
function stockCheck(world: ChaosWorld): StockMismatch[] {
  const held = unitsOfWaitingOrders(world);
  return world.demo.items
    .map(({ itemCode: sku }) => {
      const rows = world.sage.company.listStock({ itemCodes: [sku] });
      const available = rows.reduce((sum, row) => sum + row.QuantityOnHand - row.QuantityOnSalesOrder, 0);
      return { sku, store: world.bc.store.stockOf(sku), sage: Math.max(0, Math.floor(available) - (held.get(sku) ?? 0)) };
    })
    .filter((row) => row.store !== row.sage);
}

/** Rejections so far, from the verifier's status: `<reason> (<count>)` after one, `… <count> rejected` after a good one. */
function rejectedCount(status: StatusEntry | undefined): number {
  const match = /\((\d+)\)$|(\d+) rejected$/.exec(status?.text ?? '');
  return match ? Number(match[1] ?? match[2]) : 0;
}

/** Forged deliveries: every one refused, none becoming a job (no fetch of its order, no queue change, no output). */
async function forgedWebhooks(world: ChaosWorld): Promise<Record<string, number>> {
  const { editor, bc } = world;
  const verifyId = world.id('bigcommerce-webhook-verify');
  const queueId = world.id('sync-queue', 'order jobs');
  world.log(`webhooks: ${world.options.forgeries} forged, tampered, replayed and unsigned deliveries`);
  const salesOrdersBefore = world.salesOrders().length;
  const rejectedBefore = rejectedCount(editor.latestStatus(verifyId));
  const mark = editor.mark();
  const deliveries = forgeries(world.options.forgeries, { clientSecret: world.secrets.clientSecret, storeHash: bc.storeHash, firstOrderId: FORGED_ORDER_IDS_FROM });
  const answers = await deliverAll(`${world.nodeRed.url}/bigcommerce/webhook`, deliveries);
  for (const answer of answers) world.scanner.scan('webhook answers', answer.body);
  const rejected = () => rejectedCount(editor.latestStatus(verifyId)) - rejectedBefore;
  await waitFor('the verifier to count every forged delivery', () => (rejected() >= answers.length ? true : undefined), { timeoutMs: 15_000 }).catch(() => undefined);
  // Time for anything that did get through to reach the store or Sage.
  await sleep(2000);
  const forgedCalls = [...world.orderCalls].filter(([orderId]) => orderId >= FORGED_ORDER_IDS_FROM).reduce((sum, [, calls]) => sum + calls, 0);
  const figures: Record<string, number> = {
    'chaos.forged_deliveries': answers.length,
    'chaos.forged_refused': answers.filter((answer) => answer.status === 401).length,
  };
  for (const kind of FORGERY_KINDS) figures[`chaos.forged_refused_${kind}`] = answers.filter((answer) => answer.kind === kind && answer.status === 401).length;
  figures['chaos.forged_rejected_by_verifier'] = rejected();
  figures['chaos.forged_queue_events'] = editor.statusesSince(queueId, mark).length;
  figures['chaos.forged_jobs'] = forgedCalls + (world.salesOrders().length - salesOrdersBefore) + editor.debug.filter((entry) => entry.seq > mark).length;
  return figures;
}

/** Real orders as bigcommerce-order hands them on (with coupons when discounted): where generated orders start. */
async function seedOrders(world: ChaosWorld, count: number): Promise<Json[]> {
  const { bc } = world;
  const get = async (path: string): Promise<Json> => {
    const response = await fetch(`${bc.apiUrl}/stores/${bc.storeHash}${path}`, { headers: { 'x-auth-token': bc.accessToken, accept: 'application/json' } });
    return response.status === 204 ? [] : ((await response.json()) as Json);
  };
  const seeds: Json[] = [];
  for (const orderId of [...world.placed.keys()].slice(0, count)) {
    const order = (await get(`/v2/orders/${orderId}?include=consignments.line_items&consignment_structure=object`)) as Record<string, Json>;
    if (Number(order.coupon_discount) > 0) order.coupons = await get(`/v2/orders/${orderId}/coupons`);
    seeds.push(order);
  }
  return seeds;
}

/** The log, the exported flow and the user directory; the editor frames and answers were scanned as they came. */
async function scanForSecrets(world: ChaosWorld, userDir: string): Promise<void> {
  world.scanner.scan('exported flow (GET /flows)', JSON.stringify(await world.nodeRed.flows()));
  world.scanner.scan('node-red log', world.nodeRed.log());
  world.scanner.scanDirectory(userDir, 'user directory');
}

function invariants(
  figures: Record<string, number>,
  report: Omit<ChaosReport, 'figures' | 'violations'> & { scannedDeadLettersKb?: number },
  options: ChaosOptions,
): string[] {
  const value = (name: string) => figures[name] ?? Number.NaN;
  const checks: Array<[boolean, string]> = [
    [value('chaos.baseline_push_ok') === 1, 'the snapshot push before the storm failed, with no fault injected yet'],
    [
      value('chaos.orders') === options.orders + value('chaos.outage_orders') + value('chaos.dead_letter_orders'),
      `only ${value('chaos.orders')} of ${options.orders} web orders (and those of the outage and dead-letter phases) could be placed`,
    ],
    [value('chaos.sales_orders') === value('chaos.orders'), `Sage holds ${value('chaos.sales_orders')} sales orders for ${value('chaos.orders')} web orders`],
    [value('chaos.duplicates') === 0, `${value('chaos.duplicates')} duplicate sales orders (CustomerPONo ${report.duplicatedReferences.slice(0, 5).join(', ')})`],
    [value('chaos.lost') === 0, `${value('chaos.lost')} web orders have no sales order (${report.lostOrders.slice(0, 5).join(', ')})`],
    [value('chaos.strays') === 0, `${value('chaos.strays')} sales orders belong to no web order placed`],
    [value('chaos.life_ineligible_imported') === 0, `${value('chaos.life_ineligible_imported')} sales orders for web orders never eligible (pending, awaiting payment, cancelled)`],
    [
      value('chaos.life_invoiced') > 0 && value('chaos.life_in_history') === value('chaos.life_invoiced') && value('chaos.life_ineligible') > 0,
      `the order-life phase proves nothing: ${value('chaos.life_invoiced')} invoiced, ${value('chaos.life_in_history')} in history, ${value('chaos.life_ineligible')} ineligible orders`,
    ],
    [value('chaos.line_mismatches') === 0, `${value('chaos.line_mismatches')} sales orders differ from their web order's items or quantities`],
    [
      value('chaos.stock_mismatches') === 0,
      `${value('chaos.stock_mismatches')} SKUs differ from Sage (${report.stockMismatches.slice(0, 3).map((m) => `${m.sku}: store ${m.store}, Sage ${m.sage}`).join('; ')})`,
    ],
    [value('chaos.forged_refused') === options.forgeries, `${options.forgeries - value('chaos.forged_refused')} forged deliveries were not refused with 401`],
    [
      value('chaos.forged_jobs') === 0 && value('chaos.forged_queue_events') === 0,
      `forged deliveries made work: ${value('chaos.forged_jobs')} jobs, ${value('chaos.forged_queue_events')} queue changes`,
    ],
    [
      value('chaos.secret_leaks') === 0,
      `${value('chaos.secret_leaks')} secret leaks (${report.leaks.slice(0, 3).map((l) => `${l.secret} in ${l.source}: …${l.context}…`).join('; ')})`,
    ],
    [
      value('chaos.mapper_uncaught') === 0,
      `${value('chaos.mapper_uncaught')} generated orders got no clear answer from the mapper (first: ${JSON.stringify(report.mapper.examples[0] ?? null).slice(0, 600)})`,
    ],
    [
      value('chaos.mapper_mapped') > 0 && value('chaos.mapper_rejected') > 0,
      `the generated orders must both map and fail (mapped ${value('chaos.mapper_mapped')}, rejected ${value('chaos.mapper_rejected')})`,
    ],
    [value('chaos.node_red_crashes') === 0, 'Node-RED logged an uncaught exception'],
    [value('chaos.outage_failed_attempts') > 0, 'no order failed during the Sage outage, so the outage proves nothing'],
    [value('chaos.outage_dead_letters') === 0, `${value('chaos.outage_dead_letters')} orders became dead letters during the Sage outage instead of waiting for Sage`],
    [
      value('chaos.dead_letters_in_sage_before_redrive') === 0 && value('chaos.dead_letters_redriven') === DEAD_LETTER_ORDERS,
      `of ${DEAD_LETTER_ORDERS} dead letters, ${value('chaos.dead_letters_in_sage_before_redrive')} reached Sage before the re-drive and ${value('chaos.dead_letters_redriven')} after it`,
    ],
    [
      value('chaos.dead_letters_scanned') >= DEAD_LETTER_ORDERS && (report.scannedDeadLettersKb ?? 0) > 0,
      'the leak scanner read no dead letter, so its 0 says nothing about them',
    ],
    [value('chaos.scanner_canary') === 4, 'the leak scanner did not find all four secrets in the flow deployed with them, so its 0 proves nothing'],
    [value('chaos.order_calls_seen') > 0, 'the watch for calls about forged orders saw no call about real orders either, so its 0 proves nothing'],
  ];
  // A run where a fault never fired proves nothing about it.
  for (const name of ['chaos.bc_5xx', 'chaos.bc_429', 'chaos.webhook_duplicates', 'chaos.sage_5xx', 'chaos.sage_commit_timeouts', 'chaos.node_red_restarts']) {
    checks.push([value(name) > 0, `${name} is 0: that fault never happened, so the run proves nothing about it`]);
  }
  return checks.filter(([ok]) => !ok).map(([, sentence]) => sentence);
}

// ---- the run -------------------------------------------------------------------------------------------

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const secrets = chaosSecrets();
  const scanner = new LeakScanner(secrets);
  const bc = await startBigCommerceSimulator({
    accessToken: secrets.accessToken,
    clientSecret: secrets.clientSecret,
    // The Standard plan's 150 requests, in a 3 s window instead of 30 s: storms and quota waits last seconds.
    quota: { requests: 150, windowMs: 3000 },
    randomSeed: options.seed ?? 1,
  });
  const sage = await startSage100Simulator({ apiKey: secrets.sageApiKey, password: secrets.sagePassword });
  const demo = seedDemoWorld(bc, sage, { items: options.items ?? 300, seed: options.seed ?? 42 });
  const userDir = mkdtempSync(join(tmpdir(), 'ml-connector-chaos-'));
  let nodeRed: NodeRedProcess | undefined;
  let world: ChaosWorld | undefined;

  try {
    nodeRed = await startNodeRed({ userDir, port: await freePort(), settings: { debugMaxLength: 1_000_000 } });
    const flows = sandboxFlows(
      {
        bigcommerce: { apiUrl: bc.apiUrl, storeHash: bc.storeHash, accessToken: secrets.accessToken, clientSecret: secrets.clientSecret },
        sage100: { agentUrl: sage.agentUrl, apiKey: secrets.sageApiKey, companyCode: sage.companyCode, fingerprint256: sage.fingerprint256 },
      },
      { withoutSchedules: true, overrides: chaosOverrides() },
    );
    // The SOAP login too, unused in agent mode but stored like any credential: it must not show anywhere either.
    const sageConfig = findNode(flows, 'sage100-config');
    sageConfig.credentials = { ...(sageConfig.credentials as object), username: sage.username, password: secrets.sagePassword };
    flows.push(...mapperTab(findNode(flows, 'sync-order-mapper')));
    const queue = findNode(flows, 'sync-queue', 'order jobs');
    flows.push({ id: 'c4a0500000000r01', type: 'inject', z: queue.z, name: REDRIVE_INJECT, props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }], topic: 'redrive', payload: 'all', payloadType: 'str', repeat: '', crontab: '', once: false, x: 120, y: 960, wires: [[queue.id]] });
    // The scanner must find what it looks for: the deploy carries every secret, as credentials.
    const canary = new LeakScanner(secrets);
    canary.scan('the flow as deployed', JSON.stringify(flows));
    const secretsFoundInDeploy = new Set(canary.leaks.map((leak) => leak.secret)).size;
    await nodeRed.deploy(flows);
    const editor = new EditorFeed(nodeRed.url, (text) => scanner.scan('editor (debug, status, notifications)', text));
    world = new ChaosWorld(options, bc, sage, demo, nodeRed, editor, flows, scanner, secrets, log);
    await editor.connect();

    log('baseline: the store takes Sage stock and prices before the storm');
    const baseline = await world.snapshotPush();
    for (const scope of ORDER_SCOPES) bc.store.addHook({ scope, destination: `${nodeRed.url}/bigcommerce/webhook`, client_id: bc.clientId });

    await orderStorm(world);
    const polls = await backfill(world);
    const pushes = await settleStock(world);
    await bc.inventorySettled();
    const faults = faultFigures(world);
    world.faultsOff();
    const outage = await sageOutage(world);
    const redrive = await deadLetterRedrive(world);
    const life = await orderLife(world);

    const once = exactlyOnce(world);
    const waiting = await waitingOrderStock(world);
    const stockMismatches = stockCheck(world);
    const forged = await forgedWebhooks(world);

    log(`mapper: ${options.mapperOrders} generated orders`);
    const mapper = await runMapper(nodeRed.url, generatedOrders(await seedOrders(world, 12), options.mapperOrders, options.seed ?? 7), (text) =>
      scanner.scan('mapper answers', text),
    );

    await scanForSecrets(world, userDir);
    const deadLettersScanned = scanDeadLetters(world);
    const scannedDeadLettersKb = Math.round(((scanner.scanned.get('debug "dead letters"') ?? 0) / 1024) * 10) / 10;
    const figures: Record<string, number> = {
      'chaos.orders': world.placed.size,
      'chaos.baseline_push_ok': baseline ? 1 : 0,
      'chaos.backfill_polls': polls,
      'chaos.snapshot_pushes': pushes,
      ...faults,
      ...outage,
      ...redrive,
      ...life,
      ...once.figures,
      'chaos.skus_checked': demo.items.length,
      'chaos.stock_mismatches': stockMismatches.length,
      ...waiting,
      ...forged,
      'chaos.mapper_orders': mapper.orders,
      'chaos.mapper_mapped': mapper.mapped,
      'chaos.mapper_rejected': mapper.rejected,
      'chaos.mapper_uncaught': mapper.uncaught,
      'chaos.dead_letters_scanned': deadLettersScanned,
      'chaos.dead_letters_scanned_kb': scannedDeadLettersKb,
      'chaos.secret_leaks': scanner.leaks.length,
      'chaos.scanner_canary': secretsFoundInDeploy,
      'chaos.scanned_kb': Math.round(scanner.totalScanned / 1024),
      'chaos.editor_frames': editor.frames,
      'chaos.node_red_crashes': (nodeRed.log().match(/Uncaught Exception|UnhandledPromiseRejection|unhandledRejection/gi) ?? []).length,
      'chaos.duration_s': Math.round((Date.now() - started) / 1000),
    };
    const report = { leaks: scanner.leaks, mapper, lostOrders: once.lostOrders, duplicatedReferences: once.duplicatedReferences, stockMismatches };
    return { figures, violations: invariants(figures, { ...report, scannedDeadLettersKb }, options), ...report };
  } catch (err) {
    if (nodeRed && err instanceof Error) err.message += `\n--- end of the Node-RED log ---\n${nodeRed.log().split('\n').slice(-60).join('\n')}`;
    throw err;
  } finally {
    world?.faultsOff();
    world?.editor.close();
    await nodeRed?.stop();
    await Promise.all([bc.close(), sage.close()]);
    removeUserDir(userDir);
  }
}
