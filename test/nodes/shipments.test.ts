import assert from 'node:assert/strict';
import type { SageInvoice } from '../../lib/sage100/invoices';
import type { InvoiceResult } from '../../lib/sync/shipments';
import bigcommerceConfig from '../../nodes/bigcommerce/bigcommerce-config';
import bigcommerceShipment from '../../nodes/bigcommerce/bigcommerce-shipment';
import syncOrderNumbering from '../../nodes/sync/sync-order-numbering';
import sage100Config from '../../nodes/sage100/sage100-config';
import sage100Invoices from '../../nodes/sage100/sage100-invoices';
import { SageCompany, seedDemo } from '../../sandbox/sage100/company';
import { startSage100Simulator, type Sage100Simulator } from '../../sandbox/sage100/index';
import { sampleOrder, startTestStore, type TestStore } from '../support/bigcommerce';
import { coreNode, helper, nextMessage, type TestNode, startWithUserDir } from '../support/node-red';
import { loadSageNode } from '../support/sage100';
import { assertInWords, useCatalogs } from '../support/catalog';

const at = { x: 100, y: 100 };

/** Resolves with the status a node shows once `match` accepts one. */
function statusShown(node: TestNode, match: (status: { fill?: string; text?: string }) => boolean): Promise<{ fill?: string; text?: string }> {
  return new Promise((resolve) => {
    const listen = ((call: { args: [{ fill?: string; text?: string }] }) => {
      if (!match(call.args[0])) return;
      (node as unknown as NodeJS.EventEmitter).removeListener('call:status', listen);
      resolve(call.args[0]);
    }) as never;
    node.on('call:status', listen);
  });
}

describe('sage100-invoices node', () => {
  let sim: Sage100Simulator;
  let stopNodeRed: () => Promise<void>;
  let now: Date;

  beforeEach(async () => {
    now = new Date('2026-03-02T09:00:00Z');
    const company = seedDemo(new SageCompany({ now: () => now }));
    company.createSalesOrder({ SalesOrderNo: 'W001042', OrderDate: '20260302', ARDivisionNo: '01', CustomerNo: 'WEB0001', CustomerPONo: 'BC1042', Lines: [{ ItemCode: 'WIDGET-1', QuantityOrdered: 2, UnitPrice: 11.25 }] });
    company.invoiceSalesOrder({ salesOrderNo: 'W001042', trackingNumbers: ['1Z999'] });
    sim = await startSage100Simulator({ company });
    ({ stop: stopNodeRed } = await startWithUserDir('sage100-invoices-'));
  });
  afterEach(async () => {
    await stopNodeRed();
    await sim.close();
  });

  const load = (mode: 'agent' | 'soap' = 'agent') => loadSageNode([useCatalogs, sage100Config, sage100Invoices], sim, { mode, node: { type: 'sage100-invoices', pageSize: 50 }, tls: { tlsMode: 'pin', pinSha256: sim.fingerprint256 } });

  it('sends an invoice again with every run until the shipment node acknowledges it', async () => {
    const { subject, out } = await load();
    const poll = async () => {
      const sent = nextMessage<{ payload: SageInvoice[] }>(out);
      subject.receive({ payload: 'tick' });
      return (await sent).payload;
    };
    const [first] = await poll();
    assert.deepEqual([first!.SalesOrderNo, first!.TrackingNumbers], ['W001042', ['1Z999']]);
    now = new Date('2026-03-02T09:10:00Z');
    assert.deepEqual((await poll()).map((invoice) => invoice.InvoiceNo), [first!.InvoiceNo], 'not acknowledged: pending, sent again');

    const acknowledged = statusShown(subject, (status) => status.text === 'all accepted');
    subject.receive({ payload: [], acceptedInvoices: [first!.InvoiceNo] });
    await acknowledged;
    now = new Date('2026-03-02T09:20:00Z');
    let sent = false;
    out.on('input', () => (sent = true));
    const idle = statusShown(subject, (status) => status.fill === 'green');
    subject.receive({ payload: 'tick' });
    assert.equal((await idle).text, '0 new, all accepted');
    assert.equal(sent, false);
  });

  it('fails with a clear error for a SOAP configuration', async () => {
    const { subject, caught } = await load('soap');
    const error = nextMessage<{ errorDetails: { code: string } }>(caught);
    subject.receive({ payload: 'tick' });
    assert.equal((await error).errorDetails.code, 'sage100.invoices_need_agent');
    const { status } = subject as unknown as { status: { lastCall: { args: [{ text?: string }] } } };
    assert.equal(status.lastCall.args[0].text, 'needs agent mode');
  });
});

