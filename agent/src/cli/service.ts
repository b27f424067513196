import { existsSync, writeFileSync } from 'node:fs';
import { join, win32 } from 'node:path';
import type { CliContext } from './context';

/**
 * The agent as a Windows service. node.exe cannot answer the Service Control Manager itself, so the service runs
 * WinSW (the MIT-licensed service wrapper, shipped in the package as sage100-agent-service.exe with its XML beside
 * it), which starts `node.exe sage100-agent.cjs run` and stops it with Ctrl+C. sc.exe registers the wrapper to
 * start at boot and restart after a failure; the commands are built here as data so they are tested off Windows.
 */
export const SERVICE_NAME = 'Sage100Agent';
export const SERVICE_DISPLAY_NAME = 'Sage 100 agent (ml-connector)';
export const SERVICE_WRAPPER = 'sage100-agent-service.exe';
export const SERVICE_WRAPPER_CONFIG = 'sage100-agent-service.xml';
export const AGENT_BUNDLE = 'sage100-agent.cjs';
const DESCRIPTION = 'Serves Sage 100 (Business Object Interface) to the ml-connector Node-RED nodes over HTTPS.';
const RESTART_DELAY_MS = 60_000;
const ERROR_SERVICE_EXISTS = 1073;
const ERROR_SERVICE_NOT_ACTIVE = 1062;
const ERROR_ACCESS_DENIED = 5;

export interface ServiceCommand {
  command: string;
  args: string[];
}

export function installCommands(agentDir: string): ServiceCommand[] {
  const sc = (...args: string[]): ServiceCommand => ({ command: 'sc.exe', args });
  const restart = `restart/${RESTART_DELAY_MS}`;
  return [
    sc('create', SERVICE_NAME, 'binPath=', `"${win32.join(agentDir, SERVICE_WRAPPER)}"`, 'start=', 'auto', 'DisplayName=', SERVICE_DISPLAY_NAME),
    sc('description', SERVICE_NAME, DESCRIPTION),
    sc('failure', SERVICE_NAME, 'reset=', '86400', 'actions=', [restart, restart, restart].join('/')),
    sc('failureflag', SERVICE_NAME, '1'),
    sc('start', SERVICE_NAME),
  ];
}

export function uninstallCommands(): ServiceCommand[] {
  return [{ command: 'sc.exe', args: ['stop', SERVICE_NAME] }, { command: 'sc.exe', args: ['delete', SERVICE_NAME] }];
}

/** WinSW reads this beside its exe; `%BASE%` is the wrapper's folder. Console output is the agent's own log already. */
export function wrapperConfigXml(configPath: string): string {
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return [
    '<service>',
    `  <id>${SERVICE_NAME}</id>`,
    `  <name>${escape(SERVICE_DISPLAY_NAME)}</name>`,
    `  <description>${escape(DESCRIPTION)}</description>`,
    '  <executable>%BASE%\\node.exe</executable>',
    `  <arguments>"%BASE%\\${AGENT_BUNDLE}" run --service --config "${escape(configPath)}"</arguments>`,
    '  <startmode>Automatic</startmode>',
    `  <onfailure action="restart" delay="${RESTART_DELAY_MS / 1000} sec"/>`,
    '  <resetfailure>1 day</resetfailure>',
    '  <stoptimeout>30 sec</stoptimeout>',
    '  <logpath>%BASE%\\logs</logpath>',
    '  <log mode="roll-by-size"><sizeThreshold>1024</sizeThreshold><keepFiles>3</keepFiles></log>',
    '</service>',
    '',
  ].join('\n');
}

export async function install(configPath: string, flags: { dryRun?: boolean }, ctx: CliContext): Promise<number> {
  const commands = installCommands(ctx.agentDir);
  if (flags.dryRun || ctx.platform !== 'win32') return printOnly(commands, ctx, flags.dryRun === true);
  if (!existsSync(configPath)) {
    ctx.io.err(`No config at ${configPath}: run "sage100-agent init" first.`);
    return 1;
  }
  if (!existsSync(join(ctx.agentDir, SERVICE_WRAPPER))) {
    ctx.io.err(`The service wrapper ${SERVICE_WRAPPER} is not in ${ctx.agentDir}: this package was built without it. See the README, "Running without the service wrapper".`);
    return 1;
  }
  writeFileSync(join(ctx.agentDir, SERVICE_WRAPPER_CONFIG), wrapperConfigXml(configPath));
  for (const command of commands) {
    const result = await ctx.execute(command.command, command.args);
    if (result.code === 0) continue;
    ctx.io.err(scFailure(command, result.code, result.output));
    return 1;
  }
  ctx.io.out(`Service ${SERVICE_NAME} installed and started: it starts at boot and restarts a minute after a failure.`);
  return 0;
}

export async function uninstall(flags: { dryRun?: boolean }, ctx: CliContext): Promise<number> {
  const commands = uninstallCommands();
  if (flags.dryRun || ctx.platform !== 'win32') return printOnly(commands, ctx, flags.dryRun === true);
  for (const command of commands) {
    const result = await ctx.execute(command.command, command.args);
    if (result.code === 0 || (command.args[0] === 'stop' && result.code === ERROR_SERVICE_NOT_ACTIVE)) continue;
    ctx.io.err(scFailure(command, result.code, result.output));
    return 1;
  }
  ctx.io.out(`Service ${SERVICE_NAME} stopped and removed. The config, certificate and logs stay where they are.`);
  return 0;
}

/** `--dry-run`, or anywhere but Windows: the commands as one would type them, nothing run. */
function printOnly(commands: ServiceCommand[], ctx: CliContext, asked: boolean): number {
  if (!asked) ctx.io.err('Services are installed on Windows only; these are the commands it would run:');
  for (const { command, args } of commands) ctx.io.out([command, ...args.map((arg) => (/\s/.test(arg) ? `"${arg.replace(/"/g, '\\"')}"` : arg))].join(' '));
  return asked ? 0 : 1;
}

function scFailure(command: ServiceCommand, code: number, output: string): string {
  const what = `sc.exe ${command.args[0]} failed (${code})`;
  if (code === ERROR_ACCESS_DENIED) return `${what}: run the command from an elevated prompt (Run as administrator).`;
  if (code === ERROR_SERVICE_EXISTS) return `${what}: the service ${SERVICE_NAME} is already installed; run "sage100-agent uninstall" first to reinstall it.`;
  return `${what}: ${output.trim().split(/\r?\n/).filter(Boolean).slice(-1)[0] ?? 'no further detail'}`;
}
