import { ORDER_SCOPES } from '../lib/bigcommerce/hooks';
import { nextDemoOrder, placeDemoOrder, seedDemoWorld, type DemoOrder, type DemoWorld } from '../sandbox/demo';
import { sandboxFlows } from '../sandbox/flows';
import type { Exchange } from '../sandbox/bigcommerce';
import type { HookRecord } from '../sandbox/bigcommerce/store';
import { deploy, startWorld, type SageOperation, type World } from './harness';
import { NAIVE_WEBHOOK_PATH, naiveOrdersFlow } from './naive-flows';
import { RawReplay } from './raw-replay';
import { median, type Side } from './report';

/**
 * The webhook path, one order at a time through the example flow (webhook → verify → queue → get order → mapper
 * → customer → sales order), then the same orders through the naive flow. Per order: the calls each system
 * served, the time from the checkout to Sage serving the flow's last call for it, and the same round trips made
 * raw (RawReplay) right after, on the same warm machine.
 */

export interface OrderPathResult {
  /** The measured orders (after the warm-up), which the call counts cover. */
  orders: number;
  bcCalls: number;
  sageCalls: number;
  bcByRoute: Record<string, number>;
  sageByOperation: Record<string, number>;
  /** The first order's calls, with what a client does once (the agent's health read). */
  first: { bcCalls: number; sageCalls: number; sageByOperation: Record<string, number> };
  /** Medians over the measured orders (the warm-up ones left out). */
  flowMs: number;
  rawMs: number;
}

export interface OrdersOptions {
  /** Orders run first and left out of the times (JIT, connections, first customers). */
  warmup: number;
  measured: number;
}

/** When the order reached Sage: the Sage operation after which the flow makes no further Sage call for it. */
type FinishedWhen = (operations: SageOperation[]) => number | undefined;

/** When the flow's last store call for an order has been answered, so every call of the order is counted. */
type SettledWhen = (exchanges: Exchange[], orderId: number) => boolean;

const answered = (op: SageOperation) => op.result !== undefined && (op.result as { status?: number }).status !== undefined && (op.result as { status: number }).status < 300;

/** The package's order is done when the agent's create-if-absent answers: it answers the stored order. */
const oursFinished: FinishedWhen = (operations) => operations.find((op) => op.operation === 'ensureSalesOrder' && answered(op))?.at;

/** The naive flow stops at the create. */
const naiveFinished: FinishedWhen = (operations) => operations.find((op) => op.operation === 'createSalesOrder' && answered(op))?.at;

/** The package writes the import marker on the store order after Sage answered; that write belongs to the order. */
const oursSettled: SettledWhen = (exchanges, orderId) =>
  exchanges.some((exchange) => exchange.method === 'POST' && exchange.apiPath === `/orders/${orderId}/metafields` && exchange.status > 0 && exchange.status < 300);

const naiveSettled: SettledWhen = () => true;

const SETTLE_TIMEOUT_MS = 10_000;

