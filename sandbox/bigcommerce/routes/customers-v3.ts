import { z } from 'zod';
import { rfc3339 } from '../dates';
import { idListParam, listParam, pagingParams, RequestError } from '../query';
import { batchTooLarge, json, pageOf, paginationMeta, v3Error, type SimResponse } from '../responses';
import type { Route, RouteContext } from '../router';
import type { CustomerRecord } from '../store';
import { rejectUnsupported } from './common';

const INCLUDES = ['addresses', 'storecredit', 'attributes', 'formfields', 'shopper_profile_id', 'segment_ids'];
const SORTS = ['date_created:asc', 'date_created:desc', 'last_name:asc', 'last_name:desc', 'date_modified:asc', 'date_modified:desc'];

function renderCustomer(c: CustomerRecord, include: string[]) {
  return {
    id: c.id,
    email: c.email,
    first_name: c.firstName,
    last_name: c.lastName,
    company: c.company,
    phone: c.phone,
    registration_ip_address: '',
    notes: c.notes,
    tax_exempt_category: '',
    customer_group_id: c.customerGroupId,
    date_created: rfc3339(c.dateCreated),
    date_modified: rfc3339(c.dateModified),
    address_count: c.addresses.length,
    attribute_count: 0,
    authentication: { force_password_reset: false },
    accepts_product_review_abandoned_cart_emails: false,
    origin_channel_id: 1,
    channel_ids: [1],
    ...(include.includes('addresses') && {
      addresses: c.addresses.map((a) => ({
        id: a.id,
        customer_id: c.id,
        first_name: a.first_name,
        last_name: a.last_name,
        company: a.company ?? '',
        address1: a.address1,
        address2: a.address2 ?? '',
        city: a.city,
        state_or_province: a.state_or_province ?? '',
        postal_code: a.postal_code ?? '',
        country_code: a.country_code,
        country: a.country ?? '',
        phone: a.phone ?? '',
        address_type: a.address_type ?? 'residential',
      })),
    }),
    ...(include.includes('storecredit') && { store_credit_amounts: [{ amount: 0 }] }),
    ...(include.includes('attributes') && { attributes: [] }),
    ...(include.includes('formfields') && { form_fields: [] }),
  };
}

/** `2024-05-14T09:34:00` or `2024-05-14`, read as UTC. */
function dateParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2})?$/.test(raw)) throw new RequestError(422, `The field '${name}' is invalid: '${raw}' (use 2024-05-14 or 2024-05-14T09:34:00).`, { [name]: 'invalid date' });
  return Date.parse(raw.includes('T') ? `${raw}Z` : `${raw}T00:00:00Z`);
}

