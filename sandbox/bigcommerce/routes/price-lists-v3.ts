/**
 * Price lists (`price_lists.v3.yml`): lists, their records per variant + currency (upsert up to 1,000 a call,
 * create up to 100), and assignments to customer groups and channels. A batch with any bad record is refused
 * whole (422 `batch_errors`, nothing saved). On a plan without Price Lists every route answers 403.
 */
import { z } from 'zod';
import { rfc3339 } from '../dates';
import { idListParam, intParam, listParam, pagingParams } from '../query';
import { batchTooLarge, json, noContent, pageOf, paginationMeta, STATUS_CODES_URL, v3Error, type SimResponse } from '../responses';
import type { Route, RouteContext } from '../router';
import { recordKey, type AssignmentRecord, type BulkTier, type PriceListRecord, type PriceRecord, type Pricing } from '../pricing';
import type { SimulatedStore } from '../store';
import { rejectUnsupported } from './common';

/** `PUT /pricelists/{id}/records`: "Batch requests support up to 1,000 items per request." */
export const MAX_UPSERT_RECORDS = 1000;
/** `POST /pricelists/{id}/records`: "Batch requests support up to 100 items per request." */
export const MAX_CREATE_RECORDS = 100;
/** `POST /pricelists/assignments`: "The batch limit for Price List Assignments is 25." */
export const MAX_ASSIGNMENTS = 25;

/** What BigCommerce answers on a plan without the feature (**UNCONFIRMED** wording; 403 is its status for plan limits). */
export function planLacks(feature: string): SimResponse {
  return v3Error(403, `This store's plan does not include ${feature}. Upgrade the plan to use this endpoint.`);
}

function gated(handle: (context: RouteContext) => SimResponse): (context: RouteContext) => SimResponse {
  return (context) => (context.store.pricing.features.priceLists ? handle(context) : planLacks('Price Lists'));
}

function renderList(list: PriceListRecord) {
  return { id: list.id, name: list.name, date_created: rfc3339(list.dateCreated), date_modified: rfc3339(list.dateModified), active: list.active };
}

function renderRecord(record: PriceRecord, include: string[]) {
  return {
    price_list_id: record.priceListId,
    variant_id: record.variantId,
    product_id: record.productId,
    currency: record.currency,
    price: record.price,
    ...(record.salePrice !== undefined && { sale_price: record.salePrice }),
    ...(record.retailPrice !== undefined && { retail_price: record.retailPrice }),
    ...(record.mapPrice !== undefined && { map_price: record.mapPrice }),
    calculated_price: record.salePrice ?? record.price,
    date_created: rfc3339(record.dateCreated),
    date_modified: rfc3339(record.dateModified),
    ...(include.includes('bulk_pricing_tiers') && { bulk_pricing_tiers: record.bulkTiers }),
    ...(include.includes('sku') && { sku: record.sku }),
  };
}

function renderAssignment(a: AssignmentRecord) {
  return { id: a.id, price_list_id: a.priceListId, ...(a.customerGroupId !== undefined && { customer_group_id: a.customerGroupId }), ...(a.channelId !== undefined && { channel_id: a.channelId }) };
}

const listBodySchema = z.strictObject({ name: z.string().trim().min(1).max(255), active: z.boolean().optional() });
const listPutSchema = listBodySchema.partial();

const money = z.number().min(0);
const tierSchema = z.strictObject({
  quantity_min: z.number().int().min(1),
  quantity_max: z.number().int().min(1).optional(),
  type: z.enum(['fixed', 'price', 'percent']),
  amount: z.number().min(0),
});
const recordSchema = z.strictObject({
  variant_id: z.number().int().positive().optional(),
  sku: z.string().min(1).optional(),
  currency: z.string().regex(/^[A-Za-z]{3}$/, 'must be a 3-letter currency code'),
  price: money,
  sale_price: money.optional(),
  retail_price: money.optional(),
  map_price: money.optional(),
  bulk_pricing_tiers: z.array(tierSchema).optional(),
});

