import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repoRoot = resolve(__dirname, '..', '..');

/**
 * A clone with nothing beside it (no ../shared) runs the contract tests: with the pinned files downloaded, or,
 * offline, with only the contract checks skipped and one line saying why. Never a crash.
 */
describe('a fresh clone tests itself', function () {
  this.timeout(120_000);
  let folder: string;

  before(function () {
    const git = spawnSync('git', ['-C', repoRoot, 'rev-parse', 'HEAD'], { encoding: 'utf8' });
    if (git.status !== 0 || !existsSync(join(repoRoot, 'node_modules'))) this.skip();
    folder = mkdtempSync(join(tmpdir(), 'fresh-clone-'));
  });
  after(() => {
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('runs the contract tests without ../shared: downloaded, or skipped with one line', () => {
    const clone = join(folder, 'repo');
    const cloned = spawnSync('git', ['clone', '--quiet', repoRoot, clone], { encoding: 'utf8' });
    assert.equal(cloned.status, 0, cloned.stderr);
    symlinkSync(join(repoRoot, 'node_modules'), join(clone, 'node_modules'), 'dir');
    const run = spawnSync(process.execPath, ['node_modules/mocha/bin/mocha.js', 'test/unit/bigcommerce-contract.test.ts'], { cwd: clone, encoding: 'utf8' });
    const output = `${run.stdout}${run.stderr}`;
    assert.equal(run.status, 0, output);
    const skippedLines = output.split('\n').filter((line) => line.startsWith('BigCommerce contract checks skipped:'));
    if (skippedLines.length > 0) {
      assert.equal(skippedLines.length, 1, 'one line says why');
      assert.match(output, /^\s*\d+ pending/m, 'the contract checks count as skipped');
      assert.doesNotMatch(output, /failing/);
    } else {
      assert.match(output, /^contract: \d+ BigCommerce responses validated/m, 'online: the pinned files were downloaded and used');
    }
  });
});
