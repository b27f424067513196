import assert from 'node:assert/strict';
import type { BoiRef, BusinessObject, PvxScript, SySession } from '../src/boi/types';
import { openEmulatedRoot, SageCompany, seedDemo, toWindows1252, DUPLICATE_PO_WARNING } from '../src/emulator';

/**
 * The BOI emulator as the agent's Sage logic meets it: return codes, field order, padding, column lengths by
 * version profile, read-only columns, Windows-1252, ZIP codes, tax from the tax schedule, item types, locks, and
 * an order's life (invoice, daily sales journal update, delete).
 */

async function sessionOn(company: SageCompany): Promise<{ root: PvxScript; session: SySession }> {
  const root = openEmulatedRoot(company, { user: 'WEBSYNC', password: 'pw' });
  await root.Init('C:\\Sage\\MAS90\\Home');
  const session = await root.NewObject('SY_Session');
  assert.equal(await session.nSetUser('WEBSYNC', 'pw'), 1);
  assert.equal(await session.nSetCompany('ABC'), 1);
  return { root, session };
}

async function objectOf(root: PvxScript, session: SySession, className: string, task: string): Promise<BusinessObject> {
  await session.nSetModule('S/O');
  await session.nSetDate('S/O', '20260302');
  assert.equal(await session.nSetProgram(await session.nLookupTask(task)), 1);
  return root.NewObject(className, session);
}

const value = async (object: { nGetValue(column: string, ref: BoiRef): Promise<number> }, column: string) => {
  const ref: BoiRef = { value: column.endsWith('$') ? '' : 0 };
  assert.equal(await object.nGetValue(column, ref), 1, `nGetValue(${column})`);
  return ref.value;
};

function demo(options: ConstructorParameters<typeof SageCompany>[0] = {}) {
  return seedDemo(new SageCompany({ now: () => new Date('2026-03-02T09:00:00Z'), ...options }));
}

