import assert from 'node:assert/strict';
import { runChaos, type ChaosReport } from '../../bench/chaos-run';

/**
 * The short variant of `npm run chaos` (bench/chaos.ts): 100 web orders instead of 2,000, 1,000 generated
 * orders for the mapper instead of 10,000 and a 30 s Sage outage instead of 120 s, through the example flow in a
 * real Node-RED process on the line under test, against both simulators while they fail. Needs dist/ (npm test
 * builds it first).
 */
describe('chaos, short variant', function () {
  this.timeout(300_000);
  const orders = 100;
  const forgeries = 1000;
  let report: ChaosReport;
  const figure = (name: string): number => {
    const value = report.figures[name];
    assert.ok(value !== undefined, `the run has no figure ${name}`);
    return value;
  };

  before(async () => {
    report = await runChaos({ orders, mapperOrders: 1000, forgeries, sageOutageMs: 30_000 });
    const shown = [
      'chaos.sales_orders',
      'chaos.duplicates',
      'chaos.lost',
      'chaos.outage_orders',
      'chaos.outage_failed_attempts',
      'chaos.dead_letters_redriven',
      'chaos.life_invoiced',
      'chaos.life_status_changes',
      'chaos.life_ineligible_imported',
      'chaos.stock_mismatches',
      'chaos.stock_held_by_waiting_orders',
      'chaos.secret_leaks',
      'chaos.dead_letters_scanned',
      'chaos.mapper_uncaught',
      'chaos.duration_s',
    ];
    console.log(`      ${shown.map((name) => `${name}=${report.figures[name]}`).join(' ')}`);
  });

  it('went through every fault: 5xx on both sides, 429 storms, duplicate deliveries, commit-then-timeout, a restart', () => {
    for (const name of ['chaos.bc_5xx', 'chaos.bc_429', 'chaos.webhook_duplicates', 'chaos.sage_5xx', 'chaos.sage_commit_timeouts', 'chaos.node_red_restarts']) {
      assert.ok(figure(name) > 0, `${name} is 0`);
    }
  });

  it('made exactly one Sage sales order per web order, with its items, once the backfill poll converged', () => {
    assert.equal(figure('chaos.orders'), orders + figure('chaos.outage_orders') + figure('chaos.dead_letter_orders'));
    assert.deepEqual(report.lostOrders, [], 'web orders without a sales order');
    assert.deepEqual(report.duplicatedReferences, [], 'CustomerPONo on more than one sales order');
    assert.equal(figure('chaos.sales_orders'), figure('chaos.orders'));
    assert.equal(figure('chaos.strays'), 0);
    assert.equal(figure('chaos.line_mismatches'), 0);
  });

  it("went through the order's life: orders invoiced and moved to history, then status webhooks and a backfill; none for ineligible orders", () => {
    assert.ok(figure('chaos.life_invoiced') > 0);
    assert.equal(figure('chaos.life_in_history'), figure('chaos.life_invoiced'));
    assert.ok(figure('chaos.life_status_changes') > figure('chaos.life_invoiced'));
    assert.ok(figure('chaos.life_ineligible') > 0);
    assert.equal(figure('chaos.life_ineligible_imported'), 0, 'a sales order for a pending, awaiting-payment or cancelled order');
  });

  it('took every order of a 30 s Sage outage into Sage without a dead letter, and re-drove refused orders from the dead letters into Sage', () => {
    assert.equal(figure('chaos.outage_s'), 30);
    assert.ok(figure('chaos.outage_orders') >= 5);
    assert.ok(figure('chaos.outage_failed_attempts') > 0, 'the orders did fail while Sage was down');
    assert.equal(figure('chaos.outage_dead_letters'), 0);
    assert.equal(figure('chaos.dead_letters_in_sage_before_redrive'), 0);
    assert.equal(figure('chaos.dead_letters_redriven'), figure('chaos.dead_letter_orders'));
  });

  it("left every SKU's store stock at Sage's available quantity, less the store orders still waiting at the status gate", () => {
    assert.ok(figure('chaos.skus_checked') > 0);
    assert.deepEqual(report.stockMismatches, []);
    assert.ok(figure('chaos.stock_held_by_waiting_orders') > 0, 'some orders still wait, so the check covers the ledger');
    assert.equal(figure('chaos.stock_held_back_by_push'), figure('chaos.stock_held_by_waiting_orders'));
  });

  it('refused every forged, tampered, replayed and unsigned webhook, and none became a job', () => {
    assert.equal(figure('chaos.forged_refused'), forgeries);
    for (const kind of ['forged', 'tampered', 'replayed', 'unsigned']) assert.equal(figure(`chaos.forged_refused_${kind}`), forgeries / 4, kind);
    assert.equal(figure('chaos.forged_rejected_by_verifier'), forgeries);
    assert.equal(figure('chaos.forged_jobs'), 0);
    assert.equal(figure('chaos.forged_queue_events'), 0);
  });

  it('showed no secret in the log, the editor, any answer, the exported flow, the user directory or a dead letter', () => {
    assert.ok(figure('chaos.scanned_kb') > 0);
    assert.ok(figure('chaos.dead_letters_scanned') >= figure('chaos.dead_letter_orders') && figure('chaos.dead_letters_scanned_kb') > 0, 'the dead letters were read');
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
