import { runChaos } from './chaos-run';

/**
 * `npm run chaos`: issue 7's chaos run at full size. Prints one `CHAOS <name>=<value>` line per figure and
 * exits non-zero when an invariant broke, naming it. CHAOS_ORDERS, CHAOS_MAPPER_ORDERS, CHAOS_FORGERIES and
 * CHAOS_OUTAGE_S (the Sage outage, 120 s) change the sizes (e.g. for a quick try); NODE_RED_PATH picks the
 * Node-RED line as in the tests.
 */

const size = (name: string, fallback: number): number => {
  const value = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isSafeInteger(value) && value > 0 ? value : fallback;
};

async function main(): Promise<number> {
  const report = await runChaos({
    orders: size('CHAOS_ORDERS', 2000),
    mapperOrders: size('CHAOS_MAPPER_ORDERS', 10_000),
    forgeries: size('CHAOS_FORGERIES', 1000),
    sageOutageMs: size('CHAOS_OUTAGE_S', 120) * 1000,
    log: (line) => console.error(`chaos: ${Math.round(performance.now() / 1000)} s: ${line}`),
  });
  for (const [name, value] of Object.entries(report.figures)) console.log(`CHAOS ${name}=${value}`);
  console.log(`chaos: mapper errors by code: ${JSON.stringify(report.mapper.codes)}`);
  if (report.violations.length === 0) {
    console.log('chaos: every invariant held');
    return 0;
  }
  for (const violation of report.violations) console.log(`chaos: BROKEN: ${violation}`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('chaos: the run could not complete:', err);
    process.exit(2);
  },
);
