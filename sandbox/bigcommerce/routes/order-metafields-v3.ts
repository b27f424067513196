/**
 * Order metafields (`orders.v3.yml`): per order and in batches across orders. A metafield belongs to the API
 * account (client id) that created it; namespace + key are unique per client id and order (409). Others see
 * it unless it is `app_only`, and may change it only when it is `write` / `write_and_sf_access`.
 */
import { z } from 'zod';
import { rfc3339 } from '../dates';
import { listParam, pagingParams } from '../query';
import { json, noContent, pageOf, paginationMeta, STATUS_CODES_URL, v3Error, type SimResponse } from '../responses';
import type { Route, RouteContext } from '../router';
import type { MetafieldInput, MetafieldRecord, SimulatedStore } from '../store';
import { rejectUnsupported } from './common';

/** BigCommerce's documented cap per resource and client id. */
export const MAX_METAFIELDS_PER_ORDER = 250;

const PERMISSIONS = ['app_only', 'read', 'write', 'read_and_sf_access', 'write_and_sf_access'] as const;
const WRITABLE = new Set<string>(['write', 'write_and_sf_access']);

const metafieldSchema = z.strictObject({
  permission_set: z.enum(PERMISSIONS),
  namespace: z.string().min(1).max(64),
  key: z.string().min(1).max(64),
  value: z.string().min(1).max(65_535),
  description: z.string().max(255).optional(),
});
const batchCreateSchema = metafieldSchema.extend({ resource_id: z.number().int().positive() });
const batchUpdateSchema = metafieldSchema.extend({ id: z.number().int().positive(), resource_id: z.number().int().positive().optional() });

const LIST_QUERY = ['page', 'limit', 'key', 'key:in', 'namespace', 'namespace:in', 'direction'];

function render(field: MetafieldRecord) {
  return {
    id: field.id,
    key: field.key,
    value: field.value,
    namespace: field.namespace,
    permission_set: field.permissionSet,
    resource_type: 'order',
    resource_id: field.orderId,
    description: field.description,
    date_created: rfc3339(field.dateCreated),
    date_modified: rfc3339(field.dateModified),
    owner_client_id: field.ownerClientId,
  };
}

/** The documented 404 body of the single-metafield operations (`NotFound`: `errors` is an array there). */
function notFound(title: string): SimResponse {
  return json({ status: 404, title, type: STATUS_CODES_URL, errors: [] }, 404);
}

function invalid(error: z.ZodError, prefix = ''): SimResponse {
  const errors = Object.fromEntries(error.issues.map((issue) => [`${prefix}${issue.path.join('.') || '(body)'}`, issue.message]));
  return v3Error(422, 'The metafield is not valid.', errors);
}

function visible(field: MetafieldRecord, clientId: string): boolean {
  return field.ownerClientId === clientId || field.permissionSet !== 'app_only';
}

function writable(field: MetafieldRecord, clientId: string): boolean {
  return field.ownerClientId === clientId || WRITABLE.has(field.permissionSet);
}

function listOf(context: RouteContext, orderId: number | undefined): SimResponse {
  const { query, store, clientId } = context;
  rejectUnsupported(query, LIST_QUERY);
  const { page, limit } = pagingParams(query, 50, 250);
  const keys = [...(listParam(query, 'key:in') ?? []), ...(query.get('key') !== null ? [query.get('key')!] : [])];
  const namespaces = [...(listParam(query, 'namespace:in') ?? []), ...(query.get('namespace') !== null ? [query.get('namespace')!] : [])];
  const direction = query.get('direction') ?? 'asc';
  if (direction !== 'asc' && direction !== 'desc') return v3Error(422, `The field 'direction' is invalid: use asc or desc.`, { direction: 'must be asc or desc' });
  const matching = [...store.orderMetafields.values()]
    .filter((f) => (orderId === undefined || f.orderId === orderId) && visible(f, clientId))
    .filter((f) => (keys.length === 0 || keys.includes(f.key)) && (namespaces.length === 0 || namespaces.includes(f.namespace)))
    .sort((a, b) => (direction === 'asc' ? a.id - b.id : b.id - a.id));
  const slice = pageOf(matching, page, limit);
  return json({ data: slice.items.map(render), meta: { pagination: paginationMeta(slice) } });
}