/** Tiers must not overlap and each maximum must not be below its minimum. */
function tierProblem(tiers: BulkTier[]): string | undefined {
  const sorted = [...tiers].sort((a, b) => a.quantity_min - b.quantity_min);
  for (let i = 0; i < sorted.length; i++) {
    const tier = sorted[i]!;
    if (tier.quantity_max !== undefined && tier.quantity_max < tier.quantity_min) return `tier ${tier.quantity_min}+ has quantity_max below quantity_min`;
    if (tier.type === 'percent' && tier.amount > 100) return `tier ${tier.quantity_min}+ takes more than 100 percent off`;
    const next = sorted[i + 1];
    if (next && (tier.quantity_max === undefined || tier.quantity_max >= next.quantity_min)) return `tiers ${tier.quantity_min}+ and ${next.quantity_min}+ overlap`;
  }
  return undefined;
}

interface ResolvedRecord {
  variantId: number;
  productId: number;
  sku: string;
  currency: string;
  input: z.output<typeof recordSchema>;
}

/** Checks a batch of records; all of them resolve, or the 422 naming each bad one is returned and nothing is saved. */
function resolveRecords(store: SimulatedStore, priceListId: number, body: unknown[], mustBeNew: boolean): ResolvedRecord[] | SimResponse {
  const { catalog } = store;
  const existing = store.pricing.recordsOf(priceListId);
  const resolved: ResolvedRecord[] = [];
  const batchErrors: unknown[] = [];
  const seen = new Set<string>();
  body.forEach((raw, index) => {
    const identity = (raw && typeof raw === 'object' ? raw : {}) as { variant_id?: unknown; sku?: unknown; currency?: unknown };
    const data = {
      price_list_id: priceListId,
      ...(typeof identity.variant_id === 'number' && { variant_id: identity.variant_id }),
      ...(typeof identity.sku === 'string' && { sku: identity.sku }),
      ...(typeof identity.currency === 'string' && /^[A-Za-z]{3}$/.test(identity.currency) && { currency: identity.currency.toUpperCase() }),
    };
    const fail = (field: string, message: string) => batchErrors.push({ data, field_errors: { [`${index}.${field}`]: message } });
    const parsed = recordSchema.safeParse(raw);
    if (!parsed.success) return fail(parsed.error.issues[0]!.path.join('.') || 'record', parsed.error.issues[0]!.message);
    const input = parsed.data;
    if (input.variant_id === undefined && input.sku === undefined) return fail('variant_id', 'either variant_id or sku is required');
    const variantId = input.variant_id ?? catalog.variantBySku.get(input.sku!);
    const variant = variantId !== undefined ? catalog.variants.get(variantId) : undefined;
    if (!variant) return fail(input.variant_id !== undefined ? 'variant_id' : 'sku', `no variant ${input.variant_id ?? input.sku} in the catalog`);
    if (input.sku !== undefined && input.sku !== variant.sku) return fail('sku', `SKU ${input.sku} is not variant ${variant.id} (${variant.sku})`);
    const tiers = tierProblem(input.bulk_pricing_tiers ?? []);
    if (tiers) return fail('bulk_pricing_tiers', tiers);
    const currency = input.currency.toUpperCase();
    const key = recordKey(variant.id, currency);
    if (seen.has(key)) return fail('variant_id', `variant ${variant.id} in ${currency} appears twice in the batch`);
    seen.add(key);
    if (mustBeNew && existing.has(key)) return fail('variant_id', `a record for variant ${variant.id} in ${currency} already exists; use PUT to update it`);
    resolved.push({ variantId: variant.id, productId: variant.productId, sku: variant.sku, currency, input });
  });
  return batchErrors.length > 0 ? json({ batch_errors: batchErrors }, 422) : resolved;
}

function saveRecords(pricing: Pricing, list: PriceListRecord, records: ResolvedRecord[], now: number): void {
  const stored = pricing.recordsOf(list.id);
  for (const r of records) {
    const key = recordKey(r.variantId, r.currency);
    const before = stored.get(key);
    stored.set(key, {
      priceListId: list.id,
      variantId: r.variantId,
      productId: r.productId,
      sku: r.sku,
      currency: r.currency,
      price: r.input.price,
      salePrice: r.input.sale_price,
      retailPrice: r.input.retail_price,
      mapPrice: r.input.map_price,
      bulkTiers: r.input.bulk_pricing_tiers ?? [],
      dateCreated: before?.dateCreated ?? now,
      dateModified: now,
    });
  }
  if (records.length > 0) list.dateModified = Math.max(now, list.dateModified);
}

function listFor(context: RouteContext): PriceListRecord | undefined {
  return context.store.pricing.priceLists.get(context.params.price_list_id!);
}

