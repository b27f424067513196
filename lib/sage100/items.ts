import { ConnectorError } from '../errors';
import type { ItemCursor, Sage100Client } from './client';
import type { SageItem } from './types';

/**
 * One items run for `sage100-items`: every page collected into one list. Sage has no webhooks, so changes are
 * found by polling DateUpdated/TimeUpdated from a cursor; the caller keeps the cursor and stores `nextCursor`
 * only once the items have been handed on, so a failed run is simply read again.
 */

export type ItemsMode = 'changes' | 'snapshot';

export interface ItemsRunOptions {
  /** `changes`: items changed since `cursor` (all items when there is none yet). `snapshot`: all items. */
  mode: ItemsMode;
  cursor?: ItemCursor;
  /** Warehouses whose quantities are reported; all when empty. */
  warehouses?: string[];
  pageSize?: number;
  /** Called after each page with the items collected so far and the total the agent expects. */
  onProgress?: (collected: number, total: number | undefined) => void;
}

export interface ItemsRun {
  items: SageItem[];
  /** Where the next `changes` run starts. */
  nextCursor?: ItemCursor;
  pages: number;
}

/** More pages than any real catalog needs at the largest page size: a guard against a server that loops. */
const MAX_PAGES = 10_000;

export class InventoryNeedsAgentError extends ConnectorError {
  constructor() {
    super('Sage 100 items need the Sage 100 agent: eBusiness Web Services (SOAP) has no item, price or stock operations', {
      code: 'sage100.items_need_agent',
      hint: 'Point this node at a Sage 100 configuration in agent mode (the HTTPS agent on the Sage server). SOAP mode covers customers and sales orders only.',
      retryable: false,
    });
  }
}

/** "1,200/5,000" — the progress shown in the node status. */
export function progressText(collected: number, total: number | undefined): string {
  const format = (n: number) => n.toLocaleString('en-US');
  return total === undefined ? `items ${format(collected)}` : `items ${format(collected)}/${format(total)}`;
}

export async function collectItems(client: Sage100Client, options: ItemsRunOptions): Promise<ItemsRun> {
  if (client.mode !== 'agent') throw new InventoryNeedsAgentError();
  const changedSince = options.mode === 'changes' ? options.cursor : undefined;
  const items: SageItem[] = [];
  let nextCursor: ItemCursor | undefined;
  let pageToken: string | undefined;
  let pages = 0;
  do {
    if (pages >= MAX_PAGES) {
      throw new ConnectorError(`Sage 100 agent: the item listing did not end after ${MAX_PAGES} pages`, {
        code: 'sage100.items_paging',
        hint: 'The agent keeps handing out page tokens; check the agent version against docs/sage100-agent-api.yaml.',
      });
    }
    const page = await client.listItems({ changedSince, warehouses: options.warehouses, pageToken, pageSize: options.pageSize });
    pages += 1;
    items.push(...page.items);
    nextCursor = page.highWater ?? nextCursor;
    options.onProgress?.(items.length, page.total);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return { items, nextCursor: nextCursor ?? options.cursor, pages };
}
