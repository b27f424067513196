import { GrowingColumn, TextWriter, fromBase64, toBase64, unitsToString, type CodeUnits } from '../typed-columns';
import type { ItemWarehouse, SageItem } from './types';

/**
 * The Sage items of one run in columns, as `sage100-items` sends them in msg.payload: a 100,000-item catalog is a few
 * typed arrays outside the JavaScript heap (about 15 MB) instead of 300,000 objects (about 40 MB of heap, which the
 * garbage collector also walks), and the push plans straight from the columns. Items come out as plain `SageItem` objects one at a time (`at`, iteration) or all at
 * once (`toArray`; `toJSON` gives the same array, so a debug node, JSON or a file shows the items).
 *
 * Every member is a plain own property (no private fields, no closures), so Node-RED's RED.util.cloneMessage (a
 * lodash deep clone, which keeps the prototype and copies typed arrays, strings and maps) gives a working copy when
 * a node has several wires.
 */

type PriceCodes = NonNullable<SageItem['priceCodes']>;

/** The string members of an item, in their order within the text. ItemCode is always there; the others may be missing. */
const TEXTS = ['ItemCode', 'ItemCodeDesc', 'SaleStartingDate', 'SaleEndingDate', 'SaleMethod', 'DateUpdated', 'TimeUpdated'] as const;
const PRICES = ['StandardUnitPrice', 'SuggestedRetailPrice', 'SalesPromotionPrice'] as const;
export type ItemPriceColumn = (typeof PRICES)[number];
/** flags: bit `t` = text member `t` present (t ≥ 1), then InactiveItem present and its value, then Discontinued's. */
const INACTIVE_SET = 1 << TEXTS.length;
const INACTIVE_TRUE = INACTIVE_SET << 1;
const DISCONTINUED_SET = INACTIVE_TRUE << 1;
const DISCONTINUED_TRUE = DISCONTINUED_SET << 1;
/** Per warehouse row: QuantityOnHand, QuantityOnSalesOrder, QuantityOnBackOrder. */
const QUANTITIES = 3;

/** The JSON form of a table (the push's pending items): the same columns, typed arrays as base64. */
export interface ItemTableDocument {
  count: number;
  /** The code units, base64; two bytes each when `wide`. */
  text: string;
  wide: boolean;
  ends: string;
  flags: string;
  prices: string;
  warehouseStarts: string;
  warehouseCodes: string[];
  warehouseCode: string;
  quantities: string;
  priceCodes: Array<[number, PriceCodes]>;
}

export class SageItemTable implements Iterable<SageItem> {
  constructor(
    /** Items in the table. */
    readonly length: number,
    /** Every item's string members one after another, as code units. */
    readonly text: CodeUnits,
    /** End offset in `text` of each string member, TEXTS.length per item. */
    readonly ends: Uint32Array,
    /** Which optional members each item has (see INACTIVE_SET). */
    readonly flags: Uint16Array,
    /** The three CI_Item prices per item; NaN where the item has none. */
    readonly prices: Float64Array,
    /** Item i's warehouse rows are warehouseStarts[i] up to warehouseStarts[i + 1]. */
    readonly warehouseStarts: Uint32Array,
    /** The distinct warehouse codes; rows name theirs by position. */
    readonly warehouseCodes: readonly string[],
    readonly warehouseCode: Uint32Array,
    /** QUANTITIES per warehouse row. */
    readonly quantities: Float64Array,
    /** IM_PriceCode rows, for the few items that have them (by item position). */
    readonly priceCodes: ReadonlyMap<number, PriceCodes>,
  ) {}

  static from(items: Iterable<SageItem>): SageItemTable {
    return new SageItemTableBuilder().addAll(items).finish();
  }

  /** `items` as a table: itself when it is one. */
  static of(items: SageItemTable | Iterable<SageItem>): SageItemTable {
    return items instanceof SageItemTable ? items : SageItemTable.from(items);
  }

  /** The table in `document`, or undefined when its columns do not fit together. */
  static fromDocument(document: unknown): SageItemTable | undefined {
    const doc = document as Partial<ItemTableDocument> | undefined;
    const count = doc?.count;
    if (typeof count !== 'number' || !Array.isArray(doc?.warehouseCodes) || !Array.isArray(doc.priceCodes)) return undefined;
    const ends = fromBase64(doc.ends, Uint32Array, count * TEXTS.length);
    const textLength = count > 0 ? ends?.[ends.length - 1] : 0;
    const text = textLength === undefined ? undefined : doc.wide ? fromBase64(doc.text, Uint16Array, textLength) : fromBase64(doc.text, Uint8Array, textLength);
    const flags = fromBase64(doc.flags, Uint16Array, count);
    const prices = fromBase64(doc.prices, Float64Array, count * PRICES.length);
    const warehouseStarts = fromBase64(doc.warehouseStarts, Uint32Array, count + 1);
    const rows = warehouseStarts?.[count];
    if (!ends || !text || !flags || !prices || !warehouseStarts || rows === undefined) return undefined;
    const warehouseCode = fromBase64(doc.warehouseCode, Uint32Array, rows);
    const quantities = fromBase64(doc.quantities, Float64Array, rows * QUANTITIES);
    const codes = doc.warehouseCodes;
    if (!warehouseCode || !quantities || codes.some((code) => typeof code !== 'string') || warehouseCode.some((index) => index >= codes.length)) return undefined;
    return new SageItemTable(count, text, ends, flags, prices, warehouseStarts, codes, warehouseCode, quantities, new Map(doc.priceCodes));
  }

