import { z } from 'zod';
import { CatalogCalls, SkuCache, type BatchOutcome, type ProductPriceWrite, type OfferWrite, type SalePriceWrite, type StockWrite, type VariantPriceWrite } from '../bigcommerce/catalog';
import { ValidationError } from '../errors';
import type { RequestFunction } from '../http/transport';
import { SageItemTable, SageItemTableBuilder, type ItemTableDocument } from '../sage100/item-table';
import { sageItemSchema, type SageItem } from '../sage100/types';
import { pushPriceLevels, type KnownLevels, type PriceLevelSummary } from './price-levels';
import { PromotionBook } from './promotions';
import { PRICE_COLUMNS, PushSnapshot, planPush, type PlanOptions, type PushPlan, type StockSettings } from './push-plan';
import type { HeldStock } from './waiting-orders';

export * from './push-plan';

export const stockSettingsSchema = z.object({
  warehouses: z.array(z.string().trim().min(1).max(3, 'a Sage warehouse code has at most 3 characters')),
  subtractBackOrders: z.boolean(),
  safetyStock: z.number().int('must be a whole number').min(0, 'must be 0 or more'),
  priceColumn: z.enum(PRICE_COLUMNS).optional(),
  inactiveItems: z.enum(['sell', 'zero', 'hide']).optional(),
});

const locationIdSchema = z.number().int('must be a whole number').min(1, 'must be a BigCommerce location id (1 is the default location)');

/** Sage warehouses whose available quantity, summed, is one store location's level. */
export const locationMappingSchema = z.object({
  locationId: locationIdSchema,
  warehouses: z.array(z.string().trim().min(1).max(3, 'a Sage warehouse code has at most 3 characters')).min(1, 'name at least one Sage warehouse'),
});
export type LocationMapping = z.infer<typeof locationMappingSchema>;

/** A whole warehouse → location table: each store location once. */
export const locationTableSchema = z
  .array(locationMappingSchema)
  .refine((rows) => new Set(rows.map((row) => row.locationId)).size === rows.length, 'each store location appears once');

/**
 * The push node's settings: how to compute the values, and the store location the stock goes to — one location
 * (the chosen warehouses summed), or a table of locations each fed by its own warehouses.
 */
export const pushSettingsSchema = stockSettingsSchema.extend({
  locationId: locationIdSchema,
  locations: locationTableSchema.optional(),
});

/**
 * The editor's warehouse → location table, one location a line: `000, 001 = 1` (warehouses 000 and 001 into
 * location 1). Numbers are left to the schema, so a bad line is named by what is wrong with it.
 */
export function parseLocationTable(text: string): Array<{ locationId: number; warehouses: string[] }> {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'))
    .map((line) => {
      const [left = '', right = ''] = line.split(/\s*(?:=|->|→)\s*/);
      return { warehouses: parseWarehouseList(left), locationId: Number(right) };
    });
}

/** What is wrong with a location table's text (naming the entry, the lines that are not comments), or undefined. */
export function locationTableProblem(text: string): string | undefined {
  const result = locationTableSchema.safeParse(parseLocationTable(text));
  if (result.success) return undefined;
  const issue = result.error.issues[0]!;
  const [entry, ...path] = issue.path;
  return typeof entry === 'number' ? `entry ${entry + 1}: ${path.join('.') || 'line'} ${issue.message}` : issue.message;
}

/** Turns the editor's "000, 001" into warehouse codes. */
export function parseWarehouseList(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((code) => code.trim())
    .filter((code) => code.length > 0);
}

/**
 * The items of msg.payload in columns: the table sage100-items sends, or an array of Sage items (built by a function
 * node, or the table after a JSON round trip). Every item must be a Sage item; the first bad one is named by its
 * position and ItemCode. A table is checked item by item as well, one object at a time, so no copy is held.
 */
