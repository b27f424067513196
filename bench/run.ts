import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { benchBackfill } from './backfill';
import { benchCatalog } from './catalog';
import type { NaiveSettings } from './naive-flows';
import { benchOrders } from './orders';
import { benchRateLimit } from './ratelimit';
import { render, type Figure } from './report';
import { benchShipments } from './shipments';
import { benchSnapshot } from './snapshot';
import { benchScan } from './snapshot-scan';

/**
 * `npm run bench`: the package's flow against the naive one, side by side in one run against the same simulators,
 * in a real Node-RED (see BENCHMARKS.md for what each figure means and the last recorded run).
 *
 *   npm run bench                      every benchmark at full size (a few minutes on 2 cores)
 *   npm run bench -- --quick           reduced sizes, to check the benchmarks themselves still work
 *   npm run bench -- --only=orders,ratelimit
 *
 * Benchmarks: orders, backfill, catalog, ratelimit, snapshot, shipments. Figures keep their names in a quick run; the header
 * and `BENCH mode=quick` say the sizes were reduced.
 */

const SIZES = {
  full: { warmup: 10, measured: 40, backfill: 10_000, skus: 50_000, changed: 500, updates: 2_000, orders: 200, snapshot: 100_000, invoices: 100 },
  quick: { warmup: 3, measured: 10, backfill: 1_000, skus: 5_000, changed: 500, updates: 300, orders: 40, snapshot: 10_000, invoices: 20 },
};
const BENCHMARKS = ['orders', 'backfill', 'catalog', 'ratelimit', 'snapshot', 'shipments'] as const;
type Benchmark = (typeof BENCHMARKS)[number];

/** The rate-limit benchmark shrinks the quota window tenfold (3 s, not 30 s): the same 150 requests a window, a ten times shorter run. */
const WINDOW_MS = 3_000;
const NAIVE: NaiveSettings = { bulkRate: 1_000, itemsPageSize: 500 };

function options(argv: string[]): { quick: boolean; only: Set<Benchmark> } {
  const quick = argv.includes('--quick');
  const onlyArg = argv.find((arg) => arg.startsWith('--only='));
  const only = new Set((onlyArg ? onlyArg.slice('--only='.length).split(',') : BENCHMARKS) as Benchmark[]);
  for (const name of only) if (!BENCHMARKS.includes(name)) throw new Error(`unknown benchmark ${name}; choose from ${BENCHMARKS.join(', ')}`);
  return { quick, only };
}

function machine(): string {
  const nodeRedDir = resolve(process.env.NODE_RED_PATH ?? join(__dirname, '..', 'node_modules', 'node-red'));
  const nodeRed = (JSON.parse(readFileSync(join(nodeRedDir, 'package.json'), 'utf8')) as { version: string }).version;
  const cpu = cpus();
  return `${new Date().toISOString()} · ${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'} · ${(totalmem() / 2 ** 30).toFixed(1)} GiB · Node ${process.version} · Node-RED ${nodeRed}`;
}

const perOrder = (calls: number, orders: number) => calls / orders;