  toDocument(): ItemTableDocument {
    return {
      count: this.length,
      text: toBase64(this.text),
      wide: this.text instanceof Uint16Array,
      ends: toBase64(this.ends),
      flags: toBase64(this.flags),
      prices: toBase64(this.prices),
      warehouseStarts: toBase64(this.warehouseStarts),
      warehouseCodes: [...this.warehouseCodes],
      warehouseCode: toBase64(this.warehouseCode),
      quantities: toBase64(this.quantities),
      priceCodes: [...this.priceCodes],
    };
  }

  private textAt(index: number, member: number): string | undefined {
    const at = index * TEXTS.length + member;
    if (member > 0 && !(this.flags[index]! & (1 << member))) return undefined;
    return unitsToString(this.text, at === 0 ? 0 : this.ends[at - 1]!, this.ends[at]!);
  }

  itemCode(index: number): string {
    return this.textAt(index, 0)!;
  }

  /** Where item `index`'s code starts in `text`: lookups compare it in place rather than slicing it out. */
  itemCodeStart(index: number): number {
    return index === 0 ? 0 : this.ends[index * TEXTS.length - 1]!;
  }

  itemCodeEnd(index: number): number {
    return this.ends[index * TEXTS.length]!;
  }

  price(index: number, column: ItemPriceColumn): number | undefined {
    const value = this.prices[index * PRICES.length + PRICES.indexOf(column)]!;
    return Number.isNaN(value) ? undefined : value;
  }

  inactive(index: number): boolean | undefined {
    const flags = this.flags[index]!;
    return flags & INACTIVE_SET ? (flags & INACTIVE_TRUE) !== 0 : undefined;
  }

  discontinued(index: number): boolean | undefined {
    const flags = this.flags[index]!;
    return flags & DISCONTINUED_SET ? (flags & DISCONTINUED_TRUE) !== 0 : undefined;
  }

  /** Sage says item `index` is not to be sold: inactive, or discontinued (see push-plan's notForSale). */
  notForSale(index: number): boolean {
    return this.inactive(index) === true || this.discontinued(index) === true;
  }

  /**
   * Item `index`'s on hand − on sales order (− on back order) summed over its warehouses, or over those `selected`
   * marks (1 by position in warehouseCodes).
   */
  netQuantity(index: number, selected: Uint8Array | undefined, subtractBackOrders: boolean): number {
    let total = 0;
    for (let row = this.warehouseStarts[index]!; row < this.warehouseStarts[index + 1]!; row++) {
      if (selected && !selected[this.warehouseCode[row]!]) continue;
      const at = row * QUANTITIES;
      total += this.quantities[at]! - this.quantities[at + 1]! - (subtractBackOrders ? this.quantities[at + 2]! : 0);
    }
    return total;
  }

  /** Item `index` as a plain object of its own (changing it changes nothing in the table). */
  at(index: number): SageItem | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) return undefined;
    const item: Record<string, unknown> = {};
    const text = (member: number) => {
      const value = this.textAt(index, member);
      if (value !== undefined) item[TEXTS[member]!] = value;
    };
    text(0);
    text(1);
    PRICES.forEach((column) => {
      const value = this.price(index, column);
      if (value !== undefined) item[column] = value;
    });
    for (let member = 2; member <= 4; member++) text(member);
    const inactive = this.inactive(index);
    if (inactive !== undefined) item.InactiveItem = inactive;
    const discontinued = this.discontinued(index);
    if (discontinued !== undefined) item.Discontinued = discontinued;
    const priceCodes = this.priceCodes.get(index);
    if (priceCodes) item.priceCodes = priceCodes.map((code) => ({ ...code, breaks: code.breaks.map((row) => ({ ...row })) }));
    text(5);
    text(6);
    const warehouses: ItemWarehouse[] = [];
    for (let row = this.warehouseStarts[index]!; row < this.warehouseStarts[index + 1]!; row++) {
      const at = row * QUANTITIES;
      warehouses.push({
        WarehouseCode: this.warehouseCodes[this.warehouseCode[row]!]!,
        QuantityOnHand: this.quantities[at]!,
        QuantityOnSalesOrder: this.quantities[at + 1]!,
        QuantityOnBackOrder: this.quantities[at + 2]!,
      });
    }
    item.warehouses = warehouses;
    return item as SageItem;
  }

  /** The item positions, 0 to length − 1. */
  *keys(): IterableIterator<number> {
    for (let index = 0; index < this.length; index++) yield index;
  }

  *[Symbol.iterator](): IterableIterator<SageItem> {
    for (let index = 0; index < this.length; index++) yield this.at(index)!;
  }

  toArray(): SageItem[] {
    return [...this];
  }

  /** JSON.stringify (a debug node, a file, an HTTP response) writes the items as the plain array. */
  toJSON(): SageItem[] {
    return this.toArray();
  }
}

