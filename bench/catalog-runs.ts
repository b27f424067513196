import type { FlowNode } from '../sandbox/flows';
import { flowCount, flowValue, sleep, waitFor, type World } from './harness';
import { NAIVE_CATALOG_TAB, NAIVE_IDS } from './naive-flows';
import { EXAMPLE, addCounter } from './probes';

/**
 * Catalog runs of both flows, started by pressing their inject buttons and awaited through the probes: shared by
 * the catalog and the rate-limit benchmarks.
 */

/** Resolves true once the run is over; throws when the flow reported an error on the way. */
export type RunOver = () => Promise<boolean>;

const PUSH_COUNTER = 'benchPushes';

/** The example flow with a probe after "price + stock to store" (and its Catch node). */
export function withPushProbe(flows: FlowNode[]): FlowNode[] {
  addCounter(flows, EXAMPLE.push, PUSH_COUNTER, { alsoFrom: [EXAMPLE.catalogCatch] });
  return flows;
}

/** Presses one of the example's catalog injects (optionally as a full resync); over when the push summary is out. */
export async function startPackagePush(world: World, injectId: string, options: { fullResync?: boolean } = {}): Promise<RunOver> {
  const pushes = () => flowCount(world.nodeRed, EXAMPLE.catalogTab, PUSH_COUNTER);
  const before = await pushes();
  await world.nodeRed.inject(injectId, options.fullResync ? [{ p: 'payload', v: '', vt: 'date' }, { p: 'fullResync', v: 'true', vt: 'bool' }] : undefined);
  return async () => {
    const error = await flowValue(world.nodeRed, EXAMPLE.catalogTab, `${PUSH_COUNTER}Error`);
    if (error !== undefined) throw new Error(`bench: the catalog flow failed: ${error}`);
    return (await pushes()) > before;
  };
}

const naiveCount = (world: World, key: string) => flowCount(world.nodeRed, NAIVE_CATALOG_TAB, key);

/** Presses the naive catalog's "push changes"; over when its item run is through and every PUT it queued is answered. */
export async function startNaivePush(world: World): Promise<RunOver> {
  const runs = await naiveCount(world, 'catalogRuns');
  await world.nodeRed.inject(NAIVE_IDS.pushChanges);
  return async () => (await naiveCount(world, 'catalogRuns')) > runs && (await naiveCount(world, 'catalogDone')) >= (await naiveCount(world, 'catalogQueued'));
}

/** Presses the naive catalog's "load SKU ids"; over when the table is complete. */
export async function startNaiveIdTable(world: World): Promise<RunOver> {
  const loads = await naiveCount(world, 'idsLoads');
  await world.nodeRed.inject(NAIVE_IDS.loadIds);
  return async () => (await naiveCount(world, 'idsLoads')) > loads;
}

export function until(world: World, what: string, over: RunOver, timeoutMs = 900_000): Promise<true> {
  return waitFor(what, async () => ((await over()) ? true : undefined), { timeoutMs, intervalMs: 200, log: world.nodeRed.log });
}

/**
 * Sage stamps changes in steps of a few hundredths of a second and a poll reads everything stamped at or after its
 * cursor, so edits made in the very step a poll starts are read by the next poll too. Edits by people are never
 * that close to a poll; a short pause keeps the bench from counting that overlap as changes.
 */
export const afterSageEdits = () => sleep(250);
