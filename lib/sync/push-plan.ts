import { SageItemTable } from '../sage100/item-table';
import type { SageItem } from '../sage100/types';
import { TextWriter, compareSlices, fromBase64, toBase64, unitsToString, type CodeUnits } from '../typed-columns';
import type { HeldStock } from './waiting-orders';

/**
 * The arithmetic of the stock and price push — what the store should hold, and what differs from what was last
 * pushed — without any schema library, so the diff of a 100,000-item catalog costs its snapshot and little else
 * (bench/snapshot.ts measures it in a process that loads only this module and the item table).
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
   * Items Sage says are not for sale (InactiveItem, or Discontinued: SageItemTable.notForSale): `zero` offers them at stock 0,
   * `hide` takes them off sale in the store (hidden product, or a variant that cannot be bought); `sell` (default)
   * ignores the flags.
   */
  inactiveItems?: 'sell' | 'zero' | 'hide';
}

/** Sage stores quantities with six decimals; rounding there first keeps 0.1 + 0.2 from losing a unit. */
function wholeUnits(quantity: number): number {
  return Math.floor(Math.round(quantity * 1e6) / 1e6);
}

const warehouseKey = (code: string) => code.trim().toUpperCase();

/**
 * Available to sell of each item of `items`: over the selected warehouses, on hand − on sales order (− on back order
 * when set), then − safety stock; whole units, never below zero or above what the Inventory API accepts. An item not
 * for sale (inactive or discontinued) is 0 when the settings say so. The warehouse selection is worked out once per table,
 * not per item.
 */
function stockLevels(items: SageItemTable, settings: StockSettings): (index: number) => number {
  const wanted = settings.warehouses.length > 0 ? new Set(settings.warehouses.map(warehouseKey)) : undefined;
  const selected = wanted && Uint8Array.from(items.warehouseCodes, (code) => (wanted.has(warehouseKey(code)) ? 1 : 0));
  return (index) => {
    if (items.notForSale(index) && settings.inactiveItems === 'zero') return 0;
    const total = items.netQuantity(index, selected, settings.subtractBackOrders);
    return Math.min(MAX_STOCK_LEVEL, Math.max(0, wholeUnits(total - settings.safetyStock)));
  };
}

/** Available to sell of one item (see stockLevels). */
export function availableToSell(item: SageItem, settings: StockSettings): number {
  return stockLevels(SageItemTable.from([item]), settings)(0);
}

/**
 * The price the store should show for item `index`, rounded to the 4 decimals BigCommerce keeps; undefined when the
 * chosen column is empty or zero, which in Sage means "not priced" — the store keeps its own price then.
 */
function priceAt(items: SageItemTable, index: number, settings: StockSettings): number | undefined {
  if (!settings.priceColumn) return undefined;
  const value = items.price(index, settings.priceColumn);
  if (value === undefined || !(value > 0)) return undefined;
  return Math.round(value * 10_000) / 10_000;
}

/** The store price of one item (see priceAt). */
export function storePrice(item: SageItem, settings: StockSettings): number | undefined {
  return priceAt(SageItemTable.from([item]), 0, settings);
}

/**
 * The persisted form: the SKUs in code-unit order written one after another in one string, with their end offsets
 * and the two value columns as base64 typed arrays (NaN = nothing pushed). Loading it parses four strings, not
 * 100,000, and builds no per-SKU object: lookups are a binary search over the offsets.
 */
export interface SnapshotDocument {
  version: 3;
  target: string;
  count: number;
  skus: string;
  /** Uint32Array of end offsets in `skus`. */
  ends: string;
  /** Float64Array per SKU. */
  stock: string;
  price: string;
}

/**
 * The earlier forms, still read so an upgrade does not push the whole catalog again: version 1 with SKUs in any
 * order, version 2 sorted by code units; both with a JSON array per column (null = nothing pushed).
 */
interface SnapshotDocumentV1V2 {
  version: 1 | 2;
  target: string;
  skus: string[];
  stock: Array<number | null>;
  price: Array<number | null>;
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** SKUs sorted by code units, written one after another in one string with their end offsets. */
export class SortedSkus {
  constructor(
    readonly text = '',
    readonly ends = new Uint32Array(0),
  ) {}