export function parseSageItems(payload: unknown): SageItemTable {
  if (!(payload instanceof SageItemTable) && !Array.isArray(payload)) {
    throw new ValidationError('Inventory push: msg.payload must be the Sage items that sage100-items sends (or an array of them)', {
      code: 'inventory.payload',
      field: 'payload',
    });
  }
  const builder = payload instanceof SageItemTable ? undefined : new SageItemTableBuilder();
  let index = 0;
  for (const item of payload as Iterable<unknown>) {
    const result = sageItemSchema.safeParse(item);
    if (!result.success) {
      const itemCode = (item as { ItemCode?: unknown } | null)?.ItemCode;
      const record = typeof itemCode === 'string' && itemCode ? `item ${itemCode}` : `item at payload[${index}]`;
      throw ValidationError.fromZod(result.error, { what: 'Sage item', record, code: 'inventory.item' });
    }
    builder?.add(result.data);
    index++;
  }
  return builder ? builder.finish() : (payload as SageItemTable);
}

/** Where the push keeps what must survive a restart: a JsonStateStore in Node-RED, anything alike in tests. */
export interface StateFiles {
  read<T>(key: string): Promise<T | undefined>;
  write(key: string, value: unknown): Promise<void>;
}

export type PushPhase = 'lookup' | 'stock' | 'prices';

export interface PushProgress {
  phase: PushPhase;
  done: number;
  total: number;
}

export interface PushFailure {
  sku: string;
  field: 'stock' | 'price';
  message: string;
}

export interface PushSummary {
  fullResync: boolean;
  /** Sage items received. */
  items: number;
  /** Items of earlier runs the store had not confirmed, sent again with this run's. */
  resent: number;
  /** Items whose values the store has not confirmed after this run: kept and sent again with the next run. */
  pending: number;
  /** Store SKUs those items map to. */
  skus: number;
  /** Values that differ from the snapshot (all of them on a full resync). */
  changed: { stock: number; price: number };
  /** Values the store confirmed. changed = pushed + failed + those of unknown SKUs. */
  pushed: { stock: number; price: number };
  failed: { stock: number; price: number };
  /** SKUs with nothing to push. */
  skipped: number;
  failures: PushFailure[];
  /** SKUs the store has no product or variant for. */
  unknownSkus: string[];
  unmappedItems: string[];
  conflicts: PushPlan['conflicts'];
  /** Requests made, by purpose (retries inside the client not counted again). */
  calls: { lookups: number; stock: number; prices: number; total: number };
  durationMs: number;
  /** With promotions on: sale prices set (a promotion current today) and removed (ended, or gone from Sage). */
  salePrices?: { set: number; removed: number };
  /** With inactive items hidden: SKUs taken off sale (InactiveItem or Discontinued) and put back on sale (for sale again). */
  offSale?: { hidden: number; restored: number };
  /** With price levels: the price lists pushed, or `available: false` on a plan without them (catalog prices only). */
  priceLists?: PriceLevelSummary;
  /** With `held`: units kept off the store's levels for store orders Sage does not have yet, and how many orders. */
  heldBack?: { units: number; orders: number };
  /** With a warehouse → location table: each location's stock figures. */
  locations?: Array<{ locationId: number; warehouses: string[]; changed: number; pushed: number; failed: number }>;
}

export interface InventoryPushOptions {
  items: SageItemTable | readonly SageItem[];
  settings: StockSettings;
  skusFor?: (itemCode: string) => string[];
  /** The config node's request function: paths below /stores/{hash}, rate-limited and retried. */
  request: RequestFunction;
  locationId: number;
  /**
   * Several store locations, each fed by its own Sage warehouses (its level = their available quantity). Without
   * it, `settings.warehouses` summed go to `locationId`. Prices go with the first location's run.
   */
  locations?: readonly LocationMapping[];
  /**
   * Push Sage's promotion (SalesPromotionPrice between SaleStartingDate and SaleEndingDate) as the store's sale price,
   * and remove it when it ends; the book of known promotions is checked against `today` on every run.
   */
  salePromotions?: boolean;
  /** Sage's date (YYYYMMDD) for the promotions, e.g. the items run's `next.DateUpdated`; default the local date. */
  today?: string;
  /** Sage customer price levels pushed as price lists (with their customer groups), in `currency`. */
  priceLevels?: { levels: string[]; currency: string };
  /** Push every value whatever the snapshot says. */
  fullResync: boolean;
  /**
   * Store orders waiting at the status gate (lib/sync/waiting-orders.ts): their units come off the levels. With a
   * location table, off the first location's only: the order does not say where it will be picked.
   */
  held?: HeldStock;
  state: {
    files: StateFiles;
    /** Per push node, e.g. its node id. */
    key: string;
    /** Identifies the store (e.g. its hash), so ids and snapshots of another store are never used. */
    store: string;
  };
  onProgress?: (progress: PushProgress) => void;
  /** The adjustment reason BigCommerce records in its inventory log. */
  reason?: string;
}

