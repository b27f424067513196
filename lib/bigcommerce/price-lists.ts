import { z } from 'zod';
import { parseWith } from '../errors';
import { HttpError } from '../http/errors';
import type { RequestFunction } from '../http/transport';
import { serverMessage } from './errors';
import { v2Pages } from './pagination';

/**
 * B2B prices in BigCommerce: customer groups (`/v2/customer_groups`, `customers.v2.yml`) and price lists
 * (`/v3/pricelists`, `price_lists.v3.yml`) with their records per variant and currency and their assignment to
 * a customer group on a channel. Each Sage price level becomes one price list assigned to one group.
 */

/** `PUT /v3/pricelists/{id}/records`: "Batch requests support up to 1,000 items per request." */
export const MAX_PRICE_RECORDS_PER_UPSERT = 1000;
/** The storefront channel every store has. */
export const DEFAULT_CHANNEL_ID = 1;

const bulkTierSchema = z.object({
  quantityMin: z.number().int().min(1),
  quantityMax: z.number().int().min(1).optional(),
  /** `fixed`: the unit price from this quantity; `price`: an amount off the unit price; `percent`: a percentage off. */
  type: z.enum(['fixed', 'price', 'percent']),
  amount: z.number().min(0),
});

export const priceRecordSchema = z
  .object({
    variantId: z.number().int().positive().optional(),
    sku: z.string().min(1).optional(),
    /** ISO 4217, e.g. USD. */
    currency: z.string().regex(/^[A-Za-z]{3}$/, 'must be a 3-letter currency code such as USD'),
    price: z.number().min(0),
    salePrice: z.number().min(0).optional(),
    retailPrice: z.number().min(0).optional(),
    mapPrice: z.number().min(0).optional(),
    bulkTiers: z.array(bulkTierSchema).optional(),
  })
  .refine((record) => record.variantId !== undefined || record.sku !== undefined, { message: 'needs a variantId or a sku', path: ['variantId'] });

export type PriceRecordInput = z.input<typeof priceRecordSchema>;

const priceListSchema = z.looseObject({ id: z.number().int().positive(), name: z.string(), active: z.boolean().optional() });
const priceListEnvelope = z.looseObject({ data: priceListSchema });
const priceListCollection = z.looseObject({ data: z.array(priceListSchema) });
const assignmentEnvelope = z.looseObject({
  data: z.looseObject({ id: z.number().int(), price_list_id: z.number().int(), customer_group_id: z.number().int().optional(), channel_id: z.number().int().optional() }),
});
export const customerGroupSchema = z.looseObject({ id: z.number().int().positive(), name: z.string(), is_default: z.boolean().optional() });

export type PriceList = z.output<typeof priceListSchema>;
export type CustomerGroup = z.output<typeof customerGroupSchema>;

export interface PriceListAvailability {
  available: boolean;
  /** Why not, in BigCommerce's words (a plan without Price Lists, or an API account without Products scope). */
  reason?: string;
}

/**
 * Whether the store's plan (and the API account) allow price lists: one read of at most one list. A plan without
 * the feature answers 403 (404 where the endpoint is not offered at all); anything else unexpected is thrown, not
 * read as "no price lists".
 */
export async function priceListsAvailable(request: RequestFunction): Promise<PriceListAvailability> {
  try {
    await request({ method: 'GET', path: '/v3/pricelists', query: { limit: 1 }, priority: 'interactive' });
    return { available: true };
  } catch (err) {
    if (err instanceof HttpError && (err.status === 403 || err.status === 404)) return { available: false, reason: serverMessage(err.body) ?? err.message };
    throw err;
  }
}

async function priceListNamed(request: RequestFunction, name: string): Promise<PriceList | undefined> {
  const response = await request({ method: 'GET', path: '/v3/pricelists', query: { name }, priority: 'bulk' });
  const { data } = parseWith(priceListCollection, response.body, { what: 'BigCommerce price lists', record: `price list ${name}`, code: 'bigcommerce.price_list_invalid' });
  return data.find((list) => list.name === name);
}

