import assert from 'node:assert/strict';
import { ConnectorError, ValidationError } from '../../lib/errors';
import { HttpError, NetworkError } from '../../lib/http/errors';
import { reconcile, reconcileOptions, salesOrderTotal } from '../../lib/sync/reconcile';
import { FakeSage, capture, payments, salesOrder } from './reconcile-support';

describe('reconciliation', () => {
  const options = reconcileOptions();

  it('reports nothing for an order that matches, and never writes', async () => {
    const sage = new FakeSage({ W000100: salesOrder('W000100', 100) });
    const report = await reconcile([payments(100)], sage, options);
    assert.deepEqual(report, { checked: 1, mismatches: [], summary: '1 order checked: all match', byKind: {} });
    assert.deepEqual(sage.reads, ['W000100']);
    assert.deepEqual(sage.writes, []);
  });

  it('computes Sage\'s total from the lines, line discounts, freight and tax, rounding each line to cents', () => {
    const order = salesOrder('W000100', 100, {
      Lines: [
        { ItemCode: 'A', QuantityOrdered: 3, UnitPrice: 3.333333 },
        { ItemCode: 'B', QuantityOrdered: 1, UnitPrice: 20, LineDiscountPercent: 10 },
        { ItemCode: '/C', ItemType: '4', CommentText: 'note' },
        { ItemCode: '/DISCOUNT', ItemType: '5', QuantityOrdered: 1, UnitPrice: -5 },
      ],
      FreightAmt: 7.5,
      SalesTaxAmt: 1.25,
    });
    assert.equal(salesOrderTotal(order), 10 + 18 - 5 + 7.5 + 1.25);
  });

  it('reports a missing sales order, except for orders not meant for Sage (incomplete, cancelled, declined)', async () => {
    const report = await reconcile([payments(101), payments(102, { statusId: 5, transactions: [] }), payments(103, { statusId: 0, transactions: [] })], new FakeSage({}), options);
    assert.deepEqual(report.mismatches, [
      { orderId: 101, salesOrderNo: 'W000101', kind: 'missing-sales-order', detail: 'Sage has no sales order W000101 for this order (Awaiting Fulfillment (11), 64.80 USD)' },
    ]);
    assert.equal(report.summary, '3 orders checked: 1 mismatch (1 missing-sales-order)');
  });

  it('reports a total that differs beyond the tolerance', async () => {
    const sage = new FakeSage({ W000104: salesOrder('W000104', 104), W000105: salesOrder('W000105', 105) });
    const report = await reconcile([payments(104, { orderTotal: 70, transactions: [capture(70)] }), payments(105, { orderTotal: 64.805, transactions: [capture(64.805)] })], sage, options);
    assert.deepEqual(report.mismatches, [{ orderId: 104, salesOrderNo: 'W000104', kind: 'total-differs', detail: 'Sage 64.80 vs BigCommerce 70.00 USD (difference -5.20)' }]);
    const lenient = await reconcile([payments(104, { orderTotal: 70, transactions: [capture(70)] })], sage, reconcileOptions({ tolerance: 10 }));
    assert.deepEqual(lenient.mismatches, []);
  });

  it('reports a sales order under our number that carries somebody else\'s reference', async () => {
    const sage = new FakeSage({ W000106: salesOrder('W000106', 106, { CustomerPONo: 'PO-7781' }) });
    const [mismatch] = (await reconcile([payments(106)], sage, options)).mismatches;
    assert.equal(mismatch?.kind, 'not-ours');
    assert.equal(mismatch?.detail, 'sales order W000106 carries CustomerPONo "PO-7781", not "BC106": it belongs to something else');
  });

  it('reports refunds and cancellations made in the store', async () => {
    const sage = new FakeSage({ W000107: salesOrder('W000107', 107), W000108: salesOrder('W000108', 108), W000109: salesOrder('W000109', 109) });
    const refund = { id: 3, order_id: 107, total_amount: 12.5, items: [], payments: [] };
    const report = await reconcile(
      [payments(107, { statusId: 14, refunds: [refund] }), payments(108, { statusId: 4 }), payments(109, { statusId: 5 })],
      sage,
      options,
    );
    assert.deepEqual(
      report.mismatches.map(({ orderId, kind, detail }) => [orderId, kind, detail]),
      [
        [107, 'refunded-in-store', '12.50 USD refunded in the store (1 refund, Partially Refunded (14)); Sage is not changed by this integration'],
        [108, 'undone-after-import', 'imported as sales order W000108, now Refunded (4) in BigCommerce: needs attention (nothing in Sage was changed or deleted)'],
        [108, 'refunded-in-store', '0.00 USD refunded in the store (0 refunds, Refunded (4)); Sage is not changed by this integration'],
        [109, 'undone-after-import', 'imported as sales order W000109, now Cancelled (5) in BigCommerce: needs attention (nothing in Sage was changed or deleted)'],
      ],
    );
    assert.deepEqual(report.byKind, { 'refunded-in-store': 2, 'undone-after-import': 2 });
  });

  it("subtracts the header DiscountAmt from Sage's total", async () => {
    const sage = new FakeSage({ W000120: salesOrder('W000120', 120, { DiscountAmt: 5 }) });
    const report = await reconcile([payments(120, { orderTotal: 59.8 })], sage, reconcileOptions({ checkCapture: false }));
    assert.deepEqual(report.mismatches, []);
  });

  it('finds the parts of a split order (W00123A, W00123B) and compares their sum', async () => {
    const sage = new FakeSage({
      W00123A: salesOrder('W00123A', 123, { Lines: [{ ItemCode: 'TEE', QuantityOrdered: 1, UnitPrice: 25 }], FreightAmt: 0, SalesTaxAmt: 2 }),
      W00123B: salesOrder('W00123B', 123, { Lines: [{ ItemCode: 'TEE', QuantityOrdered: 1, UnitPrice: 25 }], FreightAmt: 10, SalesTaxAmt: 2.8 }),
    });
    const report = await reconcile([payments(123)], sage, reconcileOptions({ checkCapture: false }));
    assert.deepEqual(report.mismatches, []);
    assert.deepEqual(sage.reads, ['W000123', 'W00123A', 'W00123B', 'W00123C']);
    const short = await reconcile([payments(123, { orderTotal: 70 })], sage, reconcileOptions({ checkCapture: false }));
    assert.deepEqual(short.mismatches.map(({ salesOrderNo, kind }) => [salesOrderNo, kind]), [['W00123A+W00123B', 'total-differs']]);
  });

  it('reports payments not captured: authorized only, or failed transactions', async () => {
    const sage = new FakeSage({ W000110: salesOrder('W000110', 110), W000111: salesOrder('W000111', 111) });
    const report = await reconcile(
      [
        payments(110, { transactions: [capture(64.8, { event: 'authorization' })] }),
        payments(111, { transactions: [capture(64.8, { status: 'error' }), capture(30)] }),
      ],
      sage,
      options,
    );
    assert.deepEqual(
      report.mismatches.map(({ orderId, kind, detail }) => [orderId, kind, detail]),
      [
        [110, 'payment-not-captured', 'captured 0.00 of 64.80 USD (authorized 64.80)'],
        [111, 'payment-not-captured', 'captured 30.00 of 64.80 USD'],
      ],
    );
    const unchecked = await reconcile([payments(110, { transactions: [] })], sage, reconcileOptions({ checkCapture: false }));
    assert.deepEqual(unchecked.mismatches, []);
  });

  it('reports an order whose own record cannot be read as check-failed, and still checks the others', async () => {
    const unreadable = new ValidationError('Sage 100 agent answer to GET /v1/sales-orders/W000112 in sales order W000112: Lines: expected array', { code: 'sage100.agent_response' });
    const sage = new FakeSage({ W000113: salesOrder('W000113', 113) }, { W000112: unreadable });
    const report = await reconcile([payments(112), payments(113)], sage, options);
    assert.deepEqual(report.mismatches, [{ orderId: 112, salesOrderNo: 'W000112', kind: 'check-failed', detail: unreadable.message }]);
    assert.deepEqual([...sage.reads].sort(), ['W000112', 'W000113']);
  });

  describe('when Sage cannot be asked at all, stops with an error and no report instead of calling every order a mismatch', () => {
    const request = { method: 'GET', path: '/v1/sales-orders/W000100' };
    const outages: Record<string, Error> = {
      'a wrong agent key': new HttpError('Sage 100 agent: Unauthorized: the API key is not valid', { status: 401, request, headers: {}, body: undefined, code: 'sage100.Unauthorized', retryable: false }),
      'an unreachable agent': new NetworkError('Sage 100 agent: connection failed for GET /v1/sales-orders/W000100: connect ECONNREFUSED (ECONNREFUSED)', request, { code: 'http.network', retryable: true, reachedServer: false }),
      'a TLS failure': new NetworkError('Sage 100 agent: TLS check failed: self-signed certificate', request, { code: 'http.tls', hint: 'The server certificate is not trusted.', retryable: false, reachedServer: false }),
    };
    for (const [what, failure] of Object.entries(outages)) {
      it(what, async () => {
        const orders = Array.from({ length: 107 }, (_, index) => payments(100 + index));
        const failing = Object.fromEntries(orders.map((order) => [`W000${order.orderId}`, failure]));
        const sage = new FakeSage({}, failing);
        await assert.rejects(reconcile(orders, sage, options), (err: unknown) => {
          assert.ok(err instanceof ConnectorError);
          assert.equal(err.code, 'reconcile.check_failed');
          assert.match(err.message, /^Reconciliation stopped: Sage 100 could not be asked about order 10\d \(sales order W00010\d\), so nothing was compared: /);
          assert.ok(err.message.includes(failure.message));
          assert.equal(err.retryable, (failure as ConnectorError).retryable);
          return true;
        });
        assert.ok(sage.reads.length <= options.concurrency, `${sage.reads.length} lookups after Sage failed`);
      });
    }
  });

  it('finds sales orders with the mapper\'s numbering settings', async () => {
    const sage = new FakeSage({ WB00123: salesOrder('WB00123', 123, { CustomerPONo: 'WEB123' }) });
    const report = await reconcile([payments(123)], sage, reconcileOptions({ salesOrderPrefix: 'WB', customerPoPrefix: 'WEB' }));
    assert.deepEqual(report.mismatches, []);
    assert.deepEqual(sage.reads, ['WB00123']);
  });

  it('rejects input that is not what bigcommerce-payments sends, naming the field', async () => {
    await assert.rejects(
      reconcile([{ orderTotal: 1 }], new FakeSage({}), options),
      (err: unknown) => err instanceof ValidationError && err.code === 'reconcile.input' && /Payments from bigcommerce-payments: 0\.orderId/.test(err.message),
    );
    assert.throws(() => reconcileOptions({ tolerance: -1 }), (err: unknown) => err instanceof ValidationError && /sync-reconcile settings: tolerance/.test(err.message));
  });
});
