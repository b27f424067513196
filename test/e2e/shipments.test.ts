import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { removeUserDir } from '../../sandbox/node-red-process';
import { SANDBOX_INVOICES_POLL_SECONDS, startSandbox, type Sandbox } from '../../sandbox/start';
import { DEMO_ADDRESSES, demoBilling, placeDemoOrder, seedDemoWorld, type DemoWorld } from '../../sandbox/demo';
import type { InvoiceResult } from '../../lib/sync/shipments';
import { eventually, registerOrderHooks, reportFailure, salesOrderOutcomes, salesOrdersFor, startRuntime, startSimulators, type Runtime, type Simulators } from './support';

/**
 * Issue 14, "Must show": the example flow's Fulfillment tab in a real Node-RED. A web order with 3 lines becomes a
 * Sage sales order (Orders tab); Sage invoices 2 of the lines in 2 packages, then the rest; each poll of the
 * invoices node turns them into BigCommerce shipments, and repeats or a restart with empty memory add none.
 * Every store exchange is checked against the official OpenAPI files (the contract recorder).
 */

describe('end to end: Sage 100 shipments reach the store (the example flow in Node-RED)', function () {
  this.timeout(120_000);

  let sims: Simulators;
  let runtime: Runtime;
  let world: DemoWorld;

  before(async function () {
    this.timeout(180_000);
    sims = await startSimulators();
    world = seedDemoWorld(sims.bc, sims.sage, { items: 12, seed: 14 });
    runtime = await startRuntime(sims.endpoints);
    registerOrderHooks(sims.bc, runtime.webhookUrl);
  });

  after(async () => {
    await runtime?.stop();
    await sims?.close();
  });

  afterEach(function () {
    reportFailure(this, [runtime]);
  });

  const sku = (index: number) => world.items[index]!.itemCode;
  const shipmentPosts = () => sims.bc.exchanges.filter((e) => e.method === 'POST' && /^\/orders\/\d+\/shipments$/.test(e.apiPath ?? '')).length;

  /** Presses the Fulfillment tab's inject and waits for the shipment node's results for this poll (or for the invoices node to say there was nothing). */
  async function pollInvoices(target: Runtime): Promise<InvoiceResult[]> {
    const invoicesId = target.idOf('sage100-invoices');
    const inject = target.flows.find((node) => node.type === 'inject' && (node.wires as string[][]).flat().includes(invoicesId))!;
    const shownBefore = target.editor.values('shipments').length;
    const statusBefore = target.editor.statusLog.length;
    await target.nodeRed.inject(inject.id);
    return eventually(() => {
      target.editor.throwOnProblems();
      const shown = target.editor.values<InvoiceResult[]>('shipments');
      if (shown.length > shownBefore) return shown[shown.length - 1]!;
      const polled = target.editor.statusLog.slice(statusBefore).find((entry) => entry.id === invoicesId && entry.fill === 'green' && /^0 new, all accepted$/.test(entry.text ?? ''));
      return polled && [];
    }, 'the invoices poll and its shipments');
  }

  it('ships 2 of 3 lines in 2 packages (Partially Shipped), then the rest (Shipped); repeats and a restart add nothing', async () => {
    const [first, last] = ['Ada', 'Lovelace'];
    const orderId = placeDemoOrder(sims.bc, {
      customerId: world.customerIds[0]!,
      billing: demoBilling(first, last, DEMO_ADDRESSES[0]!, { guest: false, phone: '555-0101', email: 'ada@example.com' }),
      lines: [{ sku: sku(0), quantity: 2 }, { sku: sku(1), quantity: 1 }, { sku: sku(2), quantity: 3 }],
      shippingMethod: 'UPS Ground',
      shippingCost: 9.5,
    });
    const [salesOrder] = await eventually(() => {
      runtime.editor.throwOnProblems();
      const found = salesOrdersFor(sims.sage, orderId);
      return found.length > 0 && found;
    }, `a Sage sales order for web order ${orderId}`);
    const salesOrderNo = salesOrder!.SalesOrderNo;
    const orderJobs = () => salesOrderOutcomes(runtime).filter((shown) => shown.salesOrderNo === salesOrderNo).length;
    const jobsBefore = await eventually(() => orderJobs(), 'the order job ends');

    // The warehouse ships two of the lines in two boxes; StarShip writes both tracking numbers to the invoice.
    const partial = sims.sage.company.invoiceSalesOrder({ salesOrderNo, lines: [{ itemCode: sku(0), quantity: 2 }, { itemCode: sku(1), quantity: 1 }], trackingNumbers: ['1ZPART0001', '1ZPART0002'] });
    const firstResults = await pollInvoices(runtime);
    assert.deepEqual(firstResults.map((r) => [r.invoiceNo, r.orderId, r.outcome]), [[partial.InvoiceNo, orderId, 'shipped']]);
    const afterFirst = sims.bc.store.shipmentsOf(orderId);
    assert.equal(afterFirst.length, 1);
    assert.equal(afterFirst[0]!.trackingNumber, '1ZPART0001');
    assert.match(afterFirst[0]!.comments, new RegExp(`Sage 100 invoice ${partial.InvoiceNo} .*1ZPART0001, 1ZPART0002`));
    const lines = sims.bc.store.orders.get(orderId)!.lines;
    assert.deepEqual(afterFirst[0]!.items.map((item) => [item.orderProductId, item.quantity]), [[lines[0]!.id, 2], [lines[1]!.id, 1]]);
    assert.equal(sims.bc.store.orders.get(orderId)!.statusId, 3, 'Partially Shipped');

    // The status webhooks the shipment caused are our own echo: dropped before the order queue.
    const echoFilter = runtime.idOf('bigcommerce-shipment', 'drop own status echoes');
    await eventually(() => /own echo(es)? dropped/.test(runtime.editor.status.get(echoFilter)?.text ?? ''), 'the echo filter drops the statusUpdated webhook');

    const rest = sims.sage.company.invoiceSalesOrder({ salesOrderNo, trackingNumbers: ['1ZREST0003'] });
    const secondResults = await pollInvoices(runtime);
    assert.deepEqual(secondResults.filter((r) => r.outcome === 'shipped').map((r) => r.invoiceNo), [rest.InvoiceNo]);
    assert.deepEqual(sims.bc.store.shipmentsOf(orderId).map((s) => s.trackingNumber), ['1ZPART0001', '1ZREST0003']);
    assert.equal(sims.bc.store.orders.get(orderId)!.statusId, 2, 'Shipped');
    assert.equal(shipmentPosts(), 2);
    // Each shipment: store/order/updated and store/order/statusUpdated, 4 deliveries in all.
    const echoes = () => Number(/^(\d+) own echo(es)? dropped/.exec(runtime.editor.status.get(echoFilter)?.text ?? '')?.[1] ?? 0);
    await eventually(() => echoes() >= 4, 'the echo filter drops the updated and statusUpdated webhooks of both shipments');
    assert.equal(orderJobs(), jobsBefore, 'the status webhooks our shipments caused made no order job');

    // A repeated poll, then the daily sales journal posting both invoices (Sage reports them again): nothing new.
    await pollInvoices(runtime);
    sims.sage.company.dailySalesJournalUpdate();
    const postedResults = await pollInvoices(runtime);
    assert.ok(postedResults.every((r) => r.outcome === 'already-shipped'), JSON.stringify(postedResults));
    assert.equal(shipmentPosts(), 2);

    // A restart with empty memory (new user directory: no cursor, no ledger) reads every invoice again and writes nothing.
    await runtime.stop();
    runtime = await startRuntime(sims.endpoints);
    const restarted = await pollInvoices(runtime);
    assert.deepEqual(restarted.map((r) => [r.invoiceNo, r.outcome]).sort(), [[partial.InvoiceNo, 'already-shipped'], [rest.InvoiceNo, 'already-shipped']]);
    assert.equal(shipmentPosts(), 2);
    assert.equal(sims.bc.store.shipmentsOf(orderId).length, 2);
    sims.bc.assertContract();
  });
});

