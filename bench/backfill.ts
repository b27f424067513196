import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoOrderInput, nextDemoOrder, seedDemoWorld, type DemoWorld } from '../sandbox/demo';
import { sandboxFlows } from '../sandbox/flows';
import { deploy, flowCount, flowValue, startWorld, storeQuiet, waitFor, type World } from './harness';
import { NAIVE_BACKFILL_TAB, NAIVE_IDS, naiveBackfillFlow, type NaiveSettings } from './naive-flows';
import { EXAMPLE, addCounter } from './probes';
import type { Side } from './report';

/**
 * The backfill: Node-RED was away while `orders` web orders were modified; the example flow's poll
 * ("orders modified since last poll") catches up from its saved cursor. The poll's msgs go to a counter instead
 * of the order queue: every order it emits is already complete (line items and consignments in the list call),
 * so the rest of the path ("full order already?" → mapper → Sage) makes no BigCommerce call, and 10,000 Sage
 * orders would only make the run long. The naive flow pages the same list from the same cursor.
 *
 * The orders are the demo shop's (one to four lines, guests and registered customers, a coupon on one in five),
 * modified five seconds apart up to now.
 */

export interface BackfillResult {
  bcCalls: number;
  orders: number;
  byRoute: Record<string, number>;
}

interface SavedCursor {
  modifiedSince: string;
}

async function finishedCount(world: World, tab: string, key: string, expected: number, timeoutMs: number): Promise<number> {
  const done = await waitFor(
    `${expected} orders counted as ${key}`,
    async () => {
      const error = await flowValue(world.nodeRed, tab, `${key}Error`);
      if (error !== undefined) throw new Error(`bench: the flow failed: ${error}`);
      const count = await flowCount(world.nodeRed, tab, key);
      return count >= expected ? count : undefined;
    },
    { timeoutMs, intervalMs: 200, log: world.nodeRed.log },
  );
  await storeQuiet(world);
  return done;
}

export async function benchBackfill(options: { orders: number; settings: NaiveSettings }): Promise<Side<BackfillResult>> {
  let demo: DemoWorld | undefined;
  const world = await startWorld({ storeHash: 'benchbackfill', seed: (bc, sage) => (demo = seedDemoWorld(bc, sage, { items: 300, seed: 3 })) });
  try {
    const ours = sandboxFlows(world.endpoints, { withoutSchedules: true });
    addCounter(ours, EXAMPLE.poll, 'benchPolled', { only: true, alsoFrom: [EXAMPLE.pollErrors] });
    await deploy(world, ours);

    // The poll that sets the cursor, while nothing has changed yet.
    await world.nodeRed.inject(EXAMPLE.pollInject);
    const cursorFile = join(world.nodeRed.userDir, 'ml-connector-state', `bigcommerce-order-${EXAMPLE.poll}-${world.bc.storeHash}.json`);
    const cursor = await waitFor('the first poll to save its cursor', () => {
      try {
        return (JSON.parse(readFileSync(cursorFile, 'utf8')) as SavedCursor).modifiedSince;
      } catch {
        return undefined;
      }
    }, { timeoutMs: 30_000, intervalMs: 100, log: world.nodeRed.log });
    await storeQuiet(world);

    // Then the orders modified while Node-RED was away.
    const end = Date.now();
    for (let index = 0; index < options.orders; index++) {
      const at = end - (options.orders - 1 - index) * 5_000;
      world.bc.store.addOrder({ ...demoOrderInput(nextDemoOrder(demo!)), date_created: at, date_modified: at });
    }
    await deploy(world, [...ours, ...naiveBackfillFlow(world.endpoints, cursor, options.settings)]);

    const oursMark = world.bcCalls.mark();
    await world.nodeRed.inject(EXAMPLE.pollInject);
    const oursOrders = await finishedCount(world, EXAMPLE.ordersTab, 'benchPolled', options.orders, 180_000);
    const oursCalls = world.bcCalls.since(oursMark);

    const naiveMark = world.bcCalls.mark();
    await world.nodeRed.inject(NAIVE_IDS.backfillStart);
    const naiveOrders = await finishedCount(world, NAIVE_BACKFILL_TAB, 'backfillDone', options.orders, 600_000);
    const naiveCalls = world.bcCalls.since(naiveMark);
    return {
      ours: { bcCalls: oursCalls.total, orders: oursOrders, byRoute: oursCalls.byRoute },
      naive: { bcCalls: naiveCalls.total, orders: naiveOrders, byRoute: naiveCalls.byRoute },
    };
  } finally {
    await world.stop();
  }
}