/** The price list with this name, created (active) when the store has none; a race with another instance (409) reads it again. */
export async function ensurePriceList(request: RequestFunction, name: string): Promise<PriceList & { created: boolean }> {
  const record = `price list ${name}`;
  const existing = await priceListNamed(request, name);
  if (existing) return { ...existing, created: false };
  try {
    const response = await request({ method: 'POST', path: '/v3/pricelists', body: { name, active: true }, idempotent: true, priority: 'bulk' });
    return { ...parseWith(priceListEnvelope, response.body, { what: 'BigCommerce price list', record, code: 'bigcommerce.price_list_invalid' }).data, created: true };
  } catch (err) {
    if (!(err instanceof HttpError) || err.status !== 409) throw err;
    const raced = await priceListNamed(request, name);
    if (!raced) throw err;
    return { ...raced, created: false };
  }
}

export interface UpsertReport {
  records: number;
  calls: number;
}

/**
 * Creates or replaces the price list's records, `batchSize` (at most 1,000, the documented limit) a call,
 * each call answered before the next. Upserts are absolute, so a batch is safe to repeat after an unknown
 * outcome. A batch with a bad record is refused whole by BigCommerce; the error names the records.
 */
export async function upsertPriceRecords(
  request: RequestFunction,
  priceListId: number,
  records: readonly PriceRecordInput[],
  options: { batchSize?: number } = {},
): Promise<UpsertReport> {
  const batchSize = Math.min(options.batchSize ?? MAX_PRICE_RECORDS_PER_UPSERT, MAX_PRICE_RECORDS_PER_UPSERT);
  const record = `price list ${priceListId}`;
  const parsed = parseWith(z.array(priceRecordSchema), records, { what: 'Price records', record, code: 'bigcommerce.price_record_invalid' });
  const body = parsed.map((r) => ({
    ...(r.variantId !== undefined && { variant_id: r.variantId }),
    ...(r.sku !== undefined && { sku: r.sku }),
    currency: r.currency.toUpperCase(),
    price: r.price,
    ...(r.salePrice !== undefined && { sale_price: r.salePrice }),
    ...(r.retailPrice !== undefined && { retail_price: r.retailPrice }),
    ...(r.mapPrice !== undefined && { map_price: r.mapPrice }),
    ...(r.bulkTiers !== undefined && {
      bulk_pricing_tiers: r.bulkTiers.map((t) => ({ quantity_min: t.quantityMin, ...(t.quantityMax !== undefined && { quantity_max: t.quantityMax }), type: t.type, amount: t.amount })),
    }),
  }));
  let calls = 0;
  for (let start = 0; start < body.length; start += batchSize) {
    await request({ method: 'PUT', path: `/v3/pricelists/${priceListId}/records`, body: body.slice(start, start + batchSize), idempotent: true, priority: 'bulk' });
    calls++;
  }
  return { records: body.length, calls };
}

/**
 * Makes the price list the one of this customer group on the channel (upsert: a list the group had there
 * before is replaced). Safe to repeat.
 */
export async function assignPriceList(request: RequestFunction, priceListId: number, customerGroupId: number, channelId = DEFAULT_CHANNEL_ID) {
  const response = await request({
    method: 'PUT',
    path: `/v3/pricelists/${priceListId}/assignments`,
    body: { customer_group_id: customerGroupId, channel_id: channelId },
    idempotent: true,
    priority: 'bulk',
  });
  const { data } = parseWith(assignmentEnvelope, response.body, { what: 'BigCommerce price list assignment', record: `price list ${priceListId}`, code: 'bigcommerce.price_list_invalid' });
  return { id: data.id, priceListId: data.price_list_id, customerGroupId: data.customer_group_id, channelId: data.channel_id };
}

