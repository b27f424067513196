import { parseWith } from '../../lib/errors';
import { onInput, requireConfigNode, statusLine, type StatusLine } from '../../lib/node-red/node';
import { stateStoreFor } from '../../lib/node-red/state-store';
import type { NodeAPI, NodeDefinition, NodeMessage, RuntimeNode, SendFunction } from '../../lib/node-red/types';
import { parseLocationTable, parseSageItems, parseWarehouseList, pushInventory, pushSettingsSchema, type PushProgress, type PushSummary } from '../../lib/sync/stock';
import type { SyncItemMapNode } from '../sync/sync-item-map';
import { sharedLocations } from '../sync/sync-warehouse-locations';
import type { BigCommerceConfigNode } from './bigcommerce-config';
import { readSettings } from '../../lib/settings/definition';
import { inventoryPushSettings } from '../../lib/settings/bigcommerce';
import { waitingOrdersOf } from '../../lib/sync/waiting-orders';

/** Sage's date from the items run (the agent's clock when it listed), so promotions follow Sage's calendar. */
function sageToday(msg: NodeMessage): string | undefined {
  const next = (msg.sage100 as { items?: { next?: { DateUpdated?: unknown } } } | undefined)?.items?.next?.DateUpdated;
  return typeof next === 'string' && /^\d{8}$/.test(next) ? next : undefined;
}

function showProgress(status: StatusLine, progress: PushProgress): void {
  const { done, total } = progress;
  const text =
    progress.phase === 'lookup' ? status.words('lookup', { count: total }) : progress.phase === 'stock' ? status.words('stock', { done, total }) : status.words('prices', { done, total });
  status.show('blue', 'dot', text);
}

/** Green when all went through, yellow when some values or SKUs need attention. */
function showSummary(status: StatusLine, summary: PushSummary): void {
  const pushed = summary.pushed.stock + summary.pushed.price;
  const failed = summary.failed.stock + summary.failed.price;
  const problems = [
    failed > 0 && status.words('failed', { count: failed }),
    summary.unknownSkus.length > 0 && status.words('unknown', { count: summary.unknownSkus.length }),
    failed === 0 && summary.pending > 0 && status.words('pending', { count: summary.pending }),
  ].filter((part): part is string => typeof part === 'string');
  const held = summary.heldBack && summary.heldBack.units > 0 ? [status.words('heldBack', summary.heldBack)] : [];
  if (problems.length > 0) status.show('yellow', 'ring', [status.words('pushed', { count: pushed }), ...problems, ...held].join(', '));
  else status.show('green', 'dot', [pushed > 0 ? status.words('pushed', { count: pushed }) : status.words('upToDate'), ...held].join(', '));
}

export default function register(RED: NodeAPI): void {
  function BigCommerceInventoryPush(this: RuntimeNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    const status = statusLine(RED, this);
    const files = stateStoreFor(RED.settings);
    // Said once per deployment, not on every run.
    let toldNoPriceLists = false;

    const push = async (msg: NodeMessage, send: SendFunction): Promise<void> => {
      const saved = readSettings(inventoryPushSettings, definition);
      const store = requireConfigNode<BigCommerceConfigNode>(RED, saved.bigcommerce, 'bigcommerce-config', this);
      const itemMap = saved.itemMap ? requireConfigNode<SyncItemMapNode>(RED, saved.itemMap, 'sync-item-map', this).skuMap() : undefined;
      // The shared table, which the mapper reads too; a node naming none (saved before it could) keeps its own.
      const locationTable = saved.warehouseLocations ? sharedLocations(RED, saved.warehouseLocations, this) : parseLocationTable(saved.locationTable);
      const priceLevels = parseWarehouseList(saved.priceLevels);
      const { locationId, locations, ...settings } = parseWith(
        pushSettingsSchema,
        {
          warehouses: parseWarehouseList(saved.warehouses),
          subtractBackOrders: saved.subtractBackOrders,
          safetyStock: saved.safetyStock,
          priceColumn: saved.priceColumn || undefined,
          inactiveItems: saved.inactiveItems,
          locationId: saved.locationId,
          ...(locationTable.length > 0 && { locations: locationTable }),
        },
        { what: 'Inventory push settings', record: `node ${this.name || this.id}`, code: 'inventory.settings' },
      );
      const items = parseSageItems(msg.payload);
      status.show('blue', 'dot', status.words('items', { count: items.length }));
      const summary = await pushInventory({
        items,
        settings,
        skusFor: itemMap && ((itemCode) => itemMap.skusFor(itemCode)),
        request: store.request,
        locationId,
        locations,
        salePromotions: saved.salePromotions,
        ...(priceLevels.length > 0 && { priceLevels: { levels: priceLevels, currency: saved.currency.toUpperCase() } }),
        today: sageToday(msg),
        fullResync: saved.fullResync || msg.fullResync === true,
        ...(saved.holdWaitingOrders && { held: await waitingOrdersOf(files, store.storeHash || store.id).held(saved.holdDays) }),
        state: { files, key: `bigcommerce-inventory-push-${this.id}`, store: store.storeHash || store.id },
        onProgress: (progress) => showProgress(status, progress),
      });
      if (summary.priceLists?.available === false && !toldNoPriceLists) {
        toldNoPriceLists = true;
        this.warn(`The store's plan offers no price lists, so Sage price levels are not pushed; the catalog prices stand. ${summary.priceLists.reason ?? ''}`.trim());
      }
      showSummary(status, summary);
      msg.payload = summary;
      send(msg);
    };

    // One run at a time: each run reads the snapshot the previous one saved.
    let previous: Promise<void> = Promise.resolve();
    onInput(this, (msg, send) => {
      const run = previous.then(() => push(msg, send));
      previous = run.catch(() => undefined);
      return run;
    }, status);
  }
  RED.nodes.registerType('bigcommerce-inventory-push', BigCommerceInventoryPush);
}
