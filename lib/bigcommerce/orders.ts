import { z } from 'zod';
import { ValidationError, parseWith } from '../errors';
import type { RequestFunction } from '../http/transport';
import { parseApiDate, rfc3339 } from './dates';
import { orderCouponSchema, orderLines, orderSchema, type BigCommerceOrder, type BigCommerceOrderInput } from './order';
import { v2Pages } from './pagination';

/**
 * Line items, ship-to data and the order's fees in the same call as the order header (`order_includes` in
 * orders.v2): without `fees` an order with a fee cannot tie out and is held on `total_ex_tax`.
 */
export const ORDER_INCLUDES = { include: 'consignments.line_items,fees', consignment_structure: 'object' } as const;

export interface FetchedOrder {
  /** The order as BigCommerce sent it, plus `coupons` for a coupon discount its lines do not name: what goes on msg.payload. */
  raw: BigCommerceOrderInput;
  /** The same order parsed: money as numbers, collections defaulted. */
  order: BigCommerceOrder;
}

/** A positive order id from a number or a numeric string, else undefined. */
export function orderIdFrom(value: unknown): number | undefined {
  const id = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

async function orderCoupons(request: RequestFunction, orderId: number): Promise<unknown[]> {
  const coupons: unknown[] = [];
  for await (const page of v2Pages(request, `/v2/orders/${orderId}/coupons`, {}, { limit: 50, priority: 'interactive' })) coupons.push(...page);
  parseWith(z.array(orderCouponSchema), coupons, { what: 'BigCommerce order coupons', record: `order ${orderId}`, code: 'bigcommerce.order_invalid' });
  return coupons;
}

/**
 * Whether the coupon codes must be fetched: only for a coupon discount that no line names. When the lines'
 * applied_discounts carry the codes (as BigCommerce spreads a coupon over the lines), they say everything the
 * mapper needs, and a backfill of thousands of orders saves a call per discounted order.
 */
function needsCoupons(order: BigCommerceOrder): boolean {
  if (order.coupon_discount <= 0 || order.coupons !== undefined) return false;
  return !orderLines(order).some((line) => line.applied_discounts.some((discount) => Boolean(discount.code)));
}

/** Validates an order from BigCommerce and adds its coupons when a coupon discount is not named on its lines (one more call). */
export async function completeOrder(request: RequestFunction, raw: unknown, record: string): Promise<FetchedOrder> {
  const parsed = parseWith(orderSchema, raw, { what: 'BigCommerce order', record, code: 'bigcommerce.order_invalid' });
  if (!needsCoupons(parsed)) return { raw: raw as BigCommerceOrderInput, order: parsed };
  const withCoupons = { ...(raw as BigCommerceOrderInput), coupons: await orderCoupons(request, parsed.id) } as BigCommerceOrderInput;
  return { raw: withCoupons, order: parseWith(orderSchema, withCoupons, { what: 'BigCommerce order', record, code: 'bigcommerce.order_invalid' }) };
}

/** One full order: header, line items and shipping consignments in one call, plus coupons when needed. */
export async function fetchOrder(request: RequestFunction, orderId: number): Promise<FetchedOrder> {
  const response = await request({ method: 'GET', path: `/v2/orders/${orderId}`, query: ORDER_INCLUDES, priority: 'interactive' });
  return completeOrder(request, response.body, `order ${orderId}`);
}

/** Where the next poll starts; persisted between polls and restarts. */
export interface OrderCursor {
  /** `date_modified` of the newest order seen, RFC 3339. */
  modifiedSince: string;
  /** Orders already emitted inside the overlap window (`id@date_modified` -> epoch ms), so the overlap re-reads them without re-emitting. */
  recent: Record<string, number>;
}

export interface PollOptions {
  /** Each poll starts this far before the cursor, so orders saved late or in the same second are not missed. */
  overlapMs: number;
  /** With no cursor yet, the first poll reads orders modified this far back. */
  initialLookbackMs: number;
  statusId?: number;
  pageSize?: number;
  now?: () => number;
}

export interface PollHandlers {
  order(fetched: FetchedOrder): void | Promise<void>;
  /** An order that does not have the shape the integration needs; the poll goes on without it. */
  invalid(raw: unknown, error: ValidationError): void;
  /** After each page: persist the cursor so a restart continues from here. */
  progress(cursor: OrderCursor, counts: PollCounts): void | Promise<void>;
}

export interface PollCounts {
  emitted: number;
  skipped: number;
  invalid: number;
  pages: number;
}

const orderKeySchema = z.looseObject({ id: z.number().int(), date_modified: z.string() });

/**
 * Reads the orders modified since the cursor, oldest first, 250 a page with the same includes as `fetchOrder`.
 * Pages are walked by moving `min_date_modified` forward (to one second before the last order of a full page)
 * rather than by page number, so an order modified while the poll runs cannot shift a page boundary and be
 * skipped. The orders read twice because of that, or because of the overlap, are recognised and not emitted.
 */
export async function pollModifiedOrders(
  request: RequestFunction,
  cursor: OrderCursor | undefined,
  options: PollOptions,
  handlers: PollHandlers,
): Promise<{ cursor: OrderCursor; counts: PollCounts }> {
  const limit = options.pageSize ?? 250;
  const now = (options.now ?? Date.now)();
  const stored = cursor ? parseApiDate(cursor.modifiedSince) : undefined;
  let watermark = stored ?? now - options.initialLookbackMs;
  const seen = new Map<string, number>(Object.entries(cursor?.recent ?? {}));
  let since = stored === undefined ? watermark : watermark - options.overlapMs;
  let page = 1;
  const counts: PollCounts = { emitted: 0, skipped: 0, invalid: 0, pages: 0 };
  const cursorNow = (): OrderCursor => ({
    modifiedSince: rfc3339(watermark),
    recent: Object.fromEntries([...seen].filter(([, ms]) => ms >= watermark - options.overlapMs)),
  });

  for (;;) {
    const response = await request({
      method: 'GET',
      path: '/v2/orders',
      query: { min_date_modified: rfc3339(since), status_id: options.statusId, sort: 'date_modified:asc', limit, page, ...ORDER_INCLUDES },
      priority: 'interactive',
    });
    const rows = response.status === 204 || response.body === undefined ? [] : parseWith(z.array(z.unknown()), response.body, { what: 'BigCommerce order list' });
    counts.pages++;
    let lastModified: number | undefined;
    for (const raw of rows) {
      const identity = orderKeySchema.safeParse(raw);
      const modified = identity.success ? parseApiDate(identity.data.date_modified) : undefined;
      if (modified !== undefined) lastModified = modified;
      const key = identity.success ? `${identity.data.id}@${identity.data.date_modified}` : undefined;
      if (key !== undefined && seen.has(key)) {
        counts.skipped++;
        continue;
      }
      const record = identity.success ? `order ${identity.data.id}` : 'an order without id or date_modified';
      try {
        await handlers.order(await completeOrder(request, raw, record));
        counts.emitted++;
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        handlers.invalid(raw, err);
        counts.invalid++;
      }
      if (key !== undefined && modified !== undefined) {
        seen.set(key, modified);
        watermark = Math.max(watermark, modified);
      }
    }
    await handlers.progress(cursorNow(), { ...counts });
    if (rows.length < limit) return { cursor: cursorNow(), counts };
    if (lastModified !== undefined && lastModified - 1000 > since) {
      since = lastModified - 1000;
      page = 1;
    } else {
      page++;
    }
  }
}