const snapshotKey = (key: string) => `${key}.snapshot`;
const skuCacheKey = (key: string) => `${key}.skus`;
const pendingKey = (key: string) => `${key}.pending`;
const promotionsKey = (key: string) => `${key}.promotions`;
const priceLevelsKey = (key: string) => `${key}.price-levels`;
const hiddenKey = (key: string) => `${key}.hidden`;

/** The SKUs this push took off sale (InactiveItem or Discontinued, with `hide`), per store and location. */
function hiddenSkus(document: unknown, target: string): Set<string> {
  const doc = document as { version?: unknown; target?: unknown; skus?: unknown } | undefined;
  return doc?.version === 1 && doc.target === target && Array.isArray(doc.skus) ? new Set(doc.skus.filter((sku): sku is string => typeof sku === 'string')) : new Set();
}

/** Today as Sage writes dates (YYYYMMDD), on this machine's clock. */
function localSageDate(at = new Date()): string {
  return `${at.getFullYear()}${String(at.getMonth() + 1).padStart(2, '0')}${String(at.getDate()).padStart(2, '0')}`;
}

/**
 * The persisted form of the items not yet confirmed, for one store and location: the item table's columns (version
 * 2); version 1 held an array of items and is still read.
 */
interface PendingDocument {
  version: 2;
  target: string;
  items: ItemTableDocument;
}

const noItems = SageItemTable.from([]);

/** The pending items in `document`; none when it is missing, unreadable or for another target. */
function pendingItems(document: unknown, target: string): SageItemTable {
  const doc = document as { version?: unknown; target?: unknown; items?: unknown } | undefined;
  if (doc?.target !== target) return noItems;
  if (doc.version === 2) return SageItemTable.fromDocument(doc.items) ?? noItems;
  if (doc.version !== 1 || !Array.isArray(doc.items)) return noItems;
  const builder = new SageItemTableBuilder();
  for (const item of doc.items) {
    const parsed = sageItemSchema.safeParse(item);
    if (parsed.success) builder.add(parsed.data);
  }
  return builder.finish();
}

/** Earlier pending items first, then this run's; an item in both is taken from this run (Sage's newer values). */
function withPending(pending: SageItemTable, items: SageItemTable): { items: SageItemTable; resent: number } {
  if (pending.length === 0) return { items, resent: 0 };
  const waiting = new Set<string>();
  for (let index = 0; index < pending.length; index++) waiting.add(pending.itemCode(index));
  for (let index = 0; index < items.length; index++) waiting.delete(items.itemCode(index));
  const older: number[] = [];
  for (let index = 0; index < pending.length; index++) if (waiting.has(pending.itemCode(index))) older.push(index);
  if (older.length === 0) return { items, resent: 0 };
  return { items: new SageItemTableBuilder().addFrom(pending, older).addFrom(items, items.keys()).finish(), resent: older.length };
}

/**
 * The items some of whose values the store has not confirmed: those whose SKUs still differ from the snapshot
 * of confirmed values. SKUs the store does not have are left out: there is nothing to send them to.
 */
export function unconfirmedItems(items: SageItemTable, options: PlanOptions & { snapshot: PushSnapshot; unknownSkus: ReadonlySet<string> }): SageItemTable {
  const plan = planPush(items, options);
  const open = new Set([...plan.stock, ...plan.prices].map((change) => change.sku).filter((sku) => !options.unknownSkus.has(sku)));
  if (open.size === 0) return noItems;
  const skusFor = options.skusFor ?? ((itemCode: string) => [itemCode]);
  const unconfirmed: number[] = [];
  for (let index = 0; index < items.length; index++) if (skusFor(items.itemCode(index)).some((sku) => open.has(sku))) unconfirmed.push(index);
  return unconfirmed.length === items.length ? items : new SageItemTableBuilder().addFrom(items, unconfirmed).finish();
}

