import { requireConfigNode } from '../../lib/node-red/node';
import type { NodeAPI, NodeDefinition, RuntimeNode } from '../../lib/node-red/types';
import { readSettings } from '../../lib/settings/definition';
import { warehouseLocationsSettings } from '../../lib/settings/sync';
import { parseLocationTable, type LocationMapping } from '../../lib/sync/stock';

export interface SyncWarehouseLocationsNode extends RuntimeNode {
  /** Read on first use and kept; an invalid table fails the msg that needed it, naming the node and the entry. */
  locations(): LocationMapping[];
}

/**
 * The warehouse → location table of the sync-warehouse-locations node `id` that `user` (an inventory push or order
 * mapper) names; such a node naming none (saved before the table could be shared) keeps its own.
 */
export function sharedLocations(RED: NodeAPI, id: string, user: RuntimeNode): LocationMapping[] {
  return requireConfigNode<SyncWarehouseLocationsNode>(RED, id, 'sync-warehouse-locations', user).locations();
}

export default function register(RED: NodeAPI): void {
  function SyncWarehouseLocations(this: SyncWarehouseLocationsNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    let read: LocationMapping[] | undefined;
    // readSettings checks the table (locationTableField), so the rows parsed are valid.
    this.locations = () => (read ??= parseLocationTable(readSettings(warehouseLocationsSettings, definition).locationTable));
  }
  RED.nodes.registerType('sync-warehouse-locations', SyncWarehouseLocations);
}
