import { SkuMap } from '../../lib/sync/sku-map';
import type { NodeAPI, NodeDefinition, RuntimeNode } from '../../lib/node-red/types';
import { readSettings } from '../../lib/settings/definition';
import { itemMapSettings } from '../../lib/settings/sync';

export interface SyncItemMapNode extends RuntimeNode {
  /** Parsed on first use and kept; a syntax error surfaces on the msg that needed the table. */
  skuMap(): SkuMap;
}

export default function register(RED: NodeAPI): void {
  function SyncItemMap(this: SyncItemMapNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    let parsed: SkuMap | undefined;
    this.skuMap = () => (parsed ??= new SkuMap(readSettings(itemMapSettings, definition)));
  }
  RED.nodes.registerType('sync-item-map', SyncItemMap);
}