  /** `skus`, already sorted and distinct. */
  static of(skus: readonly string[]): SortedSkus {
    let end = 0;
    return new SortedSkus(skus.join(''), Uint32Array.from(skus, (sku) => (end += sku.length)));
  }

  get length(): number {
    return this.ends.length;
  }

  at(index: number): string {
    return this.text.slice(index === 0 ? 0 : this.ends[index - 1]!, this.ends[index]!);
  }

  /** Position of `sku`, or -1. */
  indexOf(sku: string): number {
    return this.indexOfSlice(sku, 0, sku.length);
  }

  /** Position of the SKU written in `text` from `start` to `end`, or -1; compared in place, so a lookup allocates nothing. */
  indexOfSlice(text: string | CodeUnits, start: number, end: number): number {
    let low = 0;
    let high = this.ends.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const order = compareSlices(text, start, end, this.text, middle === 0 ? 0 : this.ends[middle - 1]!, this.ends[middle]!);
      if (order === 0) return middle;
      if (order > 0) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }
}

/**
 * One value per SKU: a typed array beside the snapshot's sorted SKUs, and a small map for SKUs pushed for the
 * first time since the snapshot was loaded. Reads like a Map (get, set, size, iteration).
 */
export class SnapshotColumn {
  /** SKUs the loaded snapshot does not hold, with their values. */
  readonly added = new Map<string, number>();
  private stored = 0;

  constructor(
    private readonly owner: PushSnapshot,
    private readonly values: Float64Array,
  ) {
    for (let index = 0; index < values.length; index++) if (!Number.isNaN(values[index]!)) this.stored++;
  }

  get(sku: string): number | undefined {
    const index = this.owner.skus.indexOf(sku);
    if (index < 0) return this.added.get(sku);
    const value = this.values[index]!;
    return Number.isNaN(value) ? undefined : value;
  }

  set(sku: string, value: number): this {
    const index = this.owner.skus.indexOf(sku);
    if (index < 0) {
      this.added.set(sku, value);
    } else {
      if (Number.isNaN(this.values[index]!)) this.stored++;
      this.values[index] = value;
    }
    return this;
  }

  /** The value of the loaded snapshot's SKU at `index`; NaN for none. */
  valueAt(index: number): number {
    return this.values[index]!;
  }

  get size(): number {
    return this.stored + this.added.size;
  }

  *[Symbol.iterator](): IterableIterator<[string, number]> {
    const skus = this.owner.skus;
    for (let index = 0; index < skus.length; index++) {
      const value = this.values[index]!;
      if (!Number.isNaN(value)) yield [skus.at(index), value];
    }
    yield* this.added;
  }
}

/** The loaded values of an earlier form, in `order` (positions in the document's arrays). */
function oldColumn(values: Array<number | null>, order: Iterable<number>): Float64Array {
  return Float64Array.from(order, (index) => {
    const value = values[index];
    return typeof value === 'number' ? value : Number.NaN;
  });
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
    /** The SKUs of the loaded document. */
    readonly skus = new SortedSkus(),
    stock: Float64Array = new Float64Array(skus.length).fill(Number.NaN),
    price: Float64Array = new Float64Array(skus.length).fill(Number.NaN),
  ) {
    this.stock = new SnapshotColumn(this, stock);
    this.price = new SnapshotColumn(this, price);
  }

  /** The snapshot in `document`, or an empty one when it is missing, unreadable or for another target. */
  static fromDocument(document: unknown, target: string): PushSnapshot {
    const doc = document as Partial<SnapshotDocument> | Partial<SnapshotDocumentV1V2> | undefined;
    if (doc?.target !== target) return new PushSnapshot(target);
    if (doc.version === 3) return PushSnapshot.fromColumns(doc, target) ?? new PushSnapshot(target);
    if (doc.version === 1 || doc.version === 2) return PushSnapshot.fromArrays(doc, target) ?? new PushSnapshot(target);
    return new PushSnapshot(target);
  }