const listNotFound = (id: number): SimResponse => v3Error(404, `Price list ${id} was not found.`);

function writeRecords(context: RouteContext, max: number, mustBeNew: boolean): SimResponse {
  const list = listFor(context);
  if (!list) return listNotFound(context.params.price_list_id!);
  if (!Array.isArray(context.body)) return v3Error(422, 'The body must be an array of price records.', { body: 'must be an array' });
  if (context.body.length > max) return batchTooLarge(max, '.');
  const resolved = resolveRecords(context.store, list.id, context.body, mustBeNew);
  if (!Array.isArray(resolved)) return resolved;
  saveRecords(context.store.pricing, list, resolved, context.store.now());
  return json({ data: {}, meta: {} });
}

const assignmentItemSchema = z.strictObject({
  price_list_id: z.number().int().positive(),
  customer_group_id: z.number().int().min(0).optional(),
  channel_id: z.number().int().positive().optional(),
});
const assignmentPutSchema = z.strictObject({ customer_group_id: z.number().int().min(0), channel_id: z.number().int().positive() });

/** Why an assignment cannot be made, or undefined. Customer group 0 stands for guests and always exists. */
function assignmentProblem(pricing: Pricing, item: z.output<typeof assignmentItemSchema>): string | undefined {
  if (!pricing.priceLists.has(item.price_list_id)) return `price list ${item.price_list_id} does not exist`;
  if (item.customer_group_id === undefined && item.channel_id === undefined) return 'needs a customer_group_id, a channel_id or both';
  if (item.customer_group_id !== undefined && item.customer_group_id !== 0 && !pricing.customerGroups.has(item.customer_group_id)) return `customer group ${item.customer_group_id} does not exist`;
  if (item.channel_id !== undefined && !pricing.channels.has(item.channel_id)) return `channel ${item.channel_id} does not exist`;
  const taken = pricing.assignmentFor(item.customer_group_id, item.channel_id);
  if (taken && taken.priceListId !== item.price_list_id) return `customer group ${item.customer_group_id ?? '-'} on channel ${item.channel_id ?? '-'} already has price list ${taken.priceListId}`;
  return undefined;
}

function assignmentFilter(query: URLSearchParams): (a: AssignmentRecord) => boolean {
  const id = intParam(query, 'id');
  const priceListId = intParam(query, 'price_list_id');
  const groupId = intParam(query, 'customer_group_id');
  const channelId = intParam(query, 'channel_id');
  const ids = idListParam(query, 'id:in');
  const lists = idListParam(query, 'price_list_id:in');
  const groups = idListParam(query, 'customer_group_id:in');
  const channels = idListParam(query, 'channel_id:in');
  return (a) =>
    (id === undefined || a.id === id) &&
    (priceListId === undefined || a.priceListId === priceListId) &&
    (groupId === undefined || a.customerGroupId === groupId) &&
    (channelId === undefined || a.channelId === channelId) &&
    (!ids || ids.includes(a.id)) &&
    (!lists || lists.includes(a.priceListId)) &&
    (!groups || (a.customerGroupId !== undefined && groups.includes(a.customerGroupId))) &&
    (!channels || (a.channelId !== undefined && channels.includes(a.channelId)));
}

