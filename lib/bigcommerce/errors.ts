import type { RequestSummary } from '../http/errors';
import type { ErrorDescription } from '../http/transport';

/**
 * Turns BigCommerce's failed answers into messages a person can act on. Used as the transport's
 * `describeError`, so every failure is an `HttpError` carrying status, method, path and BigCommerce's own
 * body (a v2 array or a v3 object), never the access token, which only ever travels in a request header.
 */

interface ScopeRule {
  pattern: RegExp;
  /** Human name of the scope group in the API account screen. */
  area: string;
  scope: string;
}

// First match wins, so the more specific paths come first.
const SCOPES: ScopeRule[] = [
  { pattern: /^\/v3\/orders\/[^/]+\/transactions/, area: 'Order Transactions', scope: 'store_v2_transactions' },
  { pattern: /^\/v3\/orders\/(?:[^/]+\/)?payment_actions/, area: 'Orders', scope: 'store_v2_orders' },
  { pattern: /^\/v[23]\/orders\b/, area: 'Orders', scope: 'store_v2_orders' },
  { pattern: /^\/v3\/customers/, area: 'Customers', scope: 'store_v2_customers' },
  { pattern: /^\/v2\/customer_groups/, area: 'Customers', scope: 'store_v2_customers' },
  { pattern: /^\/v3\/pricelists/, area: 'Products', scope: 'store_v2_products' },
  { pattern: /^\/v3\/catalog/, area: 'Products', scope: 'store_v2_products' },
  { pattern: /^\/v3\/inventory\/locations(?:\/[^/]+)?(?:\/metafields.*)?$/, area: 'Store Locations', scope: 'store_locations' },
  { pattern: /^\/v3\/inventory/, area: 'Store Inventory', scope: 'store_inventory' },
  { pattern: /^\/v2\/store\b/, area: 'Information & Settings', scope: 'store_v2_information' },
];

/** The path below `/stores/{store_hash}` without the query, e.g. `/v2/orders/12`. */
export function apiPath(path: string): string {
  const withoutQuery = path.split('?')[0] ?? path;
  const match = /\/v[23]\/.*$/.exec(withoutQuery);
  return match ? match[0] : withoutQuery;
}

/** The OAuth scope a request needs, e.g. `store_v2_orders_read_only` for a GET on `/v2/orders`. */
export function scopeFor(method: string, path: string): { area: string; scope: string } | undefined {
  const relative = apiPath(path);
  const rule = SCOPES.find((candidate) => candidate.pattern.test(relative));
  if (!rule) return undefined;
  return { area: rule.area, scope: method === 'GET' ? `${rule.scope}_read_only` : rule.scope };
}

/** BigCommerce's own words from an error body: v2 `[{status, message}]`, v3 `{title, errors}` or `batch_errors`. */
export function serverMessage(body: unknown): string | undefined {
  if (Array.isArray(body)) {
    const texts = body
      .map((entry) => (entry && typeof entry === 'object' ? (entry as { message?: unknown }).message : undefined))
      .filter((text): text is string => typeof text === 'string' && text.length > 0);
    return texts.length > 0 ? texts.join('; ') : undefined;
  }
  if (body && typeof body === 'object') {
    const { title, errors, batch_errors: batchErrors } = body as { title?: unknown; errors?: unknown; batch_errors?: unknown };
    if (Array.isArray(batchErrors) && batchErrors.length > 0) {
      return batchErrors.map((entry) => serverMessage(entry)).filter(Boolean).join('; ') || undefined;
    }
    const fieldErrors =
      errors && typeof errors === 'object' && !Array.isArray(errors)
        ? Object.entries(errors as Record<string, unknown>).map(([field, text]) => `${field}: ${String(text)}`)
        : [];
    const parts = [typeof title === 'string' ? title : undefined, ...fieldErrors].filter(Boolean);
    return parts.length > 0 ? parts.join('; ') : undefined;
  }
  if (typeof body === 'string' && body.trim().length > 0) return body.trim().slice(0, 300);
  return undefined;
}

function hintFor(status: number, request: RequestSummary): { code: string; hint: string } {
  switch (status) {
    case 400:
      return { code: 'bigcommerce.bad_request', hint: 'BigCommerce could not read the request; the message names the parameter or field it rejected.' };
    case 401:
      return {
        code: 'bigcommerce.unauthorized',
        hint: 'The access token is wrong, revoked, or belongs to another store: check the access token and the store hash in the BigCommerce configuration.',
      };
    case 403: {
      const needed = scopeFor(request.method, request.path);
      return {
        code: 'bigcommerce.forbidden',
        hint: needed
          ? `The API account lacks the scope for this call: give it ${needed.area} ${needed.scope.endsWith('_read_only') ? 'read-only' : 'modify'} access (${needed.scope}) in Settings › API accounts, then use the new token.`
          : 'The API account lacks a scope for this call, or the store plan does not allow it.',
      };
    }
    case 404:
      return { code: 'bigcommerce.not_found', hint: 'No such record in this store (or the store hash is wrong).' };
    case 409:
      return { code: 'bigcommerce.conflict', hint: 'The change conflicts with data in the store, e.g. a duplicate SKU or name.' };
    case 413:
      return { code: 'bigcommerce.too_large', hint: 'Too many items in one request, or a page limit above what the endpoint allows: send smaller batches.' };
    case 422:
      return { code: 'bigcommerce.invalid', hint: 'BigCommerce rejected the data; the message names the field.' };
    case 429:
      return {
        code: 'bigcommerce.rate_limited',
        hint: "The store's API quota is used up (all apps on a store share it). The client waits for the quota to refresh and retries; if this persists, another app is using the quota.",
      };
    default:
      if (status >= 500) {
        return {
          code: 'bigcommerce.unavailable',
          hint: 'BigCommerce had a problem or the store is in maintenance; requests that are safe to repeat are retried with backoff. Try again later.',
        };
      }
      return { code: `bigcommerce.http_${status}`, hint: 'See the message from BigCommerce.' };
  }
}

/** The transport's `describeError` for BigCommerce. */
export function describeBigCommerceError(status: number, body: unknown, request: RequestSummary): ErrorDescription {
  const { code, hint } = hintFor(status, request);
  const said = serverMessage(body);
  return {
    message: `BigCommerce ${status} on ${request.method} ${apiPath(request.path)}${said ? `: ${said}` : ''}`,
    code,
    hint,
  };
}
