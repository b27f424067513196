import { SageAnswerError } from '../sage/errors';

/**
 * Opaque page tokens and the listings behind them. A listing (e.g. every item changed since a cursor) is worked
 * out once when its first page is asked for and kept a few minutes, so later pages cost no second scan of Sage;
 * the token carries enough to work it out again (same query, same `asOf`) if it was dropped meanwhile.
 */

export interface PageToken<Q> {
  /** Key of the last row handed out. */
  after: string;
  total: number;
  asOf?: { DateUpdated: string; TimeUpdated: string };
  query?: Q;
}

export function encodeToken<Q>(token: PageToken<Q>): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

export function decodeToken<Q>(value: unknown): PageToken<Q> | undefined {
  if (value === undefined) return undefined;
  try {
    const token = JSON.parse(Buffer.from(String(value), 'base64url').toString('utf8')) as PageToken<Q>;
    if (typeof token.after === 'string' && typeof token.total === 'number') return token;
  } catch {
    // not one of ours: answered below
  }
  throw new SageAnswerError('BadRequest', 'pageToken is not a token this agent handed out; start again without it.', { status: 400 });
}

/** One page of `rows` (ordered by `keyOf`) after the token's position. */
export function page<T>(rows: readonly T[], keyOf: (row: T) => string, after: string | undefined, pageSize: number): { slice: T[]; last?: string } {
  const start = after === undefined ? 0 : rows.findIndex((row) => keyOf(row) > after);
  const slice = start < 0 ? [] : rows.slice(start, start + pageSize);
  const lastRow = slice[slice.length - 1];
  const more = start >= 0 && start + pageSize < rows.length && lastRow !== undefined;
  return { slice, last: more ? keyOf(lastRow) : undefined };
}

const LISTING_TTL_MS = 5 * 60_000;
const LISTINGS_KEPT = 8;

export class ListingCache {
  private readonly listings = new Map<string, { rows: readonly unknown[]; until: number }>();

  async get<T>(key: string, make: () => Promise<T[]>): Promise<readonly T[]> {
    const now = Date.now();
    for (const [name, entry] of this.listings) if (entry.until < now) this.listings.delete(name);
    const cached = this.listings.get(key);
    if (cached) return cached.rows as readonly T[];
    const rows = await make();
    this.listings.set(key, { rows, until: now + LISTING_TTL_MS });
    while (this.listings.size > LISTINGS_KEPT) this.listings.delete(this.listings.keys().next().value as string);
    return rows;
  }
}
