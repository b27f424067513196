import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
// @ts-expect-error plain ES module shared with scripts/test.mjs
import { isInstalled, lines } from '../compat/lines.mjs';

interface Line { name: string; node: string; nodeRed: string }
interface NodeSet { id: string; module: string; types: string[]; enabled: boolean; loaded: boolean; err?: string }

const root = resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; 'node-red': { nodes: Record<string, string> } };

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => res(port));
    });
    server.on('error', rej);
  });
}

function npm(args: string[], cwd: string): string {
  const result = spawnSync('npm', args, { cwd, encoding: 'utf8' });
  assert.equal(result.status, 0, `npm ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

async function waitForNodes(url: string, child: ChildProcess, log: () => string): Promise<NodeSet[]> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Node-RED exited with ${child.exitCode}:\n${log()}`);
    try {
      const response = await fetch(`${url}/nodes`, { headers: { accept: 'application/json' } });
      if (response.ok) return (await response.json()) as NodeSet[];
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Node-RED did not answer within 60 s:\n${log()}`);
}

describe('palette install: npm pack, npm install into a new user directory, real Node-RED', function () {
  let userDir: string;

  before(function () {
    this.timeout(300_000);
    userDir = mkdtempSync(join(tmpdir(), 'palette-'));
    const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', userDir], root)) as Array<{ filename: string; files: Array<{ path: string }> }>;
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
    assert.ok(files.includes('examples/flows.json'));
  });

  for (const line of lines as Line[]) {
    it(`loads every node type without error on ${line.name}`, async function () {
      if (!isInstalled(line)) this.skip();
      const port = await freePort();
      let output = '';
      const child = spawn(line.node, [join(line.nodeRed, 'red.js'), '--userDir', userDir, '--port', String(port), join(userDir, 'flows-palette.json')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (d) => (output += d));
      child.stderr!.on('data', (d) => (output += d));
      try {
        const sets = await waitForNodes(`http://127.0.0.1:${port}`, child, () => output);
        const ours = sets.filter((s) => s.module === pkg.name);
        const types = ours.flatMap((s) => s.types).sort();
        assert.deepEqual(types, Object.keys(pkg['node-red'].nodes).sort(), 'every declared node type is registered');
        for (const set of ours) {
          assert.equal(set.err, undefined, `${set.id}: ${set.err}`);
          assert.ok(set.enabled && set.loaded, `${set.id} is enabled and loaded`);
        }
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    });
  }
});
