import assert from 'node:assert/strict';
import { runChaos, type ChaosReport } from '../../bench/chaos-run';

/**
 * The short variant of `npm run chaos` (bench/chaos.ts): 100 web orders instead of 2,000 and 1,000 generated
 * orders for the mapper instead of 10,000, through the example flow in a real Node-RED process on the line under
 * test, against both simulators while they fail. Needs dist/ (npm test builds it first).
 */
describe('chaos, short variant', function () {
  this.timeout(170_000);
  const orders = 100;
  const forgeries = 1000;
  let report: ChaosReport;
  const figure = (name: string): number => {
    const value = report.figures[name];
    assert.ok(value !== undefined, `the run has no figure ${name}`);
    return value;
  };

  before(async () => {
    report = await runChaos({ orders, mapperOrders: 1000, forgeries });
    const shown = ['chaos.sales_orders', 'chaos.duplicates', 'chaos.lost', 'chaos.stock_mismatches', 'chaos.secret_leaks', 'chaos.mapper_uncaught', 'chaos.duration_s'];
    console.log(`      ${shown.map((name) => `${name}=${report.figures[name]}`).join(' ')}`);
  });

  it('went through every fault: 5xx on both sides, 429 storms, duplicate deliveries, commit-then-timeout, a restart', () => {
    for (const name of ['chaos.bc_5xx', 'chaos.bc_429', 'chaos.webhook_duplicates', 'chaos.sage_5xx', 'chaos.sage_commit_timeouts', 'chaos.node_red_restarts']) {
      assert.ok(figure(name) > 0, `${name} is 0`);
    }
  });

  it('made exactly one Sage sales order per web order, with its items, once the backfill poll converged', () => {
    assert.equal(figure('chaos.orders'), orders);
    assert.deepEqual(report.lostOrders, [], 'web orders without a sales order');
    assert.deepEqual(report.duplicatedReferences, [], 'CustomerPONo on more than one sales order');
    assert.equal(figure('chaos.sales_orders'), orders);
    assert.equal(figure('chaos.strays'), 0);
    assert.equal(figure('chaos.line_mismatches'), 0);
  });

  it("left every SKU's store stock at Sage's available quantity after the snapshot push", () => {
    assert.ok(figure('chaos.skus_checked') > 0);
    assert.deepEqual(report.stockMismatches, []);
  });

  it('refused every forged, tampered, replayed and unsigned webhook, and none became a job', () => {
    assert.equal(figure('chaos.forged_refused'), forgeries);
    for (const kind of ['forged', 'tampered', 'replayed', 'unsigned']) assert.equal(figure(`chaos.forged_refused_${kind}`), forgeries / 4, kind);
    assert.equal(figure('chaos.forged_rejected_by_verifier'), forgeries);
    assert.equal(figure('chaos.forged_jobs'), 0);
    assert.equal(figure('chaos.forged_queue_events'), 0);
  });

  it('showed no secret in the log, the editor, any answer, the exported flow or the user directory', () => {
    assert.ok(figure('chaos.scanned_kb') > 0);
    assert.deepEqual(report.leaks, []);
  });

  it('answered every generated order through the mapper node with a sales order or a clear error at Catch', () => {
    assert.equal(figure('chaos.mapper_orders'), 1000);
    assert.deepEqual(report.mapper.examples, [], 'orders without a clear answer');
    assert.ok(figure('chaos.mapper_mapped') > 0 && figure('chaos.mapper_rejected') > 0, 'the generated orders both map and fail');
    assert.equal(figure('chaos.node_red_crashes'), 0);
  });

  it('broke no invariant', () => {
    assert.deepEqual(report.violations, []);
  });
});
