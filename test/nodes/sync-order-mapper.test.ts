import assert from 'node:assert/strict';
import syncItemMap from '../../nodes/sync/sync-item-map';
import syncOrderMapper from '../../nodes/sync/sync-order-mapper';
import type { MappedOrder } from '../../lib/sage100/types';
import type { OrderHold } from '../../lib/sync/mapper';
import sage100Config from '../../nodes/sage100/sage100-config';
import { SageCompany, seedDemo } from '../../sandbox/sage100/company';
import { startSage100Simulator, type Sage100Simulator } from '../../sandbox/sage100/index';
import { coreNode, helper, nextMessage, type TestNode } from '../support/node-red';
import { loadSageNode, sendAndReceive } from '../support/sage100';
import { assertInWords, useCatalogs } from '../support/catalog';

const catchNode = coreNode('common/25-catch.js');

const address = {
  first_name: 'Jane',
  last_name: 'Doe',
  street_1: '1 Main St',
  city: 'Austin',
  state: 'Texas',
  zip: '78701',
  country: 'United States',
  country_iso2: 'US',
  email: 'jane@example.com',
};

function order(sku = 'tee-blue-m', company = '', statusId = 11) {
  return {
    id: 1042,
    customer_id: 0,
    status_id: statusId,
    status: 'Awaiting Fulfillment',
    date_created: 'Tue, 05 Mar 2019 21:40:11 +0000',
    date_modified: 'Tue, 05 Mar 2019 21:40:11 +0000',
    subtotal_ex_tax: '25.0000',
    subtotal_inc_tax: '25.0000',
    total_ex_tax: '25.0000',
    total_inc_tax: '25.0000',
    billing_address: { ...address, company },
    consignments: {
      shipping: [{ id: 1, ...address, shipping_method: 'Flat Rate', line_items: [{ id: 1, product_id: 1, sku, name: 'Tee', quantity: 1, price_ex_tax: '25', price_inc_tax: '25' }] }],
    },
  };
}

/** Flow nodes need a position, or Node-RED takes them for config nodes. */
const at = { x: 100, y: 100 };

function flow(settings: Record<string, unknown> = {}) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'mapper', z: 'tab', ...at, type: 'sync-order-mapper', itemMap: 'map', cashCustomerNo: 'CASH', wires: [['out'], ['held']], ...settings },
    { id: 'map', type: 'sync-item-map', table: 'tee-blue-m,TSHIRT-BLU-M', unmapped: 'reject' },
    { id: 'out', z: 'tab', ...at, type: 'helper' },
    { id: 'held', z: 'tab', ...at, type: 'helper' },
    { id: 'catch', z: 'tab', ...at, type: 'catch', scope: ['mapper'], wires: [['caught']] },
    { id: 'caught', z: 'tab', ...at, type: 'helper' },
  ];
}

function statuses(node: TestNode): Array<{ fill?: string; text?: string }> {
  const seen: Array<{ fill?: string; text?: string }> = [];
  node.on('call:status', ((call: { args: [{ fill?: string; text?: string }] }) => seen.push(call.args[0])) as never);
  return seen;
}

