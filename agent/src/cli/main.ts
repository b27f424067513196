import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { hostname, networkInterfaces } from 'node:os';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { ConnectorError } from '../../../lib/errors';
import agentPackage from '../../package.json';
import { openComRoot } from '../bridge/com-root';
import { platformProtector } from '../config/secret';
import type { AgentRuntimeOptions, RunningAgent } from '../runtime-options';
import type { CliContext, CliIo } from './context';
import { runCli } from './run-cli';
import { PACKAGED_CONTRACT } from './runtime';

/** The `sage100-agent` executable: the CLI with the real console, Windows, COM bridge and HTTPS server. */

type StartAgent = (options: AgentRuntimeOptions, extras?: { contractPath?: string }) => Promise<RunningAgent>;

/** Loaded only by `run`, so the other commands work even where the server's dependencies are absent. */
function loadStartAgent(): StartAgent {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a literal path the bundler follows, loaded on first use
  return (require('../server/start') as { startAgent: StartAgent }).startAgent;
}

/** The bundle sits beside node.exe and bridge\; from source (tsx) the agent package's folder plays that part. */
const agentDir = process.env.SAGE100_AGENT_DIR ?? (basename(__filename).endsWith('.cjs') ? __dirname : resolve(__dirname, '..', '..'));

const io: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  async ask(question, { secret, flag }) {
    if (!process.stdin.isTTY) throw new ConnectorError(`${flag} is needed: there is no console to ask "${question}"`, { code: 'agent.cli_missing_flag' });
    let muted = false;
    const output = new Writable({ write: (chunk, _encoding, done) => { if (!muted) process.stdout.write(chunk); done(); } });
    const prompt = createInterface({ input: process.stdin, output, terminal: true });
    const answer = new Promise<string>((resolveAnswer) => prompt.question(`${question}: `, resolveAnswer));
    muted = secret === true;
    const value = await answer;
    prompt.close();
    if (secret) process.stdout.write('\n');
    return value.trim();
  },
};

const context: CliContext = {
  io,
  platform: process.platform,
  env: process.env,
  agentDir,
  version: agentPackage.version,
  protector: platformProtector(),
  startAgent: (options) => {
    const packagedContract = join(agentDir, PACKAGED_CONTRACT);
    return loadStartAgent()(options, existsSync(packagedContract) ? { contractPath: packagedContract } : {});
  },
  openRoot: openComRoot,
  execute: (command, args) => new Promise((resolveRun) => {
    const child = spawn(command, args, { windowsHide: true });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.on('error', (error) => resolveRun({ code: -1, output: error.message }));
    child.on('close', (code) => resolveRun({ code: code ?? -1, output }));
  }),
  waitForStop: () => Promise.race(['SIGINT', 'SIGTERM', 'SIGBREAK'].map((signal) => once(process, signal).then(() => undefined))),
  hostname: hostname(),
  addresses: Object.values(networkInterfaces()).flat().filter((address) => address && !address.internal && address.family === 'IPv4').map((address) => address!.address),
  now: () => new Date(),
};

void runCli(process.argv.slice(2), context).then((code) => process.exit(code));
