import { seedCatalog, type BigCommerceSimulator } from '../sandbox/bigcommerce';
import { seededRandom } from '../agent/src/emulator/random';
import { sandboxFlows, type FlowNode } from '../sandbox/flows';
import type { Sage100Simulator } from '../sandbox/sage100';
import { afterSageEdits, startNaiveIdTable, startNaivePush, startPackagePush, until, withPushProbe, type RunOver } from './catalog-runs';
import { deploy, startWorld, storeQuiet, type CallCount, type World } from './harness';
import { naiveCatalogFlow, type NaiveSettings } from './naive-flows';
import { EXAMPLE } from './probes';

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

function seedBoth(bc: BigCommerceSimulator, sage: Sage100Simulator, skus: number): void {
  seedCatalog(bc.store, { skus });
  const random = seededRandom(11);
  for (const sku of bc.store.catalog.variantBySku.keys()) {
    sage.company.addItem({ ItemCode: sku, StandardUnitPrice: bc.store.priceOf(sku), warehouses: [{ WarehouseCode: '000', QuantityOnHand: Math.floor(random() * 500) }] });
  }
}

function oursFlows(world: World, withPrices: boolean): FlowNode[] {
  return withPushProbe(
    sandboxFlows(world.endpoints, {
      withoutSchedules: true,
      overrides: {
        [EXAMPLE.changedItems]: { pageSize: 500 },
        [EXAMPLE.allItems]: { pageSize: 500 },
        ...(!withPrices && { [EXAMPLE.push]: { priceColumn: '' } }),
      },
    }),
  );
}

/** The calls a run made, from its start until it is over and the store has gone quiet. */
async function counted(world: World, what: string, start: () => Promise<RunOver>): Promise<CallCount> {
  const mark = world.bcCalls.mark();
  await until(world, what, await start());
  await storeQuiet(world);
  return world.bcCalls.since(mark);
}

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
    const fullResync = () => startPackagePush(world, EXAMPLE.nightlyInject, { fullResync: true });
    const changes = () => startPackagePush(world, EXAMPLE.changesInject);
    const naivePush = () => startNaivePush(world);
    const stockFullCold = await counted(world, 'the first full resync', fullResync);
    const stockFullWarm = await counted(world, 'the second full resync', fullResync);
    // The first "items changed" run has no cursor yet, so it reads everything; nothing differs from the snapshot.
    await counted(world, 'the first changes run', changes);
    const naiveIds = await counted(world, 'the naive SKU id table', () => startNaiveIdTable(world));
    // The naive flow's first run has no cursor either: every item, one PUT each.
    const naiveStockFull = await counted(world, 'the naive first run', naivePush);

    for (const sku of spread(world.bc, options.changed, 0)) {
      const row = world.sage.company.listStock({ itemCodes: [sku] })[0]!;
      world.sage.company.setStock(sku, '000', { QuantityOnHand: row.QuantityOnHand + 7 });
    }
    await afterSageEdits();
    const stockDelta = await counted(world, 'the stock changes run', changes);
    const naiveStockDelta = await counted(world, 'the naive stock changes run', naivePush);

    // Prices on: the push node as the example ships it (the naive flow keeps its id table: flow context outlives a deploy).
    await deploy(world, [...oursFlows(world, true), ...naive]);
    for (const sku of spread(world.bc, options.changed, 3)) {
      const item = world.sage.company.listItems({ itemCodes: [sku] })[0]!;
      world.sage.company.updateItem(sku, { StandardUnitPrice: Math.round(item.StandardUnitPrice * 110) / 100 });
    }
    await afterSageEdits();
    const priceDelta = await counted(world, 'the price changes run', changes);
    const naivePriceDelta = await counted(world, 'the naive price changes run', naivePush);

    return { stockFullCold, stockFullWarm, stockDelta, priceDelta, naiveIdTable: naiveIds, naiveStockFull, naiveStockDelta, naivePriceDelta };
  } finally {
    await world.stop();
  }
}
