import { z } from 'zod';
import { parseWith } from '../errors';
import { HttpError } from '../http/errors';
import type { HttpRequest, RequestFunction } from '../http/transport';
import { serverMessage } from './errors';
import { v3Pages } from './pagination';

/**
 * The catalog and inventory calls of the stock and price push, written against a RequestFunction so they
 * work with whatever client the config node builds (rate-limit governor, retries). Every call is `bulk`
 * priority, so order traffic on the same store goes first, and every write is absolute, so repeating one
 * after an unknown outcome cannot do harm.
 */

/** Documented per-request maxima. */
export const MAX_ADJUSTMENTS_PER_CALL = 2_000;
export const MAX_VARIANTS_PER_CALL = 50;
export const MAX_PRODUCTS_PER_CALL = 10;
/** SKUs per lookup: one page of 250, and a query short enough for any proxy between here and the store. */
const MAX_SKUS_PER_LOOKUP = 250;
const MAX_LOOKUP_QUERY_CHARS = 2_000;

/**
 * Where a SKU lives in the store. `product`: the SKU of a product without options, whose stock and price
 * are set on the product. `variant`: one option combination, whose stock and price are set on the variant.
 * A product's `baseVariantId` (its one variant, `base_variant_id`) lets its price go through the variants batch
 * too: 50 a call instead of the products batch's 10.
 */
export type CatalogItem = { kind: 'product'; productId: number; baseVariantId?: number } | { kind: 'variant'; productId: number; variantId: number };

export interface StockWrite {
  sku: string;
  item: CatalogItem;
  quantity: number;
}

export interface VariantPriceWrite {
  sku: string;
  variantId: number;
  price: number;
}

export interface SalePriceWrite {
  sku: string;
  item: CatalogItem;
  /** 0 removes the sale price. */
  salePrice: number;
}

export interface OfferWrite {
  sku: string;
  item: CatalogItem;
  /** false takes the SKU off sale (hidden product, or a variant that cannot be bought). */
  offered: boolean;
}

export interface ProductPriceWrite {
  sku: string;
  productId: number;
  price: number;
}

export interface BatchOutcome<T> {
  succeeded: T[];
  failed: Array<{ write: T; message: string }>;
}

/** Called after every batch, with how many writes of the whole run are settled. */
export type BatchListener<T> = (outcome: BatchOutcome<T>, settled: number, total: number) => void;

const inventoryItemRows = z.array(
  z.looseObject({
    identity: z.looseObject({
      sku: z.string(),
      product_id: z.number().int(),
      variant_id: z.number().int().nullish(),
    }),
  }),
);

const productRows = z.array(z.looseObject({ id: z.number().int(), sku: z.string(), base_variant_id: z.number().int().nullish() }));

const batchResponse = z.looseObject({ data: z.array(z.looseObject({ id: z.number().int() })).optional(), errors: z.unknown().optional() });

/** Split `values` into runs of at most `size`. */
function chunks<T>(values: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < values.length; start += size) out.push(values.slice(start, start + size));
  return out;
}

