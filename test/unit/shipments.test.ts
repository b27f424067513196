import assert from 'node:assert/strict';
import { createBigCommerceClient, type BigCommerceClient } from '../../lib/bigcommerce/client';
import { invoiceSchema, mergePending, type SageInvoice } from '../../lib/sage100/invoices';
import {
  carrierFor,
  linkLines,
  missingShipments,
  orderIdOfInvoice,
  parseCarrierTable,
  parseLineLink,
  planShipments,
  shipInvoices,
  shipmentSettingsSchema,
  type OrderProduct,
  type SentLedger,
  type ShipItem,
} from '../../lib/sync/shipments';
import { SkuMap } from '../../lib/sync/sku-map';
import { isOwnStatusEcho, orderEventOf, recordOwnStatusChange, type EchoRecords } from '../../lib/sync/status-echo';
import type { Shipment } from '../../lib/bigcommerce/shipments';
import { sampleOrder, startTestStore, type TestStore } from '../support/bigcommerce';

function invoice(overrides: Partial<Record<string, unknown>> = {}): SageInvoice {
  return invoiceSchema.parse({
    InvoiceNo: '0000101',
    posted: false,
    SalesOrderNo: 'W000001',
    CustomerPONo: 'BC1',
    ARDivisionNo: '00',
    CustomerNo: 'WEBCASH',
    ShipDate: '20261204',
    ShipVia: 'UPS GROUND',
    DateUpdated: '20261204',
    TimeUpdated: '10.5',
    TrackingNumbers: ['1Z001', '1Z002'],
    Lines: [
      { ItemCode: 'A-1', ItemType: '1', QuantityShipped: 2 },
      { ItemCode: '/FREIGHT', ItemType: '5', QuantityShipped: 1 },
    ],
    ...overrides,
  });
}

const product = (id: number, sku: string, quantity: number, quantity_shipped = 0, order_address_id = 7): OrderProduct => ({ id, sku, quantity, quantity_shipped, order_address_id, type: 'physical' });
const sameSku = new SkuMap({ table: '', unmapped: 'same' });

