import { ConnectorError } from '../errors';
import type { ItemCursor, Sage100Client } from './client';
import { SageItemTable, SageItemTableBuilder } from './item-table';

/**
 * One items run for `sage100-items`: every page collected into one table (columns, not an object per item; see
 * item-table.ts). Sage has no webhooks, so changes are
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
  /**
   * Also catch quantity changes Sage did not stamp (agent 1.2+): the agent diffs IM_ItemWarehouse against what it
   * last told `clientId` (`since`, the token of the previous run). Changes mode only.
   */
  unstamped?: { clientId: string; since?: string };
  /** Called after each page with the items collected so far and the total the agent expects. */
  onProgress?: (collected: number, total: number | undefined) => void;
}

export interface ItemsRun {
  items: SageItemTable;
  /** Where the next `changes` run starts. */
  nextCursor?: ItemCursor;
  pages: number;
  /** Present when unstamped changes were asked for and the agent has them: store `token` with the cursor. */
  unstamped?: { token: string; items: number; scanned: number; calls: number; baseline: boolean; resync: boolean };
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

export async function collectItems(client: Sage100Client, options: ItemsRunOptions): Promise<ItemsRun> {
  if (client.mode !== 'agent') throw new InventoryNeedsAgentError();
  const changedSince = options.mode === 'changes' ? options.cursor : undefined;
  // Asked before the listing: a change made while the pages are read is then in the next run's comparison.
  const stockChanges = options.mode === 'changes' && options.unstamped && client.stockChanges ? await client.stockChanges({ ...options.unstamped, warehouses: options.warehouses }) : undefined;
  const collected = new SageItemTableBuilder();
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
    collected.addAll(page.items);
    nextCursor = page.highWater ?? nextCursor;
    options.onProgress?.(collected.length, page.total);
    pageToken = page.nextPageToken;
  } while (pageToken);
  const run: ItemsRun = { items: collected.finish(), nextCursor: nextCursor ?? options.cursor, pages };
  if (stockChanges) {
    // Only the codes the agent named are looked for among the listed items: no set of the whole listing.
    const named = new Set(stockChanges.itemCodes.map((code) => code.trim()));
    const listed = new Set<string>();
    for (let index = 0; index < run.items.length; index++) {
      const code = run.items.itemCode(index);
      if (named.has(code)) listed.add(code);
    }
    const missing = stockChanges.itemCodes.filter((code) => !listed.has(code.trim()));
    const unstampedItems = missing.length > 0 && client.getItems ? await client.getItems(missing, options.warehouses) : [];
    if (unstampedItems.length > 0) run.items = new SageItemTableBuilder().addFrom(run.items, run.items.keys()).addAll(unstampedItems).finish();
    const { token, scanned, calls, baseline, resync } = stockChanges;
    run.unstamped = { token, items: unstampedItems.length, scanned, calls, baseline, resync };
  }
  return run;
}
