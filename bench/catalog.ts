import { seedCatalog, type BigCommerceSimulator } from '../sandbox/bigcommerce';
import { seededRandom } from '../sandbox/bigcommerce/random';
import { sandboxFlows, type FlowNode } from '../sandbox/flows';
import type { Sage100Simulator } from '../sandbox/sage100';
import { deploy, flowCount, flowValue, sleep, startWorld, storeQuiet, waitFor, type CallCount, type World } from './harness';
import { NAIVE_CATALOG_TAB, NAIVE_IDS, naiveCatalogFlow, type NaiveSettings } from './naive-flows';
import { EXAMPLE, addCounter } from './probes';

/**
 * Stock and prices, Sage → store, through the example flow's Catalog tab ("all items" nightly with a full resync,
 * "items changed" every few minutes, both into "price + stock to store") against the naive catalog flow, on a
 * store and a Sage company with the same `skus` SKUs (every tenth product with three size variants).
 *
 * The stock figures run the push node with no price column (stock only, as the node offers); the price figure
 * turns the example's price column (StandardUnitPrice) back on. Both flows read Sage with sage100-items, 500 items
 * a page, so only the store side differs.
 */

export interface CatalogOptions {
  skus: number;
  /** SKUs whose stock, then whose price, changes in Sage between runs. */
  changed: number;
  settings: NaiveSettings;
}

export interface CatalogResult {
  stockFullCold: CallCount;
  stockFullWarm: CallCount;
  stockDelta: CallCount;
  priceDelta: CallCount;
  naiveIdTable: CallCount;
  naiveStockFull: CallCount;
  naiveStockDelta: CallCount;
  naivePriceDelta: CallCount;
}

const PUSH_COUNTER = 'benchPushes';

function seedBoth(bc: BigCommerceSimulator, sage: Sage100Simulator, skus: number): void {
  seedCatalog(bc.store, { skus });
  const random = seededRandom(11);
  for (const sku of bc.store.catalog.variantBySku.keys()) {
    sage.company.addItem({ ItemCode: sku, StandardUnitPrice: bc.store.priceOf(sku), warehouses: [{ WarehouseCode: '000', QuantityOnHand: Math.floor(random() * 500) }] });
  }
}

function oursFlows(world: World, withPrices: boolean): FlowNode[] {
  const flows = sandboxFlows(world.endpoints, {
    withoutSchedules: true,
    overrides: {
      [EXAMPLE.changedItems]: { pageSize: 500 },
      [EXAMPLE.allItems]: { pageSize: 500 },
      ...(!withPrices && { [EXAMPLE.push]: { priceColumn: '' } }),
    },
  });
  addCounter(flows, EXAMPLE.push, PUSH_COUNTER, {
    alsoFrom: [EXAMPLE.catalogCatch],
    keep: '{ items: msg.payload.items, changed: msg.payload.changed, pushed: msg.payload.pushed, calls: msg.payload.calls }',
  });
  return flows;
}

/** Fires one of the example's catalog injects and waits for the push node's summary; the calls it cost. */
async function oursRun(world: World, injectId: string, fullResync: boolean): Promise<CallCount> {
  const before = await flowCount(world.nodeRed, EXAMPLE.catalogTab, PUSH_COUNTER);
  const mark = world.bcCalls.mark();
  await world.nodeRed.inject(injectId, fullResync ? [{ p: 'payload', v: '', vt: 'date' }, { p: 'fullResync', v: 'true', vt: 'bool' }] : undefined);
  await waitFor(
    'the push summary',
    async () => {
      const error = await flowValue(world.nodeRed, EXAMPLE.catalogTab, `${PUSH_COUNTER}Error`);
      if (error !== undefined) throw new Error(`bench: the catalog flow failed: ${error}`);
      return (await flowCount(world.nodeRed, EXAMPLE.catalogTab, PUSH_COUNTER)) > before ? true : undefined;
    },
    { timeoutMs: 300_000, intervalMs: 200, log: world.nodeRed.log },
  );
  await storeQuiet(world);
  if (process.env.BENCH_DEBUG) console.log('push summary', await flowValue(world.nodeRed, EXAMPLE.catalogTab, `${PUSH_COUNTER}Last`));
  return world.bcCalls.since(mark);
}

