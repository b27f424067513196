import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StockRow } from './inventory';

/**
 * Quantity changes whatever Sage stamped. Visual Integrator imports, purchase-order receipts and other batch updates
 * move IM_ItemWarehouse quantities without setting DateUpdated/TimeUpdated (sage100-company-life.md §7), so a poll on
 * those columns misses them. The agent keeps, per client, the quantities it last reported (a generation, named by a
 * token) and answers "changes since token X" by scanning IM_ItemWarehouse here on the Sage server and comparing:
 * only the rows that differ cross the network.
 *
 * Two generations are kept per client: the one its token names and the newest. A client that asks again with the
 * same token (its last run failed before it handed the rows on) gets the same comparison again, so nothing is lost;
 * asking with the newest token confirms it and drops the older one. Generations are files in the agent's data folder
 * when it has one (they survive a restart); without one they live in memory, and after a restart the client's token
 * is unknown, which answers every row once (`resync`).
 */

/** Client ids become file names: letters, digits, dot, dash, underscore. */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

interface Generation {
  token: string;
  /** The warehouses scanned (sorted, comma-joined; empty = all): a token of another scope is not comparable. */
  scope: string;
  /** `ItemCode\0WarehouseCode`, sorted by code units. */
  keys: string[];
  /** QuantityOnHand, QuantityOnSalesOrder, QuantityOnBackOrder per key. */
  quantities: Float64Array;
  /** The rows that differed from the generation before it; in memory only, for paging the answer. */
  changed?: StockRow[];
}

interface GenerationFile {
  version: 1;
  generations: Array<{ token: string; scope: string; keys: string[]; quantities: number[] }>;
}

export interface StockChanges {
  rows: StockRow[];
  /** The token of this scan: send it as `since` next time. */
  token: string;
  /** No `since` was sent: this scan is the baseline, and no rows are reported. */
  baseline: boolean;
  /** `since` was unknown (another scope, or lost): every row is reported. */
  resync: boolean;
  /** Item-warehouse rows scanned on the Sage server. */
  scanned: number;
}

const keyOf = (row: { ItemCode: string; WarehouseCode: string }) => `${row.ItemCode}\u0000${row.WarehouseCode}`;
const QUANTITY_COLUMNS = ['QuantityOnHand', 'QuantityOnSalesOrder', 'QuantityOnBackOrder'] as const;

/** A generation of `rows`, which must be sorted by ItemCode then WarehouseCode. */
function generationOf(rows: readonly StockRow[], scope: string): Generation {
  const keys = new Array<string>(rows.length);
  const quantities = new Float64Array(rows.length * 3);
  rows.forEach((row, index) => {
    keys[index] = keyOf(row);
    QUANTITY_COLUMNS.forEach((column, offset) => (quantities[index * 3 + offset] = row[column]));
  });
  return { token: newToken(), scope, keys, quantities };
}

/** listStock answers in key order already; anything else is sorted once. */
function inKeyOrder(rows: readonly StockRow[]): readonly StockRow[] {
  for (let index = 1; index < rows.length; index++) {
    if (!(keyOf(rows[index - 1]!) < keyOf(rows[index]!))) return [...rows].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
  }
  return rows;
}

