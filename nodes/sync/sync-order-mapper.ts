import { onInput, requireConfigNode, statusLine, type StatusLine } from '../../lib/node-red/node';
import type { NodeAPI, NodeDefinition, NodeMessage, RuntimeNode } from '../../lib/node-red/types';
import { SKUS_AS_ITEM_CODES, decideOrder, mapperOptions, type MapContext, type MapperOptions } from '../../lib/sync/mapper';
import type { MappedOrder } from '../../lib/sage100/types';
import type { OrderHold } from '../../lib/sync/order-hold';
import { migrate } from '../../lib/settings/definition';
import { mapperSettings } from '../../lib/settings/sync';
import { stateStoreFor } from '../../lib/node-red/state-store';
import { holdsStoreStock, waitingOrdersOf } from '../../lib/sync/waiting-orders';
import { numberingFor } from './sync-order-numbering';
import { sharedLocations } from './sync-warehouse-locations';
import type { Sage100ConfigNode } from '../sage100/sage100-config';
import type { SyncItemMapNode } from './sync-item-map';

/** What the flow knows that the order does not say: imported before, its transactions, the company's lengths. */
function contextOf(msg: NodeMessage): MapContext {
  const sage100 = msg.sage100 as { salesOrderNo?: unknown } | undefined;
  return {
    imported: msg.imported === true || (typeof sage100?.salesOrderNo === 'string' && sage100.salesOrderNo !== ''),
    transactions: msg.transactions,
    lengths: msg.lengths,
  };
}

/** Grey for what sorts itself out (a status to come, an order already in Sage), yellow for a person to look at. */
function showHold(status: StatusLine, hold: OrderHold): void {
  const order = hold.orderId;
  switch (hold.kind) {
    case 'wait':
      return status.show('grey', 'ring', status.words('waiting', { order }));
    case 'imported':
      return status.show('grey', 'ring', status.words('imported', { order }));
    case 'needs-attention':
      return status.show('yellow', 'ring', status.words('needsAttention', { order }));
    default:
      return status.show('yellow', 'ring', status.words('invalid', { order }));
  }
}

function showMapped(status: StatusLine, orders: MappedOrder[]): void {
  const [first] = orders;
  const salesOrder = first?.salesOrder.SalesOrderNo ?? '';
  const warnings = first?.warnings.length ?? 0;
  if (warnings > 0) status.show('yellow', 'dot', status.words('warnings', { salesOrder, count: warnings }));
  else if (orders.length > 1) status.show('green', 'dot', status.words('split', { salesOrder, count: orders.length - 1 }));
  else status.show('green', 'dot', status.words('mapped', { salesOrder }));
}

export default function register(RED: NodeAPI): void {
  function SyncOrderMapper(this: RuntimeNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    const status = statusLine(RED, this);
    const saved = migrate(mapperSettings, definition);
    const files = stateStoreFor(RED.settings);
    // Read on the first msg, so a bad setting fails that msg with the setting named, where Catch sees it.
    let options: MapperOptions | undefined;

    onInput(this, async (msg, send) => {
      if (!options) {
        const own = mapperOptions(saved);
        options = {
          ...own,
          ...numberingFor(RED, own, this),
          ...(own.warehouseLocations && { locations: sharedLocations(RED, own.warehouseLocations, this) }),
        };
      }
      const itemCodes = options.itemMap
        ? requireConfigNode<SyncItemMapNode>(RED, options.itemMap, 'sync-item-map', this).skuMap()
        : SKUS_AS_ITEM_CODES;
      // The company's lengths, when the msg does not bring its own: from the Sage configuration (agent mode).
      const context = contextOf(msg);
      if (context.lengths === undefined && options.sage100) {
        const { client } = requireConfigNode<Sage100ConfigNode>(RED, options.sage100, 'sage100-config', this);
        context.lengths = await client.fieldLimits?.();
      }
      const decision = decideOrder(msg.payload, options, itemCodes, context);
      // Held orders took store stock Sage does not know of: the inventory push holds it back.
      if (typeof msg.storeHash === 'string' && msg.storeHash !== '') {
        await waitingOrdersOf(files, msg.storeHash).noteOrder(msg.payload, decision.action === 'hold' && holdsStoreStock(decision.hold.kind));
      }
      if (decision.action === 'hold') {
        // The msg keeps queueJob, so a sync-queue wired to this output acks the job.
        msg.hold = decision.hold;
        showHold(status, decision.hold);
        send([null, msg]);
        return;
      }
      showMapped(status, decision.orders);
      if (decision.orders.length === 1) {
        msg.payload = decision.orders[0];
        send([msg, null]);
        return;
      }
      // Split consignments: one msg per sales order, in order, each with the order's queueJob.
      send([decision.orders.map((mapped) => ({ ...RED.util.cloneMessage(msg), payload: mapped })), null]);
    }, status);
  }
  RED.nodes.registerType('sync-order-mapper', SyncOrderMapper);
}
