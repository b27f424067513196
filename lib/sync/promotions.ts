import type { SageItem } from '../sage100/types';

/**
 * Sage promotions as the store's sale price. CI_Item holds one promotion per item: `SalesPromotionPrice` valid from
 * `SaleStartingDate` to `SaleEndingDate` (YYYYMMDD; empty = open at that end), with `SaleMethod` P (a price). Nothing in
 * Sage changes, and nothing is stamped, when a promotion starts or ends by the calendar, so the push keeps every known
 * promotion in a book and, on every run, sets or removes the sale price of those whose state changed by the date.
 */

export interface PromotionEntry {
  /** 0 when the item has no promotion (any sale price pushed before is to be removed). */
  price: number;
  start: string;
  end: string;
  /** The sale price the store confirmed (0 = none); absent when nothing was ever pushed for this SKU. */
  pushed?: number;
}

export interface PromotionDocument {
  version: 1;
  target: string;
  entries: Array<[string, PromotionEntry]>;
}

/** SaleMethod values that mean "SalesPromotionPrice is the price"; other methods (a discount) are not read (UNCONFIRMED codes). */
const PRICE_METHODS = new Set(['', 'P']);

/** The promotion of an item as the store can show it, or price 0 when there is none to show. */
export function promotionOf(item: SageItem): Omit<PromotionEntry, 'pushed'> {
  const price = item.SalesPromotionPrice ?? 0;
  const method = (item.SaleMethod ?? '').trim().toUpperCase();
  if (!(price > 0) || !PRICE_METHODS.has(method)) return { price: 0, start: '', end: '' };
  return { price: Math.round(price * 10_000) / 10_000, start: (item.SaleStartingDate ?? '').trim(), end: (item.SaleEndingDate ?? '').trim() };
}

/** The sale price the store should show on `today` (YYYYMMDD, Sage's clock): the promotion's, between its dates; else 0. */
export function salePriceOn(entry: Omit<PromotionEntry, 'pushed'>, today: string): number {
  if (!(entry.price > 0)) return 0;
  if (entry.start && today < entry.start) return 0;
  if (entry.end && today > entry.end) return 0;
  return entry.price;
}

export class PromotionBook {
  private readonly entries = new Map<string, PromotionEntry>();

  constructor(readonly target: string) {}

  static fromDocument(document: unknown, target: string): PromotionBook {
    const book = new PromotionBook(target);
    const doc = document as Partial<PromotionDocument> | undefined;
    if (doc?.version !== 1 || doc.target !== target || !Array.isArray(doc.entries)) return book;
    for (const entry of doc.entries) {
      if (Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1]?.price === 'number') book.entries.set(entry[0], entry[1]);
    }
    return book;
  }

  /** Takes the promotions of this run's items (an item without one clears its SKUs' entries). */
  record(items: Iterable<SageItem>, skusFor: (itemCode: string) => string[]): void {
    for (const item of items) {
      const promotion = promotionOf(item);
      for (const sku of skusFor(item.ItemCode)) {
        const known = this.entries.get(sku);
        // A SKU that never had a promotion needs no entry: there is no sale price to remove.
        if (promotion.price === 0 && !known) continue;
        this.entries.set(sku, { ...promotion, ...(known?.pushed !== undefined && { pushed: known.pushed }) });
      }
    }
  }

  /** Sale prices to write on `today`: those that differ from what the store confirmed. */
  due(today: string): Array<{ sku: string; salePrice: number }> {
    const due: Array<{ sku: string; salePrice: number }> = [];
    for (const [sku, entry] of this.entries) {
      const salePrice = salePriceOn(entry, today);
      if (salePrice !== (entry.pushed ?? 0) || (entry.pushed === undefined && salePrice > 0)) due.push({ sku, salePrice });
    }
    return due;
  }

  /** The store confirmed `salePrice` for `sku`; an entry with nothing left to do is dropped. */
  confirmed(sku: string, salePrice: number, today: string): void {
    const entry = this.entries.get(sku);
    if (!entry) return;
    entry.pushed = salePrice;
    const over = entry.price === 0 || (entry.end !== '' && today > entry.end);
    if (over && salePrice === 0) this.entries.delete(sku);
  }

  get size(): number {
    return this.entries.size;
  }

  toDocument(): PromotionDocument {
    return { version: 1, target: this.target, entries: [...this.entries] };
  }
}