describe('shipments from Sage 100 invoices: planning', () => {
  it('maps ShipVia through the carrier table to a provider or an AfterShip slug, and leaves an unknown one carrier-less', () => {
    const carriers = parseCarrierTable('# comment\nUPS GROUND = ups\nDHL Express, dhl\nMy Truck\tcarrier_12\n');
    assert.deepEqual(carrierFor('ups ground', carriers), { shippingProvider: 'ups', shippingMethod: 'ups ground', known: true });
    assert.deepEqual(carrierFor('DHL EXPRESS', carriers), { trackingCarrier: 'dhl', shippingMethod: 'DHL EXPRESS', known: true });
    assert.deepEqual(carrierFor('MY TRUCK', carriers), { shippingProvider: 'carrier_12', shippingMethod: 'MY TRUCK', known: true });
    assert.deepEqual(carrierFor('ACME FREIGHT', carriers), { shippingMethod: 'ACME FREIGHT', known: false });
    assert.deepEqual(carrierFor('', carriers), { known: false });
    assert.throws(() => parseCarrierTable('UPS = United Parcel'), (err: Error & { code?: string }) => err.code === 'shipments.carrier_table' && /line 1/.test(err.message));
  });

  it('finds the store order from CustomerPONo = prefix + order id, and nothing for Sage\'s own orders', () => {
    assert.equal(orderIdOfInvoice({ CustomerPONo: 'BC104' }, 'BC'), 104);
    assert.equal(orderIdOfInvoice({ CustomerPONo: 'PO-7781' }, 'BC'), undefined);
    assert.equal(orderIdOfInvoice({ CustomerPONo: 'BC' }, 'BC'), undefined);
    assert.equal(orderIdOfInvoice({ CustomerPONo: 'BC12X' }, 'BC'), undefined);
  });

  it('reads the line UDF as order product and address, and ignores blanks and other forms', () => {
    assert.deepEqual(parseLineLink('501@12'), { orderProductId: 501, orderAddressId: 12 });
    assert.deepEqual(parseLineLink(' 501 '), { orderProductId: 501 });
    assert.equal(parseLineLink(''), undefined);
    assert.equal(parseLineLink('abc'), undefined);
  });

  it('links lines by UDF without the order products', () => {
    const lines = [{ ItemCode: 'A-1', QuantityShipped: 2, UDF_BC_LINE: '501@7' }];
    assert.deepEqual(linkLines(lines, 'UDF_BC_LINE', undefined, undefined), { items: [{ orderProductId: 501, orderAddressId: 7, quantity: 2, line: lines[0] }] });
  });

  it('links by SKU when one order product carries the item, or the invoice ships all that is left of several', () => {
    const one = linkLines([{ ItemCode: 'A-1', QuantityShipped: 1 }], 'UDF_BC_LINE', [product(1, 'A-1', 2), product(2, 'B-1', 1)], sameSku);
    assert.deepEqual('items' in one && one.items.map((i) => [i.orderProductId, i.quantity]), [[1, 1]]);
    // The same item on two products (e.g. two options mapped to one Sage item): both shipped in full is certain.
    const both = linkLines([{ ItemCode: 'A-1', QuantityShipped: 3 }], '', [product(1, 'A-1', 2), product(2, 'A-1', 1)], sameSku);
    assert.deepEqual('items' in both && both.items.map((i) => [i.orderProductId, i.quantity]), [[1, 2], [2, 1]]);
    // Through the SKU map: store SKU TEE-S is Sage item TEE.
    const mapped = linkLines([{ ItemCode: 'TEE', QuantityShipped: 1 }], '', [product(3, 'TEE-S', 1)], new SkuMap({ table: 'TEE-S,TEE', unmapped: 'reject' }));
    assert.deepEqual('items' in mapped && mapped.items.map((i) => i.orderProductId), [3]);
  });

  it('reports ambiguity instead of guessing which of several products shipped', () => {
    const some = linkLines([{ ItemCode: 'A-1', QuantityShipped: 1 }], 'UDF_BC_LINE', [product(1, 'A-1', 2), product(2, 'A-1', 1)], sameSku);
    assert.match('ambiguous' in some ? some.ambiguous : '', /2 order products \(1, 2\) carry it and 1 of their 3 shipped/);
    const none = linkLines([{ ItemCode: 'Z-9', QuantityShipped: 1 }], '', [product(1, 'A-1', 2)], sameSku);
    assert.match('ambiguous' in none ? none.ambiguous : '', /no order product/);
    const tooMany = linkLines([{ ItemCode: 'A-1', QuantityShipped: 5 }], '', [product(1, 'A-1', 2, 1)], sameSku);
    assert.match('ambiguous' in tooMany ? tooMany.ambiguous : '', /only 1 left/);
    const fraction = linkLines([{ ItemCode: 'A-1', QuantityShipped: 0.5 }], '', [product(1, 'A-1', 2)], sameSku);
    assert.match('ambiguous' in fraction ? fraction.ambiguous : '', /whole number/);
  });

  it('plans one shipment with the first tracking number and all numbers in the comments, or one per package when lines name it', () => {
    const two = invoice({ Lines: [{ ItemCode: 'A-1', QuantityShipped: 1, UDF_PKG: '1' }, { ItemCode: 'B-1', QuantityShipped: 1, UDF_PKG: '1Z002' }] });
    const items: ShipItem[] = two.Lines.map((line, index) => ({ orderProductId: 11 + index, orderAddressId: 7, quantity: 1, line }));
    const one = planShipments(two, items, { packages: 'one-shipment', packageColumn: '' });
    assert.deepEqual(one.shipments, [{ orderAddressId: 7, trackingNumber: '1Z001', items: [{ orderProductId: 11, quantity: 1 }, { orderProductId: 12, quantity: 1 }], comments: 'Sage 100 invoice 0000101 (sales order W000001). Packages: 1Z001, 1Z002' }]);
    const split = planShipments(two, items, { packages: 'per-package', packageColumn: 'UDF_PKG' });
    assert.deepEqual(split.shipments.map((s) => [s.trackingNumber, s.items.map((i) => i.orderProductId)]), [['1Z001', [11]], ['1Z002', [12]]]);
    const unsplit = planShipments(two, items, { packages: 'per-package', packageColumn: '' });
    assert.equal(unsplit.shipments.length, 1);
    assert.match(unsplit.note ?? '', /do not say which of the 2 packages/);
  });

  it('counts as sent only our shipment for the same invoice, address and tracking number', () => {
    const planned = [{ orderAddressId: 7, trackingNumber: '1Z001', items: [{ orderProductId: 11, quantity: 1 }], comments: '' }];
    const shipment = (comments: string, tracking = '1Z001', address = 7) => ({ id: 1, order_id: 1, order_address_id: address, date_created: '', tracking_number: tracking, tracking_carrier: '', tracking_link: '', shipping_provider: '', shipping_method: '', comments, items: [] }) as Shipment;
    assert.deepEqual(missingShipments('0000101', planned, [shipment('Sage 100 invoice 0000101 (sales order W000001)')]), []);
    assert.equal(missingShipments('0000101', planned, [shipment('Sage 100 invoice 0000102 (sales order W000001)')]).length, 1);
    assert.equal(missingShipments('0000101', planned, [shipment('Sage 100 invoice 0000101', '1Z999')]).length, 1);
  });

  it('keeps unaccepted invoices pending, the newer copy of one read again', () => {
    const merged = mergePending([invoice({ InvoiceNo: '1' }), invoice({ InvoiceNo: '2' })], [invoice({ InvoiceNo: '2', posted: true }), invoice({ InvoiceNo: '3' })]);
    assert.deepEqual(merged.map((i) => [i.InvoiceNo, i.posted]), [['1', false], ['2', true], ['3', false]]);
  });
});

