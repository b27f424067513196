import assert from 'node:assert/strict';
import type { Agent } from 'undici';
import { createAgentClient } from '../../lib/sage100/agent-client';
import type { Sage100Client } from '../../lib/sage100/client';
import { InvoicesNeedAgentError, collectInvoices } from '../../lib/sage100/invoices';
import { createSageAgent } from '../../lib/sage100/tls';
import { SageCompany, seedDemo } from '../../sandbox/sage100/company';
import { startSage100Simulator, type Sage100Simulator } from '../../sandbox/sage100/index';

describe('Sage 100 invoices through the agent', () => {
  let sim: Sage100Simulator;
  let dispatcher: Agent;
  let client: Sage100Client;
  let clock: Date;

  beforeEach(async () => {
    clock = new Date('2026-03-02T09:00:00Z');
    const company = seedDemo(new SageCompany({ now: () => clock, udfColumns: { SO_SalesOrderDetail: ['UDF_BC_LINE'] } }));
    company.createSalesOrder({
      SalesOrderNo: 'W001042',
      OrderDate: '20260302',
      ARDivisionNo: '01',
      CustomerNo: 'WEB0001',
      CustomerPONo: 'BC1042',
      ShipVia: 'UPS GROUND',
      Lines: [
        { ItemCode: 'WIDGET-1', QuantityOrdered: 2, UnitPrice: 11.25, UDF_BC_LINE: '501@12' },
        { ItemCode: 'GADGET-2', QuantityOrdered: 1, UnitPrice: 5, UDF_BC_LINE: '502@12' },
      ],
    });
    sim = await startSage100Simulator({ company });
    dispatcher = createSageAgent({ mode: 'pin', pinSha256: sim.fingerprint256 });
    client = createAgentClient({ baseUrl: sim.agentUrl, apiKey: sim.apiKey, companyCode: sim.companyCode, dispatcher, timeoutMs: 5000 });
  });
  afterEach(async () => {
    await sim.close();
    await dispatcher.close();
  });

  it('reads the invoice with its tracking numbers, shipped lines and the line UDF, then only what changed after the cursor', async () => {
    sim.company.invoiceSalesOrder({ salesOrderNo: 'W001042', lines: [{ itemCode: 'WIDGET-1', quantity: 2 }], trackingNumbers: ['1Z001', '1Z002'] });
    clock = new Date('2026-03-02T09:30:00Z');
    const first = await collectInvoices(client, undefined, 50);
    assert.equal(first.invoices.length, 1);
    const [invoice] = first.invoices;
    assert.deepEqual([invoice!.SalesOrderNo, invoice!.CustomerPONo, invoice!.ShipVia, invoice!.posted, invoice!.TrackingNumbers], ['W001042', 'BC1042', 'UPS GROUND', false, ['1Z001', '1Z002']]);
    assert.deepEqual(invoice!.Lines.map((line) => [line.ItemCode, line.QuantityShipped, line.UDF_BC_LINE]), [['WIDGET-1', 2, '501@12']]);
    assert.ok(first.nextCursor);

    clock = new Date('2026-03-02T10:00:00Z');
    const none = await collectInvoices(client, first.nextCursor);
    assert.deepEqual(none.invoices, []);
    // A new clock: the agent keeps a listing for its moment (asOf) and serves a repeat of the same query from it.
    clock = new Date('2026-03-02T10:30:00Z');
    sim.company.dailySalesJournalUpdate();
    const posted = await collectInvoices(client, first.nextCursor);
    assert.deepEqual(posted.invoices.map((i) => [i.InvoiceNo, i.posted]), [[invoice!.InvoiceNo, true]], 'posting shows the invoice again, posted');
  });

  it('names the agent as the way for a SOAP configuration', async () => {
    const soap = { ...client, mode: 'soap' as const };
    await assert.rejects(collectInvoices(soap, undefined), InvoicesNeedAgentError);
  });
});
