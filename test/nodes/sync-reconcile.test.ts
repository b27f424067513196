import { useCatalogs } from '../support/catalog';
import assert from 'node:assert/strict';
import type { NodeAPI, NodeDefinition, NodeStatus, RuntimeNode } from '../../lib/node-red/types';
import type { ReconcileReport } from '../../lib/sync/reconcile';
import syncReconcile from '../../nodes/sync/sync-reconcile';
import { FakeSage, payments, salesOrder } from '../unit/reconcile-support';
import { coreNode, helper, nextMessage, type TestNode } from '../support/node-red';

const catchNode = coreNode('common/25-catch.js');
const at = { x: 100, y: 100 };

/** Stands in for sage100-config: the node only needs its `client`. */
let sage = new FakeSage({});
function fakeSageConfig(RED: NodeAPI): void {
  RED.nodes.registerType('sage100-config', function (this: RuntimeNode & { client: FakeSage }, definition: NodeDefinition) {
    RED.nodes.createNode(this, definition);
    this.client = sage;
  });
}

function flow(settings: Record<string, unknown> = {}) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'sage', type: 'sage100-config' },
    { id: 'reconcile', z: 'tab', ...at, type: 'sync-reconcile', sage100: 'sage', wires: [['out'], ['missing']], ...settings },
    { id: 'out', z: 'tab', ...at, type: 'helper' },
    { id: 'missing', z: 'tab', ...at, type: 'helper' },
    { id: 'catch', z: 'tab', ...at, type: 'catch', scope: ['reconcile'], wires: [['caught']] },
    { id: 'caught', z: 'tab', ...at, type: 'helper' },
  ];
}

function statuses(node: TestNode): NodeStatus[] {
  const seen: NodeStatus[] = [];
  node.on('call:status', ((call: { args: [NodeStatus] }) => seen.push(call.args[0])) as never);
  return seen;
}

describe('sync-reconcile node', () => {
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('reports the mismatches between the store\'s payments and Sage\'s sales orders, reading only', async () => {
    sage = new FakeSage({ W000200: salesOrder('W000200', 200), W000201: salesOrder('W000201', 201, { SalesTaxAmt: 0 }) });
    await helper.load([useCatalogs, syncReconcile, fakeSageConfig, catchNode], flow());
    const node = helper.getNode('reconcile');
    const seen = statuses(node);
    const sent = nextMessage<{ payload: ReconcileReport }>(helper.getNode('out'));
    node.receive({ payload: [payments(200), payments(201), payments(202)] });
    const { payload } = await sent;
    assert.equal(payload.checked, 3);
    assert.deepEqual(
      payload.mismatches.map(({ orderId, salesOrderNo, kind }) => [orderId, salesOrderNo, kind]),
      [
        [201, 'W000201', 'total-differs'],
        [202, 'W000202', 'missing-sales-order'],
      ],
    );
    assert.equal(payload.summary, '3 orders checked: 2 mismatches (1 total-differs, 1 missing-sales-order)');
    assert.deepEqual(seen.at(-1), { fill: 'yellow', shape: 'dot', text: '2 mismatches in 3 orders' });
    assert.deepEqual(sage.writes, []);
  });

  it('uses the numbering, tolerance and status settings it is given', async () => {
    sage = new FakeSage({ WB00300: salesOrder('WB00300', 300, { CustomerPONo: 'WEB300', SalesTaxAmt: 0 }) });
    await helper.load([useCatalogs, syncReconcile, fakeSageConfig, catchNode], flow({ salesOrderPrefix: 'WB', customerPoPrefix: 'WEB', tolerance: '5', skipStatuses: '0, 5, 6, 7', checkCapture: false }));
    const node = helper.getNode('reconcile');
    const seen = statuses(node);
    const sent = nextMessage<{ payload: ReconcileReport }>(helper.getNode('out'));
    node.receive({ payload: [payments(300, { transactions: [] }), payments(301, { statusId: 7 })] });
    const { payload } = await sent;
    assert.deepEqual(payload.mismatches, []);
    // 301 is not in Sage under its number: its first split part is looked for too.
    assert.deepEqual(sage.reads.sort(), ['WB00300', 'WB00301', 'WB0301A']);
    assert.deepEqual(seen.at(-1), { fill: 'green', shape: 'dot', text: '2 orders checked: all match' });
  });

  it('sends each order missing in Sage on its second output as a job for the order queue', async () => {
    sage = new FakeSage({ W000101: salesOrder('W000101', 101) });
    await helper.load([useCatalogs, syncReconcile, fakeSageConfig, catchNode], flow({ checkCapture: false }));
    const missing: Array<Record<string, unknown>> = [];
    helper.getNode('missing').on('input', ((msg: Record<string, unknown>) => missing.push(msg)) as never);
    const report = nextMessage<{ payload: ReconcileReport }>(helper.getNode('out'));
    helper.getNode('reconcile').receive({ payload: [payments(101), payments(102), payments(103), payments(104, { statusId: 5 })] });
    assert.equal((await report).payload.mismatches.filter((m) => m.kind === 'missing-sales-order').length, 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(
      missing.map(({ topic, orderId, payload }) => ({ topic, orderId, payload })),
      [
        { topic: 'reconcile/missing-sales-order', orderId: 102, payload: 102 },
        { topic: 'reconcile/missing-sales-order', orderId: 103, payload: 103 },
      ],
    );
  });

  it('sends a Sage it cannot reach to Catch with a red status, and no report', async () => {
    const unreachable = new Error('Sage 100 agent: connection failed for GET /v1/sales-orders/W000101: connect ECONNREFUSED');
    sage = new FakeSage({}, { W000101: unreachable, W000102: unreachable });
    await helper.load([useCatalogs, syncReconcile, fakeSageConfig, catchNode], flow());
    const node = helper.getNode('reconcile');
    const seen = statuses(node);
    const out: unknown[] = [];
    helper.getNode('out').on('input', ((msg: unknown) => out.push(msg)) as never);
    const caught = nextMessage<{ error: { message: string }; errorDetails: { code: string } }>(helper.getNode('caught'));
    node.receive({ payload: [payments(101), payments(102)] });
    const failed = await caught;
    assert.match(failed.error.message, /Reconciliation stopped: Sage 100 could not be asked about order 10[12]/);
    assert.equal(failed.errorDetails.code, 'reconcile.check_failed');
    assert.deepEqual(seen.at(-1), { fill: 'red', shape: 'ring', text: 'Sage could not be asked' });
    assert.deepEqual(out, [], 'no report');
  });

  it('sends input it cannot read, or a missing Sage configuration, to Catch', async () => {
    const nodes = flow().map((node) => (node.id === 'catch' ? { ...node, scope: ['reconcile', 'unconfigured'] } : node));
    await helper.load([useCatalogs, syncReconcile, fakeSageConfig, catchNode], [...nodes, { id: 'unconfigured', z: 'tab', ...at, type: 'sync-reconcile', wires: [[]] }]);
    const caught = helper.getNode('caught');
    let next = nextMessage<{ error: { message: string } }>(caught);
    helper.getNode('reconcile').receive({ payload: { orderId: 1 } });
    assert.match((await next).error.message, /Payments from bigcommerce-payments: \(root\): Invalid input: expected array/);
    next = nextMessage<{ error: { message: string } }>(caught);
    helper.getNode('unconfigured').receive({ payload: [] });
    assert.match((await next).error.message, /sync-reconcile unconfigured: no sage100-config configuration is selected/);
  });
});
