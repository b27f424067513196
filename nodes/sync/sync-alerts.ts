import { onInput, statusLine } from '../../lib/node-red/node';
import type { NodeAPI, NodeDefinition, RuntimeNode } from '../../lib/node-red/types';
import { AlertDebouncer } from '../../lib/operator/alerts';
import { operatorBoard, type Attention } from '../../lib/operator/board';
import { reportTo } from '../../lib/operator/reports';
import { readSettings } from '../../lib/settings/definition';
import { alertsSettings } from '../../lib/settings/sync';

export default function register(RED: NodeAPI): void {
  function SyncAlerts(this: RuntimeNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    const settings = readSettings(alertsSettings, definition);
    const status = statusLine(RED, this);
    const words = (key: string, values?: Record<string, unknown>) => RED._(`sync-alerts.alert.${key}`, values);
    const alerts = new AlertDebouncer(
      {
        quietMs: settings.quiet * 1000,
        maxWaitMs: settings.maxWait * 60_000,
        words: { kind: (kind, count) => words(kind, { count }), subject: (count, parts) => words('subject', { count, parts }) },
      },
      (summary) => {
        status.show('yellow', 'dot', status.words('sent', { count: summary.lines.length }));
        this.send({ topic: summary.subject, payload: `${summary.subject}\n\n${summary.lines.join('\n')}`, alert: summary });
      },
    );
    const onAttention = (item: Attention) => {
      status.show('yellow', 'ring', status.words('waiting'));
      alerts.add(item);
    };
    operatorBoard.on('attention', onAttention);

    onInput(this, async (msg) => {
      reportTo(operatorBoard, msg, {
        push: (summary) => words('push', { items: summary.items, stock: summary.pushed.stock, price: summary.pushed.price, failed: summary.failed.stock + summary.failed.price }),
      });
    }, status);

    this.on('close', (_removed, done) => {
      operatorBoard.off('attention', onAttention);
      alerts.close();
      done();
    });
  }
  RED.nodes.registerType('sync-alerts', SyncAlerts);
}