/**
 * One run: diff the items against the snapshot, look up SKUs not yet known, set stock through absolute
 * adjustments and prices through the variant or product batch, and record every confirmed value. The
 * snapshot and the SKU table are saved even when the run stops half way, so nothing confirmed is pushed
 * again and nothing unconfirmed is skipped.
 *
 * The items poll sends each change once (its cursor moves on when it hands the items over), so an item the
 * store did not confirm (a refused value, a partial 207 answer, a run stopped by a wrong token or an outage)
 * is kept here as pending, saved before the push starts, and sent again with every run until the store takes it.
 */
export async function pushInventory(options: InventoryPushOptions): Promise<PushSummary> {
  const items = SageItemTable.of(options.items);
  const summary = await pushStock({ ...options, items });
  if (!options.priceLevels?.levels.length) return summary;
  const { files, key, store } = options.state;
  const saved = (await files.read<{ store?: string; levels?: Array<[string, { priceListId: number; customerGroupId: number }]> }>(priceLevelsKey(key)).catch(() => undefined)) ?? {};
  const known: KnownLevels = new Map(saved.store === store && Array.isArray(saved.levels) ? saved.levels : []);
  // Only SKUs the store has: BigCommerce refuses a whole records batch for one SKU it does not know.
  const skuCache = SkuCache.fromDocument(await files.read(skuCacheKey(key)).catch(() => undefined), store);
  const skusFor = options.skusFor ?? ((itemCode: string) => [itemCode]);
  const knownSkusFor = (itemCode: string) => skusFor(itemCode).filter((sku) => skuCache.get(sku) !== undefined);
  try {
    // The levels' prices come from item objects, made from the table one at a time as they are read: no copy of it.
    summary.priceLists = await pushPriceLevels(options.request, { items, skusFor: knownSkusFor, ...options.priceLevels }, known);
  } finally {
    await files.write(priceLevelsKey(key), { store, levels: [...known] });
  }
  summary.calls.total += summary.priceLists.calls;
  return summary;
}

async function pushStock(options: InventoryPushOptions & { items: SageItemTable }): Promise<PushSummary> {
  if (!options.locations?.length) return pushToLocation(options);
  const summaries: PushSummary[] = [];
  for (const [index, location] of options.locations.entries()) {
    summaries.push(
      await pushToLocation({
        ...options,
        locationId: location.locationId,
        // Catalog-wide writes (prices, sale prices, taking items off sale) go with the first location only.
        settings: {
          ...options.settings,
          warehouses: location.warehouses,
          ...(index > 0 && { priceColumn: undefined, inactiveItems: options.settings.inactiveItems === 'hide' ? 'sell' : options.settings.inactiveItems }),
        },
        salePromotions: index === 0 && options.salePromotions,
        held: index === 0 ? options.held : undefined,
        // Each location has its own snapshot and pending items; the SKU table is shared (`.skus` of the node's key).
        state: { ...options.state, key: `${options.state.key}@${location.locationId}`, skuKey: options.state.key },
        onProgress: options.onProgress,
      }),
    );
  }
  return mergeSummaries(summaries, options.locations);
}

/** One summary for a run over several locations: counts added, lists joined, and each location's own figures. */
function mergeSummaries(summaries: PushSummary[], locations: readonly LocationMapping[]): PushSummary {
  const [first] = summaries as [PushSummary, ...PushSummary[]];
  const sum = (pick: (summary: PushSummary) => number) => summaries.reduce((total, summary) => total + pick(summary), 0);
  const distinct = (pick: (summary: PushSummary) => string[]) => [...new Set(summaries.flatMap(pick))];
  return {
    ...first,
    resent: Math.max(...summaries.map((summary) => summary.resent)),
    pending: Math.max(...summaries.map((summary) => summary.pending)),
    changed: { stock: sum((s) => s.changed.stock), price: sum((s) => s.changed.price) },
    pushed: { stock: sum((s) => s.pushed.stock), price: sum((s) => s.pushed.price) },
    failed: { stock: sum((s) => s.failed.stock), price: sum((s) => s.failed.price) },
    skipped: Math.min(...summaries.map((summary) => summary.skipped)),
    failures: summaries.flatMap((summary) => summary.failures),
    unknownSkus: distinct((summary) => summary.unknownSkus),
    calls: { lookups: sum((s) => s.calls.lookups), stock: sum((s) => s.calls.stock), prices: sum((s) => s.calls.prices), total: sum((s) => s.calls.total) },
    durationMs: sum((s) => s.durationMs),
    locations: summaries.map((summary, index) => ({ locationId: locations[index]!.locationId, warehouses: [...locations[index]!.warehouses], changed: summary.changed.stock, pushed: summary.pushed.stock, failed: summary.failed.stock })),
  };
}

