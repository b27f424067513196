import assert from 'node:assert/strict';
import type { MappedOrder } from '../../lib/sage100/types';
import type { NodeAPI, NodeDefinition, RuntimeNode } from '../../lib/node-red/types';
import type { ReconcileReport } from '../../lib/sync/reconcile';
import { useCatalogs } from '../support/catalog';
import syncOrderMapper from '../../nodes/sync/sync-order-mapper';
import syncOrderNumbering from '../../nodes/sync/sync-order-numbering';
import syncReconcile from '../../nodes/sync/sync-reconcile';
import { FakeSage, payments, salesOrder } from '../unit/reconcile-support';
import { coreNode, helper, nextMessage } from '../support/node-red';

const catchNode = coreNode('common/25-catch.js');
const at = { x: 100, y: 100 };

const order = {
  id: 1042,
  customer_id: 0,
  status_id: 11,
  status: 'Awaiting Fulfillment',
  date_created: 'Tue, 05 Mar 2019 21:40:11 +0000',
  date_modified: 'Tue, 05 Mar 2019 21:40:11 +0000',
  subtotal_ex_tax: '25.0000',
  subtotal_inc_tax: '25.0000',
  total_ex_tax: '25.0000',
  total_inc_tax: '25.0000',
  billing_address: { first_name: 'Jane', last_name: 'Doe', street_1: '1 Main St', city: 'Austin', state: 'Texas', zip: '78701', country: 'United States', country_iso2: 'US', email: 'jane@example.com' },
  consignments: { shipping: [{ id: 1, first_name: 'Jane', last_name: 'Doe', street_1: '1 Main St', city: 'Austin', state: 'Texas', zip: '78701', country: 'United States', country_iso2: 'US', email: 'jane@example.com', shipping_method: 'Flat Rate', line_items: [{ id: 1, product_id: 1, sku: 'TEE', name: 'Tee', quantity: 1, price_ex_tax: '25', price_inc_tax: '25' }] }] },
};

let sage = new FakeSage({});
function fakeSageConfig(RED: NodeAPI): void {
  RED.nodes.registerType('sage100-config', function (this: RuntimeNode & { client: FakeSage }, definition: NodeDefinition) {
    RED.nodes.createNode(this, definition);
    this.client = sage;
  });
}

function flow(mapper: Record<string, unknown>, reconcile: Record<string, unknown>, numbering: Record<string, unknown> = {}) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'sage', type: 'sage100-config' },
    { id: 'numbering', type: 'sync-order-numbering', salesOrderPrefix: 'N', salesOrderOverflow: 'extend', customerPoPrefix: 'NET', version: 1, ...numbering },
    { id: 'mapper', z: 'tab', ...at, type: 'sync-order-mapper', wires: [['mapped'], []], ...mapper },
    { id: 'reconcile', z: 'tab', ...at, type: 'sync-reconcile', sage100: 'sage', wires: [['report'], []], ...reconcile },
    { id: 'mapped', z: 'tab', ...at, type: 'helper' },
    { id: 'report', z: 'tab', ...at, type: 'helper' },
    { id: 'catch', z: 'tab', ...at, type: 'catch', scope: ['mapper', 'reconcile'], wires: [['caught']] },
    { id: 'caught', z: 'tab', ...at, type: 'helper' },
  ];
}

const nodes = [useCatalogs, syncOrderNumbering, syncOrderMapper, syncReconcile, fakeSageConfig, catchNode];

async function mapOrder(): Promise<MappedOrder> {
  const sent = nextMessage<{ payload: MappedOrder }>(helper.getNode('mapped'));
  helper.getNode('mapper').receive({ payload: order });
  return (await sent).payload;
}

async function reconcileOrder(orderId: number): Promise<ReconcileReport> {
  const sent = nextMessage<{ payload: ReconcileReport }>(helper.getNode('report'));
  helper.getNode('reconcile').receive({ payload: [payments(orderId)] });
  return (await sent).payload;
}

describe('sync-order-numbering node, shared by the mapper and reconciliation', () => {
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('a flow saved before it existed (version 1, numbering inline) numbers and finds orders exactly as before', async () => {
    const inline = { salesOrderPrefix: 'X', salesOrderOverflow: 'extend', customerPoPrefix: 'WEB' };
    sage = new FakeSage({ X000200: salesOrder('X000200', 200, { CustomerPONo: 'WEB200' }) });
    await helper.load(nodes, flow(inline, inline));
    const mapped = await mapOrder();
    assert.equal(mapped.salesOrder.SalesOrderNo, 'X001042');
    assert.equal(mapped.salesOrder.CustomerPONo, 'WEB1042');
    const report = await reconcileOrder(200);
    assert.deepEqual(sage.reads, ['X000200']);
    assert.deepEqual(report.mismatches, []);
  });

  it('gives the mapper and reconciliation one numbering: the shared node\'s, over their own fields', async () => {
    sage = new FakeSage({ N000200: salesOrder('N000200', 200, { CustomerPONo: 'NET200' }) });
    const stale = { salesOrderPrefix: 'X', customerPoPrefix: 'WEB', numbering: 'numbering', version: 2 };
    await helper.load(nodes, flow(stale, stale));
    const mapped = await mapOrder();
    assert.equal(mapped.salesOrder.SalesOrderNo, 'N001042');
    assert.equal(mapped.salesOrder.CustomerPONo, 'NET1042');
    const report = await reconcileOrder(200);
    assert.deepEqual(sage.reads, ['N000200']);
    assert.deepEqual(report.mismatches, []);
  });

  it('sends a msg to Catch naming the numbering node and the setting when the shared numbering is invalid', async () => {
    await helper.load(nodes, flow({ numbering: 'numbering', version: 2 }, {}, { name: 'web orders', salesOrderPrefix: 'w' }));
    const caught = nextMessage<{ error: { message: string }; errorDetails: { code: string; field: string } }>(helper.getNode('caught'));
    helper.getNode('mapper').receive({ payload: order });
    const msg = await caught;
    assert.match(msg.error.message, /sync-order-numbering settings in node "web orders": salesOrderPrefix: must be 1–3 upper-case letters or digits/);
    assert.equal(msg.errorDetails.field, 'salesOrderPrefix');
  });

  it('says so when the numbering node named is missing', async () => {
    await helper.load(nodes, flow({ numbering: 'gone', version: 2 }, {}));
    const caught = nextMessage<{ errorDetails: { code: string } }>(helper.getNode('caught'));
    helper.getNode('mapper').receive({ payload: order });
    assert.equal((await caught).errorDetails.code, 'config.missing');
  });
});
