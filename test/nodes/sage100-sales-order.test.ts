import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SalesOrder } from '../../lib/sage100/types';
import sage100Config from '../../nodes/sage100/sage100-config';
import sage100SalesOrder from '../../nodes/sage100/sage100-sales-order';
import { SageCompany, seedDemo } from '../../sandbox/sage100/company';
import { startSage100Simulator, type Sage100Simulator } from '../../sandbox/sage100/index';
import { caughtWithoutConfiguration, helper, type TestNode } from '../support/node-red';
import { loadSageNode, sampleSalesOrder, sendAndReceive } from '../support/sage100';



interface OutMsg {
  payload: { salesOrder: SalesOrder | null; customer?: unknown; warnings?: string[] };
  sage100: Record<string, unknown>;
  errorDetails?: Record<string, unknown>;
}

for (const mode of ['agent', 'soap'] as const) {
  describe(`sage100-sales-order node (${mode} mode)`, () => {
    let sim: Sage100Simulator;
    let userDir: string;
    beforeEach(async () => {
      sim = await startSage100Simulator({ company: seedDemo(new SageCompany()) });
      // The import record lives in the user directory: a fresh one per test.
      userDir = await mkdtemp(join(tmpdir(), 'sales-order-node-'));
      helper.settings({ userDir });
      await helper.startServer();
    });
    afterEach(async () => {
      await helper.unload();
      await helper.stopServer();
      await sim.close();
      await rm(userDir, { recursive: true, force: true });
    });

    async function load(operation: 'create' | 'get' = 'create', timeoutMs = 5000, settings: Record<string, unknown> = {}) {
      const { subject, out, caught } = await loadSageNode([sage100Config, sage100SalesOrder], sim, { mode, node: { type: 'sage100-sales-order', operation, ...settings }, timeoutMs });
      return { orders: subject, out, caught };
    }

    const send = (node: TestNode, listener: TestNode, msg: Record<string, unknown>) => sendAndReceive<OutMsg>(node, listener, msg);

    it('creates the order once: created, then already-posted, keeping the rest of the msg', async () => {
      const { orders, out } = await load();
      const customer = { ARDivisionNo: '01', CustomerNo: 'WEB0001', CustomerName: 'Ada Lovelace' };
      const msg = () => ({ payload: { salesOrder: sampleSalesOrder(), customer, warnings: ['w'] }, sage100: { customer: { outcome: 'unchanged' } } });
      const first = await send(orders, out, msg());
      assert.deepEqual(first.sage100, { customer: { outcome: 'unchanged' }, salesOrderNo: 'W001042', outcome: 'created' });
      assert.equal(first.payload.salesOrder?.BillToName, 'Ada Lovelace');
      assert.deepEqual([first.payload.customer, first.payload.warnings], [customer, ['w']]);
      const second = await send(orders, out, msg());
      assert.equal(second.sage100.outcome, 'already-posted');
      assert.equal(sim.company.state().salesOrders.length, 1);
    });

    // The agent reads Sage's history; SOAP mode cannot, and finds the order in its import record (a state file).
    it('an order invoiced and moved to history, sent again by a restarted flow, stays one Sage order', async () => {
      const first = await load();
      assert.equal((await send(first.orders, first.out, { payload: { salesOrder: sampleSalesOrder() } })).sage100.outcome, 'created');
      sim.company.invoiceSalesOrder({ salesOrderNo: 'W001042', trackingNumbers: ['1Z999'] });
      sim.company.dailySalesJournalUpdate();
      assert.equal(sim.company.state().salesOrders.length, 0, 'the order left the open file');
      // A restart: a new flow with empty memory gets the same web order (status webhook, backfill poll).
      await helper.unload();
      const again = await load();
      const record = await stat(join(userDir, 'ml-connector-state', 'imported-sales-orders-sage.json'));
      assert.equal(record.mode & 0o777, 0o600, 'the import record is readable by its owner only');
      // Agent mode: with empty memory too (the record gone), Sage's history answers.
      if (mode === 'agent') await rm(join(userDir, 'ml-connector-state'), { recursive: true });
      const result = await send(again.orders, again.out, { payload: { salesOrder: sampleSalesOrder() } });
      assert.deepEqual([result.sage100.outcome, result.sage100.foundIn, result.payload.salesOrder?.SalesOrderNo], ['already-posted', mode === 'agent' ? 'history' : 'import-record', 'W001042']);
      const state = sim.company.state();
      assert.deepEqual([state.salesOrders.length, state.salesOrderHistory.map((order) => [order.SalesOrderNo, order.OrderStatus])], [0, [['W001042', 'C']]]);
    });

    it('sends UDF_ columns to Sage (SOAP: as OtherFields) and reads them back', async () => {
      await sim.close();
      sim = await startSage100Simulator({ company: seedDemo(new SageCompany({ udfColumns: { SO_SalesOrderHeader: ['UDF_WEB_ORDER', 'UDF_GIFT_MSG'] } })) });
      const { orders, out } = await load();
      const order = { ...sampleSalesOrder(), UDF_WEB_ORDER: '1042', UDF_GIFT_MSG: 'Happy birthday' } as SalesOrder;
      const result = await send(orders, out, { payload: { salesOrder: order } });
      const stored = sim.company.getSalesOrder('W001042');
      assert.deepEqual([stored.UDF_WEB_ORDER, stored.UDF_GIFT_MSG], ['1042', 'Happy birthday']);
      const back = result.payload.salesOrder as Record<string, unknown>;
      assert.deepEqual([back.UDF_WEB_ORDER, back.UDF_GIFT_MSG], ['1042', 'Happy birthday']);
    });

    it('sends the deposit of a prepaid order; in SOAP mode the payment columns can be left out, with a warning', async () => {
      const paid = { PaymentType: 'WEB', DepositAmt: 22.5, OtherPaymentTypeRefNo: 'ch_123' };
      const sent = await load();
      await send(sent.orders, sent.out, { payload: { salesOrder: sampleSalesOrder(paid) } });
      assert.deepEqual([sim.company.getSalesOrder('W001042').PaymentType, sim.company.getSalesOrder('W001042').DepositAmt], ['WEB', 22.5]);
      await helper.unload();
      const omitted = await load('create', 5000, { soapPayment: 'omit' });
      const result = await send(omitted.orders, omitted.out, { payload: { salesOrder: sampleSalesOrder({ ...paid, SalesOrderNo: 'W001043', CustomerPONo: 'BC1043' }), warnings: [] } });
      const stored = sim.company.getSalesOrder('W001043');
      if (mode === 'soap') {
        assert.equal(stored.DepositAmt ?? 0, 0);
        assert.ok(result.payload.warnings?.some((warning) => /payment was not sent .*DepositAmt 22.5/.test(warning)), String(result.payload.warnings));
      } else {
        assert.equal(stored.DepositAmt, 22.5, 'the agent always sets the payment');
      }
    });

    it('a create that committed but timed out leaves exactly one order and reports it posted', async () => {
      const { orders, out } = await load('create', 1000);
      // Longer than the configured timeout: the answer is lost after Sage stored the order.
      // The agent creates through create-if-absent; SOAP creates after its read.
      sim.faults.set([{ kind: 'commit-then-timeout', operation: mode === 'agent' ? 'ensureSalesOrder' : 'createSalesOrder', ms: 5000 }]);
      const result = await send(orders, out, { payload: { salesOrder: sampleSalesOrder() } });
      assert.equal(result.sage100.outcome, 'already-posted');
      assert.equal(sim.company.state().salesOrders.length, 1);
    });

    it('sends a collision to Catch with the msg and leaves the existing order alone', async () => {
      sim.company.createSalesOrder({ ...sampleSalesOrder(), CustomerPONo: 'PHONE-77' });
      const { orders, caught } = await load();
      const failed = await send(orders, caught, { payload: { salesOrder: sampleSalesOrder() } });
      assert.equal(failed.errorDetails?.code, 'sage100.collision');
      assert.equal(failed.errorDetails?.record, 'sales order W001042');
      assert.equal(failed.payload.salesOrder?.CustomerPONo, 'BC1042');
      assert.equal(sim.company.getSalesOrder('W001042').CustomerPONo, 'PHONE-77');
    });

    it("sends Sage's refusal to Catch with its code and a hint", async () => {
      const { orders, caught } = await load();
      const failed = await send(orders, caught, { payload: { salesOrder: sampleSalesOrder({ Lines: [{ ItemCode: 'NOT-A-SKU', QuantityOrdered: 1 }] }) } });
      assert.equal(failed.errorDetails?.code, 'sage100.CI_NOF');
      assert.match(String(failed.errorDetails?.hint), /SKU mapping/);
    });

    it('says what is missing when the msg carries no sales order', async () => {
      const { orders, caught } = await load();
      const failed = await send(orders, caught, { payload: { customer: {} } });
      assert.deepEqual([failed.errorDetails?.code, failed.errorDetails?.field], ['validation.invalid', 'payload.salesOrder']);
    });

    it('gets an order by number, or says it is not there', async () => {
      sim.company.createSalesOrder(sampleSalesOrder());
      const { orders, out } = await load('get');
      const found = await send(orders, out, { payload: { salesOrderNo: 'W001042' } });
      assert.deepEqual(found.sage100, { salesOrderNo: 'W001042', outcome: 'found' });
      assert.equal(found.payload.salesOrder?.CustomerPONo, 'BC1042');
      const absent = await send(orders, out, { payload: 'W009999' });
      assert.deepEqual(absent.sage100, { salesOrderNo: 'W009999', outcome: 'not-found' });
      assert.equal(absent.payload.salesOrder, null);
    });
  });
}

describe('sage100-sales-order node without a configuration', () => {
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('fails each msg with a clear error that reaches Catch', async () => {
    const failed = await caughtWithoutConfiguration(sage100SalesOrder, { type: 'sage100-sales-order', configProperty: 'sage100' }, { payload: { salesOrder: sampleSalesOrder() } });
    assert.equal(failed.errorDetails?.code, 'config.missing');
    assert.match(String(failed.errorDetails?.hint), /sage100-config/);
  });
});