describe('own status echoes', () => {
  const event = (scope: string, orderId: number, newStatusId?: number) => orderEventOf(scope, { data: { type: 'order', id: orderId, ...(newStatusId !== undefined && { status: { previous_status_id: 11, new_status_id: newStatusId } }) } });

  it('drops a change to (Partially) Shipped or an update of an order we shipped in the window, and nothing else', () => {
    const records: EchoRecords = new Map();
    recordOwnStatusChange(records, 104, 1_000, 60_000);
    assert.equal(isOwnStatusEcho(records, event('store/order/statusUpdated', 104, 3), 2_000), true);
    assert.equal(isOwnStatusEcho(records, event('store/order/statusUpdated', 104, 2), 2_000), true);
    assert.equal(isOwnStatusEcho(records, event('store/order/updated', 104), 2_000), true);
    assert.equal(isOwnStatusEcho(records, event('store/order/statusUpdated', 104, 5), 2_000), false, 'a cancellation is the merchant\'s');
    assert.equal(isOwnStatusEcho(records, event('store/order/statusUpdated', 105, 2), 2_000), false, 'another order');
    assert.equal(isOwnStatusEcho(records, event('store/order/created', 104), 2_000), false);
    assert.equal(isOwnStatusEcho(records, event('store/order/statusUpdated', 104, 2), 62_000), false, 'after the window');
  });

  it('forgets expired records when a new one is made', () => {
    const records: EchoRecords = new Map();
    recordOwnStatusChange(records, 1, 0, 10);
    recordOwnStatusChange(records, 2, 100, 10);
    assert.deepEqual([...records.keys()], [2]);
  });
});