export const priceListsV3Routes: Route[] = [
  {
    method: 'GET', api: 'v3', path: '/pricelists', scopes: ['products'],
    handle: gated(({ store, query }) => {
      rejectUnsupported(query, ['name', 'name:like', 'id:in', 'page', 'limit']);
      const { page, limit } = pagingParams(query, 50, 250);
      const name = query.get('name');
      const like = query.get('name:like')?.toLowerCase();
      const ids = idListParam(query, 'id:in');
      const matching = [...store.pricing.priceLists.values()].filter(
        (l) => (name === null || l.name === name) && (like === undefined || l.name.toLowerCase().includes(like)) && (!ids || ids.includes(l.id)),
      );
      const slice = pageOf(matching, page, limit);
      return json({ data: slice.items.map(renderList), meta: { pagination: paginationMeta(slice) } });
    }),
  },
  {
    method: 'POST', api: 'v3', path: '/pricelists', scopes: ['products'],
    handle: gated(({ store, body }) => {
      const parsed = listBodySchema.safeParse(body);
      if (!parsed.success) return v3Error(422, 'The price list is not valid.', { [parsed.error.issues[0]!.path.join('.') || 'name']: parsed.error.issues[0]!.message });
      if (store.pricing.priceListByName(parsed.data.name)) return v3Error(409, `A price list named '${parsed.data.name}' already exists.`, { name: 'must be unique' });
      return json({ data: renderList(store.pricing.addPriceList(parsed.data)), meta: {} });
    }),
  },
  {
    method: 'DELETE', api: 'v3', path: '/pricelists', scopes: ['products'],
    handle: gated(({ store, query }) => {
      rejectUnsupported(query, ['id:in', 'name']);
      const ids = idListParam(query, 'id:in');
      const name = query.get('name');
      for (const list of [...store.pricing.priceLists.values()]) {
        if ((!ids || ids.includes(list.id)) && (name === null || list.name === name)) store.pricing.deletePriceList(list.id);
      }
      return noContent;
    }),
  },
  {
    method: 'GET', api: 'v3', path: '/pricelists/{price_list_id}', scopes: ['products'],
    handle: gated((context) => {
      rejectUnsupported(context.query, []);
      const list = listFor(context);
      return list ? json({ data: renderList(list), meta: {} }) : listNotFound(context.params.price_list_id!);
    }),
  },
  {
    method: 'PUT', api: 'v3', path: '/pricelists/{price_list_id}', scopes: ['products'],
    handle: gated((context) => {
      const list = listFor(context);
      if (!list) return listNotFound(context.params.price_list_id!);
      const parsed = listPutSchema.safeParse(context.body);
      if (!parsed.success) return v3Error(422, 'The price list is not valid.', { [parsed.error.issues[0]!.path.join('.') || 'body']: parsed.error.issues[0]!.message });
      const clash = parsed.data.name !== undefined ? context.store.pricing.priceListByName(parsed.data.name) : undefined;
      if (clash && clash.id !== list.id) return v3Error(409, `A price list named '${parsed.data.name}' already exists.`, { name: 'must be unique' });
      if (parsed.data.name !== undefined) list.name = parsed.data.name;
      if (parsed.data.active !== undefined) list.active = parsed.data.active;
      list.dateModified = Math.max(context.store.now(), list.dateModified);
      return json({ data: renderList(list), meta: {} });
    }),
  },
  {
    method: 'DELETE', api: 'v3', path: '/pricelists/{price_list_id}', scopes: ['products'],
    handle: gated((context) => {
      const list = listFor(context);
      if (!list) return listNotFound(context.params.price_list_id!);
      context.store.pricing.deletePriceList(list.id);
      return noContent;
    }),
  },
  {
    method: 'GET', api: 'v3', path: '/pricelists/{price_list_id}/records', scopes: ['products'],
    handle: gated((context) => {
      const { query } = context;
      rejectUnsupported(query, ['variant_id:in', 'product_id:in', 'sku:in', 'currency', 'include', 'page', 'limit']);
      const list = listFor(context);
      if (!list) return listNotFound(context.params.price_list_id!);
      const { page, limit } = pagingParams(query, 50, 250);
      const variants = idListParam(query, 'variant_id:in');
      const products = idListParam(query, 'product_id:in');
      const skus = listParam(query, 'sku:in');
      const currency = query.get('currency')?.toUpperCase();
      const include = listParam(query, 'include') ?? [];
      const matching = [...context.store.pricing.recordsOf(list.id).values()]
        .filter((r) => (!variants || variants.includes(r.variantId)) && (!products || products.includes(r.productId)) && (!skus || skus.includes(r.sku)) && (currency === undefined || r.currency === currency))
        .sort((a, b) => a.variantId - b.variantId || a.currency.localeCompare(b.currency));
      const slice = pageOf(matching, page, limit);
      return json({ data: slice.items.map((r) => renderRecord(r, include)), meta: { pagination: paginationMeta(slice) } });
    }),
  },
  { method: 'PUT', api: 'v3', path: '/pricelists/{price_list_id}/records', scopes: ['products'], handle: gated((context) => writeRecords(context, MAX_UPSERT_RECORDS, false)) },
  { method: 'POST', api: 'v3', path: '/pricelists/{price_list_id}/records', scopes: ['products'], handle: gated((context) => writeRecords(context, MAX_CREATE_RECORDS, true)) },
  {
    method: 'DELETE', api: 'v3', path: '/pricelists/{price_list_id}/records', scopes: ['products'],
    handle: gated((context) => {
      const { query } = context;
      rejectUnsupported(query, ['variant_id:in', 'sku:in', 'currency']);
      const list = listFor(context);
      if (!list) return listNotFound(context.params.price_list_id!);
      const variants = idListParam(query, 'variant_id:in');
      const skus = listParam(query, 'sku:in');
      const currency = query.get('currency')?.toUpperCase();
      const records = context.store.pricing.recordsOf(list.id);
      for (const [key, r] of [...records]) {
        if ((!variants || variants.includes(r.variantId)) && (!skus || skus.includes(r.sku)) && (currency === undefined || r.currency === currency)) records.delete(key);
      }
      return noContent;
    }),
  },
  {
    method: 'GET', api: 'v3', path: '/pricelists/assignments', scopes: ['products'],
    handle: gated(({ store, query }) => {
      rejectUnsupported(query, ['id', 'price_list_id', 'customer_group_id', 'channel_id', 'id:in', 'price_list_id:in', 'customer_group_id:in', 'channel_id:in', 'page', 'limit']);
      const { page, limit } = pagingParams(query, 50, 250);
      const slice = pageOf([...store.pricing.assignments.values()].filter(assignmentFilter(query)), page, limit);
      return json({ data: slice.items.map(renderAssignment), meta: { pagination: paginationMeta(slice) } });
    }),
  },
  {
    method: 'POST', api: 'v3', path: '/pricelists/assignments', scopes: ['products'],
    handle: gated(({ store, body }) => {
      if (!Array.isArray(body)) return v3Error(422, 'The body must be an array of price list assignments.', { body: 'must be an array' });
      if (body.length > MAX_ASSIGNMENTS) return batchTooLarge(MAX_ASSIGNMENTS, '.');
      const errors: Record<string, string> = {};
      const items: Array<z.output<typeof assignmentItemSchema>> = [];
      body.forEach((raw, index) => {
        const parsed = assignmentItemSchema.safeParse(raw);
        const problem = parsed.success ? assignmentProblem(store.pricing, parsed.data) : `${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`;
        if (problem) errors[String(index)] = problem;
        else if (parsed.success) items.push(parsed.data);
      });
      if (Object.keys(errors).length > 0) {
        return json({ status: 422, title: 'Some price list assignments are not valid; none were saved.', type: STATUS_CODES_URL, errors, meta: { saved_records: 0 } }, 422);
      }
      for (const item of items) store.pricing.upsertAssignment(item.price_list_id, item.customer_group_id, item.channel_id);
      // Documented as 200 with no body.
      return { status: 200 };
    }),
  },
  {
    method: 'DELETE', api: 'v3', path: '/pricelists/assignments', scopes: ['products'],
    handle: gated(({ store, query }) => {
      rejectUnsupported(query, ['id', 'price_list_id', 'customer_group_id', 'channel_id', 'channel_id:in']);
      if ([...query.keys()].length === 0) return v3Error(422, 'At least one filter is required to delete price list assignments.');
      const matches = assignmentFilter(query);
      for (const [id, assignment] of [...store.pricing.assignments]) if (matches(assignment)) store.pricing.assignments.delete(id);
      return noContent;
    }),
  },
  {
    method: 'PUT', api: 'v3', path: '/pricelists/{price_list_id}/assignments', scopes: ['products'],
    handle: gated((context) => {
      const list = listFor(context);
      if (!list) return listNotFound(context.params.price_list_id!);
      const parsed = assignmentPutSchema.safeParse(context.body);
      if (!parsed.success) return v3Error(422, 'The assignment is not valid.', { [parsed.error.issues[0]!.path.join('.') || 'body']: parsed.error.issues[0]!.message });
      const { pricing } = context.store;
      const { customer_group_id: groupId, channel_id: channelId } = parsed.data;
      if (groupId !== 0 && !pricing.customerGroups.has(groupId)) return v3Error(404, `Customer group ${groupId} was not found, so no assignment was made.`);
      if (!pricing.channels.has(channelId)) return v3Error(404, `Channel ${channelId} was not found, so no assignment was made.`);
      return json({ data: renderAssignment(pricing.upsertAssignment(list.id, groupId, channelId)), meta: {} });
    }),
  },
];
