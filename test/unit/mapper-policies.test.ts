import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { salesOrderSchema } from '../../lib/sage100/types';
import { customerChanges, explainCustomerChanges } from '../../lib/sync/customer-policy';
import { decideOrder, mapOrder, mapperOptions, splitSalesOrderNo, type MapContext, type MapperSettings } from '../../lib/sync/mapper';
import { apportion, convertUnits, divideRounded, extensionCents, unitPriceMicros } from '../../lib/sync/money';
import { DEFAULT_IMPORT_STATUSES, orderGate, parseStatusList } from '../../lib/sync/order-gate';
import { fitWindows1252 } from '../../lib/sync/text-policy';
import { sageTotalCents } from './mapper-support';

/** A fixture's order (test/fixtures/orders), to try settings other than the defaults on realistic data. */
function fixture(name: string): { order: Record<string, unknown> & { id: number }; context?: MapContext } {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'orders', `${name}.json`), 'utf8')) as { order: Record<string, unknown> & { id: number } };
}

const decide = (name: string, settings: MapperSettings = {}, context: MapContext = {}) => decideOrder(fixture(name).order, mapperOptions(settings), undefined, context);

function posted(decision: ReturnType<typeof decideOrder>) {
  assert.equal(decision.action, 'post', decision.action === 'hold' ? decision.hold.reason : '');
  return decision.action === 'post' ? decision.orders : [];
}

function held(decision: ReturnType<typeof decideOrder>) {
  assert.equal(decision.action, 'hold');
  if (decision.action !== 'hold') throw new Error('not held');
  return decision.hold;
}

