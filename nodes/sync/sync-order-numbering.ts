import { requireConfigNode } from '../../lib/node-red/node';
import type { NodeAPI, NodeDefinition, RuntimeNode } from '../../lib/node-red/types';
import { readSettings, type SettingsOf } from '../../lib/settings/definition';
import { orderNumberingSettings, type numberingFields } from '../../lib/settings/sync';
import { numbering, type Numbering } from '../../lib/sync/mapper-options';

export interface SyncOrderNumberingNode extends RuntimeNode {
  /** Read on first use and kept; an invalid setting fails the msg that needed it, naming the setting. */
  numbering(): Numbering;
}

/** The numbering of the sync-order-numbering node `id`, which `user` names. */
export function sharedNumbering(RED: NodeAPI, id: string, user: RuntimeNode): Numbering {
  return requireConfigNode<SyncOrderNumberingNode>(RED, id, 'sync-order-numbering', user).numbering();
}

/**
 * The numbering a mapper or reconciliation node uses: its shared sync-order-numbering node's, or (a node saved
 * before that node existed, or that names none) its own inline fields.
 */
export function numberingFor(RED: NodeAPI, settings: SettingsOf<typeof numberingFields> & { numbering: string }, user: RuntimeNode): Numbering {
  return settings.numbering ? sharedNumbering(RED, settings.numbering, user) : numbering(settings);
}

export default function register(RED: NodeAPI): void {
  function SyncOrderNumbering(this: SyncOrderNumberingNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    let read: Numbering | undefined;
    this.numbering = () => (read ??= readSettings(orderNumberingSettings, definition));
  }
  RED.nodes.registerType('sync-order-numbering', SyncOrderNumbering);
}
