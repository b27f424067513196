import { z } from 'zod';
import { parseApiDate } from '../dates';
import {
  ORDER_STATUSES,
  OrderInputError,
  orderTotals,
  renderCoupon,
  renderLine,
  renderOrder,
  renderShippingAddress,
  type OrderIncludes,
  type OrderRecord,
} from '../orders';
import { intParam, listParam, numberParam, pagingParams, RequestError } from '../query';
import { json, noContent, v2Error, type SimResponse } from '../responses';
import type { Route, RouteContext } from '../router';

const SORT_FIELDS = ['id', 'customer_id', 'date_created', 'date_modified', 'status_id', 'channel_id', 'external_id'] as const;
type SortField = (typeof SORT_FIELDS)[number];
const INCLUDES = ['consignments', 'consignments.line_items', 'fees'];

const notFound = (): SimResponse => v2Error(404, 'The requested resource was not found.');

function dateParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const ms = parseApiDate(raw);
  if (ms === undefined) {
    throw new RequestError(400, `The field '${name}' is invalid: '${raw}' is neither RFC-2822 nor ISO-8601 (URL-encode the '+' of an offset as %2B).`);
  }
  return ms;
}

function includesOf(query: URLSearchParams): OrderIncludes {
  const include = listParam(query, 'include') ?? [];
  for (const item of include) {
    if (!INCLUDES.includes(item)) throw new RequestError(400, `The field 'include' is invalid: '${item}' is not one of ${INCLUDES.join(', ')}.`);
  }
  const consignments = include.includes('consignments') || include.includes('consignments.line_items');
  const structure = query.get('consignment_structure');
  if (structure !== null && structure !== 'object') throw new RequestError(400, `The field 'consignment_structure' is invalid: only 'object' is supported.`);
  // The array structure is a legacy format the simulator does not serve; asking for consignments without
  // `consignment_structure=object` is refused so a client cannot come to depend on it by accident.
  if (consignments && structure !== 'object') {
    throw new RequestError(400, `include=${include.join(',')} needs consignment_structure=object.`);
  }
  return { consignments, lineItems: include.includes('consignments.line_items'), fees: include.includes('fees') };
}

interface OrderFilter {
  (order: OrderRecord): boolean;
}

function filterOf(query: URLSearchParams): OrderFilter {
  const minId = intParam(query, 'min_id');
  const maxId = intParam(query, 'max_id');
  const minTotal = numberParam(query, 'min_total');
  const maxTotal = numberParam(query, 'max_total');
  const customerId = intParam(query, 'customer_id');
  const email = query.get('email');
  const statusId = intParam(query, 'status_id');
  const cartId = query.get('cart_id');
  const paymentMethod = query.get('payment_method');
  const channelId = intParam(query, 'channel_id');
  const externalOrderId = query.get('external_order_id');
  const minCreated = dateParam(query, 'min_date_created');
  const maxCreated = dateParam(query, 'max_date_created');
  const minModified = dateParam(query, 'min_date_modified');
  const maxModified = dateParam(query, 'max_date_modified');
  const needsTotal = minTotal !== undefined || maxTotal !== undefined;
  return (o) => {
    if (o.isDeleted) return false;
    if (minId !== undefined && o.id < minId) return false;
    if (maxId !== undefined && o.id > maxId) return false;
    if (customerId !== undefined && o.customerId !== customerId) return false;
    if (email !== null && o.billing.email.toLowerCase() !== email.toLowerCase()) return false;
    if (statusId !== undefined && o.statusId !== statusId) return false;
    if (cartId !== null && o.cartId !== cartId) return false;
    if (paymentMethod !== null && o.paymentMethod !== paymentMethod) return false;
    if (channelId !== undefined && o.channelId !== channelId) return false;
    if (externalOrderId !== null && o.externalOrderId !== externalOrderId) return false;
    // Bounds are inclusive, at the whole-second precision the dates are kept in.
    if (minCreated !== undefined && o.dateCreated < minCreated) return false;
    if (maxCreated !== undefined && o.dateCreated > maxCreated) return false;
    if (minModified !== undefined && o.dateModified < minModified) return false;
    if (maxModified !== undefined && o.dateModified > maxModified) return false;
    if (needsTotal) {
      const total = orderTotals(o).totalInc;
      if (minTotal !== undefined && total < minTotal) return false;
      if (maxTotal !== undefined && total > maxTotal) return false;
    }
    return true;
  };
}

function sortKey(order: OrderRecord, field: SortField): number | string {
  switch (field) {
    case 'id': return order.id;
    case 'customer_id': return order.customerId;
    case 'date_created': return order.dateCreated;
    case 'date_modified': return order.dateModified;
    case 'status_id': return order.statusId;
    case 'channel_id': return order.channelId;
    case 'external_id': return order.externalId ?? '';
  }
}