  private static fromColumns(doc: Partial<SnapshotDocument>, target: string): PushSnapshot | undefined {
    const { count, skus } = doc;
    if (typeof count !== 'number' || typeof skus !== 'string') return undefined;
    const ends = fromBase64(doc.ends, Uint32Array, count);
    const stock = fromBase64(doc.stock, Float64Array, count);
    const price = fromBase64(doc.price, Float64Array, count);
    if (!ends || !stock || !price || (count > 0 && ends[count - 1] !== skus.length)) return undefined;
    for (let index = 1; index < count; index++) if (ends[index]! < ends[index - 1]!) return undefined;
    return new PushSnapshot(target, new SortedSkus(skus, ends), stock, price);
  }

  private static fromArrays(doc: Partial<SnapshotDocumentV1V2>, target: string): PushSnapshot | undefined {
    const { skus, stock, price } = doc;
    if (!Array.isArray(skus) || !Array.isArray(stock) || !Array.isArray(price)) return undefined;
    if (skus.length !== stock.length || skus.length !== price.length || skus.some((sku) => typeof sku !== 'string')) return undefined;
    let sorted = true;
    for (let index = 1; index < skus.length && sorted; index++) sorted = skus[index - 1]! < skus[index]!;
    if (sorted) return new PushSnapshot(target, SortedSkus.of(skus), oldColumn(stock, skus.keys()), oldColumn(price, skus.keys()));
    // A version-1 document, or one edited by hand: sorted once here, and duplicates keep their first value.
    const order = [...skus.keys()].sort((a, b) => byCodeUnits(skus[a]!, skus[b]!) || a - b).filter((index, position, all) => position === 0 || skus[index] !== skus[all[position - 1]!]);
    return new PushSnapshot(
      target,
      SortedSkus.of(order.map((index) => skus[index]!)),
      oldColumn(stock, order),
      oldColumn(price, order),
    );
  }