function listCustomers({ store, query }: RouteContext): SimResponse {
  rejectUnsupported(query, ['id:in', 'email:in', 'name:in', 'name:like', 'company:in', 'customer_group_id:in', 'date_created', 'date_created:min', 'date_created:max', 'date_modified', 'date_modified:min', 'date_modified:max', 'include', 'sort', 'page', 'limit']);
  const { page, limit } = pagingParams(query, 50, 250);
  const ids = idListParam(query, 'id:in');
  // Whether BigCommerce matches e-mail case-sensitively is unconfirmed; the simulator does not.
  const emails = listParam(query, 'email:in')?.map((e) => e.toLowerCase());
  const names = listParam(query, 'name:in')?.map((n) => n.toLowerCase());
  const like = query.get('name:like')?.toLowerCase();
  const companies = listParam(query, 'company:in');
  const groups = idListParam(query, 'customer_group_id:in');
  const created = dateParam(query, 'date_created');
  const createdMin = dateParam(query, 'date_created:min');
  const createdMax = dateParam(query, 'date_created:max');
  const modified = dateParam(query, 'date_modified');
  const modifiedMin = dateParam(query, 'date_modified:min');
  const modifiedMax = dateParam(query, 'date_modified:max');
  const include = listParam(query, 'include') ?? [];
  const badInclude = include.find((i) => !INCLUDES.includes(i));
  if (badInclude) throw new RequestError(422, `The field 'include' is invalid: '${badInclude}'.`, { include: `must be among ${INCLUDES.join(', ')}` });
  const sort = query.get('sort');
  if (sort !== null && !SORTS.includes(sort)) throw new RequestError(422, `The field 'sort' is invalid: '${sort}'.`, { sort: `must be one of ${SORTS.join(', ')}` });
  const day = (ms: number) => Math.floor(ms / 86_400_000);
  const matching = [...store.customers.values()].filter((c) => {
    const name = `${c.firstName} ${c.lastName}`.toLowerCase();
    return (
      (!ids || ids.includes(c.id)) &&
      (!emails || emails.includes(c.email.toLowerCase())) &&
      (!names || names.includes(name)) &&
      (like === undefined || name.includes(like)) &&
      (!companies || companies.includes(c.company)) &&
      (!groups || groups.includes(c.customerGroupId)) &&
      (created === undefined || day(c.dateCreated) === day(created)) &&
      (createdMin === undefined || c.dateCreated >= createdMin) &&
      (createdMax === undefined || c.dateCreated <= createdMax) &&
      (modified === undefined || day(c.dateModified) === day(modified)) &&
      (modifiedMin === undefined || c.dateModified >= modifiedMin) &&
      (modifiedMax === undefined || c.dateModified <= modifiedMax)
    );
  });
  if (sort) {
    const [field, direction] = sort.split(':');
    const sign = direction === 'desc' ? -1 : 1;
    const key = (c: CustomerRecord) => (field === 'last_name' ? c.lastName : field === 'date_created' ? c.dateCreated : c.dateModified);
    matching.sort((a, b) => (key(a) < key(b) ? -sign : key(a) > key(b) ? sign : a.id - b.id));
  } else {
    matching.sort((a, b) => a.id - b.id);
  }
  const slice = pageOf(matching, page, limit);
  const meta: Record<string, unknown> = { pagination: paginationMeta(slice) };
  // Page 1 also carries the cursor block, as BigCommerce sends it.
  if (page === 1) {
    const encode = (id: number) => Buffer.from(`id:${id}`).toString('base64');
    const first = slice.items[0];
    const last = slice.items.at(-1);
    meta.cursor_pagination = {
      count: slice.items.length,
      per_page: limit,
      ...(first && { start_cursor: encode(first.id) }),
      ...(last && { end_cursor: encode(last.id) }),
      links: { ...(last && slice.total > limit && { next: `?limit=${limit}&after=${encodeURIComponent(encode(last.id))}` }) },
    };
  }
  return json({ data: slice.items.map((c) => renderCustomer(c, include)), meta });
}

const addressSchema = z.looseObject({
  first_name: z.string().min(1),
  last_name: z.string().min(1),
  address1: z.string().min(1),
  city: z.string().min(1),
  country_code: z.string().length(2),
  company: z.string().optional(),
  address2: z.string().optional(),
  state_or_province: z.string().optional(),
  postal_code: z.string().optional(),
  phone: z.string().optional(),
  address_type: z.enum(['residential', 'commercial']).optional(),
});
const customerPostSchema = z.looseObject({
  email: z.string().min(3).max(255),
  first_name: z.string().min(1).max(100),
  last_name: z.string().min(1).max(100),
  company: z.string().max(255).optional(),
  phone: z.string().max(50).optional(),
  notes: z.string().optional(),
  customer_group_id: z.number().int().min(0).optional(),
  addresses: z.array(addressSchema).optional(),
});