function sorterOf(query: URLSearchParams): (a: OrderRecord, b: OrderRecord) => number {
  const raw = query.get('sort') ?? 'id:asc';
  const [field, direction = 'asc'] = raw.split(':');
  if (!SORT_FIELDS.includes(field as SortField) || (direction !== 'asc' && direction !== 'desc')) {
    throw new RequestError(400, `The field 'sort' is invalid: '${raw}' (use one of ${SORT_FIELDS.join(', ')} with :asc or :desc).`);
  }
  const sign = direction === 'asc' ? 1 : -1;
  return (a, b) => {
    const ka = sortKey(a, field as SortField);
    const kb = sortKey(b, field as SortField);
    // Ties keep id order, so pages never overlap or skip.
    return ka < kb ? -sign : ka > kb ? sign : a.id - b.id;
  };
}

function findOrder(context: RouteContext): OrderRecord | undefined {
  return context.store.orders.get(context.params.order_id!);
}

/** v2 collections answer an empty page with 204 and no body. */
export function v2Page<T>(all: readonly T[], query: URLSearchParams, render: (item: T) => unknown): SimResponse {
  const { page, limit } = pagingParams(query, 50, 250);
  const items = all.slice((page - 1) * limit, page * limit);
  return items.length === 0 ? noContent : json(items.map(render));
}

const text = z.string();
const addressSchema = z.looseObject({
  first_name: text.optional(),
  last_name: text.optional(),
  company: text.optional(),
  street_1: text.optional(),
  street_2: text.optional(),
  city: text.optional(),
  state: text.optional(),
  zip: text,
  country: text.optional(),
  country_iso2: text.optional(),
  phone: text.optional(),
  email: text.optional(),
});
const productOptionSchema = z.looseObject({ id: z.number().int(), value: z.union([z.string(), z.number()]).transform(String), display_name: text.optional(), display_value: text.optional() });
const catalogProductSchema = z.looseObject({
  product_id: z.number().int().positive(),
  variant_id: z.number().int().positive().optional(),
  quantity: z.number().int().positive(),
  name: text.min(1).optional(),
  price_ex_tax: z.number().min(0).optional(),
  price_inc_tax: z.number().min(0).optional(),
  product_options: z.array(productOptionSchema).optional(),
});
const customProductSchema = z.looseObject({
  name: text.min(1).max(250),
  quantity: z.number().int().positive(),
  price_ex_tax: z.number().min(0),
  price_inc_tax: z.number().min(0),
  sku: text.optional(),
});
const moneyInput = z.union([z.number(), z.string().regex(/^\d+(\.\d+)?$/).transform(Number)]);
const orderPostSchema = z.looseObject({
  customer_id: z.number().int().min(0).optional(),
  status_id: z.number().int().min(0).max(14).optional(),
  billing_address: addressSchema,
  shipping_addresses: z.array(addressSchema.extend({ shipping_method: text.optional() })).optional(),
  products: z.array(z.union([catalogProductSchema, customProductSchema])).min(1),
  shipping_cost_ex_tax: moneyInput.optional(),
  shipping_cost_inc_tax: moneyInput.optional(),
  handling_cost_ex_tax: moneyInput.optional(),
  handling_cost_inc_tax: moneyInput.optional(),
  discount_amount: moneyInput.optional(),
  payment_method: text.optional(),
  customer_message: text.optional(),
  staff_notes: text.optional(),
  channel_id: z.number().int().optional(),
  external_source: text.nullable().optional(),
  external_id: text.nullable().optional(),
  external_order_id: text.optional(),
  customer_locale: text.optional(),
  default_currency_code: text.optional(),
});

const orderPutSchema = z.strictObject({
  status_id: z.number().int().min(0).max(14).optional(),
  staff_notes: text.optional(),
  customer_message: text.optional(),
  payment_method: text.optional(),
  external_order_id: text.optional(),
});

/** Zod issues as a v2 400: `[{status, message}]` naming the field. */
export function invalidBody(error: z.ZodError): SimResponse {
  const issue = error.issues[0]!;
  return v2Error(400, `The field '${issue.path.join('.') || '(body)'}' is invalid: ${issue.message}`);
}

function createOrder(context: RouteContext): SimResponse {
  const parsed = orderPostSchema.safeParse(context.body);
  if (!parsed.success) return invalidBody(parsed.error);
  const input = parsed.data;
  try {
    const order = context.store.placeOrder({
      ...input,
      status_id: input.status_id ?? 1,
      currency_code: input.default_currency_code,
      shipping_addresses: input.shipping_addresses,
      products: input.products.map((p) => ('product_id' in p ? { ...p } : { ...p, product_id: undefined })),
    });
    return json(renderOrder(order, includesOf(context.query), context), 200);
  } catch (err) {
    if (err instanceof OrderInputError) return v2Error(400, err.message);
    throw err;
  }
}

