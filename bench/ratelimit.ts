import { ORDER_SCOPES } from '../lib/bigcommerce/hooks';
import { STANDARD_PLAN, type Quota } from '../sandbox/bigcommerce';
import type { HookRecord } from '../sandbox/bigcommerce/store';
import { nextDemoOrder, placeDemoOrder, seedDemoWorld, type DemoOrder, type DemoWorld } from '../sandbox/demo';
import { sandboxFlows, type FlowNode } from '../sandbox/flows';
import { afterSageEdits, startNaiveIdTable, startNaivePush, startPackagePush, until, withPushProbe, type RunOver } from './catalog-runs';
import { UNLIMITED_QUOTA, deploy, startWorld, storeQuiet, waitFor, type World } from './harness';
import { NAIVE_WEBHOOK_PATH, naiveCatalogFlow, naiveOrdersFlow, type NaiveSettings } from './naive-flows';
import { returningCustomers } from './orders';
import { EXAMPLE } from './probes';
import type { Side } from './report';

/**
 * Catalog updates and web orders at the same time on a store with the Standard plan's quota (150 requests per
 * window; the window shrunk so the run is short). The package's flow (one client per store, paced by the
 * rate-limit governor, waiting orders ahead of waiting catalog calls) against the naive flows, whose every call just retries after
 * what a 429 announces. Each side gets the same work: `updates` Sage items with a new stock level and price, and
 * `orders` web orders for other items, all started together.
 */

export interface RateLimitOptions {
  updates: number;
  orders: number;
  windowMs: number;
  settings: NaiveSettings;
}

export interface RateLimitResult {
  /** Requests the store counted against the quota (answered, not refused). */
  requests: number;
  throttled: number;
  seconds: number;
  /** Until the last of the orders was in Sage. */
  ordersSeconds: number;
  /** Of the quota of the windows the run lasted, the share it used. */
  quotaUsedPct: number;
  byRoute: Record<string, number>;
  /** Webhook deliveries the store sent again because the flow did not answer in time. */
  webhookRetries: number;
}

function flows(world: World, settings: NaiveSettings, sage100ConfigId: string): FlowNode[] {
  const ours = withPushProbe(sandboxFlows(world.endpoints, { withoutSchedules: true, overrides: { [EXAMPLE.changedItems]: { pageSize: 500 } } }));
  return [...ours, ...naiveOrdersFlow(world.endpoints), ...naiveCatalogFlow(world.endpoints, sage100ConfigId, settings)];
}

/** New stock and price in Sage for each item: what a receipt and a price list update leave behind. */
async function updateSage(world: World, itemCodes: string[], round: number): Promise<void> {
  for (const itemCode of itemCodes) {
    const row = world.sage.company.listStock({ itemCodes: [itemCode], warehouses: ['000'] })[0];
    world.sage.company.setStock(itemCode, '000', { QuantityOnHand: (row?.QuantityOnHand ?? 0) + 10 + round });
    const item = world.sage.company.listItems({ itemCodes: [itemCode] })[0]!;
    world.sage.company.updateItem(itemCode, { StandardUnitPrice: Math.round(item.StandardUnitPrice * 105) / 100 });
  }
  await afterSageEdits();
}

