/** What a route handler returns; the server serializes it and adds the rate-limit headers. */
export interface SimResponse {
  status: number;
  /** Serialized as JSON; absent for 204. */
  body?: unknown;
  /** Defaults to `application/json`; the Inventory API answers errors as `application/problem+json`. */
  contentType?: string;
  headers?: Record<string, string>;
}

export const STATUS_CODES_URL = 'https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes';

export function json(body: unknown, status = 200): SimResponse {
  return { status, body };
}

export const noContent: SimResponse = { status: 204 };

/** v2 errors are a JSON array of `{status, message}`. */
export function v2Error(status: number, message: string, details?: Record<string, unknown>): SimResponse {
  return { status, body: [{ status, message, ...(details && { details }) }] };
}

/** v3 errors (`error_Base`): status, title, type, and an `errors` map of field → message. */
export function v3Error(status: number, title: string, errors: Record<string, string> = {}, extra: Record<string, unknown> = {}): SimResponse {
  return { status, body: { status, title, type: STATUS_CODES_URL, errors, ...extra } };
}

/** The Inventory API's errors carry the same fields as `application/problem+json`. */
export function problem(status: number, title: string, errors: Record<string, string> = {}): SimResponse {
  return { ...v3Error(status, title, errors), contentType: 'application/problem+json' };
}

/**
 * The exact 413 BigCommerce sends when a batch array is too long. The title ends with a period for products
 * and without one for variants, as in the official examples.
 */
export function batchTooLarge(max: number, end: '.' | ''): SimResponse {
  return {
    status: 413,
    body: {
      errors: {},
      status: 413,
      title: `The request payload is too large. The maximum items allowed in the array is ${max}${end}`,
      type: '/api-docs/getting-started/api-status-codes',
    },
  };
}

export interface Page<T> {
  items: T[];
  page: number;
  limit: number;
  total: number;
}

/** Slice `all` for `page`/`limit` (both already validated). */
export function pageOf<T>(all: readonly T[], page: number, limit: number): Page<T> {
  const start = (page - 1) * limit;
  return { items: all.slice(start, start + limit), page, limit, total: all.length };
}

/** The v3 `meta.pagination` block; `links` carry only the query string, as BigCommerce sends them. */
export function paginationMeta(page: Page<unknown>) {
  const totalPages = Math.max(1, Math.ceil(page.total / page.limit));
  const link = (n: number) => `?page=${n}&limit=${page.limit}`;
  return {
    total: page.total,
    count: page.items.length,
    per_page: page.limit,
    current_page: page.page,
    total_pages: totalPages,
    links: {
      ...(page.page > 1 && { previous: link(page.page - 1) }),
      current: link(page.page),
      ...(page.page < totalPages && { next: link(page.page + 1) }),
    },
  };
}

export function v3Collection<T>(page: Page<T>, render: (item: T) => unknown): SimResponse {
  return json({ data: page.items.map(render), meta: { pagination: paginationMeta(page) } });
}