describe('BOI emulator: ProvideX.Script as the Sage logic sees it', () => {
  it('refuses a logon with the wrong password and a business object without a program (COM error 90)', async () => {
    const company = demo();
    const root = openEmulatedRoot(company, { user: 'WEBSYNC', password: 'pw' });
    await root.Init('C:\\Sage\\MAS90\\Home');
    const session = await root.NewObject('SY_Session');
    assert.equal(await session.nSetUser('WEBSYNC', 'wrong'), 0);
    assert.match(await session.sLastErrorMsg(), /Invalid user logon/);
    assert.equal(await session.nSetUser('WEBSYNC', 'pw'), 1);
    assert.equal(await session.nSetCompany('XYZ'), 0);
    assert.equal(await session.nSetCompany('ABC'), 1);
    await assert.rejects(root.NewObject('SO_SalesOrder_bus', session), /Error 90/);
    assert.equal(await session.nLookupTask('NOT_A_TASK_ui'), 0);
  });

  it('writes an order the BOI way: nSetKey 2, division before customer, ItemCode loads defaults over what came before', async () => {
    const company = demo();
    const { root, session } = await sessionOn(company);
    const order = await objectOf(root, session, 'SO_SalesOrder_bus', 'SO_SalesOrder_ui');
    await order.nSetKeyValue('SalesOrderNo$', 'W000001');
    assert.equal(await order.nSetKey(), 2);
    // The customer resolves in the division set at that moment: none yet means 00, where WEB0001 is not.
    assert.equal(await order.nSetValue('CustomerNo$', 'WEB0001'), 0);
    assert.match(await order.sLastErrorMsg(), /Customer Number 00-WEB0001 is not on file/);
    assert.equal(await order.nSetValue('ARDivisionNo$', '01'), 1);
    assert.equal(await order.nSetValue('CustomerNo$', 'WEB0001'), 1);
    assert.equal(await order.nSetValue('OrderDate$', '20260302'), 1);
    assert.equal(await order.nSetValue('TaxableAmt', 5), 0);
    assert.equal(await order.sLastErrorMsg(), 'Taxable Amount is read only');
    const lines = await order.oLines();
    assert.equal(await lines.nAddLine(), 1);
    assert.equal(await lines.nSetValue('UnitPrice', 1), 1);
    assert.equal(await lines.nSetValue('ItemCode$', 'WIDGET-1'), 1);
    assert.equal(await lines.nSetValue('QuantityOrdered', 2), 1);
    assert.equal(await lines.nWrite(), 1);
    assert.equal(await lines.nAddLine(), 1);
    assert.equal(await lines.nSetValue('ItemCode$', 'NOPE'), 0);
    assert.equal(await lines.sLastErrorMsg(), 'The Item Code NOPE is not on file.');
    assert.equal(await order.sLastErrorMsg(), 'Taxable Amount is read only', 'line errors are on the lines object');
    assert.equal(await order.nWrite(), 1);
    const stored = company.getSalesOrder('W000001');
    // The unit price set before ItemCode was replaced by the item's price.
    assert.deepEqual([stored.Lines.length, stored.Lines[0]?.UnitPrice, stored.BillToName], [1, 12.5, 'Ada Lovelace']);
    assert.equal(await order.nSetKey('W000001'), 1);
  });

  it('pads strings on read to the column length and refuses a string read of a number column', async () => {
    const company = demo();
    const { root, session } = await sessionOn(company);
    const customers = await objectOf(root, session, 'AR_Customer_svc', 'AR_Customer_ui');
    await customers.nSetKeyValue('ARDivisionNo$', '01');
    await customers.nSetKeyValue('CustomerNo$', 'WEB0001');
    assert.equal(await customers.nFind(), 1);
    assert.equal(await value(customers, 'CustomerName$'), 'Ada Lovelace'.padEnd(30, ' '));
    assert.equal(await customers.nGetValue('CustomerName', { value: 0 }), 0);
    assert.equal(await customers.nGetColumnLength('City$'), 20);
    const current = openEmulatedRoot(demo({ profile: 'current' }));
    await current.Init('x');
    const currentSession = await current.NewObject('SY_Session');
    await currentSession.nSetUser('ANY', '');
    assert.equal(await currentSession.nSetUser('ANY', 'x'), 1);
    await currentSession.nSetCompany('ABC');
    const currentOrders = await objectOf(current, currentSession, 'SO_SalesOrder_bus', 'SO_SalesOrder_ui');
    assert.deepEqual(
      [await currentOrders.nGetColumnLength('ShipToName$'), await currentOrders.nGetColumnLength('ShipToAddress1$'), await currentOrders.nGetColumnLength('ShipToCity$'), await currentOrders.nGetColumnLength('CustomerPONo$')],
      [50, 40, 30, 30],
    );
  });

  it('answers a duplicate customer PO with a warning (−1), and a locked order with 0 naming the lock', async () => {
    const company = demo();
    company.createSalesOrder({ SalesOrderNo: 'PHONE01', OrderDate: '20260302', ARDivisionNo: '01', CustomerNo: 'WEB0001', CustomerPONo: 'BC1', Lines: [] });
    const { root, session } = await sessionOn(company);
    const order = await objectOf(root, session, 'SO_SalesOrder_bus', 'SO_SalesOrder_ui');
    assert.equal(await order.nSetKey('W000002'), 2);
    await order.nSetValue('ARDivisionNo$', '01');
    await order.nSetValue('CustomerNo$', 'WEB0001');
    assert.equal(await order.nSetValue('CustomerPONo$', 'BC1'), -1);
    assert.equal(await order.sLastErrorMsg(), DUPLICATE_PO_WARNING);
    await order.nClear();
    company.lock('SO_SalesOrderHeader', 'PHONE01');
    assert.equal(await order.nSetKey('PHONE01'), 0);
    assert.match(await order.sLastErrorMsg(), /in use by desktop.*locked/);
  });

  it('throws injected COM failures from any call', async () => {
    const company = demo();
    const { session } = await sessionOn(company);
    company.failBoiCalls(1);
    await assert.rejects(session.sCompanyName(), /COM error/);
    assert.equal(await session.sCompanyName(), 'ABC Distribution and Service Corp.');
  });
});

