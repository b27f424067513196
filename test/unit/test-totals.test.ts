import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
// @ts-expect-error plain ES module shared with scripts/test.mjs
import { closingLine, mochaTotals } from '../../scripts/test-totals.mjs';

interface Totals { passed: number; failed: number; skipped: number; crashed: number }
const totalsOf = mochaTotals as (output: string, status: number | null) => Totals;
const lineOf = closingLine as (totals: Totals) => string;

const mocha = resolve(__dirname, '..', '..', 'node_modules', 'mocha', 'bin', 'mocha.js');

/** Runs mocha on one generated test file, as scripts/test.mjs runs a suite. */
function runMocha(source: string): { output: string; status: number | null } {
  const folder = mkdtempSync(join(tmpdir(), 'totals-'));
  try {
    writeFileSync(join(folder, 'generated.test.js'), source);
    const result = spawnSync(process.execPath, [mocha, '--no-config', join(folder, 'generated.test.js')], { encoding: 'utf8' });
    return { output: result.stdout, status: result.status };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

describe("npm test's closing line", () => {
  it('counts a suite that crashes while loading as failed, and says so', () => {
    const crashed = runMocha("require('node:fs').readFileSync('/nonexistent/shared/specs/file.yml');\nit('never runs', () => {});\n");
    assert.notEqual(crashed.status, 0);
    assert.doesNotMatch(crashed.output, /failing/);
    const totals = totalsOf(crashed.output, crashed.status);
    assert.deepEqual(totals, { passed: 0, failed: 1, skipped: 0, crashed: 1 });
    assert.equal(lineOf(totals), 'tests: 0 passed, 1 failed (1 run crashed before reporting), 0 skipped');
  });

  it('counts passing, failing and skipped tests as mocha reports them', () => {
    const run = runMocha("it('a', () => {});\nit('b', () => { throw new Error('no'); });\nit('c', function () { this.skip(); });\n");
    const totals = totalsOf(run.output, run.status);
    assert.deepEqual(totals, { passed: 1, failed: 1, skipped: 1, crashed: 0 });
    assert.equal(lineOf(totals), 'tests: 1 passed, 1 failed, 1 skipped');
  });
});