describe('mapper policies', () => {
  describe('money', () => {
    it('rounds half away from zero', () => {
      assert.deepEqual([divideRounded(5, 2), divideRounded(-5, 2), divideRounded(4, 3), divideRounded(-4, 3)], [3, -3, 1, -1]);
    });

    it('rounds parts to cents that add up to the total, moving none by a cent or more', () => {
      // Three coupon shares of 1.6667, 1.6666, 1.6667 make 5.00.
      assert.deepEqual(apportion([-16_667, -16_666, -16_667], -500), [-167, -166, -167]);
      assert.deepEqual(apportion([83_250, 83_250], 1_665), [833, 832]);
      assert.deepEqual(apportion([1_000, 2_000], 30), [10, 20]);
      assert.equal(apportion([1_000, 2_000], 31), undefined, 'whole cents never move');
      assert.equal(apportion([1_050], 12), undefined);
    });

    it('finds a 6-decimal unit price whose extension is exactly the line', () => {
      assert.equal(unitPriceMicros(2_500, 3), 8_333_333);
      assert.equal(extensionCents(8_333_333, 3), 2_500);
      assert.equal(unitPriceMicros(1, 30_000), undefined, 'a cent over 30,000 units has no 6-decimal price');
    });

    it('converts at the order\'s rate, half away from zero', () => {
      assert.equal(convertUnits(9_213, 0.9213), 10_000);
      assert.equal(convertUnits(-10_000, 1.36125), -7_346);
    });
  });

  describe('status gate', () => {
    const policy = { importStatuses: DEFAULT_IMPORT_STATUSES, fulfilledFirstSeen: 'attention' as const };
    const gate = (status: number, imported = false, fulfilledFirstSeen: 'attention' | 'import' = 'attention') => orderGate({ id: 9, status_id: status }, imported, { ...policy, fulfilledFirstSeen });

    it('imports Awaiting Fulfillment, Shipment and Pickup; the rest waits', () => {
      for (const status of [11, 9, 8]) assert.deepEqual(gate(status), { action: 'import' });
      for (const status of [0, 1, 3, 4, 5, 6, 7, 12, 13, 14]) assert.equal(gate(status).action === 'hold' && (gate(status) as { kind: string }).kind, 'wait', `status ${status}`);
    });

    it('sends orders first seen Shipped or Completed to attention, or imports them when configured', () => {
      for (const status of [2, 10]) {
        assert.equal((gate(status) as { kind: string }).kind, 'needs-attention');
        assert.deepEqual(gate(status, false, 'import'), { action: 'import' });
      }
    });

    it('sends imported orders that became Cancelled, Declined, Refunded or Partially Refunded to attention, and ignores other changes', () => {
      for (const status of [4, 5, 6, 14]) assert.equal((gate(status, true) as { kind: string }).kind, 'needs-attention');
      for (const status of [2, 9, 10, 11]) assert.equal((gate(status, true) as { kind: string }).kind, 'imported');
    });

    it('reads the editor\'s status list', () => {
      assert.deepEqual(parseStatusList('11, 9,8 11'), [11, 9, 8]);
      assert.equal(parseStatusList('11, x'), undefined);
    });
  });

  describe('text Sage cannot store (Windows-1252)', () => {
    it('transliterates: keeps what the code page has, spells the rest, ? where there is no spelling', () => {
      assert.deepEqual(fitWindows1252('Müller Straße € “quoted”', 'transliterate'), { text: 'Müller Straße € “quoted”', changed: [], unmappable: [] });
      assert.equal(fitWindows1252('Łódź', 'transliterate').text, 'Lódz');
      assert.equal(fitWindows1252('Dvořák Šťastný', 'transliterate').text, 'Dvorák Štastný');
      const chinese = fitWindows1252('北京', 'transliterate');
      assert.equal(chinese.text, '??');
      assert.deepEqual(chinese.unmappable, ['北', '京']);
      assert.equal(fitWindows1252('hi 👩‍👩‍👧!', 'transliterate').text, 'hi ?!', 'one grapheme, one ?');
    });

    it('replaces, keeps, or leaves the order to be held', () => {
      assert.equal(fitWindows1252('Łódź', 'replace').text, '?ód?');
      assert.equal(fitWindows1252('Łódź', 'keep').text, 'Łódź');
      assert.deepEqual(fitWindows1252('Łódź', 'hold').unmappable, ['Ł', 'ź']);
    });

    it('holds the order under the hold policy, naming the field', () => {
      const hold = held(decide('cn-beijing-address', { textPolicy: 'hold' }));
      assert.equal(hold.field, 'consignments.shipping.0.first_name');
      assert.match(hold.reason, /^order 4001: Shipping name has characters Sage cannot store \(Windows-1252\): 伟 王/);
    });

    it('warns naming the order and the field when it changes text', () => {
      const [mapped] = posted(decide('de-vat-polish-german-names', { companyCurrency: 'EUR' }));
      assert.equal(mapped?.salesOrder.ShipToCity, 'Lódz');
      assert.equal(mapped?.salesOrder.BillToName, 'Müller & Söhne GmbH');
      assert.ok(mapped?.warnings.includes('order 2004: Shipping city (consignments.shipping.0.city) written as "Lódz" for Windows-1252'));
    });
  });

  describe('lengths and keys', () => {
    it('take the company\'s lengths from msg.lengths, or the version profile', () => {
      const name = 'The Extraordinarily Long Named Company of Greater Austin Incorporated';
      assert.equal(posted(decide('us-long-text'))[0]?.salesOrder.BillToName, name.slice(0, 30));
      assert.equal(posted(decide('us-long-text', { lengthProfile: 'current' }))[0]?.salesOrder.BillToName, name.slice(0, 50).trimEnd());
      assert.equal(posted(decide('us-long-text', {}, { lengths: { Name: 40 } }))[0]?.salesOrder.BillToName, name.slice(0, 40).trimEnd());
    });

    it('never cut a key: a customer number too long for the company holds the order', () => {
      const hold = held(decide('us-b2b-po-form-fields', { customerPrefix: 'WEBSTORE' }, { lengths: { CustomerNo: 7 } }));
      assert.equal(hold.field, 'customer_id');
      assert.match(hold.reason, /^order 1009: CustomerNo "WEBSTORE512" is longer than the company's 7 characters, and keys are never cut/);
    });
  });

  describe('currency', () => {
    it('converts at the order\'s rate when chosen, and ties out in the company\'s currency', () => {
      const [mapped] = posted(decide('eur-order-usd-store', { foreignCurrency: 'convert' }));
      // 2 x 25.00 EUR + 5.00 EUR at 0.9213 EUR per USD.
      assert.deepEqual(mapped?.salesOrder.Lines[0], { ItemCode: 'TEE-BLU-M', QuantityOrdered: 2, UnitPrice: 27.135 });
      assert.equal(mapped?.salesOrder.FreightAmt, 5.43);
      assert.equal(sageTotalCents(mapped!.salesOrder), 5970);
      assert.deepEqual([mapped?.tieOut?.currency, mapped?.tieOut?.orderCurrency, mapped?.tieOut?.exchangeRate, mapped?.tieOut?.expected], ['USD', 'EUR', 0.9213, 59.7]);
    });

    it('holds a foreign order whose store currency is not the company\'s, even when converting', () => {
      const hold = held(decide('uk-gbp-company-usd', { foreignCurrency: 'convert' }));
      assert.equal(hold.field, 'store_default_to_transactional_exchange_rate');
    });
  });

  describe('placement options', () => {
    it('split several addresses into one sales order each, numbered base + letter', () => {
      const orders = posted(decide('mixed-b2b-two-addresses-handling', { consignments: 'split' }));
      assert.deepEqual(orders.map(({ salesOrder }) => salesOrder.SalesOrderNo), ['W05002A', 'W05002B']);
      assert.deepEqual(orders.map(({ salesOrder }) => salesOrder.ShipToCity), ['Austin', 'Dallas']);
      assert.deepEqual(orders.map(({ salesOrder }) => salesOrder.FreightAmt), [20, 10]);
      assert.deepEqual(orders.map(({ part }) => part), [{ index: 0, count: 2 }, { index: 1, count: 2 }]);
      assert.equal(orders.reduce((sum, { salesOrder }) => sum + sageTotalCents(salesOrder), 0), Math.round((orders[0]?.tieOut?.expected ?? 0) * 100));
      assert.equal(splitSalesOrderNo(99_999, 25, { salesOrderPrefix: 'W' }), 'W99999Z');
      assert.throws(() => splitSalesOrderNo(100_000, 0, { salesOrderPrefix: 'W' }), /past the split sales order numbers/);
    });

    it('leave the ship-to of digital orders to Sage when chosen', () => {
      assert.equal(posted(decide('us-digital-only'))[0]?.salesOrder.ShipToAddress1, '455 Main Street');
      assert.equal(posted(decide('us-digital-only', { digitalShipTo: 'none' }))[0]?.salesOrder.ShipToAddress1, undefined);
    });

    it('give discounts as LineDiscountPercent when chosen, still to the cent', () => {
      const [mapped] = posted(decide('us-coupon-fixed-uneven-shares', { lineDiscounts: 'percent' }));
      assert.deepEqual(mapped?.salesOrder.Lines[0], { ItemCode: 'PEN-BLK', QuantityOrdered: 3, UnitPrice: 3.333333, LineDiscountPercent: 16.7 });
      assert.equal(sageTotalCents(mapped!.salesOrder), Math.round((mapped?.tieOut?.expected ?? 0) * 100));
    });

    it('put mapped fields into UDF columns, which parsing never strips', () => {
      const [mapped] = posted(decide('us-b2b-po-form-fields', { udfTable: 'po_number = UDF_BUYER_PO\norder_id = UDF_WEB_ORDER\ndelivery instructions = UDF_DELIVERY' }));
      const order = mapped!.salesOrder;
      assert.equal(order.UDF_BUYER_PO, 'NW-2024-00981');
      assert.equal(order.UDF_WEB_ORDER, '1009');
      assert.equal(order.UDF_DELIVERY, 'Deliver 8am-4pm, call ahead');
      assert.ok(!order.Lines.some((line) => line.CommentText?.startsWith('Buyer PO')), 'a field in a UDF is not also a comment');
      assert.equal((salesOrderSchema.parse(order) as Record<string, unknown>).UDF_BUYER_PO, 'NW-2024-00981');
      assert.throws(() => mapperOptions({ udfTable: 'po_number = BUYER_PO' }), /UDF table line 1: "BUYER_PO" is not a UDF column/);
    });

    it('name the BigCommerce line of every product line in the line-link UDF when chosen, for shipments; no other line carries it', () => {
      const input = fixture('mixed-b2b-two-addresses-handling').order as unknown as { consignments: { shipping: Array<{ id: number; line_items: Array<{ id: number }> }> } };
      const [mapped] = posted(decide('mixed-b2b-two-addresses-handling', { lineLinkColumn: 'UDF_BC_LINE' }));
      const expected = input.consignments.shipping.flatMap((consignment) => consignment.line_items.map((item) => `${item.id}@${consignment.id}`));
      const lines = mapped!.salesOrder.Lines as Array<Record<string, unknown>>;
      assert.deepEqual(lines.filter((line) => line.UDF_BC_LINE !== undefined).map((line) => line.UDF_BC_LINE), expected);
      assert.ok(lines.filter((line) => line.UDF_BC_LINE === undefined).every((line) => String(line.ItemCode).startsWith('/')), 'charge and comment lines carry no link');
      assert.equal(posted(decide('mixed-b2b-two-addresses-handling'))[0]!.salesOrder.Lines.some((line) => 'UDF_BC_LINE' in line), false, 'off by default');
      assert.throws(() => mapperOptions({ lineLinkColumn: 'BC_LINE' }), /lineLinkColumn/);
    });

    it('leave staff notes out when chosen, saying so', () => {
      const [mapped] = posted(decide('us-staff-notes', { staffNotes: 'omit' }));
      assert.ok(!mapped?.salesOrder.Lines.some((line) => line.CommentText?.startsWith('Staff notes')));
      assert.ok(mapped?.warnings.includes('order 1032: staff_notes left out (setting "Staff notes": omit)'));
    });
  });

  describe('payment', () => {
    const transactions = [
      { id: 1, order_id: '1001', event: 'authorization', method: 'credit_card', amount: 76.32, currency: 'USD', gateway: 'stripe', gateway_transaction_id: 'pi_auth', status: 'ok' },
      { id: 2, order_id: '1001', event: 'capture', method: 'credit_card', amount: 76.32, currency: 'USD', gateway: 'stripe', gateway_transaction_id: 'ch_3OqXyz', status: 'ok' },
    ];

    it('records the captured amount as a deposit with the mapped payment type and the gateway reference', () => {
      const [mapped] = posted(decide('us-texas-sales-tax', { paymentTypeTable: 'Credit Card = WEB' }, { transactions }));
      assert.equal(mapped?.salesOrder.PaymentType, 'WEB');
      assert.equal(mapped?.salesOrder.DepositAmt, 76.32);
      assert.equal(mapped?.salesOrder.OtherPaymentTypeRefNo, 'ch_3OqXyz');
    });

    it('takes the order\'s total less refunds as the deposit when chosen, converted like the order', () => {
      const [captured] = posted(decide('us-partial-refund', { paymentTypeTable: 'Credit Card = WEB', deposit: 'order-total' }));
      // total_inc_tax 126.5659 less refunded_amount 20.56 (one cap with its tax).
      assert.equal(captured?.salesOrder.DepositAmt, 106.01);
      const [converted] = posted(decide('eur-order-usd-store', { paymentTypeTable: 'Credit Card = WEB', deposit: 'order-total', foreignCurrency: 'convert' }));
      assert.equal(converted?.salesOrder.DepositAmt, 59.7);
      assert.equal(posted(decide('us-partial-refund', { paymentTypeTable: 'Credit Card = WEB', deposit: 'none' }))[0]?.salesOrder.DepositAmt, undefined);
    });

    it('records no deposit without transactions or a payment type, and says so', () => {
      const without = posted(decide('us-texas-sales-tax', { paymentTypeTable: 'Credit Card = WEB' }))[0];
      assert.equal(without?.salesOrder.DepositAmt, undefined);
      assert.ok(without?.warnings.includes('order 1001: no transactions on the msg (msg.transactions): no deposit recorded'));
      const untyped = posted(decide('us-texas-sales-tax', {}, { transactions }))[0];
      assert.equal(untyped?.salesOrder.PaymentType, undefined);
      assert.match(untyped?.warnings.join('\n') ?? '', /76\.32 was captured but payment method "Credit Card" has no PaymentType/);
    });
  });

  describe('customers', () => {
    const policy = { cashCustomerNo: 'WEBCASH', updatableFields: ['CustomerName', 'EmailAddress', 'TelephoneNo', 'AddressLine1'] };
    const existing = { ARDivisionNo: '00', CustomerNo: 'BC42', CustomerName: 'Northwind Traders Wholesale Distribution', EmailAddress: 'old@example.com', TelephoneNo: '512-555-0100', AddressLine1: '1 Main St', City: 'Austin' };

    it('allow only configured fields that are neither shorter nor emptier', () => {
      const incoming = { ARDivisionNo: '00', CustomerNo: 'BC42', CustomerName: 'Northwind Traders Wholesale Di', EmailAddress: 'new@example.com', TelephoneNo: '', AddressLine1: '9 Elm Rd', City: 'Dallas' };
      assert.deepEqual(customerChanges(existing, incoming, policy), { EmailAddress: 'new@example.com', AddressLine1: '9 Elm Rd' });
      assert.deepEqual(explainCustomerChanges(existing, incoming, policy).skipped, [
        { field: 'CustomerName', reason: 'shortened' },
        { field: 'TelephoneNo', reason: 'emptier' },
        { field: 'City', reason: 'not-updatable' },
      ]);
      assert.deepEqual(customerChanges(existing, { ...incoming, CustomerName: 'Northwind Traders Ltd' }, { ...policy, truncatedFields: ['CustomerName'] }), { EmailAddress: 'new@example.com', AddressLine1: '9 Elm Rd' });
    });

    it('never touch the cash customer', () => {
      assert.deepEqual(customerChanges({ CustomerNo: 'WEBCASH', CustomerName: 'Web store cash sales' }, { CustomerNo: 'WEBCASH', CustomerName: 'Jane Doe' }, policy), {});
    });

    it('travel with the mapped order: what may update, what was cut, the defaults for a new customer', () => {
      const mapped = mapOrder(fixture('us-b2b-po-form-fields').order, mapperOptions({ newCustomerTerms: '30', newCustomerSalesperson: '00-0100', templateCustomerNo: 'WEBTEMPLATE' }));
      assert.deepEqual(mapped.customerPolicy, {
        cashCustomerNo: 'WEBCASH',
        isCashCustomer: false,
        updatableFields: ['EmailAddress', 'TelephoneNo'],
        truncatedFields: ['CustomerName'],
        newCustomer: { defaults: { TermsCode: '30', SalespersonDivisionNo: '00', SalespersonNo: '0100' }, templateCustomerNo: 'WEBTEMPLATE' },
      });
      assert.equal(mapOrder(fixture('us-texas-sales-tax').order, mapperOptions({}), undefined).customerPolicy?.isCashCustomer, false);
    });
  });
});