async function main(): Promise<number> {
  const { quick, only } = options(process.argv.slice(2));
  const size = quick ? SIZES.quick : SIZES.full;
  console.log(`bench ${quick ? '(QUICK: reduced sizes, not comparable with BENCHMARKS.md)' : ''}\n${machine()}\n`);
  const figures: Figure[] = [];
  let failed = false;
  const step = async (name: Benchmark, run: () => Promise<void>) => {
    if (!only.has(name)) return;
    const started = performance.now();
    process.stdout.write(`${name} … `);
    try {
      await run();
      console.log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    } catch (err) {
      failed = true;
      console.log('FAILED');
      console.error(err);
    }
  };

  await step('orders', async () => {
    const { ours, naive } = await benchOrders({ warmup: size.warmup, measured: size.measured });
    figures.push(
      { name: 'orders.bc_calls_per_order', ours: perOrder(ours.bcCalls, ours.orders), naive: perOrder(naive.bcCalls, naive.orders), decimals: 2, what: `BigCommerce calls per web order, webhook path (${ours.orders} orders after ${size.warmup} warm-up)` },
      { name: 'orders.sage_calls_per_order', ours: perOrder(ours.sageCalls, ours.orders), naive: perOrder(naive.sageCalls, naive.orders), decimals: 2, what: 'Sage 100 calls per web order, webhook path (after the warm-up)' },
      { name: 'orders.sage_calls_first_order', ours: ours.first.sageCalls, naive: naive.first.sageCalls, decimals: 0, what: 'Sage 100 calls for the first order after a deploy (with what a client reads once)' },
      { name: 'orders.overhead_ratio', ours: ours.flowMs / ours.rawMs, naive: naive.flowMs / naive.rawMs, decimals: 2, what: 'time through the flow ÷ time of its raw HTTP round trips (medians)' },
      { name: 'orders.flow_ms', ours: ours.flowMs, naive: naive.flowMs, decimals: 1, what: 'median ms from checkout to the last Sage call of the order' },
      { name: 'orders.raw_ms', ours: ours.rawMs, naive: naive.rawMs, decimals: 1, what: 'median ms of the same round trips made raw' },
    );
    if (process.env.BENCH_VERBOSE) console.log(JSON.stringify({ ours, naive }));
  });

  await step('backfill', async () => {
    const { ours, naive } = await benchBackfill({ orders: size.backfill, settings: NAIVE });
    figures.push({ name: 'backfill.bc_calls', ours: ours.bcCalls, naive: naive.bcCalls, decimals: 0, what: `BigCommerce calls to catch up on ${size.backfill.toLocaleString('en-US')} modified orders` });
    if (process.env.BENCH_VERBOSE) console.log(JSON.stringify({ ours, naive }));
  });

  await step('catalog', async () => {
    const result = await benchCatalog({ skus: size.skus, changed: size.changed, settings: NAIVE });
    const skus = size.skus.toLocaleString('en-US');
    figures.push(
      { name: 'stock.bc_calls_full_50k', ours: result.stockFullCold.total, naive: result.naiveIdTable.total + result.naiveStockFull.total, decimals: 0, what: `full stock resync of ${skus} SKUs, first run (ids looked up)` },
      { name: 'stock.bc_calls_full_50k_warm', ours: result.stockFullWarm.total, naive: result.naiveStockFull.total, decimals: 0, what: 'the same again, ids known' },
      { name: 'stock.bc_calls_delta_500', ours: result.stockDelta.total, naive: result.naiveStockDelta.total, decimals: 0, what: `${size.changed} SKUs with new stock in Sage` },
      { name: 'price.bc_calls_delta_500', ours: result.priceDelta.total, naive: result.naivePriceDelta.total, decimals: 0, what: `${size.changed} SKUs with a new price in Sage` },
    );
    if (process.env.BENCH_VERBOSE) console.log(JSON.stringify(result));
  });

  await step('ratelimit', async () => {
    const { ours, naive } = await benchRateLimit({ updates: size.updates, orders: size.orders, windowMs: WINDOW_MS, settings: NAIVE });
    const work = `${size.updates.toLocaleString('en-US')} catalog updates + ${size.orders} orders, 150 per ${WINDOW_MS / 1000} s window`;
    figures.push(
      { name: 'ratelimit.429s', ours: ours.throttled, naive: naive.throttled, decimals: 0, what: `429 answers (${work})` },
      { name: 'ratelimit.quota_used_pct', ours: ours.quotaUsedPct, naive: naive.quotaUsedPct, decimals: 1, what: 'requests ÷ quota of the windows the run lasted' },
      { name: 'ratelimit.requests', ours: ours.requests, naive: naive.requests, decimals: 0, what: 'requests the store counted for the work' },
      { name: 'ratelimit.seconds', ours: ours.seconds, naive: naive.seconds, decimals: 1, what: 'until the store and Sage had all of it' },
      { name: 'ratelimit.orders_seconds', ours: ours.ordersSeconds, naive: naive.ordersSeconds, decimals: 1, what: 'until the last of the orders was in Sage' },
    );
    if (process.env.BENCH_VERBOSE) console.log(JSON.stringify({ ours, naive }));
  });

  await step('snapshot', async () => {
    const result = await benchSnapshot(size.snapshot);
    figures.push(
      { name: 'snapshot.rss_mb_100k', ours: result.peakMb, decimals: 1, what: `peak RSS (MB) diffing ${size.snapshot.toLocaleString('en-US')} items against their snapshot` },
      { name: 'snapshot.rss_mb_100k_before_diff', ours: result.beforeMb, decimals: 1, what: 'RSS (MB) of the same process with the items built, before the diff' },
    );

    const scan = await benchScan(size.snapshot, size.changed);
    const rows = size.snapshot.toLocaleString('en-US');
    figures.push(
      { name: 'snapshot.unstamped_scan_ms_100k', ours: scan.deltaMs, decimals: 0, what: `agent: scan ${rows} item-warehouse rows and diff them against the client's last generation (emulator)` },
      { name: 'snapshot.unstamped_baseline_ms_100k', ours: scan.baselineMs, decimals: 0, what: 'the same scan taken as the first baseline' },
      { name: 'snapshot.unstamped_calls_500', ours: scan.deltaCalls, decimals: 0, what: `calls across the network for ${size.changed} unstamped changes (${scan.deltaRows} rows, ${Math.round(scan.deltaBytes / 1024)} KB)` },
    );
    if (process.env.BENCH_VERBOSE) console.log(JSON.stringify(scan));
  });

  await step('shipments', async () => {
    const { oursUdf, oursSku, naive } = await benchShipments({ invoices: size.invoices });
    const per = (run: { bcCalls: number; invoices: number }) => run.bcCalls / run.invoices;
    figures.push(
      { name: 'shipments.bc_calls_per_invoice', ours: per(oursUdf), naive: per(naive), decimals: 2, what: `BigCommerce calls per shipped invoice, lines linked by UDF (${oursUdf.invoices} invoices, 3 lines, 2 packages)` },
      { name: 'shipments.bc_calls_per_invoice_sku', ours: per(oursSku), naive: per(naive), decimals: 2, what: 'the same, lines matched by SKU (no UDF on the Sage lines)' },
      { name: 'shipments.repeat_poll_calls', ours: oursUdf.repeatCalls + oursSku.repeatCalls, naive: naive.repeatCalls, decimals: 0, what: 'BigCommerce calls of a repeated poll over the same invoices' },
      { name: 'shipments.duplicates', ours: oursUdf.repeatShipments + oursSku.repeatShipments, naive: naive.repeatShipments, decimals: 0, what: 'second shipments the repeated poll created' },
    );
    if (process.env.BENCH_VERBOSE) console.log(JSON.stringify({ oursUdf, oursSku, naive }));
  });

  console.log(`\n${render(figures)}\nBENCH mode=${quick ? 'quick' : 'full'}`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
