import { onInput, requireConfigNode, shortText } from '../../lib/node-red/node';
import type { NodeAPI, NodeDefinition, NodeMessage, RuntimeNode } from '../../lib/node-red/types';
import { SKUS_AS_ITEM_CODES, decideOrder, mapperOptions, type MapContext, type MapperOptions } from '../../lib/sync/mapper';
import { migrate } from '../../lib/settings/definition';
import { mapperSettings } from '../../lib/settings/sync';
import { numberingFor } from './sync-order-numbering';
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

export default function register(RED: NodeAPI): void {
  function SyncOrderMapper(this: RuntimeNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    const saved = migrate(mapperSettings, definition);
    // Read on the first msg, so a bad setting fails that msg with the setting named, where Catch sees it.
    let options: MapperOptions | undefined;

    onInput(this, async (msg, send) => {
      if (!options) {
        const own = mapperOptions(saved);
        options = { ...own, ...numberingFor(RED, own, this) };
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
      if (decision.action === 'hold') {
        // The msg keeps queueJob, so a sync-queue wired to this output acks the job.
        msg.hold = decision.hold;
        this.status({ fill: decision.hold.kind === 'wait' || decision.hold.kind === 'imported' ? 'grey' : 'yellow', shape: 'ring', text: shortText(`${decision.hold.orderId}: ${decision.hold.kind}`) });
        send([null, msg]);
        return;
      }
      const [first] = decision.orders;
      const number = first?.salesOrder.SalesOrderNo ?? '';
      const warnings = first?.warnings.length ?? 0;
      this.status(
        warnings > 0
          ? { fill: 'yellow', shape: 'dot', text: `${number}: ${warnings} warning${warnings === 1 ? '' : 's'}` }
          : { fill: 'green', shape: 'dot', text: decision.orders.length > 1 ? `${number} +${decision.orders.length - 1}` : number },
      );
      if (decision.orders.length === 1) {
        msg.payload = first;
        send([msg, null]);
        return;
      }
      // Split consignments: one msg per sales order, in order, each with the order's queueJob.
      send([decision.orders.map((mapped) => ({ ...RED.util.cloneMessage(msg), payload: mapped })), null]);
    });
  }
  RED.nodes.registerType('sync-order-mapper', SyncOrderMapper);
}