async function settledWithin(exchanges: Exchange[], orderId: number, settled: SettledWhen): Promise<void> {
  const deadline = performance.now() + SETTLE_TIMEOUT_MS;
  while (!settled(exchanges, orderId)) {
    if (performance.now() > deadline) throw new Error(`bench: the flow's last store call for web order ${orderId} did not come within ${SETTLE_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function runPath(world: World, replay: RawReplay, orders: DemoOrder[], warmup: number, finished: FinishedWhen, settled: SettledWhen): Promise<OrderPathResult> {
  const result: OrderPathResult = {
    orders: orders.length - warmup,
    bcCalls: 0,
    sageCalls: 0,
    bcByRoute: {},
    sageByOperation: {},
    first: { bcCalls: 0, sageCalls: 0, sageByOperation: {} },
    flowMs: 0,
    rawMs: 0,
  };
  const flowTimes: number[] = [];
  const rawTimes: number[] = [];
  for (const [index, order] of orders.entries()) {
    const recording = world.bcCalls.record();
    const operations: SageOperation[] = [];
    let resolveDone!: (at: number) => void;
    const done = new Promise<number>((resolve) => (resolveDone = resolve));
    const unsubscribe = world.sageCalls.onOperation((operation) => {
      operations.push(operation);
      const at = finished(operations);
      if (at !== undefined) resolveDone(at);
    });
    const bcMark = world.bcCalls.mark();
    const sageMark = world.sageCalls.mark();
    const started = performance.now();
    const orderId = placeDemoOrder(world.bc, order);
    const timeout = setTimeout(() => resolveDone(Number.NaN), 30_000);
    const ended = await done;
    clearTimeout(timeout);
    if (Number.isNaN(ended)) throw new Error(`bench: web order ${orderId} did not reach Sage within 30 s\n${world.nodeRed.log().slice(-3000)}`);
    await settledWithin(recording.exchanges, orderId, settled);
    unsubscribe();
    recording.stop();
    // Counted before the replay, which goes to the same simulators.
    const bc = world.bcCalls.since(bcMark);
    const sage = world.sageCalls.since(sageMark);
    if (index === 0) result.first = { bcCalls: bc.total, sageCalls: sage.total, sageByOperation: sage.byOperation };
    if (index >= warmup) {
      result.bcCalls += bc.total;
      result.sageCalls += sage.total;
      addTo(result.bcByRoute, bc.byRoute);
      addTo(result.sageByOperation, sage.byOperation);
    }
    const webhooks = world.bc.webhooks.log().filter((delivery) => delivery.status === 200 && (JSON.parse(delivery.body) as { data: { id: number } }).data.id === orderId);
    const raw = await replay.run(webhooks.map((delivery) => delivery.body), recording.exchanges, operations);
    if (index >= warmup) {
      flowTimes.push(ended - started);
      rawTimes.push(raw);
    }
  }
  return { ...result, flowMs: median(flowTimes), rawMs: median(rawTimes) };
}

function addTo(total: Record<string, number>, counts: Record<string, number>): void {
  for (const [key, count] of Object.entries(counts)) total[key] = (total[key] ?? 0) + count;
}

/** Registered shoppers order with the name, phone and address on their store account, as returning customers do. */
export function returningCustomers(world: World, orders: DemoOrder[]): DemoOrder[] {
  return orders.map((order) => {
    const customer = world.bc.store.customers.get(order.customerId);
    const address = customer?.addresses[0];
    if (!customer || !address) return order;
    return {
      ...order,
      billing: {
        ...order.billing,
        first_name: customer.firstName,
        last_name: customer.lastName,
        company: customer.company,
        phone: customer.phone,
        email: customer.email,
        street_1: address.address1,
        city: address.city,
        state: address.state_or_province ?? order.billing.state!,
        zip: address.postal_code ?? order.billing.zip!,
      },
    };
  });
}

function activate(hooks: HookRecord[], active: boolean): void {
  for (const hook of hooks) hook.isActive = active;
}

export async function benchOrders(options: OrdersOptions): Promise<Side<OrderPathResult>> {
  let demo: DemoWorld | undefined;
  const world = await startWorld({ storeHash: 'benchorders', seed: (bc, sage) => (demo = seedDemoWorld(bc, sage, { items: 300, seed: 7 })) });
  const replay = await RawReplay.start(world);
  try {
    await deploy(world, [...sandboxFlows(world.endpoints, { withoutSchedules: true }), ...naiveOrdersFlow(world.endpoints)]);
    const { store, clientId } = world.bc;
    const oursHooks = ORDER_SCOPES.map((scope) => store.addHook({ scope, destination: `${world.nodeRed.url}/bigcommerce/webhook`, client_id: clientId }));
    const naiveHooks = [store.addHook({ scope: 'store/order/created', destination: `${world.nodeRed.url}${NAIVE_WEBHOOK_PATH}`, client_id: clientId, is_active: false })];
    // Both flows get the same web orders (same shoppers, lines, coupons), placed anew for each.
    const orders = returningCustomers(world, Array.from({ length: options.warmup + options.measured }, () => nextDemoOrder(demo!)));

    const ours = await runPath(world, replay, orders, options.warmup, oursFinished, oursSettled);
    activate(oursHooks, false);
    activate(naiveHooks, true);
    const naive = await runPath(world, replay, orders, options.warmup, naiveFinished, naiveSettled);
    return { ours, naive };
  } finally {
    await replay.close();
    await world.stop();
  }
}
