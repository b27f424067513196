import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoBilling, DEMO_ADDRESSES, demoOrderInput, placeDemoOrder, type DemoOrder } from '../../sandbox/demo';
import { findNode, loadExampleFlow } from '../../sandbox/flows';
import { startSandbox, type Sandbox } from '../../sandbox/start';
import type { Snapshot } from '../../lib/operator/board';

/**
 * The sandbox as `npm start` runs it (demo traffic off, orders placed by the test): its reconciliation report is
 * clean, because demo orders are paid as real ones are, until a mismatch is put in on purpose; the operator
 * view's route shows the report.
 */

const example = loadExampleFlow();
const reconcileNow = example.find((node) => node.type === 'inject' && (node.wires as string[][]).flat().includes(findNode(example, 'bigcommerce-payments', "last day's payments").id))!;

function order(index: number, sku: string): DemoOrder {
  const address = DEMO_ADDRESSES[index % DEMO_ADDRESSES.length]!;
  return {
    customerId: 0,
    billing: demoBilling('Alan', 'Turing', address, { guest: true, phone: '555-0199', email: `alan.turing+${index}@example.com` }),
    lines: [{ sku, quantity: 1 + index }],
    shippingMethod: 'Flat Rate',
    shippingCost: 7.5,
  };
}

describe('the sandbox: reconciliation is clean unless a mismatch is injected', function () {
  this.timeout(180_000);
  let sandbox: Sandbox;
  let userDir: string;

  before(async function () {
    userDir = mkdtempSync(join(tmpdir(), 'ml-sandbox-operator-'));
    sandbox = await startSandbox({ nodeRedPort: 0, bcPort: 0, sageAgentPort: 0, sageSoapPort: 0, ordersPerMinute: 0, userDir, log: () => undefined });
  });

  after(async function () {
    await sandbox?.stop();
    if (userDir) rmSync(userDir, { recursive: true, force: true });
  });

  async function view(): Promise<Snapshot> {
    const response = await fetch(`${sandbox.nodeRed.url}/ml-connector/operator`, { headers: { accept: 'application/json' } });
    assert.equal(response.status, 200);
    return (await response.json()) as Snapshot;
  }

  async function inSage(orderIds: number[]): Promise<void> {
    const deadline = Date.now() + 90_000;
    const missing = () => orderIds.filter((id) => !sandbox.sage.company.state().salesOrders.some((so) => so.SalesOrderNo.endsWith(String(id))));
    while (missing().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    assert.deepEqual(missing(), [], 'web orders without a sales order');
  }

  async function reconcile(after: string | undefined): Promise<NonNullable<Snapshot['lastReconciliation']>> {
    await sandbox.nodeRed.inject(reconcileNow.id);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const report = (await view()).lastReconciliation;
      if (report && report.at !== after) return report;
      assert.ok(Date.now() < deadline, 'no reconciliation report within 60 s');
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it('reports every demo order as matching, then exactly the order whose payment was only authorized', async function () {
    const skus = sandbox.sage.company.state().itemWarehouses.map((row) => row.ItemCode).filter((code) => !code.startsWith('/'));
    const paid = [0, 1, 2].map((index) => placeDemoOrder(sandbox.bc, order(index, skus[index * 7]!)));
    await inSage(paid);
    const clean = await reconcile(undefined);
    assert.equal(clean.mismatches, 0, clean.summary);
    assert.match(clean.summary, /^3 orders checked: all match$/);

    // The mismatch on purpose: a card authorized and never captured.
    const placed = sandbox.bc.store.placeOrder(demoOrderInput(order(3, skus[30]!)));
    sandbox.bc.store.addTransaction(placed.id, { event: 'authorization', amount: 10 });
    await inSage([placed.id]);
    const found = await reconcile(clean.at);
    assert.equal(found.mismatches, 1, found.summary);
    assert.match(found.summary, /^4 orders checked: 1 mismatch \(1 payment-not-captured\)$/);
    // The import shows in the view too: the company's last order.
    const companies = (await view()).companies;
    assert.equal(companies.length, 1);
    assert.equal(companies[0]!.lastOrder.orderId, String(placed.id));
  });
});