function newToken(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * The rows of `next` (made of `rows`, in key order) that differ from `base` (a merge walk over both sorted key lists), and for every key `base` had
 * and `next` has not (a warehouse row deleted in Sage), a row of zeros: the store must not keep selling it.
 */
export function diffGenerations(base: Generation, next: Generation, rows: readonly StockRow[], stampNow: { DateUpdated: string; TimeUpdated: string }): StockRow[] {
  const rowAt = (index: number) => rows[index]!;
  const changed: StockRow[] = [];
  let a = 0;
  let b = 0;
  while (a < base.keys.length || b < next.keys.length) {
    const baseKey = base.keys[a];
    const nextKey = next.keys[b];
    if (nextKey !== undefined && (baseKey === undefined || nextKey < baseKey)) {
      changed.push(rowAt(b++));
    } else if (baseKey !== undefined && (nextKey === undefined || baseKey < nextKey)) {
      const [ItemCode = '', WarehouseCode = ''] = baseKey.split('\u0000');
      changed.push({ ItemCode, WarehouseCode, QuantityOnHand: 0, QuantityOnSalesOrder: 0, QuantityOnBackOrder: 0, ...stampNow });
      a++;
    } else {
      if (base.quantities[a * 3] !== next.quantities[b * 3] || base.quantities[a * 3 + 1] !== next.quantities[b * 3 + 1] || base.quantities[a * 3 + 2] !== next.quantities[b * 3 + 2]) {
        changed.push(rowAt(b));
      }
      a++;
      b++;
    }
  }
  return changed;
}

export class StockSnapshots {
  private readonly clients = new Map<string, Generation[]>();

  /** `dataDir`: the agent's data folder; undefined keeps generations in memory only. */
  constructor(private readonly dataDir?: string) {}

  private fileOf(company: string, clientId: string): string | undefined {
    return this.dataDir && join(this.dataDir, 'stock-snapshots', `${company}-${clientId}.json`);
  }

  private async load(company: string, clientId: string): Promise<Generation[]> {
    const name = `${company}/${clientId}`;
    const cached = this.clients.get(name);
    if (cached) return cached;
    const file = this.fileOf(company, clientId);
    let generations: Generation[] = [];
    if (file) {
      try {
        const doc = JSON.parse(await readFile(file, 'utf8')) as GenerationFile;
        if (doc.version === 1 && Array.isArray(doc.generations)) {
          generations = doc.generations.map((g) => ({ token: g.token, scope: g.scope, keys: g.keys, quantities: Float64Array.from(g.quantities) }));
        }
      } catch {
        // No file yet, or an unreadable one: the client's token is unknown and it gets every row once.
      }
    }
    this.clients.set(name, generations);
    return generations;
  }

  private async save(company: string, clientId: string, generations: Generation[]): Promise<void> {
    this.clients.set(`${company}/${clientId}`, generations);
    const file = this.fileOf(company, clientId);
    if (!file || !this.dataDir) return;
    await mkdir(join(this.dataDir, 'stock-snapshots'), { recursive: true });
    const doc: GenerationFile = { version: 1, generations: generations.map((g) => ({ token: g.token, scope: g.scope, keys: g.keys, quantities: [...g.quantities] })) };
    // Written beside and renamed, so a crash mid-write leaves the previous file whole.
    await writeFile(`${file}.tmp`, JSON.stringify(doc));
    await rename(`${file}.tmp`, file);
  }

  /** The rows of a scan the client has not seen, by the newest generation's token (for later pages); undefined once it is gone. */
  async changedRows(company: string, clientId: string, token: string): Promise<StockRow[] | undefined> {
    return (await this.load(company, clientId)).find((g) => g.token === token)?.changed;
  }

  /** Compares `rows` (one scan of IM_ItemWarehouse, in the client's scope) with the generation `since` names. */
  async changesSince(
    company: string,
    clientId: string,
    since: string | undefined,
    scope: string,
    rows: readonly StockRow[],
    stampNow: { DateUpdated: string; TimeUpdated: string },
  ): Promise<StockChanges> {
    const generations = await this.load(company, clientId);
    const sorted = inKeyOrder(rows);
    const next = generationOf(sorted, scope);
    const base = since === undefined ? undefined : generations.find((g) => g.token === since && g.scope === scope);
    const baseline = since === undefined;
    const resync = !baseline && !base;
    next.changed = baseline ? [] : base ? diffGenerations(base, next, sorted, stampNow) : [...sorted];
    await this.save(company, clientId, base ? [base, next] : [next]);
    return { rows: next.changed, token: next.token, baseline, resync, scanned: rows.length };
  }
}
