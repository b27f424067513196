import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, readFromTarball, readZip, writeZip } from '../scripts/archive';
import { AGENT_ROOT, NODE_WIN, SERVICE_WRAPPER_SOURCE, buildAgentPackage } from '../scripts/package';

const hasTool = (tool: string) => spawnSync(tool, ['--help'], { stdio: 'ignore' }).error === undefined;

/** An npm-style .tgz with the given files under package/. */
function fakeTarball(path: string, files: Record<string, string>): void {
  const staging = mkdtempSync(join(tmpdir(), 'fake-tgz-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(staging, 'package', name, '..'), { recursive: true });
    writeFileSync(join(staging, 'package', name), text);
  }
  execFileSync('tar', ['--format=ustar', '-czf', path, '-C', staging, 'package']);
  rmSync(staging, { recursive: true, force: true });
}

describe('agent package: archives', () => {
  it('crc32 is the zip one', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  });

  it('a zip round-trips, deflates what compresses and stores what does not', () => {
    const text = Buffer.from('Sage 100 agent\r\n'.repeat(500));
    const random = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7919) % 256));
    const zip = writeZip([{ name: 'a/readme.txt', data: text }, { name: 'a/bin.dat', data: random }, { name: 'a/Ünïcode.txt', data: Buffer.from('x') }]);
    assert.ok(zip.length < text.length, 'deflated');
    assert.deepEqual(readZip(zip).map((e) => [e.name, e.data.length]), [['a/readme.txt', text.length], ['a/bin.dat', 300], ['a/Ünïcode.txt', 1]]);
    assert.deepEqual(readZip(zip)[0]!.data, text);
    const corrupt = Buffer.from(zip);
    corrupt[50] = corrupt[50]! ^ 0xff; // inside the first entry's deflated data
    assert.throws(() => readZip(corrupt));
  });

  it('the zip is one that the system unzip accepts', function () {
    if (!hasTool('unzip')) this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'zip-'));
    try {
      writeFileSync(join(dir, 't.zip'), writeZip([{ name: 'x/host.ps1', data: Buffer.from('$Ops = 1\n'.repeat(100)) }]));
      assert.match(execFileSync('unzip', ['-t', join(dir, 't.zip')]).toString(), /No errors detected/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads one file out of an npm tarball', function () {
    if (!hasTool('tar')) this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'tgz-'));
    try {
      fakeTarball(join(dir, 'p.tgz'), { 'bin/node.exe': 'MZ fake', 'README.md': 'r' });
      assert.equal(readFromTarball(readFileSync(join(dir, 'p.tgz')), 'package/bin/node.exe')?.toString(), 'MZ fake');
      assert.equal(readFromTarball(readFileSync(join(dir, 'p.tgz')), 'package/bin/missing.exe'), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('agent package: the Windows artefact', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'agent-package-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const quiet = () => undefined;

  it('holds the bundle, launcher, bridge host, README, node.exe and the service wrapper; the bundle runs', async function () {
    if (!hasTool('tar')) this.skip();
    const cacheDir = join(dir, 'cache');
    mkdirSync(cacheDir);
    fakeTarball(join(cacheDir, `${NODE_WIN.name}-${NODE_WIN.version}.tgz`), { 'bin/node.exe': 'MZ fake node' });
    fakeTarball(join(cacheDir, `${SERVICE_WRAPPER_SOURCE.name}-${SERVICE_WRAPPER_SOURCE.version}.tgz`), { 'bin/winsw/winsw.exe': 'MZ fake winsw', 'bin/winsw/winsw.exe.config': '<configuration/>', LICENSE: 'MIT' });
    const result = await buildAgentPackage({ outDir: join(dir, 'out'), cacheDir, offline: true, log: quiet });
    assert.deepEqual(result.missing, []);
    const entries = readZip(readFileSync(result.zipPath));
    assert.deepEqual(entries.map((e) => e.name), [
      'sage100-agent/sage100-agent.cjs', 'sage100-agent/sage100-agent.cmd', 'sage100-agent/bridge/host.ps1', 'sage100-agent/sage100-agent-api.yaml', 'sage100-agent/README.md',
      'sage100-agent/node.exe', 'sage100-agent/sage100-agent-service.exe', 'sage100-agent/sage100-agent-service.exe.config', 'sage100-agent/LICENSE-service-wrapper.txt',
    ]);
    const file = (name: string) => entries.find((e) => e.name === `sage100-agent/${name}`)!.data;
    assert.equal(file('node.exe').toString(), 'MZ fake node');
    assert.deepEqual(file('bridge/host.ps1'), readFileSync(join(AGENT_ROOT, 'bridge', 'host.ps1')));
    assert.deepEqual(file('sage100-agent-api.yaml'), readFileSync(join(AGENT_ROOT, '..', 'docs', 'sage100-agent-api.yaml')));
    assert.match(file('sage100-agent.cmd').toString(), /"%~dp0node\.exe" "%~dp0sage100-agent\.cjs" %\*/);

    const unpacked = join(dir, 'unpacked');
    mkdirSync(unpacked);
    writeFileSync(join(unpacked, 'sage100-agent.cjs'), file('sage100-agent.cjs'));
    const version = JSON.parse(readFileSync(join(AGENT_ROOT, 'package.json'), 'utf8')).version as string;
    assert.equal(execFileSync(process.execPath, [join(unpacked, 'sage100-agent.cjs'), '--version'], { cwd: unpacked }).toString().trim(), version);
    const usage = spawnSync(process.execPath, [join(unpacked, 'sage100-agent.cjs'), 'install', '--dry-run'], { cwd: unpacked });
    assert.match(usage.stdout.toString(), /sc\.exe failure Sage100Agent reset= 86400 actions= restart\/60000/);
  });

  it('without the registry it still makes the zip, and says what is missing and how to add it', async () => {
    const result = await buildAgentPackage({ outDir: join(dir, 'out'), cacheDir: join(dir, 'empty-cache'), offline: true, log: quiet });
    assert.deepEqual(result.missing, ['node.exe', 'sage100-agent-service.exe']);
    const entries = readZip(readFileSync(result.zipPath));
    assert.ok(!entries.some((e) => e.name.endsWith('node.exe')));
    const note = entries.find((e) => e.name === 'sage100-agent/MISSING.txt')!.data.toString();
    assert.match(note, new RegExp(`node\\.exe: copy node\\.exe of Node\\.js ${NODE_WIN.version.replace(/\./g, '\\.')} for Windows x64`));
    assert.match(note, /sage100-agent-service\.exe: copy WinSW/);
  });

  it('with the real Node.js for Windows from the cache (after npm run agent:package): node.exe is a PE x64 executable', async function () {
    const cacheDir = join(AGENT_ROOT, '.cache');
    if (!existsSync(join(cacheDir, `${NODE_WIN.name}-${NODE_WIN.version}.tgz`))) this.skip();
    const result = await buildAgentPackage({ outDir: join(dir, 'out'), cacheDir, offline: true, log: quiet });
    const nodeExe = readZip(readFileSync(result.zipPath)).find((e) => e.name === 'sage100-agent/node.exe')!.data;
    assert.equal(nodeExe.subarray(0, 2).toString(), 'MZ');
    const peAt = nodeExe.readUInt32LE(0x3c);
    assert.equal(nodeExe.subarray(peAt, peAt + 4).toString('latin1'), 'PE\0\0');
    assert.equal(nodeExe.readUInt16LE(peAt + 4), 0x8664, 'x64');
  });
});