/** SKU lists for `sku:in` filters, bounded by count and by query length. A SKU with a comma cannot be listed. */
function lookupBatches(skus: readonly string[]): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let chars = 0;
  for (const sku of skus) {
    if (sku.includes(',')) continue;
    if (current.length > 0 && (current.length >= MAX_SKUS_PER_LOOKUP || chars + sku.length + 1 > MAX_LOOKUP_QUERY_CHARS)) {
      batches.push(current);
      current = [];
      chars = 0;
    }
    current.push(sku);
    chars += sku.length + 1;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** What BigCommerce names in an error, e.g. "[Item with variant_id 106 is tracked by product, …]" or `{"items.3": …}`. */
export interface NamedRecords {
  variantIds: Set<number>;
  productIds: Set<number>;
  /** Plain `id N` mentions, meaning whatever record kind the batch holds. */
  ids: Set<number>;
  skus: Set<string>;
  /** Positions in the sent array, from error keys such as `items.3` or `3.price`. */
  positions: Set<number>;
}

export function namedRecords(body: unknown): NamedRecords {
  const text = JSON.stringify(body ?? '');
  const named: NamedRecords = { variantIds: new Set(), productIds: new Set(), ids: new Set(), skus: new Set(), positions: new Set() };
  for (const match of text.matchAll(/\b(variant_id|variant|product_id|product|id)\b[\s"':=#]*(\d+)/gi)) {
    const kind = (match[1] ?? '').toLowerCase();
    const id = Number(match[2]);
    if (kind.startsWith('variant')) named.variantIds.add(id);
    else if (kind.startsWith('product')) named.productIds.add(id);
    else named.ids.add(id);
  }
  for (const match of text.matchAll(/\bsku\b[\s"':=]*([^"'\s,\]]+)/gi)) named.skus.add(match[1] ?? '');
  for (const match of text.matchAll(/"(?:items\.)?(\d+)(?:\.[^"]*)?"\s*:/g)) named.positions.add(Number(match[1]));
  return named;
}

interface BatchTarget<T> {
  purpose: 'stock' | 'prices';
  request: (pending: T[]) => HttpRequest;
  /** The id under which the batch's answer lists a write (`data[].id`). */
  idOf: (write: T) => number;
  isNamed: (write: T, named: NamedRecords) => boolean;
}

export class CatalogCalls {
  /** Logical calls made, by purpose; retries inside the request function are not counted again. */
  readonly calls = { lookups: 0, stock: 0, prices: 0 };

  constructor(private readonly request: RequestFunction) {}

  /** The request function for one purpose: counted, `bulk` priority, and safe to repeat (reads and absolute writes). */
  private sender(purpose: keyof CatalogCalls['calls']): RequestFunction {
    return (request) => {
      this.calls[purpose]++;
      return this.request({ ...request, priority: 'bulk', idempotent: true });
    };
  }

  /**
   * Where each SKU lives. The products filter matches base SKUs only, so what it finds is product-level;
   * inventory items then give the variant ids of the rest (variants have no documented multi-SKU filter).
   * SKUs found by neither are unknown to the store.
   */
  async lookup(skus: readonly string[]): Promise<Map<string, CatalogItem>> {
    const found = new Map<string, CatalogItem>();
    const send = this.sender('lookups');
    for (const batch of lookupBatches(skus)) {
      const wanted = new Set(batch);
      for await (const rows of v3Pages(send, '/v3/catalog/products', { 'sku:in': batch.join(','), include_fields: 'sku,base_variant_id' }, { limit: MAX_SKUS_PER_LOOKUP })) {
        for (const product of parseWith(productRows, rows, { what: 'BigCommerce products', code: 'bigcommerce.response' })) {
          if (wanted.has(product.sku)) found.set(product.sku, { kind: 'product', productId: product.id, ...(product.base_variant_id && { baseVariantId: product.base_variant_id }) });
        }
      }
    }
    const rest = skus.filter((sku) => !found.has(sku));
    for (const batch of lookupBatches(rest)) {
      const wanted = new Set(batch);
      for await (const rows of v3Pages(send, '/v3/inventory/items', { 'sku:in': batch.join(',') }, { limit: MAX_SKUS_PER_LOOKUP })) {
        for (const { identity } of parseWith(inventoryItemRows, rows, { what: 'BigCommerce inventory items', code: 'bigcommerce.response' })) {
          if (!wanted.has(identity.sku)) continue;
          found.set(identity.sku, identity.variant_id != null ? { kind: 'variant', productId: identity.product_id, variantId: identity.variant_id } : { kind: 'product', productId: identity.product_id });
        }
      }
    }
    return found;
  }

  /** Absolute stock levels at one location, 2,000 a call, each call answered before the next. */
  async setStock(writes: readonly StockWrite[], options: { locationId: number; reason: string; onBatch?: BatchListener<StockWrite> }): Promise<void> {
    await this.inBatches(writes, MAX_ADJUSTMENTS_PER_CALL, options.onBatch, {
      purpose: 'stock',
      request: (pending) => ({
        method: 'PUT',
        path: '/v3/inventory/adjustments/absolute',
        body: { reason: options.reason, items: pending.map((write) => ({ location_id: options.locationId, ...stockIdentity(write.item), quantity: write.quantity })) },
      }),
      idOf: (write) => (write.item.kind === 'variant' ? write.item.variantId : write.item.productId),
      isNamed: (write, named) =>
        named.skus.has(write.sku) || (write.item.kind === 'variant' ? named.variantIds.has(write.item.variantId) : named.productIds.has(write.item.productId)),
    });
  }

  /** Prices of option combinations through the variants batch, 50 a call. */
  async setVariantPrices(writes: readonly VariantPriceWrite[], onBatch?: BatchListener<VariantPriceWrite>): Promise<void> {
    await this.inBatches(writes, MAX_VARIANTS_PER_CALL, onBatch, {
      purpose: 'prices',
      request: (pending) => ({ method: 'PUT', path: '/v3/catalog/variants', body: pending.map((write) => ({ id: write.variantId, price: write.price })) }),
      idOf: (write) => write.variantId,
      isNamed: (write, named) => named.skus.has(write.sku) || named.variantIds.has(write.variantId) || named.ids.has(write.variantId),
    });
  }

  /** Prices of products without options through the products batch, 10 a call. */
  async setProductPrices(writes: readonly ProductPriceWrite[], onBatch?: BatchListener<ProductPriceWrite>): Promise<void> {
    await this.inBatches(writes, MAX_PRODUCTS_PER_CALL, onBatch, {
      purpose: 'prices',
      request: (pending) => ({ method: 'PUT', path: '/v3/catalog/products', body: pending.map((write) => ({ id: write.productId, price: write.price })) }),
      idOf: (write) => write.productId,
      isNamed: (write, named) => named.skus.has(write.sku) || named.productIds.has(write.productId) || named.ids.has(write.productId),
    });
  }

  /**
   * Sale prices (0 removes one): through the variants batch for variants and for products with a known base
   * variant, the products batch for the rest.
   */
  async setSalePrices(writes: readonly SalePriceWrite[], onBatch?: BatchListener<SalePriceWrite>): Promise<void> {
    const variantIdOf = (write: SalePriceWrite) => (write.item.kind === 'variant' ? write.item.variantId : write.item.baseVariantId);
    const byVariant = writes.filter((write) => variantIdOf(write) !== undefined);
    const byProduct = writes.filter((write) => variantIdOf(write) === undefined);
    await this.inBatches(byVariant, MAX_VARIANTS_PER_CALL, onBatch, {
      purpose: 'prices',
      request: (pending) => ({ method: 'PUT', path: '/v3/catalog/variants', body: pending.map((write) => ({ id: variantIdOf(write)!, sale_price: write.salePrice })) }),
      idOf: (write) => variantIdOf(write)!,
      isNamed: (write, named) => named.skus.has(write.sku) || named.variantIds.has(variantIdOf(write)!) || named.ids.has(variantIdOf(write)!),
    });
    await this.inBatches(byProduct, MAX_PRODUCTS_PER_CALL, onBatch, {
      purpose: 'prices',
      request: (pending) => ({ method: 'PUT', path: '/v3/catalog/products', body: pending.map((write) => ({ id: write.item.productId, sale_price: write.salePrice })) }),
      idOf: (write) => write.item.productId,
      isNamed: (write, named) => named.skus.has(write.sku) || named.productIds.has(write.item.productId) || named.ids.has(write.item.productId),
    });
  }

  /**
   * Takes items off sale or puts them back: an option variant through the variants batch (`purchasing_disabled`), a
   * product without options through the products batch (`is_visible`: hidden from the storefront).
   */
  async setOffered(writes: readonly OfferWrite[], onBatch?: BatchListener<OfferWrite>): Promise<void> {
    const variantIdOf = (write: OfferWrite) => (write.item.kind === 'variant' ? write.item.variantId : undefined);
    await this.inBatches(
      writes.filter((write) => variantIdOf(write) !== undefined),
      MAX_VARIANTS_PER_CALL,
      onBatch,
      {
        purpose: 'prices',
        request: (pending) => ({ method: 'PUT', path: '/v3/catalog/variants', body: pending.map((write) => ({ id: variantIdOf(write)!, purchasing_disabled: !write.offered })) }),
        idOf: (write) => variantIdOf(write)!,
        isNamed: (write, named) => named.skus.has(write.sku) || named.variantIds.has(variantIdOf(write)!) || named.ids.has(variantIdOf(write)!),
      },
    );
    await this.inBatches(
      writes.filter((write) => variantIdOf(write) === undefined),
      MAX_PRODUCTS_PER_CALL,
      onBatch,
      {
        purpose: 'prices',
        request: (pending) => ({ method: 'PUT', path: '/v3/catalog/products', body: pending.map((write) => ({ id: write.item.productId, is_visible: write.offered })) }),
        idOf: (write) => write.item.productId,
        isNamed: (write, named) => named.skus.has(write.sku) || named.productIds.has(write.item.productId) || named.ids.has(write.item.productId),
      },
    );
  }

  private async inBatches<T extends { sku: string }>(writes: readonly T[], size: number, onBatch: BatchListener<T> | undefined, target: BatchTarget<T>): Promise<void> {
    let settled = 0;
    for (const batch of chunks(writes, size)) {
      const outcome = await this.sendBatch(batch, target);
      settled += batch.length;
      onBatch?.(outcome, settled, writes.length);
    }
  }

  /**
   * One batch, settled per write. A 404 or 422 that names records (by id, SKU or position) fails those and
   * sends the rest again, which is harmless whether or not the first call saved them, since every write is
   * absolute; a 422 naming none fails the batch. A 207 saved what its `data` lists, except records its
   * `errors` name. Anything else (401, 403, 5xx after retries, network) ends the run; the next run resumes
   * from the snapshot.
   */
  private async sendBatch<T extends { sku: string }>(batch: T[], target: BatchTarget<T>): Promise<BatchOutcome<T>> {
    const outcome: BatchOutcome<T> = { succeeded: [], failed: [] };
    const send = this.sender(target.purpose);
    let pending = batch;
    while (pending.length > 0) {
      let response;
      try {
        response = await send(target.request(pending));
      } catch (err) {
        if (!(err instanceof HttpError) || (err.status !== 404 && err.status !== 422)) throw err;
        const named = namedRecords(err.body);
        const message = serverMessage(err.body) ?? err.message;
        const atFault = pending.filter((write, position) => named.positions.has(position) || target.isNamed(write, named));
        // A 404 naming no record is about the path or the store, not the data: the run cannot go on.
        if (atFault.length === 0 && err.status === 404) throw err;
        const failing = new Set(atFault.length > 0 ? atFault : pending);
        for (const write of failing) outcome.failed.push({ write, message });
        pending = pending.filter((write) => !failing.has(write));
        continue;
      }
      if (response.status === 207) {
        const answer = parseWith(batchResponse, response.body, { what: 'BigCommerce 207 answer', code: 'bigcommerce.response' });
        const saved = new Set((answer.data ?? []).map((row) => row.id));
        const named = namedRecords(answer.errors);
        const message = serverMessage(answer.errors) ?? 'BigCommerce saved the batch only in part (207)';
        for (const write of pending) {
          if (saved.has(target.idOf(write)) && !target.isNamed(write, named)) outcome.succeeded.push(write);
          else outcome.failed.push({ write, message });
        }
      } else {
        outcome.succeeded.push(...pending);
      }
      return outcome;
    }
    return outcome;
  }
}

/** The inventory identity of a SKU: the product for a product without options, else the variant. */
function stockIdentity(item: CatalogItem): { product_id: number } | { variant_id: number } {
  return item.kind === 'variant' ? { variant_id: item.variantId } : { product_id: item.productId };
}

/** The persisted SKU → id table: parallel arrays, with 0 as the variant of a product-level SKU. */
export interface SkuCacheDocument {
  version: 1;
  store: string;
  skus: string[];
  productIds: number[];
  variantIds: number[];
  /** The base variant of a product-level SKU (0 = not known); absent in tables saved before it was kept. */
  baseVariantIds?: number[];
}

/**
 * Where each SKU was found last time, so a run looks up only SKUs it has not seen. An entry is dropped
 * when a write to it fails (the product may have been deleted or rebuilt), so the next run looks again.
 * `store` names the store the ids belong to; a table made for another store is not trusted.
 */
export class SkuCache {
  private readonly entries = new Map<string, CatalogItem>();

  constructor(readonly store: string) {}

  static fromDocument(document: unknown, store: string): SkuCache {
    const cache = new SkuCache(store);
    const doc = document as Partial<SkuCacheDocument> | undefined;
    if (doc?.version !== 1 || doc.store !== store || !Array.isArray(doc.skus) || !Array.isArray(doc.productIds) || !Array.isArray(doc.variantIds)) {
      return cache;
    }
    doc.skus.forEach((sku, index) => {
      const productId = doc.productIds?.[index];
      const variantId = doc.variantIds?.[index];
      const baseVariantId = doc.baseVariantIds?.[index];
      if (typeof productId !== 'number' || typeof variantId !== 'number') return;
      if (variantId > 0) cache.set(sku, { kind: 'variant', productId, variantId });
      else cache.set(sku, { kind: 'product', productId, ...(typeof baseVariantId === 'number' && baseVariantId > 0 && { baseVariantId }) });
    });
    return cache;
  }

  get size(): number {
    return this.entries.size;
  }

  get(sku: string): CatalogItem | undefined {
    return this.entries.get(sku);
  }

  set(sku: string, item: CatalogItem): void {
    this.entries.set(sku, item);
  }

  delete(sku: string): void {
    this.entries.delete(sku);
  }

  toDocument(): SkuCacheDocument {
    const doc: SkuCacheDocument = { version: 1, store: this.store, skus: [], productIds: [], variantIds: [], baseVariantIds: [] };
    for (const [sku, item] of this.entries) {
      doc.skus.push(sku);
      doc.productIds.push(item.productId);
      doc.variantIds.push(item.kind === 'variant' ? item.variantId : 0);
      doc.baseVariantIds!.push(item.kind === 'product' ? (item.baseVariantId ?? 0) : 0);
    }
    return doc;
  }
}