describe('BOI emulator: Sage rules of the company', () => {
  const order = (overrides: Record<string, unknown> = {}) => ({ SalesOrderNo: 'W001042', OrderDate: '20260302', ARDivisionNo: '01', CustomerNo: 'WEB0001', CustomerPONo: 'BC1042', Lines: [{ ItemCode: 'WIDGET-1', QuantityOrdered: 2 }], ...overrides });

  it('keeps lengths by version profile: older 30/30/20/15, current 50/40/30/30', () => {
    const older = demo();
    const current = demo({ profile: 'current' });
    const long = { ShipToName: 'N'.repeat(50), ShipToAddress1: 'A'.repeat(40), ShipToCity: 'C'.repeat(30), CustomerPONo: 'P'.repeat(30) };
    assert.throws(() => older.createSalesOrder(order({ ShipToName: long.ShipToName })), /Ship To Name is greater than 30/);
    assert.throws(() => older.createSalesOrder(order({ CustomerPONo: 'P'.repeat(16) })), /Customer PO Number is greater than 15/);
    assert.equal(current.createSalesOrder(order(long)).ShipToCity, 'C'.repeat(30));
    assert.throws(() => current.createSalesOrder(order({ SalesOrderNo: 'W001043', ShipToAddress1: 'A'.repeat(41) })), /Ship To Address 1 is greater than 40/);
    assert.equal(current.sageVersion, 'Sage 100 Advanced 2024 (7.30)');
  });

  it('stores text as Windows-1252: other characters become ?', () => {
    assert.equal(toWindows1252('Zoë – “Café” € 😀 Ω'), 'Zoë – “Café” € ? ?');
    const company = demo();
    assert.equal(company.createSalesOrder(order({ ShipToName: 'Łukasz Żółć' })).ShipToName, '?ukasz ?ó??');
  });

  it('computes tax from the tax schedule on taxable lines (and freight where the schedule taxes it); SalesTaxAmt is read only', () => {
    const company = demo();
    const taxed = company.createSalesOrder(order({ TaxSchedule: 'WA', FreightAmt: 10, Lines: [{ ItemCode: 'WIDGET-1', QuantityOrdered: 2 }, { ItemCode: '/HANDLING' }] }));
    // Widgets 25.00 taxable, freight 10.00 taxed by WA, handling charge not taxable: 35.00 × 10.1 % = 3.535 → 3.54.
    assert.deepEqual([taxed.TaxableAmt, taxed.NonTaxableAmt, taxed.SalesTaxAmt], [35, 0, 3.54]);
    assert.throws(() => company.createSalesOrder(order({ SalesOrderNo: 'W001043', TaxSchedule: 'NOPE' })), /Tax Schedule NOPE is not on file/);
    assert.throws(() => company.createSalesOrder(order({ SalesOrderNo: 'W001043', SalesTaxAmt: 1 })), /Sales Tax Amount is read only/);
  });

  it('takes ItemType from the item code: charge and miscellaneous lines keep their type, carry no warehouse and move no stock', () => {
    const company = demo();
    const created = company.createSalesOrder(order({ Lines: [{ ItemCode: '/FREIGHT', ItemType: '1', UnitPrice: 7.5, QuantityOrdered: 1 }, { ItemCode: '/HANDLING', QuantityOrdered: 1 }] }));
    assert.deepEqual(created.Lines.map((line) => [line.ItemType, line.WarehouseCode, line.UnitPrice]), [['5', '', 7.5], ['3', '', 2.5]]);
    assert.equal(company.listStock({ itemCodes: ['WIDGET-1'], warehouses: ['000'] })[0]?.QuantityOnSalesOrder, 0);
  });

  it('validates ZIP codes against the ZIP Code table', () => {
    const company = demo();
    assert.throws(() => company.createSalesOrder(order({ ShipToZipCode: '99999' })), /Could not set SO_SalesOrder_bus column ShipToZipCode\$: The ZIP Code 99999 is not on file/);
  });

  it('lives an order: partly invoiced with tracking, the rest invoiced, posted by the daily update into history as C', () => {
    const company = demo();
    company.createSalesOrder(order({ Lines: [{ ItemCode: 'WIDGET-1', QuantityOrdered: 3 }] }));
    const first = company.invoiceSalesOrder({ salesOrderNo: 'W001042', lines: [{ itemCode: 'WIDGET-1', quantity: 1 }], trackingNumbers: ['1Z1'] });
    assert.deepEqual([first.Lines[0]?.QuantityShipped, first.Tracking.map((t) => t.TrackingID)], [1, ['1Z1']]);
    assert.deepEqual(company.dailySalesJournalUpdate(), { invoicesPosted: ['0000001'], ordersCompleted: [] });
    assert.equal(company.getSalesOrder('W001042').OrderStatus, 'O');
    company.invoiceSalesOrder({ salesOrderNo: 'W001042' });
    assert.deepEqual(company.dailySalesJournalUpdate(), { invoicesPosted: ['0000002'], ordersCompleted: ['W001042'] });
    assert.equal(company.findSalesOrder('W001042'), undefined);
    assert.equal(company.findSalesOrderHistory('W001042')?.OrderStatus, 'C');
    const stock = company.listStock({ itemCodes: ['WIDGET-1'], warehouses: ['000'] })[0];
    assert.deepEqual([stock?.QuantityOnHand, stock?.QuantityOnSalesOrder], [37, 0]);
  });

  it('deletes an order: it leaves the open file and its stock commitment, history keeps X', () => {
    const company = demo();
    company.createSalesOrder(order());
    company.deleteSalesOrder('W001042');
    assert.equal(company.findSalesOrderHistory('W001042')?.OrderStatus, 'X');
    assert.equal(company.listStock({ itemCodes: ['WIDGET-1'], warehouses: ['000'] })[0]?.QuantityOnSalesOrder, 0);
    assert.equal(company.state().salesOrders.length, 0);
  });
});