async function pushToLocation(options: InventoryPushOptions & { items: SageItemTable; state: { skuKey?: string } }): Promise<PushSummary> {
  const started = Date.now();
  const { files, key, store } = options.state;
  const target = `${store}#location-${options.locationId}`;
  // An unreadable state file means pushing everything once, not a node that fails every run.
  const readState = (name: string) => files.read(name).catch(() => undefined);
  const snapshot = PushSnapshot.fromDocument(await readState(snapshotKey(key)), target);
  const skuFile = skuCacheKey(options.state.skuKey ?? key);
  const skuCache = SkuCache.fromDocument(await readState(skuFile), store);
  const { items, resent } = withPending(pendingItems(await readState(pendingKey(key)), target), options.items);
  const savePending = (pending: SageItemTable) => files.write(pendingKey(key), { version: 2, target, items: pending.toDocument() } satisfies PendingDocument);
  await savePending(items);
  const plan = planPush(items, { settings: options.settings, skusFor: options.skusFor, held: options.held, ...(!options.fullResync && { snapshot }) });
  const calls = new CatalogCalls(options.request);
  const today = options.today ?? localSageDate();
  const promotions = options.salePromotions ? PromotionBook.fromDocument(await readState(promotionsKey(key)), target) : undefined;
  promotions?.record(items, options.skusFor ?? ((itemCode) => [itemCode]));
  const salesDue = promotions?.due(today) ?? [];
  // Off sale or back on: only the SKUs whose inactive or discontinued flag differs from what this push last set.
  const hiding = options.settings.inactiveItems === 'hide' ? hiddenSkus(await readState(hiddenKey(key)), target) : undefined;
  const offerDue: Array<{ sku: string; offered: boolean }> = [];
  if (hiding) {
    for (let index = 0; index < items.length; index++) {
      const inactive = items.notForSale(index);
      for (const sku of (options.skusFor ?? ((itemCode: string) => [itemCode]))(items.itemCode(index))) {
        if (inactive && !hiding.has(sku)) offerDue.push({ sku, offered: false });
        else if (!inactive && hiding.has(sku)) offerDue.push({ sku, offered: true });
      }
    }
  }
  const summary: PushSummary = {
    fullResync: options.fullResync,
    items: options.items.length,
    resent,
    pending: items.length,
    skus: plan.skus,
    changed: { stock: plan.stock.length, price: plan.prices.length },
    pushed: { stock: 0, price: 0 },
    failed: { stock: 0, price: 0 },
    skipped: plan.unchanged,
    failures: [],
    unknownSkus: [],
    unmappedItems: plan.unmappedItems,
    conflicts: plan.conflicts,
    calls: { lookups: 0, stock: 0, prices: 0, total: 0 },
    durationMs: 0,
    ...(promotions && { salePrices: { set: 0, removed: 0 } }),
    ...(hiding && { offSale: { hidden: 0, restored: 0 } }),
    ...(options.held && { heldBack: { units: plan.heldBack?.units ?? 0, orders: options.held.ordersHolding(plan.heldBack?.skus ?? []) } }),
  };
  // Ids behind a failed write may be stale; they are forgotten once the run is over, so the next run looks again.
  const stale = new Set<string>();
  const fail = (sku: string, field: PushFailure['field'], message: string) => {
    summary.failures.push({ sku, field, message });
    summary.failed[field]++;
    stale.add(sku);
  };
  try {
    const toFind = new Set<string>();
    for (const { sku } of plan.stock) if (!skuCache.get(sku)) toFind.add(sku);
    for (const { sku } of plan.prices) if (!skuCache.get(sku)) toFind.add(sku);
    for (const { sku } of salesDue) if (!skuCache.get(sku)) toFind.add(sku);
    for (const { sku } of offerDue) if (!skuCache.get(sku)) toFind.add(sku);
    if (toFind.size > 0) {
      options.onProgress?.({ phase: 'lookup', done: 0, total: toFind.size });
      const found = await calls.lookup([...toFind]);
      for (const sku of toFind) {
        const item = found.get(sku);
        if (item) skuCache.set(sku, item);
        else summary.unknownSkus.push(sku);
      }
    }

    const stockWrites: StockWrite[] = [];
    for (const { sku, quantity } of plan.stock) {
      const item = skuCache.get(sku);
      if (item) stockWrites.push({ sku, item, quantity });
    }
    await calls.setStock(stockWrites, {
      locationId: options.locationId,
      reason: options.reason ?? 'Sage 100 sync',
      onBatch: (outcome, done, total) => {
        for (const write of outcome.succeeded) snapshot.stock.set(write.sku, write.quantity);
        summary.pushed.stock += outcome.succeeded.length;
        for (const { write, message } of outcome.failed) fail(write.sku, 'stock', message);
        options.onProgress?.({ phase: 'stock', done, total });
      },
    });

    const variantWrites: VariantPriceWrite[] = [];
    const productWrites: ProductPriceWrite[] = [];
    for (const { sku, price } of plan.prices) {
      const item = skuCache.get(sku);
      // A simple product's base variant takes its price in the variants batch: 50 a call, not 10.
      if (item?.kind === 'variant') variantWrites.push({ sku, variantId: item.variantId, price });
      else if (item?.baseVariantId) variantWrites.push({ sku, variantId: item.baseVariantId, price });
      else if (item) productWrites.push({ sku, productId: item.productId, price });
    }
    const priceTotal = variantWrites.length + productWrites.length;
    let pricesDone = 0;
    const onPrices = (outcome: BatchOutcome<{ sku: string; price: number }>) => {
      for (const write of outcome.succeeded) snapshot.price.set(write.sku, write.price);
      summary.pushed.price += outcome.succeeded.length;
      for (const { write, message } of outcome.failed) fail(write.sku, 'price', message);
      pricesDone += outcome.succeeded.length + outcome.failed.length;
      options.onProgress?.({ phase: 'prices', done: pricesDone, total: priceTotal });
    };
    await calls.setVariantPrices(variantWrites, onPrices);
    await calls.setProductPrices(productWrites, onPrices);

    const saleWrites: SalePriceWrite[] = [];
    for (const { sku, salePrice } of salesDue) {
      const item = skuCache.get(sku);
      if (item) saleWrites.push({ sku, item, salePrice });
    }
    await calls.setSalePrices(saleWrites, (outcome) => {
      for (const write of outcome.succeeded) {
        promotions?.confirmed(write.sku, write.salePrice, today);
        if (summary.salePrices) summary.salePrices[write.salePrice > 0 ? 'set' : 'removed']++;
      }
      for (const { write, message } of outcome.failed) fail(write.sku, 'price', message);
    });

    const offerWrites: OfferWrite[] = [];
    for (const { sku, offered } of offerDue) {
      const item = skuCache.get(sku);
      if (item) offerWrites.push({ sku, item, offered });
    }
    await calls.setOffered(offerWrites, (outcome) => {
      for (const write of outcome.succeeded) {
        if (write.offered) hiding?.delete(write.sku);
        else hiding?.add(write.sku);
        if (summary.offSale) summary.offSale[write.offered ? 'restored' : 'hidden']++;
      }
      for (const { write, message } of outcome.failed) fail(write.sku, 'price', message);
    });
  } finally {
    if (promotions) await files.write(promotionsKey(key), promotions.toDocument());
    if (hiding) await files.write(hiddenKey(key), { version: 1, target, skus: [...hiding] });
    for (const sku of stale) skuCache.delete(sku);
    await files.write(snapshotKey(key), snapshot.toDocument());
    await files.write(skuFile, skuCache.toDocument());
    const pending = unconfirmedItems(items, { settings: options.settings, skusFor: options.skusFor, held: options.held, snapshot, unknownSkus: new Set(summary.unknownSkus) });
    await savePending(pending);
    summary.pending = pending.length;
    summary.calls = { ...calls.calls, total: calls.calls.lookups + calls.calls.stock + calls.calls.prices };
    summary.durationMs = Date.now() - started;
  }
  return summary;
}
