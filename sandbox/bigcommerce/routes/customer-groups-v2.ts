/**
 * Customer groups (`customers.v2.yml`): the groups price lists are assigned to. Names are unique (409). A
 * group with a price list shows it as its one `discount_rules` entry (`{type: price_list, price_list_id}`).
 * On a plan without Customer Groups every route answers 403.
 */
import { z } from 'zod';
import { pagingParams } from '../query';
import { json, noContent, v2Error, type SimResponse } from '../responses';
import type { Route, RouteContext } from '../router';
import type { CustomerGroupRecord, Pricing } from '../pricing';
import { rejectUnsupported } from './common';
import { invalidBody } from './orders-v2';

/** `2023-07-17 06:30:41`, as the file's examples write these dates. */
function groupDate(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '');
}

function render(group: CustomerGroupRecord, pricing: Pricing) {
  const priceListId = pricing.priceListOfGroup(group.id);
  return {
    id: group.id,
    name: group.name,
    is_default: group.isDefault,
    category_access: group.categoryAccess,
    discount_rules: priceListId === undefined ? [] : [{ type: 'price_list', price_list_id: priceListId }],
    date_created: groupDate(group.dateCreated),
    date_modified: groupDate(group.dateModified),
    is_group_for_guests: group.isGroupForGuests,
  };
}

const categoryAccessSchema = z.strictObject({ type: z.enum(['all', 'specific', 'none']), categories: z.array(z.number().int()).optional() });
const groupSchema = z.strictObject({
  name: z.string().trim().min(1).max(255),
  is_default: z.boolean().optional(),
  is_group_for_guests: z.boolean().optional(),
  category_access: categoryAccessSchema.optional(),
});

function gated(handle: (context: RouteContext) => SimResponse): (context: RouteContext) => SimResponse {
  return (context) =>
    context.store.pricing.features.customerGroups
      ? handle(context)
      : v2Error(403, "This store's plan does not include Customer Groups. Upgrade the plan to use this endpoint.");
}

const notFound = (): SimResponse => v2Error(404, 'The requested resource was not found.');

function boolQuery(query: URLSearchParams, name: string): boolean | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  return raw === 'true' || raw === '1';
}

/** Only one group can be the default for sign-ups, and only one the guests' group. */
function keepSingleFlags(pricing: Pricing, group: CustomerGroupRecord): void {
  for (const other of pricing.customerGroups.values()) {
    if (other.id === group.id) continue;
    if (group.isDefault) other.isDefault = false;
    if (group.isGroupForGuests) other.isGroupForGuests = false;
  }
}

export const customerGroupsV2Routes: Route[] = [
  {
    method: 'GET', api: 'v2', path: '/customer_groups/count', scopes: ['customers'],
    handle: gated(({ store, query }) => {
      rejectUnsupported(query, []);
      return json({ count: store.pricing.customerGroups.size });
    }),
  },
  {
    method: 'GET', api: 'v2', path: '/customer_groups', scopes: ['customers'],
    handle: gated(({ store, query }) => {
      rejectUnsupported(query, ['page', 'limit', 'name', 'name:like', 'is_default', 'is_group_for_guests']);
      const { page, limit } = pagingParams(query, 50, 250);
      const name = query.get('name');
      const like = query.get('name:like')?.toLowerCase();
      const isDefault = boolQuery(query, 'is_default');
      const forGuests = boolQuery(query, 'is_group_for_guests');
      const matching = [...store.pricing.customerGroups.values()]
        .filter((g) => (name === null || g.name === name) && (like === undefined || g.name.toLowerCase().includes(like)))
        .filter((g) => (isDefault === undefined || g.isDefault === isDefault) && (forGuests === undefined || g.isGroupForGuests === forGuests))
        .sort((a, b) => a.id - b.id);
      // The file documents only 200 here, so an empty page is `[]` (**UNCONFIRMED**: other v2 lists answer 204).
      return json(matching.slice((page - 1) * limit, page * limit).map((g) => render(g, store.pricing)));
    }),
  },
  {
    method: 'POST', api: 'v2', path: '/customer_groups', scopes: ['customers'],
    handle: gated(({ store, body }) => {
      const parsed = groupSchema.safeParse(body);
      if (!parsed.success) return invalidBody(parsed.error);
      if (store.pricing.groupByName(parsed.data.name)) return v2Error(409, `A customer group named '${parsed.data.name}' already exists.`);
      const group = store.pricing.addCustomerGroup(parsed.data);
      keepSingleFlags(store.pricing, group);
      return json(render(group, store.pricing));
    }),
  },
  {
    method: 'GET', api: 'v2', path: '/customer_groups/{customer_group_id}', scopes: ['customers'],
    handle: gated(({ store, params, query }) => {
      rejectUnsupported(query, []);
      const group = store.pricing.customerGroups.get(params.customer_group_id!);
      return group ? json(render(group, store.pricing)) : notFound();
    }),
  },
  {
    method: 'PUT', api: 'v2', path: '/customer_groups/{customer_group_id}', scopes: ['customers'],
    handle: gated(({ store, params, body }) => {
      const group = store.pricing.customerGroups.get(params.customer_group_id!);
      if (!group) return notFound();
      const parsed = groupSchema.partial().safeParse(body ?? {});
      if (!parsed.success) return invalidBody(parsed.error);
      const change = parsed.data;
      const clash = change.name !== undefined ? store.pricing.groupByName(change.name) : undefined;
      if (clash && clash.id !== group.id) return v2Error(409, `A customer group named '${change.name}' already exists.`);
      if (change.name !== undefined) group.name = change.name;
      if (change.is_default !== undefined) group.isDefault = change.is_default;
      if (change.is_group_for_guests !== undefined) group.isGroupForGuests = change.is_group_for_guests;
      if (change.category_access !== undefined) group.categoryAccess = change.category_access;
      group.dateModified = Math.max(store.now(), group.dateModified);
      keepSingleFlags(store.pricing, group);
      return json(render(group, store.pricing));
    }),
  },
  {
    method: 'DELETE', api: 'v2', path: '/customer_groups/{customer_group_id}', scopes: ['customers'],
    handle: gated(({ store, params }) => {
      const group = store.pricing.customerGroups.get(params.customer_group_id!);
      if (!group) return notFound();
      store.pricing.deleteCustomerGroup(group.id);
      // Its customers are left without a group, as BigCommerce does.
      for (const customer of store.customers.values()) if (customer.customerGroupId === group.id) customer.customerGroupId = 0;
      return noContent;
    }),
  },
];
