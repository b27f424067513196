import { onInput, requireConfigNode } from '../../lib/node-red/node';
import type { NodeAPI, NodeDefinition, RuntimeNode } from '../../lib/node-red/types';
import { SKUS_AS_ITEM_CODES, mapOrder, mapperOptions, type MapperOptions } from '../../lib/sync/mapper';
import { mapperSettingsFrom } from '../../lib/sync/mapper-options';
import type { SyncItemMapNode } from './sync-item-map';

export default function register(RED: NodeAPI): void {
  function SyncOrderMapper(this: RuntimeNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    // Read on the first msg, so a bad setting fails that msg with the setting named, where Catch sees it.
    let options: MapperOptions | undefined;

    onInput(this, async (msg, send) => {
      options ??= mapperOptions(mapperSettingsFrom(definition));
      const itemCodes = definition.itemMap
        ? requireConfigNode<SyncItemMapNode>(RED, definition.itemMap, 'sync-item-map', this).skuMap()
        : SKUS_AS_ITEM_CODES;
      const mapped = mapOrder(msg.payload, options, itemCodes);
      msg.payload = mapped;
      const number = mapped.salesOrder.SalesOrderNo;
      const warnings = mapped.warnings.length;
      this.status(
        warnings > 0
          ? { fill: 'yellow', shape: 'dot', text: `${number}: ${warnings} warning${warnings === 1 ? '' : 's'}` }
          : { fill: 'green', shape: 'dot', text: number },
      );
      send(msg);
    });
  }
  RED.nodes.registerType('sync-order-mapper', SyncOrderMapper);
}