async function naiveIdTable(world: World): Promise<CallCount> {
  const loadsBefore = await flowCount(world.nodeRed, NAIVE_CATALOG_TAB, 'idsLoads');
  const mark = world.bcCalls.mark();
  await world.nodeRed.inject(NAIVE_IDS.loadIds);
  await waitFor('the naive SKU id table', async () => ((await flowCount(world.nodeRed, NAIVE_CATALOG_TAB, 'idsLoads')) > loadsBefore ? true : undefined), {
    timeoutMs: 120_000,
    intervalMs: 200,
    log: world.nodeRed.log,
  });
  await storeQuiet(world);
  return world.bcCalls.since(mark);
}

/** One naive push: its sage100-items run, then every queued PUT answered. */
async function naiveRun(world: World): Promise<CallCount> {
  const count = (key: string) => flowCount(world.nodeRed, NAIVE_CATALOG_TAB, key);
  const runsBefore = await count('catalogRuns');
  const mark = world.bcCalls.mark();
  await world.nodeRed.inject(NAIVE_IDS.pushChanges);
  await waitFor(
    'the naive pushes',
    async () => {
      if ((await count('catalogRuns')) <= runsBefore) return undefined;
      return (await count('catalogDone')) >= (await count('catalogQueued')) ? true : undefined;
    },
    { timeoutMs: 900_000, intervalMs: 250, log: world.nodeRed.log },
  );
  await storeQuiet(world);
  return world.bcCalls.since(mark);
}

/**
 * Sage stamps changes in steps of a few hundredths of a second and a poll reads everything stamped at or after its
 * cursor, so edits made in the very step a poll starts are read by the next poll too. Edits by people are never
 * that close to a poll; a short pause keeps the bench from counting that overlap as changes.
 */
const afterSageEdits = () => sleep(250);

/** `count` SKUs spread over the catalog (simple products and variants alike). */
function spread(bc: BigCommerceSimulator, count: number, offset: number): string[] {
  const all = [...bc.store.catalog.variantBySku.keys()];
  const step = Math.max(1, Math.floor(all.length / count));
  return Array.from({ length: Math.min(count, all.length) }, (_, index) => all[(index * step + offset) % all.length]!);
}

export async function benchCatalog(options: CatalogOptions): Promise<CatalogResult> {
  const world = await startWorld({ storeHash: 'benchcatalog', seed: (bc, sage) => seedBoth(bc, sage, options.skus) });
  try {
    const naive = naiveCatalogFlow(world.endpoints, sandboxFlows(world.endpoints).find((node) => node.type === 'sage100-config')!.id, options.settings);
    await deploy(world, [...oursFlows(world, false), ...naive]);

    // The first nightly run knows no SKU ids yet (cold); the second finds them all in its table (warm).
    const stockFullCold = await oursRun(world, EXAMPLE.nightlyInject, true);
    const stockFullWarm = await oursRun(world, EXAMPLE.nightlyInject, true);
    // The first "items changed" run has no cursor yet, so it reads everything; nothing differs from the snapshot.
    await oursRun(world, EXAMPLE.changesInject, false);
    const naiveIds = await naiveIdTable(world);
    // The naive flow's first run has no cursor either: every item, one PUT each.
    const naiveStockFull = await naiveRun(world);

    for (const sku of spread(world.bc, options.changed, 0)) {
      const row = world.sage.company.listStock({ itemCodes: [sku] })[0]!;
      world.sage.company.setStock(sku, '000', { QuantityOnHand: row.QuantityOnHand + 7 });
    }
    await afterSageEdits();
    const stockDelta = await oursRun(world, EXAMPLE.changesInject, false);
    const naiveStockDelta = await naiveRun(world);

    // Prices on: the push node as the example ships it. A redeploy empties flow context, so the naive table is loaded again.
    await deploy(world, [...oursFlows(world, true), ...naive]);
    await naiveIdTable(world);
    for (const sku of spread(world.bc, options.changed, 3)) {
      const item = world.sage.company.listItems({ itemCodes: [sku] })[0]!;
      world.sage.company.updateItem(sku, { StandardUnitPrice: Math.round(item.StandardUnitPrice * 110) / 100 });
    }
    await afterSageEdits();
    const priceDelta = await oursRun(world, EXAMPLE.changesInject, false);
    const naivePriceDelta = await naiveRun(world);

    return { stockFullCold, stockFullWarm, stockDelta, priceDelta, naiveIdTable: naiveIds, naiveStockFull, naiveStockDelta, naivePriceDelta };
  } finally {
    await world.stop();
  }
}
