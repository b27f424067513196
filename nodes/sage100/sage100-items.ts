import { onInput, requireConfigNode, statusLine } from '../../lib/node-red/node';
import { stateStoreFor } from '../../lib/node-red/state-store';
import type { NodeAPI, NodeDefinition, RuntimeNode } from '../../lib/node-red/types';
import type { ItemCursor } from '../../lib/sage100/client';
import { InventoryNeedsAgentError, collectItems, type ItemsMode } from '../../lib/sage100/items';
import { parseWarehouseList } from '../../lib/sync/stock';
import type { Sage100ConfigNode } from './sage100-config';
import { readSettings } from '../../lib/settings/definition';
import { itemsSettings } from '../../lib/settings/sage100';

/** The saved cursor, with the configuration and company it belongs to, so a changed connection starts afresh. */
interface SavedCursor {
  configId: string;
  companyCode: string;
  cursor: ItemCursor;
  /** The agent's token for quantity changes Sage did not stamp (listStockChanges). */
  stockToken?: string;
}

export default function register(RED: NodeAPI): void {
  function Sage100Items(this: RuntimeNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    const settings = readSettings(itemsSettings, definition);
    const mode: ItemsMode = settings.mode;
    const warehouses = parseWarehouseList(settings.warehouses);
    const { pageSize } = settings;
    const files = stateStoreFor(RED.settings);
    const key = `sage100-items-${this.id}`;
    const unstamped = mode === 'changes' && settings.unstampedStock;

    const config = RED.nodes.getNode(String(definition.sage100 ?? '')) as Sage100ConfigNode | undefined;
    const status = statusLine(RED, this, { warning: config?.warningStatus });
    if (config?.mode === 'soap') status.error(new InventoryNeedsAgentError());

    let running = false;
    onInput(this, async (msg, send) => {
      if (running) {
        this.warn('the previous items run is still going; this trigger is skipped');
        return;
      }
      running = true;
      try {
        const sage = requireConfigNode<Sage100ConfigNode>(RED, definition.sage100, 'sage100-config', this);
        if (sage.mode !== 'agent') throw new InventoryNeedsAgentError();
        const saved = mode === 'changes' ? await files.read<SavedCursor>(key) : undefined;
        const since = saved?.configId === sage.id && saved.companyCode === sage.companyCode ? saved.cursor : undefined;
        status.show('blue', 'dot', status.words('reading'));
        const run = await collectItems(sage.client, {
          mode,
          cursor: since,
          warehouses,
          pageSize,
          ...(unstamped && { unstamped: { clientId: `node-red.${this.id}`, since: since && saved?.stockToken } }),
          onProgress: (collected, total) => status.show('blue', 'dot', total === undefined ? status.words('progress', { count: collected }) : status.words('progressOf', { count: collected, total })),
        });
        msg.payload = run.items;
        msg.sage100 = {
          ...(msg.sage100 as object | undefined),
          items: { mode, count: run.items.length, since: since ?? null, next: run.nextCursor ?? null, ...(run.unstamped && { unstamped: run.unstamped }) },
        };
        send(msg);
        // Only now: a run that failed before the items were handed on is read again next time.
        if (mode === 'changes' && run.nextCursor) await files.write(key, { configId: sage.id, companyCode: sage.companyCode, cursor: run.nextCursor, ...(run.unstamped && { stockToken: run.unstamped.token }) } satisfies SavedCursor);
        status.show('green', 'dot', status.words('items', { count: run.items.length }));
      } finally {
        running = false;
      }
    }, status);
  }
  RED.nodes.registerType('sage100-items', Sage100Items);
}