describe('bigcommerce-shipment node', () => {
  let sim: TestStore;
  let stopNodeRed: () => Promise<void>;
  let orderId: number;
  let lineId: number;

  beforeEach(async () => {
    sim = await startTestStore();
    sim.store.addProduct({ id: 10, sku: 'WIDGET-1', price: 10, inventory_level: 50 });
    const order = sim.store.addOrder(sampleOrder({ status_id: 11, products: [{ sku: 'WIDGET-1', quantity: 2 }] }));
    orderId = order.id;
    lineId = order.lines[0]!.id;
    ({ stop: stopNodeRed } = await startWithUserDir('bigcommerce-shipment-'));
    await helper.load(
      [useCatalogs, bigcommerceConfig, bigcommerceShipment, syncOrderNumbering, coreNode('common/25-catch.js')],
      [
        { id: 'tab', type: 'tab' },
        { id: 'bc', type: 'bigcommerce-config', storeHash: sim.storeHash, apiUrl: sim.apiUrl, timeout: 10 },
        { id: 'numbering', type: 'sync-order-numbering', salesOrderPrefix: 'N', customerPoPrefix: 'NET', version: 1 },
        // Saved before shipments could share the numbering (version 1, no version saved): its own prefix, default BC.
        { id: 'ship', z: 'tab', ...at, type: 'bigcommerce-shipment', role: 'ship', bigcommerce: 'bc', carrierTable: 'UPS = ups', wires: [['results'], ['check']] },
        { id: 'shared', z: 'tab', ...at, type: 'bigcommerce-shipment', role: 'ship', bigcommerce: 'bc', numbering: 'numbering', customerPoPrefix: 'BC', version: 2, wires: [['sharedResults'], []] },
        { id: 'echo', z: 'tab', ...at, type: 'bigcommerce-shipment', role: 'echo-filter', bigcommerce: 'bc', wires: [['passed'], ['dropped']] },
        ...['results', 'sharedResults', 'check', 'passed', 'dropped', 'caught'].map((id) => ({ id, z: 'tab', ...at, type: 'helper' })),
        { id: 'catch', z: 'tab', ...at, type: 'catch', scope: ['ship', 'shared'], wires: [['caught']] },
      ],
      { bc: { accessToken: sim.accessToken } },
    );
  });
  afterEach(async () => {
    await stopNodeRed();
    await sim.close();
  });

  const invoice = (overrides: Record<string, unknown> = {}) => ({
    InvoiceNo: '0000001', posted: false, SalesOrderNo: 'W000001', CustomerPONo: `BC${orderId}`, ARDivisionNo: '00', CustomerNo: 'WEBCASH',
    ShipDate: '20260302', ShipVia: 'UPS', DateUpdated: '20260302', TimeUpdated: '9', TrackingNumbers: ['1Z999'],
    Lines: [{ ItemCode: 'WIDGET-1', ItemType: '1', QuantityShipped: 2 }],
    ...overrides,
  });

  it('ships, acknowledges the invoice on output 1, and its echo filter drops the status webhook that follows', async () => {
    const results = nextMessage<{ payload: InvoiceResult[]; acceptedInvoices: string[] }>(helper.getNode('results'), 10_000);
    helper.getNode('ship').receive({ payload: [invoice(), invoice({ InvoiceNo: '0000002', CustomerPONo: 'PHONE' })] });
    const { payload, acceptedInvoices } = await results;
    assert.deepEqual(payload.map((r) => r.outcome), ['shipped', 'not-a-web-order']);
    assert.deepEqual(acceptedInvoices, ['0000001', '0000002']);
    const [shipment] = sim.store.shipmentsOf(orderId);
    assert.deepEqual([shipment!.trackingNumber, shipment!.shippingProvider, shipment!.items.map((i) => [i.orderProductId, i.quantity])], ['1Z999', 'ups', [[lineId, 2]]]);

    // As the verify node hands it on: the webhook body in msg.event, msg.payload is the fixed HTTP answer.
    const webhook = (id: number, newStatus: number) => ({ topic: 'store/order/statusUpdated', payload: '{"status":"accepted"}', event: { scope: 'store/order/statusUpdated', data: { type: 'order', id, status: { previous_status_id: 11, new_status_id: newStatus } } } });
    const dropped = nextMessage<{ event: { data: { id: number } } }>(helper.getNode('dropped'));
    const echoStatus = statusShown(helper.getNode('echo'), (status) => status.fill === 'grey');
    helper.getNode('echo').receive(webhook(orderId, 2));
    assert.equal((await dropped).event.data.id, orderId);
    assert.equal((await echoStatus).text, '1 own echo dropped');
    const passed = nextMessage<{ event: { data: { id: number } } }>(helper.getNode('passed'));
    helper.getNode('echo').receive(webhook(orderId + 1, 2));
    assert.equal((await passed).event.data.id, orderId + 1);
  });

  it('recognizes the web orders by the shared numbering node\'s PO prefix over its own, once it names one', async () => {
    const results = nextMessage<{ payload: InvoiceResult[] }>(helper.getNode('sharedResults'), 10_000);
    helper.getNode('shared').receive({ payload: [invoice({ CustomerPONo: `NET${orderId}` }), invoice({ InvoiceNo: '0000002', CustomerPONo: `BC${orderId}` })] });
    const { payload } = await results;
    assert.deepEqual(payload.map((r) => [r.invoiceNo, r.outcome, r.orderId]), [['0000001', 'shipped', orderId], ['0000002', 'not-a-web-order', undefined]]);
    assert.equal(sim.store.shipmentsOf(orderId).length, 1);
  });

  it('reports an order shipped by hand on output 2; a write whose answer is lost goes to Catch unacknowledged and is found, not repeated', async () => {
    sim.store.createShipment(orderId, { order_address_id: sim.store.orders.get(orderId)!.shipping[0]!.id, items: [{ order_product_id: lineId, quantity: 1 }], tracking_number: 'HAND' });
    const check = nextMessage<{ topic: string; payload: InvoiceResult }>(helper.getNode('check'), 10_000);
    helper.getNode('ship').receive({ payload: invoice() });
    assert.equal((await check).topic, 'shipped-by-hand');

    // The write happens but its answer is lost: not acknowledged, and the next try finds the shipment instead of adding one.
    const other = sim.store.addOrder(sampleOrder({ status_id: 11, products: [{ sku: 'WIDGET-1', quantity: 1 }] }));
    sim.faults.add({ kind: 'error', route: 'POST /v2/orders/{order_id}/shipments', status: 500, phase: 'after', times: 1 });
    const lost = { payload: invoice({ InvoiceNo: '0000003', CustomerPONo: `BC${other.id}`, Lines: [{ ItemCode: 'WIDGET-1', ItemType: '1', QuantityShipped: 1 }] }) };
    const results = nextMessage<{ acceptedInvoices: string[] }>(helper.getNode('results'), 10_000);
    const caught = nextMessage<{ errorDetails: { code: string }; error: { message: string } }>(helper.getNode('caught'), 10_000);
    const failedStatus = statusShown(helper.getNode('ship'), (status) => status.fill === 'red' && (status as { shape?: string }).shape === 'ring');
    helper.getNode('ship').receive(lost);
    assert.deepEqual((await results).acceptedInvoices, []);
    const failure = await caught;
    assert.equal(failure.errorDetails.code, 'bigcommerce.unavailable');
    assert.match(failure.error.message, /^1 of 1 invoices not shipped yet/, 'no class name in front');
    const { text } = await failedStatus;
    assert.equal(text, 'store unavailable');
    assertInWords(text);
    const again = nextMessage<{ payload: InvoiceResult[]; acceptedInvoices: string[] }>(helper.getNode('results'), 10_000);
    helper.getNode('ship').receive(lost);
    const second = await again;
    assert.deepEqual([second.payload[0]!.outcome, second.acceptedInvoices], ['already-shipped', ['0000003']]);
    assert.equal(sim.store.shipmentsOf(other.id).length, 1);
  });
});