/** Why `clientId` may not create this metafield on the order, or undefined. */
function createRefusal(store: SimulatedStore, orderId: number, input: MetafieldInput, clientId: string): { status: number; title: string } | undefined {
  if (!store.orders.has(orderId)) return { status: 404, title: `Order ${orderId} does not exist.` };
  if (store.findOrderMetafield(orderId, clientId, input.namespace, input.key)) {
    return { status: 409, title: `A metafield with namespace '${input.namespace}' and key '${input.key}' already exists on order ${orderId} for this client.` };
  }
  const owned = [...store.orderMetafields.values()].filter((f) => f.orderId === orderId && f.ownerClientId === clientId).length;
  if (owned >= MAX_METAFIELDS_PER_ORDER) return { status: 422, title: `Order ${orderId} already has ${MAX_METAFIELDS_PER_ORDER} metafields of this client.` };
  return undefined;
}

/** Why `clientId` may not apply this change to the metafield, or undefined. */
function updateRefusal(store: SimulatedStore, field: MetafieldRecord, change: MetafieldInput, clientId: string): { status: number; title: string } | undefined {
  if (!writable(field, clientId)) return { status: 403, title: `Metafield ${field.id} is read-only for this client (permission_set ${field.permissionSet}).` };
  const clash = store.findOrderMetafield(field.orderId, field.ownerClientId, change.namespace, change.key);
  if (clash && clash.id !== field.id) {
    return { status: 409, title: `A metafield with namespace '${change.namespace}' and key '${change.key}' already exists on order ${field.orderId} for this client.` };
  }
  return undefined;
}

function apply(field: MetafieldRecord, change: MetafieldInput, now: number): void {
  field.namespace = change.namespace;
  field.key = change.key;
  field.value = change.value;
  field.permissionSet = change.permission_set;
  if (change.description !== undefined) field.description = change.description;
  field.dateModified = Math.max(now, field.dateModified);
}

/** The metafield of the path, or the 404 to answer. */
function single(context: RouteContext): { field: MetafieldRecord } | { refused: SimResponse } {
  const orderId = context.params.order_id!;
  if (!context.store.orders.has(orderId)) return { refused: notFound(`Order ${orderId} does not exist.`) };
  const field = context.store.orderMetafields.get(context.params.metafield_id!);
  if (!field || field.orderId !== orderId || !visible(field, context.clientId)) return { refused: notFound('A metafield was not found with this query.') };
  return { field };
}

function batchMeta(total: number, failed: number) {
  return { total, success: total - failed, failed };
}

function batchError(index: number, status: number, title: string) {
  return { status, title, type: STATUS_CODES_URL, errors: { [String(index)]: title } };
}

