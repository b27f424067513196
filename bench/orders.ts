import { ORDER_SCOPES } from '../lib/bigcommerce/hooks';
import { nextDemoOrder, placeDemoOrder, seedDemoWorld, type DemoOrder, type DemoWorld } from '../sandbox/demo';
import { sandboxFlows } from '../sandbox/flows';
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
  orders: number;
  bcCalls: number;
  sageCalls: number;
  bcByRoute: Record<string, number>;
  sageByOperation: Record<string, number>;
  /** Medians over the measured orders (the warm-up ones left out). */
  flowMs: number;
  rawMs: number;
}

export interface OrdersOptions {
  /** Orders run first and left out of the times (JIT, connections, first customers). */
  warmup: number;
  measured: number;
}

/** When the flow's work for an order is over: the Sage operation after which it makes no further call. */
type FinishedWhen = (operations: SageOperation[]) => number | undefined;

const answered = (op: SageOperation) => op.result !== undefined && (op.result as { status?: number }).status !== undefined && (op.result as { status: number }).status < 300;

/** The package's order is done when the agent's create-if-absent answers: it answers the stored order. */
const oursFinished: FinishedWhen = (operations) => operations.find((op) => op.operation === 'ensureSalesOrder' && answered(op))?.at;

/** The naive flow stops at the create. */
const naiveFinished: FinishedWhen = (operations) => operations.find((op) => op.operation === 'createSalesOrder' && answered(op))?.at;

async function runPath(world: World, replay: RawReplay, orders: DemoOrder[], warmup: number, finished: FinishedWhen): Promise<OrderPathResult> {
  const result: OrderPathResult = { orders: orders.length, bcCalls: 0, sageCalls: 0, bcByRoute: {}, sageByOperation: {}, flowMs: 0, rawMs: 0 };
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
    unsubscribe();
    recording.stop();
    if (Number.isNaN(ended)) throw new Error(`bench: web order ${orderId} did not reach Sage within 30 s\n${world.nodeRed.log().slice(-3000)}`);
    // Counted before the replay, which goes to the same simulators.
    const bc = world.bcCalls.since(bcMark);
    const sage = world.sageCalls.since(sageMark);
    result.bcCalls += bc.total;
    result.sageCalls += sage.total;
    addTo(result.bcByRoute, bc.byRoute);
    addTo(result.sageByOperation, sage.byOperation);
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

    const ours = await runPath(world, replay, orders, options.warmup, oursFinished);
    activate(oursHooks, false);
    activate(naiveHooks, true);
    const naive = await runPath(world, replay, orders, options.warmup, naiveFinished);
    return { ours, naive };
  } finally {
    await replay.close();
    await world.stop();
  }
}