describe('sync-order-mapper node', () => {
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('sends the sales order and the customer, SKUs mapped through the item map', async () => {
    await helper.load([useCatalogs, syncOrderMapper, syncItemMap, catchNode], flow());
    const mapper = helper.getNode('mapper');
    const seen = statuses(mapper);
    const sent = nextMessage<{ payload: MappedOrder; orderId: number }>(helper.getNode('out'));
    mapper.receive({ payload: order(), orderId: 1042 });
    const msg = await sent;
    assert.equal(msg.orderId, 1042);
    assert.equal(msg.payload.salesOrder.SalesOrderNo, 'W001042');
    assert.equal(msg.payload.salesOrder.CustomerNo, 'CASH');
    assert.equal(msg.payload.salesOrder.Lines[0]?.ItemCode, 'TSHIRT-BLU-M');
    assert.deepEqual(msg.payload.customer, { ARDivisionNo: '00', CustomerNo: 'CASH', CustomerName: 'Web store cash sales' });
    assert.deepEqual(msg.payload.warnings, []);
    assert.equal(msg.payload.tieOut?.difference, 0);
    assert.equal(msg.payload.customerPolicy?.isCashCustomer, true);
    assert.deepEqual(seen.at(-1), { fill: 'green', shape: 'dot', text: 'sales order W001042' });
  });

  it('sends an order that is not ready to fulfil to the second output, waiting, with its queue job', async () => {
    await helper.load([useCatalogs, syncOrderMapper, syncItemMap, catchNode], flow());
    const mapper = helper.getNode('mapper');
    const seen = statuses(mapper);
    const held = nextMessage<{ hold: OrderHold; queueJob: unknown }>(helper.getNode('held'));
    mapper.receive({ payload: order('tee-blue-m', '', 7), queueJob: { id: 'order:1042', attempt: 1, queue: 'orders' } });
    const msg = await held;
    assert.equal(msg.hold.kind, 'wait');
    assert.equal(msg.hold.field, 'status_id');
    assert.equal(msg.hold.orderId, 1042);
    assert.match(msg.hold.reason, /^order 1042 is Awaiting Payment \(7\), not one of the statuses imported/);
    assert.deepEqual(msg.queueJob, { id: 'order:1042', attempt: 1, queue: 'orders' });
    assert.deepEqual(seen.at(-1), { fill: 'grey', shape: 'ring', text: 'order 1042 waits for its status' });
    assertInWords(seen.at(-1)?.text);
  });

  it('holds an imported order that was cancelled for attention, and takes the import statuses from its settings', async () => {
    await helper.load([useCatalogs, syncOrderMapper, syncItemMap, catchNode], flow({ importStatuses: '7, 11' }));
    const mapper = helper.getNode('mapper');
    const held = nextMessage<{ hold: OrderHold }>(helper.getNode('held'));
    mapper.receive({ payload: order('tee-blue-m', '', 5), sage100: { salesOrderNo: 'W001042' } });
    const hold = (await held).hold;
    assert.equal(hold.kind, 'needs-attention');
    assert.match(hold.reason, /was imported to Sage and is now Cancelled \(5\)/);
    const sent = nextMessage<{ payload: MappedOrder }>(helper.getNode('out'));
    mapper.receive({ payload: order('tee-blue-m', '', 7) });
    assert.equal((await sent).payload.salesOrder.SalesOrderNo, 'W001042');
  });

  it('sends one msg per sales order when several addresses are split, each with the queue job', async () => {
    await helper.load([useCatalogs, syncOrderMapper, syncItemMap, catchNode], flow({ consignments: 'split', itemMap: '' }));
    const received: Array<{ payload: MappedOrder; queueJob: unknown }> = [];
    const two = new Promise<void>((resolve) => {
      helper.getNode('out').on('input', ((msg: { payload: MappedOrder; queueJob: unknown }) => {
        received.push(msg);
        if (received.length === 2) resolve();
      }) as never);
    });
    const base = order();
    const shipment = base.consignments.shipping[0]!;
    const second = { ...shipment, id: 2, city: 'Dallas', line_items: [{ ...shipment.line_items[0]!, id: 2, sku: 'MUG' }] };
    helper.getNode('mapper').receive({
      payload: { ...base, subtotal_ex_tax: '50', subtotal_inc_tax: '50', total_ex_tax: '50', total_inc_tax: '50', consignments: { shipping: [shipment, second] } },
      queueJob: { id: 'order:1042', attempt: 1, queue: 'orders' },
    });
    await two;
    assert.deepEqual(received.map(({ payload }) => [payload.salesOrder.SalesOrderNo, payload.salesOrder.ShipToCity, payload.part]), [
      ['W01042A', 'Austin', { index: 0, count: 2 }],
      ['W01042B', 'Dallas', { index: 1, count: 2 }],
    ]);
    for (const msg of received) assert.deepEqual(msg.queueJob, { id: 'order:1042', attempt: 1, queue: 'orders' });
  });

  it('holds an order in another currency by default, naming the field', async () => {
    await helper.load([useCatalogs, syncOrderMapper, syncItemMap, catchNode], flow());
    const held = nextMessage<{ hold: OrderHold }>(helper.getNode('held'));
    helper.getNode('mapper').receive({ payload: { ...order(), currency_code: 'EUR', default_currency_code: 'EUR' } });
    const hold = (await held).hold;
    assert.equal(hold.kind, 'invalid');
    assert.equal(hold.field, 'default_currency_code');
    assert.match(hold.reason, /^order 1042: the order is in EUR, the company in USD/);
  });

  it('maps SKUs to themselves without an item map, and shows warnings in the status', async () => {
    await helper.load([useCatalogs, syncOrderMapper, syncItemMap, catchNode], flow({ itemMap: '', salesOrderPrefix: 'BC' }));
    const mapper = helper.getNode('mapper');
    const seen = statuses(mapper);
    const sent = nextMessage<{ payload: MappedOrder }>(helper.getNode('out'));
    mapper.receive({ payload: order('ANY-SKU', 'A company name longer than thirty characters') });
    const { payload } = await sent;
    assert.equal(payload.salesOrder.SalesOrderNo, 'BC01042');
    assert.equal(payload.salesOrder.Lines[0]?.ItemCode, 'ANY-SKU');
    assert.equal(payload.warnings.length, 1);
    assert.deepEqual(seen.at(-1), { fill: 'yellow', shape: 'dot', text: 'BC01042: 1 warning' });
  });

  it('sends an order it cannot map to Catch, with the order and the SKU named', async () => {
    await helper.load([useCatalogs, syncOrderMapper, syncItemMap, catchNode], flow());
    const caught = nextMessage<{ error: { message: string }; errorDetails: { code: string; record: string } }>(helper.getNode('caught'));
    const seen = statuses(helper.getNode('mapper'));
    helper.getNode('mapper').receive({ payload: order('unknown-sku'), orderId: 1042 });
    const msg = await caught;
    assert.deepEqual(seen.at(-1), { fill: 'red', shape: 'ring', text: 'order 1042: SKU not in the item map' });
    assert.match(msg.error.message, /^order 1042: line 1 "Tee": SKU "unknown-sku" is not in the item map/, 'no class name in front');
    assert.equal(msg.errorDetails.code, 'mapper.sku_unmapped');
    assert.equal(msg.errorDetails.record, 'order 1042');
  });

  it('names a bad setting in the error that reaches Catch', async () => {
    await helper.load([useCatalogs, syncOrderMapper, syncItemMap, catchNode], flow({ arDivisionNo: '1' }));
    const caught = nextMessage<{ error: { message: string } }>(helper.getNode('caught'));
    helper.getNode('mapper').receive({ payload: order() });
    assert.match((await caught).error.message, /sync-order-mapper settings: arDivisionNo: must be two digits/);
  });
});

describe('sync-order-mapper node with the company lengths from a Sage 100 configuration', () => {
  let sim: Sage100Simulator;
  beforeEach(async () => {
    // A current company: names 50, address lines 40 (the mapper's default profile is the 4.x one, 30).
    sim = await startSage100Simulator({ company: seedDemo(new SageCompany({ profile: 'current' })) });
    await helper.startServer();
  });
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
    await sim.close();
  });

  it("agent mode: names fit the company's lengths as health reports them, not the profile's", async () => {
    const { subject, out } = await loadSageNode([sage100Config, syncOrderMapper], sim, {
      mode: 'agent',
      node: { type: 'sync-order-mapper', cashCustomerNo: 'CASH' },
    });
    const company = 'Analytical Engines and Difference Machines Ltd';
    const mapped = await sendAndReceive<{ payload: MappedOrder }>(subject, out, { payload: order('TSHIRT', company) });
    assert.equal(company.length > 30 && company.length <= 50, true);
    assert.equal(mapped.payload.salesOrder.BillToName, company);
  });
});