export const orderMetafieldsV3Routes: Route[] = [
  {
    method: 'GET', api: 'v3', path: '/orders/{order_id}/metafields', scopes: ['orders'],
    handle(context) {
      const orderId = context.params.order_id!;
      if (!context.store.orders.has(orderId)) return v3Error(404, `Order ${orderId} does not exist.`);
      return listOf(context, orderId);
    },
  },
  {
    method: 'POST', api: 'v3', path: '/orders/{order_id}/metafields', scopes: ['orders'],
    handle(context) {
      const orderId = context.params.order_id!;
      const parsed = metafieldSchema.safeParse(context.body);
      if (!context.store.orders.has(orderId)) return v3Error(404, `Order ${orderId} does not exist.`);
      if (!parsed.success) return invalid(parsed.error);
      const refused = createRefusal(context.store, orderId, parsed.data, context.clientId);
      if (refused) return v3Error(refused.status, refused.title);
      return json({ data: render(context.store.addOrderMetafield(orderId, parsed.data, context.clientId)), meta: {} });
    },
  },
  {
    method: 'GET', api: 'v3', path: '/orders/{order_id}/metafields/{metafield_id}', scopes: ['orders'],
    handle(context) {
      rejectUnsupported(context.query, []);
      const found = single(context);
      return 'refused' in found ? found.refused : json({ data: render(found.field), meta: {} });
    },
  },
  {
    method: 'PUT', api: 'v3', path: '/orders/{order_id}/metafields/{metafield_id}', scopes: ['orders'],
    handle(context) {
      const found = single(context);
      if ('refused' in found) return found.refused;
      const { field } = found;
      // The file's MetafieldPut is the full MetafieldBase_Post: every required field is sent again.
      const parsed = metafieldSchema.safeParse(context.body);
      if (!parsed.success) return invalid(parsed.error);
      const refused = updateRefusal(context.store, field, parsed.data, context.clientId);
      if (refused) return v3Error(refused.status, refused.title);
      apply(field, parsed.data, context.store.now());
      return json({ data: render(field), meta: {} });
    },
  },
  {
    method: 'DELETE', api: 'v3', path: '/orders/{order_id}/metafields/{metafield_id}', scopes: ['orders'],
    handle(context) {
      const found = single(context);
      if ('refused' in found) return found.refused;
      const { field } = found;
      if (!writable(field, context.clientId)) return v3Error(403, `Metafield ${field.id} is read-only for this client (permission_set ${field.permissionSet}).`);
      context.store.orderMetafields.delete(field.id);
      return noContent;
    },
  },
  { method: 'GET', api: 'v3', path: '/orders/metafields', scopes: ['orders'], handle: (context) => listOf(context, undefined) },
  {
    method: 'POST', api: 'v3', path: '/orders/metafields', scopes: ['orders'],
    handle(context) {
      if (!Array.isArray(context.body)) return v3Error(400, 'Input is invalid: the body must be an array of metafields.');
      const { store, clientId } = context;
      const created: MetafieldRecord[] = [];
      const errors: unknown[] = [];
      context.body.forEach((raw, index) => {
        const parsed = batchCreateSchema.safeParse(raw);
        if (!parsed.success) return errors.push(batchError(index, 422, `${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`));
        const { resource_id: orderId, ...input } = parsed.data;
        const refused = createRefusal(store, orderId, input, clientId);
        if (refused) return errors.push(batchError(index, refused.status, refused.title));
        created.push(store.addOrderMetafield(orderId, input, clientId));
      });
      const meta = batchMeta(context.body.length, errors.length);
      return json({ data: created.map(render), errors, meta }, errors.length > 0 ? 422 : 200);
    },
  },
  {
    method: 'PUT', api: 'v3', path: '/orders/metafields', scopes: ['orders'],
    handle(context) {
      if (!Array.isArray(context.body)) return v3Error(400, 'Input is invalid: the body must be an array of metafields.');
      const { store, clientId } = context;
      const updated: MetafieldRecord[] = [];
      const errors: unknown[] = [];
      context.body.forEach((raw, index) => {
        const parsed = batchUpdateSchema.safeParse(raw);
        if (!parsed.success) return errors.push(batchError(index, 422, `${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`));
        const { id, resource_id: _resource, ...change } = parsed.data;
        const field = store.orderMetafields.get(id);
        if (!field || !visible(field, clientId)) return errors.push(batchError(index, 404, `Metafield ${id} does not exist.`));
        const refused = updateRefusal(store, field, change, clientId);
        if (refused) return errors.push(batchError(index, refused.status, refused.title));
        apply(field, change, store.now());
        updated.push(field);
      });
      const meta = batchMeta(context.body.length, errors.length);
      return json({ data: updated.map(render), errors, meta }, errors.length > 0 ? 422 : 200);
    },
  },
  {
    method: 'DELETE', api: 'v3', path: '/orders/metafields', scopes: ['orders'],
    handle(context) {
      const ids = z.array(z.number().int().positive()).safeParse(context.body);
      if (!ids.success) return v3Error(400, 'Input is invalid: the body must be an array of metafield ids.');
      const { store, clientId } = context;
      const deleted: number[] = [];
      const errors: unknown[] = [];
      ids.data.forEach((id, index) => {
        const field = store.orderMetafields.get(id);
        if (!field || !visible(field, clientId)) return errors.push(batchError(index, 404, 'Metafield does not exist'));
        if (!writable(field, clientId)) return errors.push(batchError(index, 403, 'Unauthorized to delete'));
        store.orderMetafields.delete(id);
        deleted.push(id);
      });
      return json({ data: deleted, errors, meta: batchMeta(ids.data.length, errors.length) }, errors.length > 0 ? 422 : 200);
    },
  },
];
