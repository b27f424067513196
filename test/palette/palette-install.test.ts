import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXAMPLE_FLOW_FILE } from '../../sandbox/flows';
import { startNodeRed } from '../../sandbox/node-red-process';
// @ts-expect-error plain ES module shared with scripts/test.mjs
import { isInstalled, lines } from '../compat/lines.mjs';

interface Line { name: string; node: string; nodeRed: string }
interface NodeSet { id: string; module: string; types: string[]; enabled: boolean; err?: string }

const root = resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; 'node-red': { nodes: Record<string, string>; plugins: Record<string, string> } };

function npm(args: string[], cwd: string): string {
  const result = spawnSync('npm', args, { cwd, encoding: 'utf8' });
  assert.equal(result.status, 0, `npm ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

describe('palette install: npm pack, npm install into a new user directory, real Node-RED', function () {
  let userDir: string;

  before(function () {
    this.timeout(300_000);
    userDir = mkdtempSync(join(tmpdir(), 'palette-'));
    npm(['run', 'build', '--silent'], root);
    const packed = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', userDir], root)) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const tarball = join(userDir, packed[0]!.filename);
    writeFileSync(join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true, version: '0.0.1' }));
    npm(['install', '--no-audit', '--no-fund', tarball], userDir);
  });

  after(() => rmSync(userDir, { recursive: true, force: true }));

  it('packs no TypeScript sources, tests or sandbox into the tarball', () => {
    const dry = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts'], root)) as Array<{ files: Array<{ path: string }> }>;
    const files = dry[0]!.files.map((f) => f.path);
    assert.deepEqual(files.filter((f) => /\.ts$|^test\/|^sandbox\/|^bench\/|^scripts\//.test(f)), []);
    for (const file of Object.values(pkg['node-red'].nodes)) {
      assert.ok(files.includes(file), `${file} is packed`);
      assert.ok(files.includes(file.replace(/\.js$/, '.html')), `${file} has its editor file`);
    }
    for (const file of Object.values(pkg['node-red'].plugins)) {
      assert.ok(files.includes(file), `plugin ${file} is packed`);
      assert.ok(files.includes(file.replace(/\.js$/, '.html')), `plugin ${file} has its editor file`);
    }
    assert.ok(files.includes(`examples/${EXAMPLE_FLOW_FILE}`));
  });

  for (const line of lines as Line[]) {
    it(`loads every node type without error on ${line.name}`, async function () {
      if (!isInstalled(line)) this.skip();
      const nodeRed = await startNodeRed({ userDir, installed: true, nodeBinary: line.node, nodeRedDir: line.nodeRed });
      try {
        const response = await fetch(`${nodeRed.url}/nodes`, { headers: { accept: 'application/json' } });
        const sets = (await response.json()) as NodeSet[];
        const ours = sets.filter((s) => s.module === pkg.name);
        const types = ours.flatMap((s) => s.types).sort();
        assert.deepEqual(types, Object.keys(pkg['node-red'].nodes).sort(), 'every declared node type is registered');
        for (const set of ours) {
          assert.equal(set.err, undefined, `${set.id}: ${set.err}`);
          assert.ok(set.enabled, `${set.id} is enabled`);
        }
        // The operator view is a plugin: loaded without error, its route answering.
        const pluginSets = (await (await fetch(`${nodeRed.url}/plugins`, { headers: { accept: 'application/json' } })).json()) as NodeSet[];
        const ourPlugins = pluginSets.filter((s) => s.module === pkg.name);
        assert.deepEqual(ourPlugins.map((s) => s.id).sort(), Object.keys(pkg['node-red'].plugins).map((name) => `${pkg.name}/${name}`).sort());
        for (const set of ourPlugins) assert.equal(set.err, undefined, `${set.id}: ${set.err}`);
        const view = await fetch(`${nodeRed.url}/ml-connector/operator`, { headers: { accept: 'application/json' } });
        assert.equal(view.status, 200);
        assert.deepEqual(((await view.json()) as { queues: unknown[] }).queues, []);
        assert.doesNotMatch(nodeRed.log(), /\[error\]/, 'Node-RED logged no error');
      } finally {
        await nodeRed.stop();
      }
    });
  }
});
