import assert from 'node:assert/strict';
import type { AlertSummary } from '../../lib/operator/alerts';
import { operatorBoard } from '../../lib/operator/board';
import syncAlerts from '../../nodes/sync/sync-alerts';
import { useCatalogs } from '../support/catalog';
import { helper, nextMessage } from '../support/node-red';

const at = { x: 100, y: 100 };

describe('sync-alerts node', () => {
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  const flow = [
    { id: 'tab', type: 'tab' },
    { id: 'alerts', z: 'tab', ...at, type: 'sync-alerts', quiet: '0.2', maxWait: '1', wires: [['out']] },
    { id: 'out', z: 'tab', ...at, type: 'helper' },
  ];

  it('sends one summary in words for a burst of dead letters and a held order from its input', async () => {
    await helper.load([useCatalogs, syncAlerts], flow);
    const sent = nextMessage<{ topic: string; payload: string; alert: AlertSummary }>(helper.getNode('out'));
    operatorBoard.deadLettered('orders', 'order:301', { orderId: 301 }, 'The Item Code X is not on file.');
    operatorBoard.deadLettered('orders', 'order:302', { orderId: 302 }, 'The Item Code Y is not on file.');
    helper.getNode('alerts').receive({ hold: { orderId: 303, kind: 'needs-attention', reason: 'ships abroad', field: 'shipping_addresses.0.country_iso2' } });
    const msg = await sent;
    assert.equal(msg.topic, 'Sage 100 + BigCommerce: 3 things need a person (2 dead letters, 1 held order)');
    assert.deepEqual(msg.alert.orderIds, ['301', '302', '303']);
    assert.match(msg.payload, /Web order 301 stopped in queue orders after its last attempt: The Item Code X is not on file\./);
    assert.match(msg.payload, /Web order 303 is held: ships abroad/);
    const held = (await operatorBoard.snapshot()).held.find((hold) => hold.orderId === '303');
    assert.equal(held?.field, 'shipping_addresses.0.country_iso2');
  });

  it('stops listening when it is removed', async () => {
    await helper.load([useCatalogs, syncAlerts], flow);
    const before = operatorBoard.listenerCount('attention');
    await helper.unload();
    assert.equal(operatorBoard.listenerCount('attention'), before - 1);
  });
});