function createCustomers({ store, body }: RouteContext): SimResponse {
  if (!Array.isArray(body)) return v3Error(422, 'The request body must be an array of customers.', { body: 'expected an array' });
  if (body.length > 10) return batchTooLarge(10, '.');
  const inputs: Array<z.infer<typeof customerPostSchema>> = [];
  const taken = new Set([...store.customers.values()].map((c) => c.email.toLowerCase()));
  for (const [index, item] of body.entries()) {
    const parsed = customerPostSchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return v3Error(422, 'Invalid customer data', { [`${index}.${issue.path.join('.')}`]: issue.message });
    }
    const email = parsed.data.email.toLowerCase();
    if (taken.has(email)) return v3Error(422, 'The email address is already in use', { [`${index}.email`]: `Email address ${parsed.data.email} is already in use` });
    taken.add(email);
    inputs.push(parsed.data);
  }
  const created = inputs.map((input) => store.addCustomer(input, { notify: true }));
  return json({ data: created.map((c) => renderCustomer(c, ['addresses'])), meta: {} });
}

const customerPutSchema = z.strictObject({
  id: z.number().int().positive(),
  email: z.string().min(3).max(255).optional(),
  first_name: z.string().min(1).max(100).optional(),
  last_name: z.string().min(1).max(100).optional(),
  company: z.string().max(255).optional(),
  phone: z.string().max(50).optional(),
  notes: z.string().optional(),
  customer_group_id: z.number().int().min(0).optional(),
});

/** `PUT /v3/customers`: ≤ 10 a call; every item is checked first, so a refused batch changes nothing. */
function updateCustomers({ store, body }: RouteContext): SimResponse {
  if (!Array.isArray(body)) return v3Error(422, 'The request body must be an array of customers.', { body: 'expected an array' });
  if (body.length > 10) return batchTooLarge(10, '.');
  const changes: Array<{ customer: CustomerRecord; change: z.infer<typeof customerPutSchema> }> = [];
  for (const [index, item] of body.entries()) {
    const parsed = customerPutSchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return v3Error(422, 'Invalid customer data', { [`${index}.${issue.path.join('.')}`]: issue.message });
    }
    const change = parsed.data;
    const customer = store.customers.get(change.id);
    if (!customer) return v3Error(422, 'Customer not found', { [`${index}.id`]: `Customer ${change.id} does not exist` });
    const group = change.customer_group_id;
    if (group !== undefined && group !== 0 && !store.pricing.customerGroups.has(group)) {
      return v3Error(422, 'Invalid customer group', { [`${index}.customer_group_id`]: `Customer group ${group} does not exist` });
    }
    const email = change.email?.toLowerCase();
    if (email !== undefined && [...store.customers.values()].some((c) => c.id !== customer.id && c.email.toLowerCase() === email)) {
      return v3Error(422, 'The email address is already in use', { [`${index}.email`]: `Email address ${change.email} is already in use` });
    }
    changes.push({ customer, change });
  }
  const now = store.now();
  for (const { customer, change } of changes) {
    if (change.email !== undefined) customer.email = change.email;
    if (change.first_name !== undefined) customer.firstName = change.first_name;
    if (change.last_name !== undefined) customer.lastName = change.last_name;
    if (change.company !== undefined) customer.company = change.company;
    if (change.phone !== undefined) customer.phone = change.phone;
    if (change.notes !== undefined) customer.notes = change.notes;
    if (change.customer_group_id !== undefined) customer.customerGroupId = change.customer_group_id;
    customer.dateModified = Math.max(now, customer.dateModified);
    store.emit('store/customer/updated', { type: 'customer', id: customer.id });
  }
  return json({ data: changes.map(({ customer }) => renderCustomer(customer, [])), meta: {} });
}

export const customersV3Routes: Route[] = [
  { method: 'GET', api: 'v3', path: '/customers', scopes: ['customers'], handle: listCustomers },
  { method: 'POST', api: 'v3', path: '/customers', scopes: ['customers'], handle: createCustomers },
  { method: 'PUT', api: 'v3', path: '/customers', scopes: ['customers'], handle: updateCustomers },
];
