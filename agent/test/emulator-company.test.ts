import assert from 'node:assert/strict';
import { FAULT_CODES, SageCompany, SageFault, compareStamps, decimalHours, stampOf } from '../src/emulator';

function fault(fn: () => unknown): SageFault {
  try {
    fn();
  } catch (err) {
    if (err instanceof SageFault) return err;
    throw err;
  }
  throw new Error('expected a SageFault');
}

/** A clock the test moves by hand. */
function clock(start = '2026-03-02T13:30:00.000Z') {
  let now = new Date(start);
  return { now: () => now, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

function company(time = clock()) {
  const c = new SageCompany({ now: time.now, warehouses: ['000', 'EST'], zipCodes: ['98101', '10001'] });
  c.addItem({ ItemCode: 'WIDGET-1', ItemCodeDesc: 'Widget', StandardUnitPrice: 12.5, warehouses: [{ WarehouseCode: '000', QuantityOnHand: 40 }] });
  c.addItem({ ItemCode: '/FREIGHT', ItemCodeDesc: 'Freight', ItemType: '5' });
  c.createCustomer({ ARDivisionNo: '01', CustomerNo: 'WEB0001', CustomerName: 'Ada Lovelace', ZipCode: '98101', EmailAddress: 'ada@example.com' });
  return c;
}

const order = (overrides: Record<string, unknown> = {}) => ({
  SalesOrderNo: 'W001042',
  OrderDate: '20260302',
  ARDivisionNo: '01',
  CustomerNo: 'WEB0001',
  CustomerPONo: 'BC1042',
  Lines: [{ ItemCode: 'WIDGET-1', QuantityOrdered: 3 }],
  ...overrides,
});

describe('BOI emulator: the company and its rules', () => {
  it('writes audit stamps as YYYYMMDD and decimal hours', () => {
    assert.equal(decimalHours(new Date('2026-03-02T13:30:00Z')), '13.5');
    assert.equal(decimalHours(new Date('2026-03-02T08:29:32.568Z')), '8.49238');
    assert.deepEqual(stampOf(new Date('2026-03-02T00:00:00Z')), { DateUpdated: '20260302', TimeUpdated: '0' });
    assert.ok(compareStamps({ DateUpdated: '20260302', TimeUpdated: '9.5' }, { DateUpdated: '20260302', TimeUpdated: '13.25' }) < 0);
  });

  it('creates a sales order with customer and item defaults, and moves QuantityOnSalesOrder', () => {
    const time = clock();
    const c = company(time);
    time.advance(60_000);
    const created = c.createSalesOrder(order());
    assert.equal(created.BillToName, 'Ada Lovelace');
    assert.equal(created.OrderStatus, 'N');
    assert.deepEqual(created.Lines[0], {
      SalesOrderNo: 'W001042', LineKey: '000001', ItemCode: 'WIDGET-1', ItemType: '1', ItemCodeDesc: 'Widget',
      QuantityOrdered: 3, UnitPrice: 12.5, WarehouseCode: '000', LineDiscountPercent: 0, ExtensionAmt: 37.5, QuantityShipped: 0, QuantityBackordered: 0,
    });
    assert.deepEqual([created.DateUpdated, created.TimeUpdated], ['20260302', '13.51667']);
    const [stock] = c.listStock({ itemCodes: ['WIDGET-1'] });
    assert.equal(stock?.QuantityOnSalesOrder, 3);
    assert.equal(stock?.TimeUpdated, '13.51667');
    assert.equal(c.getSalesOrder('W001042').CustomerPONo, 'BC1042');
  });

  it('is create-only: an existing number fails WS_AlreadyExists and changes nothing', () => {
    const c = company();
    c.createSalesOrder(order());
    const before = JSON.stringify(c.state());
    const err = fault(() => c.createSalesOrder(order({ CustomerPONo: 'OTHER' })));
    assert.equal(err.code, FAULT_CODES.alreadyExists);
    assert.equal(JSON.stringify(c.state()), before);
  });

  it('is all-or-nothing: a bad second line stores nothing and moves no stock', () => {
    const c = company();
    const before = JSON.stringify(c.state());
    const err = fault(() => c.createSalesOrder(order({ Lines: [{ ItemCode: 'WIDGET-1', QuantityOrdered: 1 }, { ItemCode: 'NOPE', QuantityOrdered: 1 }] })));
    assert.equal(err.code, FAULT_CODES.notOnFile);
    assert.match(err.message, /Item Code NOPE is not on file/);
    assert.equal(JSON.stringify(c.state()), before);
  });

  it('enforces key formats and lengths', () => {
    const c = company();
    assert.equal(fault(() => c.createSalesOrder(order({ SalesOrderNo: 'W0010420' }))).code, FAULT_CODES.tooLong);
    assert.equal(fault(() => c.createSalesOrder(order({ SalesOrderNo: 'w001042' }))).code, FAULT_CODES.invalidKey);
    assert.equal(fault(() => c.createSalesOrder(order({ ARDivisionNo: '1' }))).code, FAULT_CODES.invalidKey);
    assert.equal(fault(() => c.createCustomer({ ARDivisionNo: '01', CustomerNo: 'lower', CustomerName: 'x' })).code, FAULT_CODES.invalidKey);
    assert.equal(fault(() => c.createCustomer({ ARDivisionNo: '01', CustomerNo: 'A'.repeat(21), CustomerName: 'x' })).code, FAULT_CODES.tooLong);
    assert.equal(fault(() => c.addItem({ ItemCode: 'I'.repeat(31) })).code, FAULT_CODES.tooLong);
    // All-digit numbers are zero-filled as Sage masks them.
    c.createSalesOrder(order({ SalesOrderNo: '1234' }));
    assert.equal(c.getSalesOrder('0001234').SalesOrderNo, '0001234');
    assert.equal(c.createCustomer({ ARDivisionNo: '00', CustomerNo: '42', CustomerName: 'Numbered' }).CustomerNo, '0000042');
  });

  it('enforces name and address lengths (30) with the Sage wording', () => {
    const c = company();
    const err = fault(() => c.createSalesOrder(order({ ShipToName: 'N'.repeat(31) })));
    assert.equal(err.code, FAULT_CODES.tooLong);
    assert.equal(err.message, 'The Ship To Name is greater than 30 character(s).');
    assert.equal(fault(() => c.createCustomer({ ARDivisionNo: '01', CustomerNo: 'X', CustomerName: 'N'.repeat(31) })).code, FAULT_CODES.tooLong);
    const roomy = new SageCompany({ limits: { Name: 50 } });
    assert.equal(roomy.createCustomer({ ARDivisionNo: '01', CustomerNo: 'X', CustomerName: 'N'.repeat(50) }).CustomerName.length, 50);
  });

  it('rejects read-only and unknown columns', () => {
    const c = company();
    const lineWeight = fault(() => c.createSalesOrder(order({ Lines: [{ ItemCode: 'WIDGET-1', QuantityOrdered: 1, LineWeight: 2 }] })));
    assert.deepEqual([lineWeight.code, lineWeight.message], [FAULT_CODES.readOnly, 'Line Weight is read only']);
    assert.equal(fault(() => c.createSalesOrder(order({ TaxableAmt: 5 }))).message, 'Taxable Amount is read only');
    assert.equal(fault(() => c.updateCustomer({ ARDivisionNo: '01', CustomerNo: 'WEB0001', DateCreated: '20200101' })).code, FAULT_CODES.readOnly);
    assert.equal(fault(() => c.createSalesOrder(order({ ShipToAddress: 'x' }))).code, FAULT_CODES.invalidColumn);
  });

  it('answers CI_NOF for an unknown customer or warehouse and CI_NoKey for a missing record', () => {
    const c = company();
    assert.equal(fault(() => c.createSalesOrder(order({ CustomerNo: 'NOBODY' }))).code, FAULT_CODES.notOnFile);
    assert.equal(fault(() => c.createSalesOrder(order({ WarehouseCode: 'ZZZ' }))).code, FAULT_CODES.notOnFile);
    assert.equal(fault(() => c.getCustomer('01', 'NOBODY')).code, FAULT_CODES.noKey);
    assert.equal(fault(() => c.getSalesOrder('W999999')).code, FAULT_CODES.noKey);
    assert.equal(fault(() => c.updateCustomer({ ARDivisionNo: '01', CustomerNo: 'NOBODY', CustomerName: 'x' })).code, FAULT_CODES.noKey);
  });

  it('keeps a ZIP Code table and fails addresses outside it the way Sage words it', () => {
    const c = company();
    const err = fault(() => c.createCustomer({ ARDivisionNo: '01', CustomerNo: 'ZIP', CustomerName: 'Z', ZipCode: 'SW1A 1AA' }));
    assert.equal(err.code, FAULT_CODES.notOnFile);
    assert.match(err.message, /^Could not set AR_Customer_bus column ZipCode\$/);
    assert.match(fault(() => c.createSalesOrder(order({ ShipToZipCode: '99999' }))).message, /SO_SalesOrder_bus column ShipToZipCode/);
    c.addZipCodes(['SW1A 1AA']);
    assert.equal(c.createCustomer({ ARDivisionNo: '01', CustomerNo: 'ZIP', CustomerName: 'Z', ZipCode: 'SW1A 1AA' }).ZipCode, 'SW1A 1AA');
  });

  it('updates only the columns sent, stamps the update, and finds customers by e-mail', () => {
    const time = clock();
    const c = company(time);
    time.advance(3_600_000);
    const updated = c.updateCustomer({ ARDivisionNo: '01', CustomerNo: 'WEB0001', TelephoneNo: '555-0100' });
    assert.equal(updated.CustomerName, 'Ada Lovelace');
    assert.equal(updated.TelephoneNo, '555-0100');
    assert.equal(updated.TimeUpdated, '14.5');
    assert.equal(updated.TimeCreated, '13.5');
    assert.deepEqual(c.findCustomersByEmail('ADA@example.com').map((x) => x.CustomerNo), ['WEB0001']);
    assert.deepEqual(c.findCustomersByEmail(''), []);
  });

  it('lists items changed at or after a stamp, counting warehouse rows as changes', () => {
    const time = clock();
    const c = company(time);
    c.addItem({ ItemCode: 'GADGET-2', StandardUnitPrice: 5, warehouses: [{ WarehouseCode: 'EST', QuantityOnHand: 3 }] });
    time.advance(60_000);
    const since = c.currentStamp();
    assert.deepEqual(c.listItems({ changedSince: since }).map((i) => i.ItemCode), []);
    c.setStock('GADGET-2', 'EST', { QuantityOnHand: 7 });
    c.updateItem('WIDGET-1', { StandardUnitPrice: 13 });
    const changed = c.listItems({ changedSince: since, itemTypes: ['1'] });
    assert.deepEqual(changed.map((i) => [i.ItemCode, i.TimeUpdated]), [['GADGET-2', '13.51667'], ['WIDGET-1', '13.51667']]);
    assert.deepEqual(c.listStock({ warehouses: ['EST'] }).map((r) => [r.ItemCode, r.QuantityOnHand]), [['GADGET-2', 7]]);
  });

  it('counts numbers handed out by GetNext… in its state', () => {
    const c = company();
    assert.equal(c.takeNextSalesOrderNo(), '0000001');
    assert.equal(c.takeNextCustomerNo(), '0000001');
    assert.equal(c.state().nextSalesOrderNo, 2);
  });

  describe('fault plan', () => {
    it('fails the matching operation once with Sage\'s generic exception, then works again', async () => {
      const c = company();
      c.faults.set([{ kind: 'fault', operation: 'createSalesOrder' }]);
      assert.deepEqual(await c.faults.apply('getSalesOrder', () => 'read'), { result: 'read', holdMs: 0 });
      const err = await c.faults.apply('CreateSalesOrder', () => c.createSalesOrder(order())).catch((e: unknown) => e);
      assert.ok(err instanceof SageFault);
      assert.deepEqual([err.code, err.message, err.status], ['Exception', 'An exception occurred.', 500]);
      assert.equal(c.state().salesOrders.length, 0);
      const { holdMs } = await c.faults.apply('createSalesOrder', () => c.createSalesOrder(order()));
      assert.equal(holdMs, 0);
      assert.equal(c.state().salesOrders.length, 1);
    });

    it('commits and then asks for the answer to be held back', async () => {
      const c = company();
      c.faults.set([{ kind: 'commit-then-timeout', operation: '*', ms: 5000 }]);
      const { result, holdMs } = await c.faults.apply('createSalesOrder', () => c.createSalesOrder(order()));
      assert.equal(result.SalesOrderNo, 'W001042');
      assert.equal(holdMs, 5000);
      assert.deepEqual(c.faults.pending(), []);
    });

    it('affects only a share of the matching calls with a probability, and the others do not use up `times`', async () => {
      const c = company();
      c.faults.set([{ kind: 'fault', operation: 'getHealth', probability: 0.2, times: 1000 }, { kind: 'latency', ms: 0, times: 1000 }]);
      let failed = 0;
      for (let call = 0; call < 1000; call++) await c.faults.apply('getHealth', () => 'ok').catch(() => failed++);
      assert.ok(failed > 100 && failed < 300, `${failed} of 1000 calls failed`);
      const [fault, latency] = c.faults.pending();
      assert.equal(fault?.times, 1000 - failed);
      assert.equal(latency?.times, failed, 'the calls the fault passed over went on to the next rule');
      assert.throws(() => c.faults.set([{ kind: 'fault', probability: 1.5 }]), /probability must be between 0 and 1/);
    });

    it('releases held answers when the simulator closes', async () => {
      const c = company();
      const held = c.faults.hold(60_000);
      c.faults.releaseHolds();
      await held;
    });
  });
});
