// `npm test`: lint, typecheck, build, then the whole suite on every Node-RED line, then the palette-install
// test. Prints one closing line with the totals and exits non-zero when anything failed.
import { spawnSync } from 'node:child_process';
import { isInstalled, lines } from '../test/compat/lines.mjs';
import { closingLine, mochaTotals } from './test-totals.mjs';

const totals = { passed: 0, failed: 0, skipped: 0, crashed: 0 };
const failedSteps = [];

function run(label, command, args, env = {}) {
  console.log(`\n=== ${label}`);
  const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  process.stdout.write(result.stdout ?? '');
  if (result.status !== 0) failedSteps.push(label);
  return { output: result.stdout ?? '', status: result.status };
}

function tally({ output, status }) {
  const run = mochaTotals(output, status);
  for (const key of Object.keys(totals)) totals[key] += run[key];
}

for (const line of lines.filter((l) => !isInstalled(l) && l.installDir)) {
  run(`installing ${line.name} for the tests`, 'npm', ['ci', '--prefix', line.installDir, '--no-audit', '--no-fund']);
}

run('lint', 'npx', ['eslint', '.']);
run('typecheck', 'npx', ['tsc', '--noEmit']);
run('build', 'npx', ['tsup', '--silent']);

// `npm test -- test/unit/http.test.ts` runs only the files given, on every line.
const chosen = process.argv.slice(2);
const suites = chosen.length > 0 ? chosen : ['test/unit/**/*.test.ts', 'test/nodes/**/*.test.ts', 'test/e2e/**/*.test.ts', 'agent/test/**/*.test.ts'];
for (const line of lines) {
  tally(run(`tests on ${line.name}`, line.node, ['node_modules/mocha/bin/mocha.js', ...suites], { NODE_RED_PATH: line.nodeRed }));
}
// These start whole Node-RED processes themselves (every line, or a browser once), so they run once.
if (chosen.length === 0) {
  tally(run('palette install on every line', process.execPath, ['node_modules/mocha/bin/mocha.js', '--timeout', '300000', 'test/palette/**/*.test.ts']));
  tally(run('browser test (Debian Chromium)', process.execPath, ['node_modules/mocha/bin/mocha.js', '--timeout', '300000', 'test/browser/**/*.test.ts']));
}

if (failedSteps.length > 0) console.log(`\nfailed steps: ${failedSteps.join('; ')}`);
console.log(`\n${closingLine(totals)}`);
if (failedSteps.length > 0 || totals.failed > 0) process.exit(1);
