import { z } from 'zod';
import { parseWith } from '../errors';
import type { HttpRequest, QueryValue, RequestFunction } from '../http/transport';

export interface PageOptions {
  /** Rows per page; 250 is the most BigCommerce allows on most collections. */
  limit?: number;
  priority?: HttpRequest['priority'];
}

const v2PageSchema = z.array(z.unknown());

const v3EnvelopeSchema = z.looseObject({
  data: z.array(z.unknown()),
  meta: z
    .looseObject({
      pagination: z.looseObject({ current_page: z.number(), total_pages: z.number() }).optional(),
    })
    .optional(),
});

/**
 * The pages of a v2 collection, each a bare JSON array. BigCommerce answers an empty page with
 * `204 No Content` and no body, which ends the walk like a short page does.
 */
export async function* v2Pages(
  request: RequestFunction,
  path: string,
  query: Record<string, QueryValue> = {},
  options: PageOptions = {},
): AsyncGenerator<unknown[]> {
  const limit = options.limit ?? 250;
  for (let page = 1; ; page++) {
    const response = await request({ method: 'GET', path, query: { ...query, page, limit }, priority: options.priority });
    if (response.status === 204 || response.body === undefined) return;
    const rows = parseWith(v2PageSchema, response.body, { what: `BigCommerce answer to GET ${path} (page ${page})` });
    if (rows.length > 0) yield rows;
    if (rows.length < limit) return;
  }
}

/**
 * The `data` of each page of a v3 collection. Follows `meta.pagination` when present; collections without
 * it (refunds) end at the first short page. A 204 is an empty collection.
 */
export async function* v3Pages(
  request: RequestFunction,
  path: string,
  query: Record<string, QueryValue> = {},
  options: PageOptions = {},
): AsyncGenerator<unknown[]> {
  const limit = options.limit ?? 250;
  for (let page = 1; ; page++) {
    const response = await request({ method: 'GET', path, query: { ...query, page, limit }, priority: options.priority });
    if (response.status === 204 || response.body === undefined) return;
    const body = parseWith(v3EnvelopeSchema, response.body, { what: `BigCommerce answer to GET ${path} (page ${page})` });
    if (body.data.length === 0) return;
    yield body.data;
    const pagination = body.meta?.pagination;
    if (pagination ? pagination.current_page >= pagination.total_pages : body.data.length < limit) return;
  }
}

/** Every row of a v3 collection. */
export async function v3All(request: RequestFunction, path: string, query: Record<string, QueryValue> = {}, options: PageOptions = {}): Promise<unknown[]> {
  const rows: unknown[] = [];
  for await (const page of v3Pages(request, path, query, options)) rows.push(...page);
  return rows;
}
