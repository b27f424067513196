import type { SageItem } from '../sage100/types';

/**
 * The arithmetic of the stock and price push — what the store should hold, and what differs from what was last
 * pushed — without any schema library, so the diff of a 100,000-item catalog costs its snapshot and little else
 * (bench/snapshot.ts measures it in a process that loads only this module).
 */

/** The CI_Item column whose value the store shows as the price. */
export const PRICE_COLUMNS = ['StandardUnitPrice', 'SuggestedRetailPrice', 'SalesPromotionPrice'] as const;
export type PriceColumn = (typeof PRICE_COLUMNS)[number];

/** The Inventory API rejects levels above this; the catalog API would clamp them. */
export const MAX_STOCK_LEVEL = 2_147_483_647;

export interface StockSettings {
  /** Warehouse codes whose quantities the store sells; empty means every warehouse Sage reports. */
  warehouses: string[];
  /**
   * Also subtract QuantityOnBackOrder. Sites differ on whether Sage already counts back orders in
   * QuantityOnSalesOrder, so the formula is a setting rather than a guess.
   */
  subtractBackOrders: boolean;
  /** Units held back from the store per item. */
  safetyStock: number;
  /** Undefined pushes stock only and leaves prices to the store. */
  priceColumn?: PriceColumn;
  /**
   * Items Sage says are not for sale (InactiveItem, or Discontinued: notForSale): `zero` offers them at stock 0,
   * `hide` takes them off sale in the store (hidden product, or a variant that cannot be bought); `sell` (default)
   * ignores the flags.
   */
  inactiveItems?: 'sell' | 'zero' | 'hide';
}

/** Sage says the item is not to be sold: inactive, or discontinued. */
export const notForSale = (item: SageItem): boolean => item.InactiveItem === true || item.Discontinued === true;

/** Sage stores quantities with six decimals; rounding there first keeps 0.1 + 0.2 from losing a unit. */
function wholeUnits(quantity: number): number {
  return Math.floor(Math.round(quantity * 1e6) / 1e6);
}

/**
 * Available to sell: over the selected warehouses, on hand − on sales order (− on back order when set),
 * then − safety stock; whole units, never below zero or above what the Inventory API accepts. An inactive item is 0
 * when the settings say so.
 */
export function availableToSell(item: SageItem, settings: StockSettings): number {
  if (notForSale(item) && settings.inactiveItems === 'zero') return 0;
  const selected = settings.warehouses.length > 0 ? new Set(settings.warehouses.map((code) => code.trim().toUpperCase())) : undefined;
  let total = 0;
  for (const warehouse of item.warehouses) {
    if (selected && !selected.has(warehouse.WarehouseCode.trim().toUpperCase())) continue;
    total += warehouse.QuantityOnHand - warehouse.QuantityOnSalesOrder - (settings.subtractBackOrders ? warehouse.QuantityOnBackOrder : 0);
  }
  return Math.min(MAX_STOCK_LEVEL, Math.max(0, wholeUnits(total - settings.safetyStock)));
}

/**
 * The price the store should show, rounded to the 4 decimals BigCommerce keeps; undefined when the chosen
 * column is empty or zero, which in Sage means "not priced" — the store keeps its own price then.
 */
export function storePrice(item: SageItem, settings: StockSettings): number | undefined {
  if (!settings.priceColumn) return undefined;
  const value = item[settings.priceColumn];
  if (value === undefined || !(value > 0)) return undefined;
  return Math.round(value * 10_000) / 10_000;
}

/**
 * The persisted form: SKUs in code-unit order with parallel value columns (null = nothing pushed), so loading it
 * needs no per-SKU map: lookups are a binary search over the sorted SKUs.
 */
export interface SnapshotDocument {
  version: 2;
  target: string;
  skus: string[];
  stock: Array<number | null>;
  price: Array<number | null>;
}