describe('shipments from Sage 100 invoices: against the store', () => {
  let sim: TestStore;
  let client: BigCommerceClient;
  let orderId: number;
  let addressId: number;
  let lineIds: number[];
  const settings = shipmentSettingsSchema.parse({ carrierTable: 'UPS GROUND = ups' });
  const carriers = parseCarrierTable(settings.carrierTable);
  const shipped: number[] = [];

  beforeEach(async () => {
    sim = await startTestStore();
    for (const [id, sku] of [[10, 'A-1'], [11, 'B-1'], [12, 'C-1']] as const) sim.store.addProduct({ id, sku, price: 10, inventory_level: 50 });
    const order = sim.store.addOrder(sampleOrder({ status_id: 11, products: [{ sku: 'A-1', quantity: 2 }, { sku: 'B-1', quantity: 1 }, { sku: 'C-1', quantity: 3 }] }));
    orderId = order.id;
    addressId = order.shipping[0]!.id;
    lineIds = order.lines.map((line) => line.id);
    client = createBigCommerceClient({ storeHash: sim.storeHash, accessToken: sim.accessToken, apiUrl: sim.apiUrl, retry: { retries: 0 } });
    shipped.length = 0;
  });
  afterEach(async () => {
    await client?.close();
    await sim?.close();
  });

  const calls = () => sim.exchanges.filter((e) => e.apiPath?.startsWith(`/orders/${orderId}`)).map((e) => `${e.method} ${e.apiPath}`);
  const run = (invoices: SageInvoice[], ledger: SentLedger = { store: 's', sent: {} }) =>
    shipInvoices(invoices, { request: client.request, settings, carriers, skuMap: sameSku, ledger, onShipped: (id) => shipped.push(id) });

  it('with the UDF: 1 read + 1 write, the order Partially Shipped; a restart with empty memory writes nothing', async () => {
    const first = invoice({ CustomerPONo: `BC${orderId}`, Lines: [{ ItemCode: 'A-1', QuantityShipped: 2, UDF_BC_LINE: `${lineIds[0]}@${addressId}` }, { ItemCode: 'B-1', QuantityShipped: 1, UDF_BC_LINE: `${lineIds[1]}@${addressId}` }] });
    const result = await run([first]);
    assert.deepEqual(result.results.map((r) => [r.outcome, r.accepted]), [['shipped', true]]);
    assert.deepEqual(calls(), [`GET /orders/${orderId}/shipments`, `POST /orders/${orderId}/shipments`]);
    assert.deepEqual(shipped, [orderId]);
    const [shipment] = sim.store.shipmentsOf(orderId);
    assert.equal(shipment!.trackingNumber, '1Z001');
    assert.equal(shipment!.shippingProvider, 'ups');
    assert.match(shipment!.comments, /^Sage 100 invoice 0000101 \(sales order W000001\)\. Packages: 1Z001, 1Z002$/);
    assert.equal(sim.store.orders.get(orderId)!.statusId, 3);
    assert.ok(result.ledger.sent['0000101']);

    const again = await run([first]);
    assert.deepEqual(again.results.map((r) => r.outcome), ['already-shipped']);
    assert.equal(calls().length, 3, 'a restart reads the shipments once and writes nothing');
    const remembered = await run([first], result.ledger);
    assert.deepEqual(remembered.results.map((r) => r.outcome), ['already-shipped']);
    assert.equal(calls().length, 3, 'a remembered invoice costs no call');
    assert.equal(sim.store.shipmentsOf(orderId).length, 1);
  });

  it('without the UDF: matched by SKU after reading the order products; the rest makes the order Shipped', async () => {
    await run([invoice({ CustomerPONo: `BC${orderId}`, Lines: [{ ItemCode: 'A-1', QuantityShipped: 2 }, { ItemCode: 'B-1', QuantityShipped: 1 }] })]);
    assert.deepEqual(calls(), [`GET /orders/${orderId}/shipments`, `GET /orders/${orderId}/products`, `POST /orders/${orderId}/shipments`]);
    const second = await run([invoice({ InvoiceNo: '0000102', CustomerPONo: `BC${orderId}`, TrackingNumbers: ['1Z003'], Lines: [{ ItemCode: 'C-1', QuantityShipped: 3 }] })]);
    assert.deepEqual(second.results.map((r) => r.outcome), ['shipped']);
    assert.equal(sim.store.orders.get(orderId)!.statusId, 2);
    assert.deepEqual(sim.store.shipmentsOf(orderId).map((s) => s.trackingNumber), ['1Z001', '1Z003']);
    // A restart with empty memory: the SKU match is made as it was before our own shipments, which are then found.
    const restarted = await run([invoice({ CustomerPONo: `BC${orderId}`, Lines: [{ ItemCode: 'A-1', QuantityShipped: 2 }, { ItemCode: 'B-1', QuantityShipped: 1 }] })]);
    assert.deepEqual(restarted.results.map((r) => r.outcome), ['already-shipped']);
    assert.equal(sim.store.shipmentsOf(orderId).length, 2);
  });

  it('two instances writing the same shipment at the same moment: with the check after writing, one stays', async () => {
    const partial = invoice({ CustomerPONo: `BC${orderId}`, Lines: [{ ItemCode: 'C-1', QuantityShipped: 1, UDF_BC_LINE: `${lineIds[2]}@${addressId}` }] });
    const instance = (checkAfterWrite: boolean) =>
      shipInvoices([partial], { request: client.request, settings: { ...settings, checkAfterWrite }, carriers, ledger: { store: 's', sent: {} }, onShipped: () => undefined });
    const raced = await Promise.all([instance(true), instance(true)]);
    assert.equal(sim.store.shipmentsOf(orderId).length, 1, 'one shipment stays');
    assert.deepEqual(sim.store.orders.get(orderId)!.lines.map((line) => line.quantityShipped), [0, 0, 1]);
    assert.deepEqual(raced.map((run) => run.results[0]!.outcome).sort(), ['already-shipped', 'shipped']);
    // Without the check the same race leaves two: what the option is for.
    const other = sim.store.addOrder(sampleOrder({ status_id: 11, products: [{ sku: 'C-1', quantity: 3 }] }));
    const again = invoice({ InvoiceNo: '0000104', CustomerPONo: `BC${other.id}`, Lines: [{ ItemCode: 'C-1', QuantityShipped: 1, UDF_BC_LINE: `${other.lines[0]!.id}@${other.shipping[0]!.id}` }] });
    await Promise.all([0, 1].map(() => shipInvoices([again], { request: client.request, settings, carriers, ledger: { store: 's', sent: {} }, onShipped: () => undefined })));
    assert.equal(sim.store.shipmentsOf(other.id).length, 2);
  });

  it('leaves an order shipped by hand alone and reports it; refusals are reported, not retried', async () => {
    sim.store.createShipment(orderId, { order_address_id: addressId, items: [{ order_product_id: lineIds[0]!, quantity: 2 }], tracking_number: 'HAND-1' });
    const byHand = await run([invoice({ CustomerPONo: `BC${orderId}` })]);
    assert.deepEqual(byHand.results.map((r) => [r.outcome, r.accepted]), [['shipped-by-hand', true]]);
    assert.match(byHand.results[0]!.message!, /HAND-1/);
    assert.equal(sim.store.shipmentsOf(orderId).length, 1);

    const other = sim.store.addOrder(sampleOrder({ status_id: 11, products: [{ sku: 'A-1', quantity: 1 }] }));
    const refused = await run([invoice({ InvoiceNo: '0000103', CustomerPONo: `BC${other.id}`, Lines: [{ ItemCode: 'A-1', QuantityShipped: 1, UDF_BC_LINE: `${other.lines[0]!.id}@999` }] })]);
    assert.deepEqual(refused.results.map((r) => [r.outcome, r.accepted]), [['rejected', true]]);
    assert.match(refused.results[0]!.message!, /not a shipping address/);
  });

  it('a failure another try may cure leaves the invoice unaccepted; Sage\'s own invoices are accepted untouched', async () => {
    sim.faults.add({ kind: 'error', route: 'GET /v2/orders/{order_id}/shipments', status: 503, times: 1 });
    const result = await run([invoice({ CustomerPONo: `BC${orderId}` }), invoice({ InvoiceNo: '0000900', CustomerPONo: 'PHONE ORDER' })]);
    assert.deepEqual(result.results.map((r) => [r.invoiceNo, r.outcome, r.accepted]), [['0000101', 'failed', false], ['0000900', 'not-a-web-order', true]]);
    assert.equal(result.errors.length, 1);
    assert.equal(sim.store.shipmentsOf(orderId).length, 0);
  });
});