/**
 * Node-RED's debug node shortens only plain objects and arrays (long arrays to their first 1,000 entries) and sends any
 * other class to the editor whole: under its own constructor name the table would reach the browser as all its items.
 * Named Object, it is shortened like the array it stands for. (A `Symbol.toStringTag` would stop lodash, and so
 * RED.util.cloneMessage, from cloning it.)
 */
Object.defineProperty(SageItemTable, 'name', { value: 'Object' });

/** Builds a table item by item (a page at a time from the agent), so the run never holds every item as an object. */
export class SageItemTableBuilder {
  private count = 0;
  private readonly text = new TextWriter();
  private readonly ends = new GrowingColumn(Uint32Array);
  private readonly flags = new GrowingColumn(Uint16Array);
  private readonly prices = new GrowingColumn(Float64Array);
  private readonly warehouseStarts = new GrowingColumn(Uint32Array);
  private readonly warehouseCodes: string[] = [];
  private readonly codeIndex = new Map<string, number>();
  private readonly warehouseCode = new GrowingColumn(Uint32Array);
  private readonly quantities = new GrowingColumn(Float64Array);
  private rows = 0;
  private readonly priceCodes = new Map<number, PriceCodes>();

  constructor() {
    this.warehouseStarts.ensure(1);
  }

  /** Items added so far. */
  get length(): number {
    return this.count;
  }

  add(item: SageItem): this {
    const index = this.count;
    this.ends.ensure((index + 1) * TEXTS.length);
    this.flags.ensure(index + 1);
    this.prices.ensure((index + 1) * PRICES.length);
    this.warehouseStarts.ensure(index + 2);
    const ends = this.ends.values;
    let flags = 0;
    for (let position = 0; position < TEXTS.length; position++) {
      const value = item[TEXTS[position]!];
      if (value !== undefined) flags |= 1 << position;
      ends[index * TEXTS.length + position] = this.text.write(value ?? '');
    }
    if (item.InactiveItem !== undefined) flags |= INACTIVE_SET | (item.InactiveItem ? INACTIVE_TRUE : 0);
    if (item.Discontinued !== undefined) flags |= DISCONTINUED_SET | (item.Discontinued ? DISCONTINUED_TRUE : 0);
    this.flags.values[index] = flags;
    const prices = this.prices.values;
    for (let position = 0; position < PRICES.length; position++) prices[index * PRICES.length + position] = item[PRICES[position]!] ?? Number.NaN;
    if (item.priceCodes) this.priceCodes.set(index, item.priceCodes);
    this.warehouseCode.ensure(this.rows + item.warehouses.length);
    this.quantities.ensure((this.rows + item.warehouses.length) * QUANTITIES);
    const quantities = this.quantities.values;
    for (const warehouse of item.warehouses) {
      let code = this.codeIndex.get(warehouse.WarehouseCode);
      if (code === undefined) {
        code = this.warehouseCodes.push(warehouse.WarehouseCode) - 1;
        this.codeIndex.set(warehouse.WarehouseCode, code);
      }
      this.warehouseCode.values[this.rows] = code;
      const at = this.rows * QUANTITIES;
      quantities[at] = warehouse.QuantityOnHand;
      quantities[at + 1] = warehouse.QuantityOnSalesOrder;
      quantities[at + 2] = warehouse.QuantityOnBackOrder;
      this.rows++;
    }
    this.warehouseStarts.values[index + 1] = this.rows;
    this.count++;
    return this;
  }

  addAll(items: Iterable<SageItem>): this {
    for (const item of items) this.add(item);
    return this;
  }

  /** Items `indexes` of `table`, in that order. */
  addFrom(table: SageItemTable, indexes: Iterable<number>): this {
    for (const index of indexes) this.add(table.at(index)!);
    return this;
  }

  /** The table; the builder is used once. */
  finish(): SageItemTable {
    return new SageItemTable(
      this.count,
      this.text.finish(),
      this.ends.finish(this.count * TEXTS.length),
      this.flags.finish(this.count),
      this.prices.finish(this.count * PRICES.length),
      this.warehouseStarts.finish(this.count + 1),
      [...this.warehouseCodes],
      this.warehouseCode.finish(this.rows),
      this.quantities.finish(this.rows * QUANTITIES),
      new Map(this.priceCodes),
    );
  }
}