/** The first form (SKUs in any order); still read, so an upgrade does not push the whole catalog again. */
interface SnapshotDocumentV1 {
  version: 1;
  target: string;
  skus: string[];
  stock: Array<number | null>;
  price: Array<number | null>;
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * One value per SKU: a typed array beside the snapshot's sorted SKUs, and a small map for SKUs pushed for the
 * first time since the snapshot was loaded. Reads like a Map (get, set, size, iteration).
 */
export class SnapshotColumn {
  private readonly added = new Map<string, number>();
  private stored = 0;

  constructor(
    private readonly owner: PushSnapshot,
    private readonly values: Float64Array,
  ) {
    for (const value of values) if (!Number.isNaN(value)) this.stored++;
  }

  get(sku: string): number | undefined {
    const index = this.owner.indexOf(sku);
    if (index < 0) return this.added.get(sku);
    const value = this.values[index]!;
    return Number.isNaN(value) ? undefined : value;
  }

  set(sku: string, value: number): this {
    const index = this.owner.indexOf(sku);
    if (index < 0) {
      this.added.set(sku, value);
    } else {
      if (Number.isNaN(this.values[index]!)) this.stored++;
      this.values[index] = value;
    }
    return this;
  }

  get size(): number {
    return this.stored + this.added.size;
  }

  *[Symbol.iterator](): IterableIterator<[string, number]> {
    const skus = this.owner.loadedSkus;
    for (let index = 0; index < skus.length; index++) {
      const value = this.values[index]!;
      if (!Number.isNaN(value)) yield [skus[index]!, value];
    }
    yield* this.added;
  }
}

/**
 * What was last pushed successfully, per SKU. Only confirmed writes are recorded, so an item that failed
 * differs from the snapshot next time and is pushed again. `target` names the store and location the
 * values went to; a snapshot made for another target is not trusted.
 */
export class PushSnapshot {
  readonly stock: SnapshotColumn;
  readonly price: SnapshotColumn;

  constructor(
    readonly target: string,
    /** The SKUs of the loaded document, sorted by code units. */
    readonly loadedSkus: readonly string[] = [],
    stock = new Float64Array(loadedSkus.length).fill(Number.NaN),
    price = new Float64Array(loadedSkus.length).fill(Number.NaN),
  ) {
    this.stock = new SnapshotColumn(this, stock);
    this.price = new SnapshotColumn(this, price);
  }

  /** The snapshot in `document`, or an empty one when it is missing, unreadable or for another target. */
  static fromDocument(document: unknown, target: string): PushSnapshot {
    const doc = document as Partial<SnapshotDocument | SnapshotDocumentV1> | undefined;
    if ((doc?.version !== 1 && doc?.version !== 2) || doc.target !== target || !Array.isArray(doc.skus) || !Array.isArray(doc.stock) || !Array.isArray(doc.price)) {
      return new PushSnapshot(target);
    }
    const { skus, stock, price } = doc;
    if (skus.length !== stock.length || skus.length !== price.length || skus.some((sku) => typeof sku !== 'string')) return new PushSnapshot(target);
    const column = (values: Array<number | null>, order?: number[]) =>
      Float64Array.from(order ?? values.keys(), (index) => {
        const value = values[index];
        return typeof value === 'number' ? value : Number.NaN;
      });
    let sorted = true;
    for (let index = 1; index < skus.length && sorted; index++) sorted = skus[index - 1]! < skus[index]!;
    if (sorted) return new PushSnapshot(target, skus, column(stock), column(price));
    // A version-1 document, or one edited by hand: sorted once here, and duplicates keep their first value.
    const order = [...skus.keys()].sort((a, b) => byCodeUnits(skus[a]!, skus[b]!) || a - b).filter((index, position, all) => position === 0 || skus[index] !== skus[all[position - 1]!]);
    return new PushSnapshot(
      target,
      order.map((index) => skus[index]!),
      column(stock, order),
      column(price, order),
    );
  }