  /**
   * The loaded SKUs with a value merged in order with those added since (kept in maps until now), written straight
   * into the document's columns.
   */
  toDocument(): SnapshotDocument {
    const added = [...new Set([...this.stock.added.keys(), ...this.price.added.keys()])].sort(byCodeUnits);
    const capacity = this.skus.length + added.length;
    const text = new TextWriter();
    const ends = new Uint32Array(capacity);
    const stock = new Float64Array(capacity);
    const price = new Float64Array(capacity);
    let count = 0;
    const write = (sku: string, stockValue: number, priceValue: number) => {
      ends[count] = text.write(sku);
      stock[count] = stockValue;
      price[count] = priceValue;
      count++;
    };
    let next = 0;
    const none = (value: number | undefined) => value ?? Number.NaN;
    for (let index = 0; index < this.skus.length; index++) {
      const stockValue = this.stock.valueAt(index);
      const priceValue = this.price.valueAt(index);
      if (Number.isNaN(stockValue) && Number.isNaN(priceValue)) continue;
      const sku = this.skus.at(index);
      for (; next < added.length && added[next]! < sku; next++) write(added[next]!, none(this.stock.added.get(added[next]!)), none(this.price.added.get(added[next]!)));
      write(sku, stockValue, priceValue);
    }
    for (; next < added.length; next++) write(added[next]!, none(this.stock.added.get(added[next]!)), none(this.price.added.get(added[next]!)));
    return {
      version: 3,
      target: this.target,
      count,
      skus: unitsToString(text.finish(), 0, text.length),
      ends: toBase64(ends.subarray(0, count)),
      stock: toBase64(stock.subarray(0, count)),
      price: toBase64(price.subarray(0, count)),
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
  /** With `held`: units taken off the planned levels (changed or not), and the SKUs they were taken from. */
  heldBack?: { units: number; skus: string[] };
}

export interface PlanOptions {
  settings: StockSettings;
  /** ItemCode → store SKUs (the sync-item-map table); without one the item code is the SKU. */
  skusFor?: (itemCode: string) => string[];
  /** What was pushed last time; without one (a full resync) every value is pushed. */
  snapshot?: PushSnapshot;
  /** Units of store orders Sage does not have yet, taken off each SKU's level (never below 0). */
  held?: HeldStock;
}

/**
 * Which item fed each SKU, for the duplicate check: a typed array over the snapshot's SKUs (item positions + 1)
 * and a map only for SKUs the snapshot does not hold, so a run over a known catalog adds no per-SKU objects.
 */
class FedBy {
  private readonly known: Int32Array;
  private readonly others = new Map<string, number>();

  constructor(snapshot: PushSnapshot | undefined) {
    this.known = new Int32Array(snapshot?.skus.length ?? 0);
  }

  /**
   * The position of the item that fed the SKU before, or -1 after recording `item` as its feeder. `index` is the SKU's
   * place in the snapshot; -1 when it is not there, and then the SKU is named.
   */
  claim(index: number, sku: string | undefined, item: number): number {
    if (index >= 0) {
      const before = this.known[index]! - 1;
      if (before < 0) this.known[index] = item + 1;
      return before;
    }
    const before = this.others.get(sku!);
    if (before !== undefined) return before;
    this.others.set(sku!, item);
    return -1;
  }
}

/** What `column` holds for the SKU at `index` in the snapshot, or for `sku` when it is not there (-1). */
function lastPushed(column: SnapshotColumn | undefined, index: number, sku: string | undefined): number | undefined {
  if (!column) return undefined;
  if (index < 0) return column.get(sku!);
  const value = column.valueAt(index);
  return Number.isNaN(value) ? undefined : value;
}

/**
 * The stock levels and prices that differ from the snapshot, in item order. One pass over the item columns (an
 * array of items is put in columns first), and nothing kept per SKU but the duplicate check. Without a SKU map
 * each item code is looked up in the snapshot where it stands in the table, so an unchanged item allocates
 * nothing and a 100,000-item run costs little more than its output.
 */
export function planPush(source: SageItemTable | readonly SageItem[], options: PlanOptions): PushPlan {
  const items = SageItemTable.of(source);
  const { settings, snapshot, skusFor } = options;
  const plan: PushPlan = { stock: [], prices: [], skus: 0, unchanged: 0, unmappedItems: [], conflicts: [] };
  const fedBy = new FedBy(snapshot);
  const stockLevel = stockLevels(items, settings);
  // Nothing held (the usual case): no SKU is sliced out of the table for the lookup.
  const held = options.held?.skuCount ? options.held : undefined;
  const heldBack: NonNullable<PushPlan['heldBack']> = { units: 0, skus: [] };
  if (held) plan.heldBack = heldBack;
  /** One SKU of item `position`, at `index` in the snapshot; `sku` undefined means the item code, sliced out only when needed. */
  const planSku = (position: number, index: number, sku: string | undefined, level: number, price: number | undefined) => {
    const kept = fedBy.claim(index, sku, position);
    if (kept >= 0) {
      const itemCode = items.itemCode(position);
      const keptItemCode = items.itemCode(kept);
      if (keptItemCode !== itemCode) plan.conflicts.push({ sku: sku ?? itemCode, itemCode, keptItemCode });
      return;
    }
    let quantity = level;
    if (held) {
      const name = sku ?? items.itemCode(position);
      quantity = Math.max(0, level - held.units(name));
      if (quantity < level) {
        heldBack.units += level - quantity;
        heldBack.skus.push(name);
      }
    }
    plan.skus++;
    const stockChanged = lastPushed(snapshot?.stock, index, sku) !== quantity;
    const priceChanged = price !== undefined && lastPushed(snapshot?.price, index, sku) !== price;
    if (stockChanged) plan.stock.push({ sku: sku ?? items.itemCode(position), quantity });
    if (priceChanged) plan.prices.push({ sku: sku ?? items.itemCode(position), price });
    if (!stockChanged && !priceChanged) plan.unchanged++;
  };
  for (let position = 0; position < items.length; position++) {
    if (!skusFor) {
      const index = snapshot ? snapshot.skus.indexOfSlice(items.text, items.itemCodeStart(position), items.itemCodeEnd(position)) : -1;
      planSku(position, index, index < 0 ? items.itemCode(position) : undefined, stockLevel(position), priceAt(items, position, settings));
      continue;
    }
    const itemCode = items.itemCode(position);
    const skus = skusFor(itemCode);
    if (skus.length === 0) {
      plan.unmappedItems.push(itemCode);
      continue;
    }
    const quantity = stockLevel(position);
    const price = priceAt(items, position, settings);
    for (const sku of skus) planSku(position, snapshot?.skus.indexOf(sku) ?? -1, sku, quantity, price);
  }
  return plan;
}