describe('the sandbox (npm start): POST /__sim/invoice shows in the store within one invoices poll', function () {
  this.timeout(180_000);
  let sandbox: Sandbox | undefined;
  const userDir = mkdtempSync(join(tmpdir(), 'ml-connector-sandbox-ship-'));

  after(async () => {
    await sandbox?.stop();
    removeUserDir(userDir);
  });

  it(`ships within ${SANDBOX_INVOICES_POLL_SECONDS} s of the invoice (plus the poll's own time)`, async () => {
    sandbox = await startSandbox({ nodeRedPort: 0, bcPort: 0, sageAgentPort: 0, sageSoapPort: 0, ordersPerMinute: 0, userDir, log: () => undefined });
    const { bc, sage } = sandbox;
    const orderId = placeDemoOrder(bc, { customerId: 0, billing: demoBilling('Grace', 'Hopper', DEMO_ADDRESSES[1]!, { guest: true, phone: '555-0102', email: 'grace@example.com' }), lines: [{ sku: sage.company.state().items.find((item) => item.ItemType === '1')!.ItemCode, quantity: 1 }], shippingMethod: 'UPS Ground', shippingCost: 5 });
    const [salesOrder] = await eventually(() => {
      const found = salesOrdersFor(sage, orderId);
      return found.length > 0 && found;
    }, `a Sage sales order for web order ${orderId}`, 60_000);
    const dispatcher = new Agent({ connect: { ca: sage.certificatePem } });
    try {
      const response = await undiciFetch(`${sage.agentUrl}/__sim/invoice`, { method: 'POST', body: JSON.stringify({ salesOrderNo: salesOrder!.SalesOrderNo, trackingNumbers: ['1ZSANDBOX1'] }), headers: { 'content-type': 'application/json' }, dispatcher });
      await response.arrayBuffer();
      assert.equal(response.status, 201);
    } finally {
      await dispatcher.close();
    }
    const invoicedAt = Date.now();
    await eventually(() => bc.store.shipmentsOf(orderId).some((shipment) => shipment.trackingNumber === '1ZSANDBOX1') && bc.store.orders.get(orderId)!.statusId === 2, 'the shipment and Shipped in the store', (SANDBOX_INVOICES_POLL_SECONDS + 10) * 1000);
    assert.ok(Date.now() - invoicedAt <= (SANDBOX_INVOICES_POLL_SECONDS + 10) * 1000);
  });
});
