import { operatorBoard } from '../../lib/operator/board';
import { registerOperatorRoutes, OPERATOR_PERMISSION } from '../../lib/operator/routes';
import type { NodeAPI } from '../../lib/node-red/types';

/**
 * The runtime half of the operator view (a Node-RED plugin, not a node): the admin routes the sidebar reads and
 * acts through, and the comms signal that makes it fetch again. The sidebar itself is operator-view.html.
 */
export default function register(RED: NodeAPI & { comms: { publish(topic: string, data: unknown, retain?: boolean): void }; plugins: { registerPlugin(id: string, definition: object): void } }): void {
  RED.plugins.registerPlugin(OPERATOR_PERMISSION, { type: 'ml-connector-operator-view' });
  registerOperatorRoutes(RED, operatorBoard);
}