/** One side's run: the catalog push and the orders started together, until both are through. */
async function measure(world: World, quota: Quota, orders: DemoOrder[], startCatalog: () => Promise<RunOver>): Promise<RateLimitResult> {
  let created = 0;
  let lastCreatedAt = Number.NaN;
  const unsubscribe = world.sageCalls.onOperation((operation) => {
    // The package creates through create-if-absent (201 when it created), the naive flow with a plain create.
    const created201 = (operation.result as { status?: number } | undefined)?.status === 201;
    if (!['createSalesOrder', 'ensureSalesOrder'].includes(operation.operation) || !created201) return;
    created++;
    lastCreatedAt = operation.at;
  });
  world.bc.setQuota(quota);
  const mark = world.bcCalls.mark();
  const retriesBefore = world.bc.stats.webhooks.retried;
  const started = performance.now();
  try {
    const catalogOver = await startCatalog();
    for (const order of orders) placeDemoOrder(world.bc, order);
    await waitFor('the catalog push and every sales order', async () => (created >= orders.length && (await catalogOver()) ? true : undefined), {
      timeoutMs: 600_000,
      intervalMs: 100,
      log: world.nodeRed.log,
    });
  } finally {
    unsubscribe();
  }
  const seconds = (performance.now() - started) / 1000;
  await storeQuiet(world, 500);
  const calls = world.bcCalls.since(mark);
  const requests = calls.total - calls.throttled;
  // A window's quota is there from its first request, so a run offers the quota of every window it reaches into.
  const offered = quota.requests * Math.max(1, Math.ceil((seconds * 1000) / quota.windowMs));
  world.bc.setQuota(UNLIMITED_QUOTA);
  return { requests, throttled: calls.throttled, seconds, ordersSeconds: (lastCreatedAt - started) / 1000, quotaUsedPct: (100 * requests) / offered, byRoute: calls.byRoute, webhookRetries: world.bc.stats.webhooks.retried - retriesBefore };
}

function activate(hooks: HookRecord[], active: boolean): void {
  for (const hook of hooks) hook.isActive = active;
}

export async function benchRateLimit(options: RateLimitOptions): Promise<Side<RateLimitResult>> {
  let demo: DemoWorld | undefined;
  const world = await startWorld({ storeHash: 'benchratelimit', seed: (bc, sage) => (demo = seedDemoWorld(bc, sage, { items: options.updates + 100, seed: 5 })) });
  try {
    const sage100ConfigId = sandboxFlows(world.endpoints).find((node) => node.type === 'sage100-config')!.id;
    const all = flows(world, options.settings, sage100ConfigId);
    await deploy(world, all);
    const { store, clientId } = world.bc;
    const oursHooks = ORDER_SCOPES.map((scope) => store.addHook({ scope, destination: `${world.nodeRed.url}/bigcommerce/webhook`, client_id: clientId }));
    const naiveHooks = [store.addHook({ scope: 'store/order/created', destination: `${world.nodeRed.url}${NAIVE_WEBHOOK_PATH}`, client_id: clientId, is_active: false })];

    const updated = demo!.items.slice(0, options.updates).map((item) => item.itemCode);
    // Orders are for the other items, so the catalog figures are about the updates alone.
    const orderWorld: DemoWorld = { ...demo!, items: demo!.items.slice(options.updates) };
    const orders = returningCustomers(world, Array.from({ length: options.orders }, () => nextDemoOrder(orderWorld)));
    const quota: Quota = { requests: STANDARD_PLAN.requests, windowMs: options.windowMs };

    const packagePush = () => startPackagePush(world, EXAMPLE.changesInject);
    const naivePush = () => startNaivePush(world);

    // With the quota out of the way: each side's first run pushes everything and leaves a cursor and ids behind.
    await until(world, 'the first catalog run', await packagePush());
    await until(world, 'the naive SKU id table', await startNaiveIdTable(world));
    await until(world, 'the naive first catalog run', await naivePush());
    await storeQuiet(world);

    await updateSage(world, updated, 1);
    // A fresh client for the package, as after a deploy: its governor learns the quota from the first answers.
    await deploy(world, all);
    const ours = await measure(world, quota, orders, packagePush);

    // The naive side catches up with what the package's orders changed in Sage, then gets the same work.
    await until(world, 'the naive catch-up run', await naivePush());
    await storeQuiet(world);
    await updateSage(world, updated, 2);
    activate(oursHooks, false);
    activate(naiveHooks, true);
    const naive = await measure(world, quota, orders, naivePush);
    return { ours, naive };
  } finally {
    await world.stop();
  }
}
