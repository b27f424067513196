import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';

/**
 * A real Node-RED process with this package installed the way a developer links a module under work:
 * a project-local user directory whose node_modules holds a link to the repository (so `dist/` is what loads).
 * Used by `npm start`, the end-to-end tests, the benchmarks and the chaos run.
 */

const repoRoot = resolve(__dirname, '..');
const packageName = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string }).name;

export interface NodeRedOptions {
  userDir: string;
  /** 0 picks a free port. */
  port?: number;
  /**
   * Node binary and node-red folder of the line to run; default: this Node and the line under test
   * (NODE_RED_PATH, set by scripts/test.mjs), else the repo's node-red (4.1).
   */
  nodeBinary?: string;
  nodeRedDir?: string;
  /** Extra settings merged into settings.js (JSON-serializable). */
  settings?: Record<string, unknown>;
  env?: Record<string, string>;
  /** Echo Node-RED's log lines to this process's stdout. */
  echo?: boolean;
  /** Also append Node-RED's log lines to this file (`npm start` names it in its banner). */
  logFile?: string;
  /** The user directory already has the package installed (the palette-install test); don't link the repo. */
  installed?: boolean;
}

export interface NodeRedProcess {
  readonly url: string;
  readonly port: number;
  readonly userDir: string;
  /** Everything Node-RED printed since it started (all restarts). */
  log(): string;
  /** Replaces all flows; nodes may carry `credentials`, which Node-RED encrypts into flows_cred.json. */
  deploy(flows: unknown[]): Promise<void>;
  /** GET /flows as the editor sees it (what "Export" would give). */
  flows(): Promise<unknown[]>;
  /**
   * Presses an inject node's button (POST /inject/<id>), as a user in the editor does; `props` replace the
   * properties it sends for this press, as the editor's "inject now" with edited properties does.
   */
  inject(nodeId: string, props?: Array<{ p: string; v: string; vt: string }>): Promise<void>;
  /** Stops and starts the same user directory (flows, credentials and node state kept). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
    server.on('error', reject);
  });
}

/** Makes `userDir` a Node-RED user directory with this package linked in, keeping its flows and state. */
export function linkPackage(userDir: string): void {
  const moduleLink = join(userDir, 'node_modules', ...packageName.split('/'));
  mkdirSync(dirname(moduleLink), { recursive: true });
  if (!existsSync(moduleLink)) symlinkSync(repoRoot, moduleLink, 'dir');
  writeFileSync(join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-sandbox', private: true, dependencies: { [packageName]: 'file:' + repoRoot } }, null, 2));
}

function writeSettings(userDir: string, settings: Record<string, unknown>): void {
  mkdirSync(userDir, { recursive: true });
  const secretFile = join(userDir, '.credential-secret');
  if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(24).toString('hex'), { mode: 0o600 });
  const credentialSecret = readFileSync(secretFile, 'utf8');
  const all = {
    flowFile: 'flows.json',
    credentialSecret,
    httpNodeCors: undefined,
    logging: { console: { level: 'info', metrics: false, audit: false } },
    editorTheme: { tours: false, projects: { enabled: false } },
    diagnostics: { enabled: false },
    telemetry: { enabled: false },
    ...settings,
  };
  writeFileSync(join(userDir, 'settings.js'), `module.exports = ${JSON.stringify(all, null, 2)};\n`);
}

export async function startNodeRed(options: NodeRedOptions): Promise<NodeRedProcess> {
  const port = options.port || (await freePort());
  const nodeBinary = options.nodeBinary ?? process.execPath;
  const nodeRedDir = options.nodeRedDir ?? process.env.NODE_RED_PATH ?? join(repoRoot, 'node_modules', 'node-red');
  const url = `http://127.0.0.1:${port}`;
  if (!options.installed) linkPackage(options.userDir);
  writeSettings(options.userDir, { uiPort: port, uiHost: '127.0.0.1', ...options.settings });
  let output = '';
  let child: ChildProcess | undefined;
  if (options.logFile) writeFileSync(options.logFile, '');

  async function launch(): Promise<void> {
    // Only this start's lines count: after a restart the earlier "Started flows" is still in the output.
    const startsAt = output.length;
    child = spawn(nodeBinary, [join(nodeRedDir, 'red.js'), '--userDir', options.userDir, '--settings', join(options.userDir, 'settings.js')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    const capture = (chunk: Buffer) => {
      output += chunk.toString();
      if (options.echo) process.stdout.write(chunk);
      if (options.logFile) appendFileSync(options.logFile, chunk);
    };
    child.stdout!.on('data', capture);
    child.stderr!.on('data', capture);
    const started = child;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (started.exitCode !== null) throw new Error(`Node-RED exited with code ${started.exitCode}:\n${output.slice(-4000)}`);
      try {
        const response = await fetch(`${url}/flows`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(2000) });
        if (response.ok && /Started flows|Starting flows/.test(output.slice(startsAt))) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`Node-RED did not start within 60 s:\n${output.slice(-4000)}`);
  }

  async function stop(): Promise<void> {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((r) => running.once('exit', r));
    running.kill('SIGINT');
    const timer = setTimeout(() => running.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }

  await launch();
  return {
    url,
    port,
    userDir: options.userDir,
    log: () => output,
    async deploy(flows) {
      const response = await fetch(`${url}/flows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'node-red-deployment-type': 'full' },
        body: JSON.stringify(flows),
      });
      if (!response.ok) throw new Error(`deploy failed: ${response.status} ${await response.text()}`);
    },
    async flows() {
      const response = await fetch(`${url}/flows`, { headers: { accept: 'application/json' } });
      return (await response.json()) as unknown[];
    },
    async inject(nodeId, props) {
      const response = await fetch(`${url}/inject/${encodeURIComponent(nodeId)}`, {
        method: 'POST',
        ...(props && { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ __user_inject_props__: props }) }),
      });
      if (!response.ok) throw new Error(`inject ${nodeId} failed: ${response.status} ${await response.text()}`);
    },
    async restart() {
      await stop();
      await launch();
    },
    stop,
  };
}

/** Removes a user directory made for a test run. */
export function removeUserDir(userDir: string): void {
  rmSync(userDir, { recursive: true, force: true });
}
