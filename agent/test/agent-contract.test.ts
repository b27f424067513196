import assert from 'node:assert/strict';
import OpenAPIBackend from 'openapi-backend';
import { Agent, request } from 'undici';
import { SageCompany, seedDemo } from '../src/emulator';
import { CONTRACT_PATH } from '../src/server/start';
import { startSage100Simulator, type Sage100Simulator } from '../../sandbox/sage100/index';

/**
 * The real agent over the BOI emulator, spoken to as raw HTTP: every contract operation, every answer validated
 * against docs/sage100-agent-api.yaml, and an order's whole life (created, invoiced, posted to history, then the
 * same web order again: still exactly one Sage order).
 */

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

describe('Sage 100 agent over the BOI emulator: every contract operation', () => {
  let sim: Sage100Simulator;
  let dispatcher: Agent;
  let api: OpenAPIBackend;
  const seen = new Set<string>();

  async function call(method: string, path: string, body?: unknown): Promise<Answer> {
    const headers = { 'x-api-key': sim.apiKey, 'x-sage-company': 'ABC', 'content-type': 'application/json' };
    const response = await request(`${sim.agentUrl}${path}`, { method: method as 'GET', headers, body: body === undefined ? undefined : JSON.stringify(body), dispatcher });
    const answer = { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
    if (!path.startsWith('/__sim/')) {
      const operation = api.matchOperation({ method, path: path.split('?')[0] as string, headers: {} });
      assert.ok(operation, `${method} ${path} is in the contract`);
      const result = api.validateResponse(answer.body, operation, answer.status);
      assert.equal(result.errors, null, `${method} ${path} ${answer.status}: ${JSON.stringify(result.errors)} ${JSON.stringify(answer.body)}`);
      seen.add(String(operation.operationId));
    }
    return answer;
  }

  const order = (overrides: Record<string, unknown> = {}) => ({
    SalesOrderNo: 'W001042',
    OrderDate: '20260302',
    ARDivisionNo: '01',
    CustomerNo: 'WEB0001',
    CustomerPONo: 'BC1042',
    PaymentType: 'WEB',
    OtherPaymentTypeRefNo: 'ch_123',
    DepositAmt: 25,
    UDF_WEB_ORDER: '1042',
    Lines: [{ ItemCode: 'WIDGET-1', QuantityOrdered: 2, UnitPrice: 11.25, UDF_LINE_ID: 'L1' }],
    ...overrides,
  });

  before(async () => {
    api = new OpenAPIBackend({ definition: CONTRACT_PATH, strict: true });
    await api.init();
  });
  beforeEach(async () => {
    const company = seedDemo(new SageCompany({ now: () => new Date('2026-03-02T09:00:00Z'), udfColumns: { SO_SalesOrderHeader: ['UDF_WEB_ORDER'], SO_SalesOrderDetail: ['UDF_LINE_ID'] } }));
    sim = await startSage100Simulator({ company });
    dispatcher = new Agent({ connect: { ca: sim.certificatePem } });
  });
  afterEach(async () => {
    await sim.close();
    await dispatcher.close();
  });
  after(() => {
    assert.equal(seen.size, 15, `every operation answered, saw ${[...seen].sort().join(', ')}`);
  });

  it('validate answers every refusal of an order and its new customer, and writes nothing', async () => {
    const before = sim.company.state();
    const customer = { ARDivisionNo: '00', CustomerNo: 'BC7', CustomerName: 'Grace Hopper', ZipCode: '99999' };
    const salesOrder = order({ ARDivisionNo: '00', CustomerNo: 'BC7', ShipToZipCode: '99999', Lines: [{ ItemCode: 'WIDGET-1', QuantityOrdered: 1 }, { ItemCode: 'NO-SUCH', QuantityOrdered: 1 }] });
    const checked = await call('POST', '/v1/sales-orders/validate', { salesOrder, customer });
    assert.equal(checked.status, 200);
    const problems = checked.body.problems as Array<{ record: string; column: string; code: string }>;
    assert.deepEqual(problems.map((problem) => [problem.record, problem.column, problem.code]), [
      ['customer 00-BC7', 'ZipCode', 'CI_NOF'],
      ['sales order W001042', 'ShipToZipCode', 'CI_NOF'],
      ['sales order W001042 line 2 (NO-SUCH)', 'ItemCode', 'CI_NOF'],
    ]);
    assert.deepEqual(sim.company.state(), before, 'nothing written');
    const clean = await call('POST', '/v1/sales-orders/validate', { salesOrder: order() });
    assert.deepEqual(clean.body, { problems: [] });
  });

  it('health reports the version, the company and the real column lengths of its profile', async () => {
    const health = await call('GET', '/v1/health');
    assert.equal(health.status, 200);
    assert.equal(health.body.apiVersion, '1.3');
    assert.equal(health.body.sageVersion, 'Sage 100 Standard 2018 (6.10)');
    const lengths = health.body.columnLengths as Record<string, Record<string, number>>;
    assert.deepEqual([lengths.SO_SalesOrderHeader?.BillToName, lengths.SO_SalesOrderHeader?.ShipToAddress1, lengths.SO_SalesOrderHeader?.ShipToCity, lengths.SO_SalesOrderHeader?.CustomerPONo], [30, 30, 20, 15]);
    assert.equal(lengths.SO_SalesOrderDetail?.ItemCode, 30);
  });

  it('an order created, invoiced with tracking, posted to history: the same web order again stays one Sage order', async () => {
    const created = await call('POST', '/v1/sales-orders/create-if-absent', order());
    assert.equal(created.status, 201);
    const stored = created.body.salesOrder as Record<string, unknown> & { Lines: Array<Record<string, unknown>> };
    // Payment, deposit and UDF columns pass through to Sage and come back.
    assert.deepEqual([stored.PaymentType, stored.OtherPaymentTypeRefNo, stored.DepositAmt, stored.UDF_WEB_ORDER, stored.Lines[0]?.UDF_LINE_ID], ['WEB', 'ch_123', 25, '1042', 'L1']);
    assert.equal((await call('POST', '/v1/sales-orders/create-if-absent', order())).body.foundIn, 'open');

    const invoiced = await call('POST', '/__sim/invoice', { salesOrderNo: 'W001042', trackingNumbers: ['1Z999'] });
    assert.equal(invoiced.status, 201);
    const invoices = await call('GET', '/v1/invoices');
    const [invoice] = invoices.body.invoices as Array<Record<string, unknown> & { Lines: Array<Record<string, unknown>> }>;
    assert.deepEqual([invoice?.SalesOrderNo, invoice?.CustomerPONo, invoice?.posted, invoice?.TrackingNumbers, invoice?.Lines[0]?.QuantityShipped, invoice?.Lines[0]?.SalesOrderLineKey, invoice?.Lines[0]?.UDF_LINE_ID], ['W001042', 'BC1042', false, ['1Z999'], 2, '000001', 'L1']);

    assert.deepEqual((await call('POST', '/__sim/daily-sales-journal')).body.ordersCompleted, ['W001042']);
    assert.equal((await call('GET', '/v1/sales-orders/W001042')).status, 404);
    const again = await call('POST', '/v1/sales-orders/create-if-absent', order());
    assert.deepEqual([again.status, again.body.outcome, again.body.foundIn, (again.body.salesOrder as { OrderStatus: string }).OrderStatus], [200, 'existing', 'history', 'C']);
    const state = (await call('GET', '/__sim/state')).body as { salesOrders: unknown[]; salesOrderHistory: unknown[]; invoiceHistory: unknown[] };
    assert.deepEqual([state.salesOrders.length, state.salesOrderHistory.length, state.invoiceHistory.length], [0, 1, 1]);
    const posted = await call('GET', '/v1/invoices?changedSinceDate=20260302&changedSinceTime=0');
    assert.equal((posted.body.invoices as Array<{ posted: boolean }>).at(-1)?.posted, true);
  });

  it('finds an order invoiced and purged from SO history by its CustomerPONo in invoice history, and a duplicate PO is never passed', async () => {
    const company = sim.company;
    company.createSalesOrder(order({ SalesOrderNo: 'OLD0001' }));
    company.invoiceSalesOrder({ salesOrderNo: 'OLD0001' });
    company.dailySalesJournalUpdate();
    const found = await call('POST', '/v1/sales-orders/create-if-absent', order());
    assert.deepEqual([found.body.outcome, found.body.foundIn, (found.body.salesOrder as { SalesOrderNo: string }).SalesOrderNo], ['existing', 'invoice-history', 'OLD0001']);
    assert.equal(company.state().salesOrders.length, 0);
    // An open order of the same customer with the PO: Sage's −1 warning is "already posted".
    company.createSalesOrder(order({ SalesOrderNo: 'PHONE01', CustomerPONo: 'BC2000' }));
    const duplicate = await call('POST', '/v1/sales-orders/create-if-absent', order({ SalesOrderNo: 'W002000', CustomerPONo: 'BC2000' }));
    assert.deepEqual([duplicate.body.outcome, duplicate.body.foundIn, (duplicate.body.salesOrder as { SalesOrderNo: string }).SalesOrderNo], ['existing', 'open', 'PHONE01']);
    assert.equal(company.findSalesOrder('W002000'), undefined);
    // An order a person deleted in Sage (history X) is not created again.
    company.createSalesOrder(order({ SalesOrderNo: 'W003000', CustomerPONo: 'BC3000' }));
    company.deleteSalesOrder('W003000');
    const deleted = await call('POST', '/v1/sales-orders/create-if-absent', order({ SalesOrderNo: 'W003000', CustomerPONo: 'BC3000' }));
    assert.deepEqual([deleted.body.outcome, deleted.body.foundIn, (deleted.body.salesOrder as { OrderStatus: string }).OrderStatus], ['existing', 'history', 'X']);
    assert.equal(company.findSalesOrder('W003000'), undefined);
  });

  it('creates, reads and refuses sales orders the way Sage does', async () => {
    assert.equal((await call('POST', '/v1/sales-orders', order())).status, 201);
    assert.equal((await call('POST', '/v1/sales-orders', order())).body.code, 'WS_AlreadyExists');
    assert.equal((await call('GET', '/v1/sales-orders/W001042')).status, 200);
    const readOnly = await call('POST', '/v1/sales-orders', order({ SalesOrderNo: 'W001043', SalesTaxAmt: 1 }));
    assert.deepEqual([readOnly.status, readOnly.body.code, readOnly.body.message], [422, 'CI_ReadOnly', 'Sales Tax Amount is read only']);
    const noItem = await call('POST', '/v1/sales-orders', order({ SalesOrderNo: 'W001043', Lines: [{ ItemCode: 'NOPE', QuantityOrdered: 1 }] }));
    assert.deepEqual([noItem.body.code, noItem.body.object], ['CI_NOF', 'SO_SalesOrderDetail_bus']);
    sim.company.lock('SO_SalesOrderHeader', 'W001042');
    const locked = await call('POST', '/v1/sales-orders', order());
    assert.equal(locked.status, 423);
    assert.equal(locked.body.code, 'RecordLocked');
    assert.match(String(locked.body.message), /sales order W001042 is open in Sage/);
  });

  it('creates, reads, updates, finds and upserts customers', async () => {
    const customer = { ARDivisionNo: '01', CustomerNo: 'WEB0002', CustomerName: 'Grace Hopper', ZipCode: '10001', EmailAddress: 'grace@example.com', TermsCode: '30' };
    assert.equal((await call('POST', '/v1/customers', customer)).status, 201);
    assert.equal((await call('GET', '/v1/customers/01/WEB0002')).body.CustomerName, 'Grace Hopper');
    assert.equal((await call('PUT', '/v1/customers/01/WEB0002', { TelephoneNo: '555-0100' })).body.TelephoneNo, '555-0100');
    assert.equal(((await call('GET', '/v1/customers?email=GRACE@example.com')).body.customers as unknown[]).length, 1);
    const unchanged = await call('POST', '/v1/customers/upsert', { customer, updatableFields: ['CustomerName', 'ZipCode'] });
    assert.deepEqual([unchanged.status, unchanged.body.outcome], [200, 'unchanged']);
    const updated = await call('POST', '/v1/customers/upsert', { customer: { ...customer, CustomerName: 'Grace B. Hopper', TermsCode: '00' }, updatableFields: ['CustomerName'] });
    assert.deepEqual([updated.body.outcome, updated.body.changedFields, (updated.body.customer as { TermsCode: string }).TermsCode], ['updated', ['CustomerName'], '30']);
    const created = await call('POST', '/v1/customers/upsert', { customer: { ...customer, CustomerNo: 'WEB0003', CustomerName: 'Zoë 😀' }, updatableFields: [] });
    // Windows-1252 keeps ë; the emoji cannot be stored and becomes '?', as in Sage.
    assert.deepEqual([created.status, (created.body.customer as { CustomerName: string }).CustomerName], [201, 'Zoë ?']);
  });

  it('upserts a customer for an order only when Sage would take the order: a refusal answers every problem and writes nothing', async () => {
    const before = sim.company.state();
    const customer = { ARDivisionNo: '00', CustomerNo: 'BC7', CustomerName: 'Grace Hopper', ZipCode: '99999' };
    const salesOrder = order({ ARDivisionNo: '00', CustomerNo: 'BC7', ShipToZipCode: '99999', Lines: [{ ItemCode: 'WIDGET-1', QuantityOrdered: 1 }] });
    const refused = await call('POST', '/v1/customers/upsert', { customer, updatableFields: [], salesOrder });
    assert.equal(refused.status, 422);
    assert.equal(refused.body.code, 'OrderRefused');
    const problems = refused.body.problems as Array<{ record: string; column: string; code: string }>;
    assert.deepEqual(problems.map((problem) => [problem.record, problem.column, problem.code]), [
      ['customer 00-BC7', 'ZipCode', 'CI_NOF'],
      ['sales order W001042', 'ShipToZipCode', 'CI_NOF'],
    ]);
    assert.deepEqual(sim.company.state(), before, 'no customer left behind');
    // The ZIP fallback's next round: the same call with the ZIPs replaced writes the customer, order checked.
    const fixed = await call('POST', '/v1/customers/upsert', { customer: { ...customer, ZipCode: '' }, updatableFields: [], salesOrder: { ...salesOrder, ShipToZipCode: '' } });
    assert.deepEqual([fixed.status, fixed.body.outcome, fixed.body.orderChecked], [201, 'created', true]);
    assert.equal((await call('GET', '/v1/customers/00/BC7')).body.CustomerName, 'Grace Hopper');
    // An unchanged customer does not make the check optional: the order is refused all the same.
    const again = await call('POST', '/v1/customers/upsert', { customer: { ...customer, ZipCode: '' }, updatableFields: ['CustomerName'], salesOrder: { ...salesOrder, Lines: [{ ItemCode: 'NO-SUCH', QuantityOrdered: 1 }] } });
    assert.equal(again.status, 422);
    assert.deepEqual((again.body.problems as Array<{ column: string }>).map((problem) => problem.column), ['ShipToZipCode', 'ItemCode']);
  });

  it('upserts under the customer policy in one call: kept, fuller-only and template columns', async () => {
    const existing = { ARDivisionNo: '01', CustomerNo: 'WEB0004', CustomerName: 'Grace Brewster Hopper', TelephoneNo: '555-0100', EmailAddress: 'grace@example.com', City: 'Arlington', TermsCode: '30' };
    assert.equal((await call('POST', '/v1/customers', existing)).status, 201);
    const rules = { updatableFields: ['CustomerName', 'TelephoneNo', 'EmailAddress', 'City'], keepFields: ['City'], fullerOnly: true };
    const incoming = { ...existing, CustomerName: 'Grace Brewster', TelephoneNo: '', EmailAddress: 'amazing.grace@example.com', City: 'Arlingt' };
    const upserted = await call('POST', '/v1/customers/upsert', { customer: incoming, ...rules, salesOrder: order({ CustomerNo: 'WEB0004' }) });
    assert.deepEqual([upserted.status, upserted.body.outcome, upserted.body.changedFields, upserted.body.orderChecked], [200, 'updated', ['EmailAddress'], true]);
    assert.deepEqual(upserted.body.skipped, [
      { field: 'CustomerName', reason: 'shortened' },
      { field: 'TelephoneNo', reason: 'emptier' },
      { field: 'City', reason: 'truncated' },
    ]);
    const newCustomer = { templateCustomerNo: 'WEB0004', templateFields: ['TermsCode', 'TaxSchedule'], defaults: { TermsCode: '00' } };
    const created = await call('POST', '/v1/customers/upsert', { customer: { ARDivisionNo: '01', CustomerNo: 'WEB0005', CustomerName: 'Ada Lovelace' }, ...rules, newCustomer });
    assert.deepEqual([created.status, created.body.templateFound, (created.body.customer as { TermsCode: string }).TermsCode], [201, true, '30']);
    const withDefaults = await call('POST', '/v1/customers/upsert', { customer: { ARDivisionNo: '01', CustomerNo: 'WEB0006', CustomerName: 'Alan Turing' }, ...rules, newCustomer: { ...newCustomer, templateCustomerNo: 'NOSUCH' } });
    assert.deepEqual([withDefaults.body.templateFound, (withDefaults.body.customer as { TermsCode: string }).TermsCode], [false, '00']);
  });

  it('lists items, prices with promotions and quantity breaks, and stock', async () => {
    const items = await call('GET', '/v1/items?itemType=1&pageSize=2');
    assert.deepEqual((items.body.items as Array<{ ItemCode: string }>).map((i) => i.ItemCode), ['CABLE-USB-C-2M', 'GADGET-2']);
    const rest = await call('GET', `/v1/items?pageToken=${String(items.body.nextPageToken)}&pageSize=2`);
    assert.deepEqual((rest.body.items as Array<{ ItemCode: string }>).map((i) => i.ItemCode), ['WIDGET-1']);
    const prices = await call('GET', '/v1/items/prices?itemCode=GADGET-2&itemCode=WIDGET-1');
    const [gadget, widget] = prices.body.prices as Array<Record<string, unknown>>;
    assert.deepEqual([gadget?.SalesPromotionPrice, gadget?.SaleStartingDate, gadget?.SaleEndingDate, gadget?.SaleMethod, gadget?.InactiveItem, gadget?.Discontinued], [4.5, '20260301', '20260331', 'P', false, false]);
    assert.deepEqual((widget?.priceCodes as Array<{ breaks: unknown[] }>)[0]?.breaks, [{ BreakQuantity: 9, DiscountMarkup: 0 }, { BreakQuantity: 99_999_999, DiscountMarkup: 10 }]);
    const stock = await call('GET', '/v1/stock?itemCode=WIDGET-1&warehouseCode=EST');
    assert.deepEqual((stock.body.rows as Array<{ QuantityOnHand: number }>).map((r) => r.QuantityOnHand), [10]);
  });

  it('answers quantity changes Sage did not stamp, per client and token, a page at a time', async () => {
    type Changes = { rows: Array<{ ItemCode: string; WarehouseCode: string; QuantityOnHand: number }>; token: string; baseline: boolean; resync: boolean; scanned: number; total: number; nextPageToken?: string };
    const changes = async (query: string) => (await call('GET', `/v1/stock/changes?clientId=node-red.n1&${query}`)).body as unknown as Changes;
    const baseline = await changes('');
    assert.deepEqual([baseline.rows, baseline.baseline, baseline.resync], [[], true, false]);
    assert.ok(baseline.scanned >= 4);
    sim.company.receiveUnstamped('WIDGET-1', 'EST', 5);
    sim.company.receiveUnstamped('CABLE-USB-C-2M', 'EST', -20);
    const first = await changes(`since=${baseline.token}&pageSize=1`);
    assert.deepEqual([first.rows.map((r) => `${r.ItemCode}@${r.WarehouseCode}=${r.QuantityOnHand}`), first.total, first.baseline], [['CABLE-USB-C-2M@EST=100'], 2, false]);
    const second = await changes(`pageToken=${String(first.nextPageToken)}&pageSize=1`);
    assert.deepEqual([second.rows.map((r) => `${r.ItemCode}@${r.WarehouseCode}=${r.QuantityOnHand}`), second.token, second.nextPageToken], [['WIDGET-1@EST=15'], first.token, undefined]);
    // Asked again with the same token (the client did not get to hand the rows on): the same comparison.
    assert.equal((await changes(`since=${baseline.token}`)).total, 2);
    const again = await changes(`since=${baseline.token}`);
    assert.equal((await changes(`since=${again.token}`)).total, 0, 'nothing since the newest token');
    const unknown = await changes('since=not-a-token-of-this-agent');
    assert.deepEqual([unknown.resync, unknown.total], [true, unknown.scanned]);
    assert.equal((await call('GET', '/v1/stock/changes?clientId=../etc')).status, 400, 'a client id that is not a plain file name is refused');
  });
});