/** Every customer group of the store. */
export async function listCustomerGroups(request: RequestFunction): Promise<CustomerGroup[]> {
  const rows: unknown[] = [];
  for await (const page of v2Pages(request, '/v2/customer_groups', {}, { priority: 'bulk' })) rows.push(...page);
  return parseWith(z.array(customerGroupSchema), rows, { what: 'BigCommerce customer groups', code: 'bigcommerce.customer_group_invalid' });
}

async function groupNamed(request: RequestFunction, name: string): Promise<CustomerGroup | undefined> {
  const rows: unknown[] = [];
  for await (const page of v2Pages(request, '/v2/customer_groups', { name }, { priority: 'bulk' })) rows.push(...page);
  return parseWith(z.array(customerGroupSchema), rows, { what: 'BigCommerce customer groups', record: `customer group ${name}`, code: 'bigcommerce.customer_group_invalid' }).find(
    (group) => group.name === name,
  );
}

/** The customer group with this name, created when missing; a race with another instance (409) reads it again. */
export async function ensureCustomerGroup(request: RequestFunction, name: string): Promise<CustomerGroup & { created: boolean }> {
  const existing = await groupNamed(request, name);
  if (existing) return { ...existing, created: false };
  try {
    const response = await request({ method: 'POST', path: '/v2/customer_groups', body: { name }, idempotent: true, priority: 'bulk' });
    return { ...parseWith(customerGroupSchema, response.body, { what: 'BigCommerce customer group', record: `customer group ${name}`, code: 'bigcommerce.customer_group_invalid' }), created: true };
  } catch (err) {
    if (!(err instanceof HttpError) || err.status !== 409) throw err;
    const raced = await groupNamed(request, name);
    if (!raced) throw err;
    return { ...raced, created: false };
  }
}

const customerGroupOfSchema = z.looseObject({ data: z.array(z.looseObject({ id: z.number().int().positive(), customer_group_id: z.number().int().min(0).optional() })) });

/** The customer's group now (0: none), from one `GET /v3/customers?id:in=`; undefined when the store has no such customer. */
export async function customerGroupOf(request: RequestFunction, customerId: number): Promise<number | undefined> {
  const response = await request({ method: 'GET', path: '/v3/customers', query: { 'id:in': customerId }, priority: 'bulk' });
  const { data } = parseWith(customerGroupOfSchema, response.body, { what: 'BigCommerce customers', record: `customer ${customerId}`, code: 'bigcommerce.customer_invalid' });
  const found = data.find((customer) => customer.id === customerId);
  return found && (found.customer_group_id ?? 0);
}

/** `PUT /v3/customers` takes at most 10 customers a call. */
const MAX_CUSTOMERS_PER_UPDATE = 10;

const customerMembershipSchema = z.array(z.object({ customerId: z.number().int().positive(), customerGroupId: z.number().int().min(0) }));

/**
 * Puts each customer in a customer group (e.g. the group of its Sage price level), 10 a call. Absolute, so
 * safe to repeat; BigCommerce refuses a batch naming an unknown customer or group, and the error names it.
 */
export async function setCustomerGroups(request: RequestFunction, memberships: ReadonlyArray<{ customerId: number; customerGroupId: number }>): Promise<{ customers: number; calls: number }> {
  const parsed = parseWith(customerMembershipSchema, memberships, { what: 'Customer group memberships', code: 'bigcommerce.customer_group_invalid' });
  let calls = 0;
  for (let start = 0; start < parsed.length; start += MAX_CUSTOMERS_PER_UPDATE) {
    const batch = parsed.slice(start, start + MAX_CUSTOMERS_PER_UPDATE).map((m) => ({ id: m.customerId, customer_group_id: m.customerGroupId }));
    await request({ method: 'PUT', path: '/v3/customers', body: batch, idempotent: true, priority: 'bulk' });
    calls++;
  }
  return { customers: parsed.length, calls };
}
