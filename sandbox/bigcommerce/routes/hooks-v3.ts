import { z } from 'zod';
import { unixSeconds } from '../dates';
import { boolParam, pagingParams } from '../query';
import { json, noContent, pageOf, paginationMeta, v3Error, type SimResponse } from '../responses';
import type { Route, RouteContext } from '../router';
import type { HookRecord } from '../store';
import { rejectUnsupported } from './common';

/** BigCommerce allows at most this many hooks per store, client id and scope. */
export const MAX_HOOKS_PER_SCOPE = 10;

function renderHook(hook: HookRecord, storeHash: string) {
  return {
    id: hook.id,
    client_id: hook.clientId,
    store_hash: storeHash,
    scope: hook.scope,
    destination: hook.destination,
    headers: hook.headers,
    is_active: hook.isActive,
    created_at: unixSeconds(hook.createdAt),
    updated_at: unixSeconds(hook.updatedAt),
  };
}

const SCOPE = /^store\/[A-Za-z]+(\/[A-Za-z_*]+)*$/;
const headersSchema = z.record(z.string(), z.string()).nullable();
const destinationSchema = z
  .string()
  .min(1)
  // The real service takes only HTTPS on port 443; the simulator also takes plain http so local tests can receive.
  .refine((value) => /^https?:\/\/[^\s/]+/.test(value), 'must be an absolute http(s) URL');
const hookPostSchema = z.looseObject({
  scope: z.string().regex(SCOPE, 'is not a webhook scope such as store/order/created'),
  destination: destinationSchema,
  is_active: z.boolean().optional(),
  headers: headersSchema.optional(),
});
const hookPutSchema = z.looseObject({
  scope: z.string().regex(SCOPE, 'is not a webhook scope such as store/order/created').optional(),
  destination: destinationSchema.optional(),
  is_active: z.boolean().optional(),
  headers: headersSchema.optional(),
});

function invalid(error: z.ZodError): SimResponse {
  const issue = error.issues[0]!;
  return v3Error(422, `The hook is invalid: ${issue.path.join('.') || 'body'} ${issue.message}`, { [issue.path.join('.') || 'body']: issue.message });
}

/** A hook of the calling API account, or undefined (another account's hooks are invisible). */
function ownHook(context: RouteContext): HookRecord | undefined {
  const hook = context.store.hooks.get(context.params.webhook_id!);
  return hook && hook.clientId === context.clientId ? hook : undefined;
}

const hookNotFound = (id: number) => v3Error(404, `Webhook ${id} not found`);

/** The rules BigCommerce enforces per store + client id + scope (+ destination). */
function conflict(context: RouteContext, scope: string, destination: string, except?: number): SimResponse | undefined {
  const same = [...context.store.hooks.values()].filter((h) => h.clientId === context.clientId && h.scope === scope && h.id !== except);
  if (same.some((h) => h.destination === destination)) {
    return v3Error(422, `A webhook for ${scope} to ${destination} already exists for this client`, { destination: 'duplicate' });
  }
  if (same.length >= MAX_HOOKS_PER_SCOPE) return v3Error(422, `At most ${MAX_HOOKS_PER_SCOPE} webhooks per scope are allowed`, { scope: 'too many hooks' });
  return undefined;
}

export const hooksV3Routes: Route[] = [
  {
    method: 'GET', api: 'v3', path: '/hooks',
    handle(context) {
      const { query, store } = context;
      rejectUnsupported(query, ['page', 'limit', 'is_active', 'scope', 'destination']);
      const { page, limit } = pagingParams(query, 50, 250);
      const active = boolParam(query, 'is_active');
      const scope = query.get('scope');
      const destination = query.get('destination');
      const hooks = [...store.hooks.values()].filter(
        (h) => h.clientId === context.clientId && (active === undefined || h.isActive === active) && (scope === null || h.scope === scope) && (destination === null || h.destination === destination),
      );
      const slice = pageOf(hooks, page, limit);
      return json({ data: slice.items.map((h) => renderHook(h, store.storeHash)), meta: { pagination: paginationMeta(slice) } });
    },
  },
  {
    method: 'POST', api: 'v3', path: '/hooks',
    handle(context) {
      const parsed = hookPostSchema.safeParse(context.body);
      if (!parsed.success) return invalid(parsed.error);
      const { scope, destination } = parsed.data;
      const refused = conflict(context, scope, destination);
      if (refused) return refused;
      const hook = context.store.addHook({ ...parsed.data, client_id: context.clientId });
      return json({ data: renderHook(hook, context.store.storeHash), meta: {} });
    },
  },
  {
    method: 'GET', api: 'v3', path: '/hooks/admin',
    handle(context) {
      const { query, store } = context;
      rejectUnsupported(query, ['is_active']);
      const active = boolParam(query, 'is_active');
      const hooks = [...store.hooks.values()].filter((h) => h.clientId === context.clientId && (active === undefined || h.isActive === active));
      return json({
        data: {
          emails: store.hookAdminEmails,
          hooks_list: hooks.map((h) => ({ ...renderHook(h, store.storeHash), status: h.deactivated ? 'deactivated' : h.isActive ? 'active' : 'inactive' })),
          blocked_domains: [],
        },
        meta: {},
      });
    },
  },
  {
    method: 'PUT', api: 'v3', path: '/hooks/admin',
    handle(context) {
      const parsed = z.looseObject({ emails: z.array(z.email()) }).safeParse(context.body);
      if (!parsed.success) return invalid(parsed.error);
      context.store.hookAdminEmails = parsed.data.emails;
      return noContent;
    },
  },
  {
    method: 'GET', api: 'v3', path: '/hooks/{webhook_id}',
    handle(context) {
      const hook = ownHook(context);
      return hook ? json({ data: renderHook(hook, context.store.storeHash), meta: {} }) : hookNotFound(context.params.webhook_id!);
    },
  },
  {
    method: 'PUT', api: 'v3', path: '/hooks/{webhook_id}',
    handle(context) {
      const hook = ownHook(context);
      if (!hook) return hookNotFound(context.params.webhook_id!);
      const parsed = hookPutSchema.safeParse(context.body);
      if (!parsed.success) return invalid(parsed.error);
      const change = parsed.data;
      const refused = (change.scope !== undefined || change.destination !== undefined) && conflict(context, change.scope ?? hook.scope, change.destination ?? hook.destination, hook.id);
      if (refused) return refused;
      if (change.scope !== undefined) hook.scope = change.scope;
      if (change.destination !== undefined) hook.destination = change.destination;
      if (change.headers !== undefined) hook.headers = change.headers;
      if (change.is_active !== undefined) {
        hook.isActive = change.is_active;
        // Re-enabling is how a deactivated hook comes back.
        if (change.is_active) hook.deactivated = false;
      }
      hook.updatedAt = context.store.now();
      return json({ data: renderHook(hook, context.store.storeHash), meta: {} });
    },
  },
  {
    method: 'DELETE', api: 'v3', path: '/hooks/{webhook_id}',
    handle(context) {
      const hook = ownHook(context);
      if (!hook) return hookNotFound(context.params.webhook_id!);
      context.store.hooks.delete(hook.id);
      return json({ data: renderHook(hook, context.store.storeHash), meta: {} });
    },
  },
];