  /** Position of `sku` among the loaded SKUs, or -1. */
  indexOf(sku: string): number {
    const skus = this.loadedSkus;
    let low = 0;
    let high = skus.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const found = skus[middle]!;
      if (found === sku) return middle;
      if (found < sku) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  toDocument(): SnapshotDocument {
    const values = new Map<string, { stock: number | null; price: number | null }>();
    for (const [sku, stock] of this.stock) values.set(sku, { stock, price: null });
    for (const [sku, price] of this.price) {
      const entry = values.get(sku);
      if (entry) entry.price = price;
      else values.set(sku, { stock: null, price });
    }
    const skus = [...values.keys()].sort(byCodeUnits);
    return {
      version: 2,
      target: this.target,
      skus,
      stock: skus.map((sku) => values.get(sku)!.stock),
      price: skus.map((sku) => values.get(sku)!.price),
    };
  }
}

export interface StockChange {
  sku: string;
  quantity: number;
}

export interface PriceChange {
  sku: string;
  price: number;
}

export interface PushPlan {
  stock: StockChange[];
  prices: PriceChange[];
  /** Distinct store SKUs the items map to. */
  skus: number;
  /** SKUs whose stock and price equal what was last pushed. */
  unchanged: number;
  /** Items the SKU map sends to no SKU (unmapped, with "not in Sage" chosen). */
  unmappedItems: string[];
  /** A SKU fed by two items takes the first item's values; the second is named here. */
  conflicts: Array<{ sku: string; itemCode: string; keptItemCode: string }>;
}

export interface PlanOptions {
  settings: StockSettings;
  /** ItemCode → store SKUs (the sync-item-map table); without one the item code is the SKU. */
  skusFor?: (itemCode: string) => string[];
  /** What was pushed last time; without one (a full resync) every value is pushed. */
  snapshot?: PushSnapshot;
}

/**
 * Which item fed each SKU, for the duplicate check: a typed array over the snapshot's SKUs (item positions + 1)
 * and a map only for SKUs the snapshot does not hold, so a run over a known catalog adds no per-SKU objects.
 */
class FedBy {
  private readonly known: Int32Array;
  private readonly others = new Map<string, number>();

  constructor(private readonly snapshot: PushSnapshot | undefined) {
    this.known = new Int32Array(snapshot?.loadedSkus.length ?? 0);
  }

  /** The position of the item that fed `sku` before, or -1 after recording `item` as its feeder. */
  claim(sku: string, item: number): number {
    const index = this.snapshot?.indexOf(sku) ?? -1;
    if (index >= 0) {
      const before = this.known[index]! - 1;
      if (before < 0) this.known[index] = item + 1;
      return before;
    }
    const before = this.others.get(sku);
    if (before !== undefined) return before;
    this.others.set(sku, item);
    return -1;
  }
}

/**
 * The stock levels and prices that differ from the snapshot, in item order. One pass over the items, and
 * nothing kept per SKU but the duplicate check, so a 100,000-item run costs little more than its output.
 */
export function planPush(items: readonly SageItem[], options: PlanOptions): PushPlan {
  const { settings, snapshot } = options;
  const skusFor = options.skusFor ?? ((itemCode: string) => [itemCode]);
  const plan: PushPlan = { stock: [], prices: [], skus: 0, unchanged: 0, unmappedItems: [], conflicts: [] };
  const fedBy = new FedBy(snapshot);
  items.forEach((item, position) => {
    const skus = skusFor(item.ItemCode);
    if (skus.length === 0) {
      plan.unmappedItems.push(item.ItemCode);
      return;
    }
    const quantity = availableToSell(item, settings);
    const price = storePrice(item, settings);
    for (const sku of skus) {
      const kept = fedBy.claim(sku, position);
      if (kept >= 0) {
        const keptItemCode = items[kept]!.ItemCode;
        if (keptItemCode !== item.ItemCode) plan.conflicts.push({ sku, itemCode: item.ItemCode, keptItemCode });
        continue;
      }
      plan.skus++;
      const stockChanged = snapshot?.stock.get(sku) !== quantity;
      const priceChanged = price !== undefined && snapshot?.price.get(sku) !== price;
      if (stockChanged) plan.stock.push({ sku, quantity });
      if (priceChanged) plan.prices.push({ sku, price });
      if (!stockChanged && !priceChanged) plan.unchanged++;
    }
  });
  return plan;
}
