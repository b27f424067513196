import { onInput, requireConfigNode, statusLine } from '../../lib/node-red/node';
import { operatorBoard } from '../../lib/operator/board';
import type { NodeAPI, NodeDefinition, RuntimeNode } from '../../lib/node-red/types';
import { readSettings } from '../../lib/settings/definition';
import { reconcileSettings } from '../../lib/settings/sync';
import { ordersMissingInSage, reconcile, reconcileOptions, type ReconcileOptions } from '../../lib/sync/reconcile';
import type { Sage100ConfigNode } from '../sage100/sage100-config';
import { numberingFor } from './sync-order-numbering';

function statusList(value: string): number[] {
  return value
    .split(/[\s,]+/)
    .filter((part) => part !== '')
    .map(Number);
}

export default function register(RED: NodeAPI): void {
  function SyncReconcile(this: RuntimeNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    const status = statusLine(RED, this);
    // Read on the first msg, so a bad setting fails that msg with the setting named, where Catch sees it.
    let options: ReconcileOptions | undefined;

    onInput(this, async (msg, send) => {
      if (!options) {
        const settings = readSettings(reconcileSettings, definition);
        options = reconcileOptions({
          ...numberingFor(RED, settings, this),
          tolerance: settings.tolerance,
          checkCapture: settings.checkCapture,
          skipStatuses: statusList(settings.skipStatuses),
        });
      }
      const sage = requireConfigNode<Sage100ConfigNode>(RED, definition.sage100, 'sage100-config', this).client;
      status.show('blue', 'dot', status.words('checking'));
      const report = await reconcile(msg.payload, sage, options, (done, total) => {
        if (done % 25 === 0) status.show('blue', 'dot', status.words('progress', { done, total }));
      });
      msg.payload = report;
      const found = report.mismatches.length;
      status.show(found > 0 ? 'yellow' : 'green', 'dot', found > 0 ? status.words('mismatches', { count: found, checked: report.checked }) : status.words('allMatch', { count: report.checked }));
      operatorBoard.reconciled(report.summary, found);
      // One msg per order missing in Sage, shaped like a job for the order queue (its id is msg.orderId).
      const requeue = ordersMissingInSage(report).map((orderId) => ({ topic: 'reconcile/missing-sales-order', orderId, payload: orderId }));
      send([msg, null]);
      if (requeue.length > 0) send([null, requeue]);
    }, status);
  }
  RED.nodes.registerType('sync-reconcile', SyncReconcile);
}