function updateOrder(context: RouteContext): SimResponse {
  const order = findOrder(context);
  if (!order) return notFound();
  const parsed = orderPutSchema.safeParse(context.body);
  if (!parsed.success) return invalidBody(parsed.error);
  const change = parsed.data;
  const { store } = context;
  if (change.status_id !== undefined && change.status_id !== order.statusId) store.setOrderStatus(order.id, change.status_id);
  const { status_id: _status, ...rest } = change;
  if (Object.keys(rest).length > 0 || change.status_id === order.statusId) {
    store.updateOrder(order.id, (o) => {
      if (rest.staff_notes !== undefined) o.staffNotes = rest.staff_notes;
      if (rest.customer_message !== undefined) o.customerMessage = rest.customer_message;
      if (rest.payment_method !== undefined) o.paymentMethod = rest.payment_method;
      if (rest.external_order_id !== undefined) o.externalOrderId = rest.external_order_id;
    });
  }
  return json(renderOrder(order, { consignments: false, lineItems: false, fees: false }, context));
}

export const ordersV2Routes: Route[] = [
  {
    method: 'GET', api: 'v2', path: '/orders/count', scopes: ['orders'],
    handle({ store, query }) {
      const filter = filterOf(query);
      const counts = new Map<number, number>();
      let total = 0;
      for (const order of store.orders.values()) {
        if (!filter(order)) continue;
        counts.set(order.statusId, (counts.get(order.statusId) ?? 0) + 1);
        total++;
      }
      return json({
        statuses: ORDER_STATUSES.map((s, index) => ({
          id: s.id, name: s.name, system_label: s.name, custom_label: s.name, system_description: s.description, count: counts.get(s.id) ?? 0, sort_order: index,
        })),
        count: total,
      });
    },
  },
  {
    method: 'GET', api: 'v2', path: '/orders', scopes: ['orders'],
    handle(context) {
      const { store, query } = context;
      const includes = includesOf(query);
      const filter = filterOf(query);
      const sorter = sorterOf(query);
      const matching: OrderRecord[] = [];
      for (const order of store.orders.values()) if (filter(order)) matching.push(order);
      matching.sort(sorter);
      return v2Page(matching, query, (o) => renderOrder(o, includes, context));
    },
  },
  { method: 'POST', api: 'v2', path: '/orders', scopes: ['orders'], handle: createOrder },
  {
    method: 'GET', api: 'v2', path: '/orders/{order_id}', scopes: ['orders'],
    handle(context) {
      const includes = includesOf(context.query);
      const order = findOrder(context);
      return order ? json(renderOrder(order, includes, context)) : notFound();
    },
  },
  { method: 'PUT', api: 'v2', path: '/orders/{order_id}', scopes: ['orders'], handle: updateOrder },
  {
    method: 'DELETE', api: 'v2', path: '/orders/{order_id}', scopes: ['orders'],
    handle(context) {
      const order = findOrder(context);
      if (!order) return notFound();
      context.store.archiveOrder(order.id);
      return noContent;
    },
  },
  {
    method: 'GET', api: 'v2', path: '/orders/{order_id}/products', scopes: ['orders'],
    handle(context) {
      const order = findOrder(context);
      return order ? v2Page(order.lines, context.query, (line) => renderLine(order, line)) : notFound();
    },
  },
  {
    method: 'GET', api: 'v2', path: '/orders/{order_id}/shipping_addresses', scopes: ['orders'],
    handle(context) {
      const order = findOrder(context);
      return order ? v2Page(order.shipping, context.query, (s) => renderShippingAddress(order, s, context)) : notFound();
    },
  },
  {
    method: 'GET', api: 'v2', path: '/orders/{order_id}/coupons', scopes: ['orders'],
    handle(context) {
      const order = findOrder(context);
      return order ? v2Page(order.coupons, context.query, (c) => renderCoupon(order, c)) : notFound();
    },
  },
  {
    method: 'GET', api: 'v2', path: '/order_statuses', scopes: ['orders'],
    handle: () => json(ORDER_STATUSES.map((s) => ({ id: s.id, name: s.name, system_label: s.name, custom_label: s.name, system_description: s.description }))),
  },
  {
    method: 'GET', api: 'v2', path: '/order_statuses/{status_id}', scopes: ['orders'],
    handle(context) {
      const s = ORDER_STATUSES.find((status) => status.id === context.params.status_id);
      return s ? json({ id: s.id, name: s.name, system_label: s.name, custom_label: s.name, system_description: s.description }) : notFound();
    },
  },
];
