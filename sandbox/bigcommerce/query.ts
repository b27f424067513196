/** Reading query parameters the way the store does: bad values are the caller's error, never ignored. */

/** A bad query parameter; the server answers it with `status` in the API family's error shape. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function intParam(query: URLSearchParams, name: string, min = 0): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!/^-?\d+$/.test(raw) || Number(raw) < min) throw new RequestError(400, `The field '${name}' is invalid: expected a whole number of at least ${min}, got '${raw}'.`, { [name]: 'must be a whole number' });
  return Number(raw);
}

export function numberParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new RequestError(400, `The field '${name}' is invalid: expected a number, got '${raw}'.`, { [name]: 'must be a number' });
  return value;
}

/** A comma list such as `sku:in=A,B`; undefined when absent. */
export function listParam(query: URLSearchParams, name: string): string[] | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  return raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

export function idListParam(query: URLSearchParams, name: string): number[] | undefined {
  const values = listParam(query, name);
  if (values === undefined) return undefined;
  for (const value of values) {
    if (!/^\d+$/.test(value)) throw new RequestError(400, `The field '${name}' is invalid: '${value}' is not an id.`, { [name]: 'must be a comma-separated list of ids' });
  }
  return values.map(Number);
}

export function boolParam(query: URLSearchParams, name: string): boolean | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new RequestError(400, `The field '${name}' is invalid: expected true or false, got '${raw}'.`, { [name]: 'must be true or false' });
}

/** `page` (from 1) and `limit`; a limit above `maxLimit` is refused with 413, as BigCommerce does. */
export function pagingParams(query: URLSearchParams, defaultLimit: number, maxLimit: number): { page: number; limit: number } {
  const page = intParam(query, 'page', 1) ?? 1;
  const limit = intParam(query, 'limit', 1) ?? defaultLimit;
  if (limit > maxLimit) throw new RequestError(413, `The limit ${limit} is too large: at most ${maxLimit} items per page.`, { limit: `must be at most ${maxLimit}` });
  return { page, limit };
}
