import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConnectorError } from '../../../lib/errors';
import { CONFIG_FILE_NAME, loadAgentConfig } from '../config/schema';
import { makeRedactor } from '../log/redact';
import { inspectCertificate } from './certificate';
import type { CliContext } from './context';
import { formatFinding, runDoctor } from './doctor';
import { init, renewCertificate, rotateKey } from './init';
import { run } from './run';
import { bridgeOptions, hostScriptPath, tlsPaths } from './runtime';
import { install, uninstall } from './service';

const USAGE = `Usage: sage100-agent <command> [options]

Commands:
  init         write the config, a self-signed certificate and an API key (shown once)
                 --home <MAS90\\Home> --user <sage user> --password <pw> --companies ABC,XYZ
                 --port <8443> --host <0.0.0.0> --names <extra host names/IPs> --pool-size <1> --force
  doctor       check Sage paths, BOI, logon, Allow External Access, module rights and the certificate
  run          run the agent in the foreground (Ctrl+C stops it)
  install      install and start the Windows service (elevated prompt)   --dry-run prints the commands
  uninstall    stop and remove the Windows service                        --dry-run prints the commands
  rotate-key   make a new API key (shown once) in place of the old one
  renew-cert   make a new certificate for the same names   --names <more names/IPs>

Every command takes --config <file> (default: agent.config.json beside the agent).`;

const OPTIONS = {
  config: { type: 'string' },
  home: { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
  companies: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  names: { type: 'string' },
  'pool-size': { type: 'string' },
  force: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  service: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** The `sage100-agent` command line; answers the process exit code. Every failure is one sentence, never a stack. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    ctx.io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    ctx.io.out(ctx.version);
    return 0;
  }
  const command = positionals[0];
  if (!command || values.help) {
    ctx.io.out(USAGE);
    return command || values.help ? 0 : 2;
  }
  const configPath = values.config ?? join(ctx.agentDir, CONFIG_FILE_NAME);
  // A message may quote a flag's value; the password given as a flag must not come back on the console.
  const redact = makeRedactor(values.password ? [values.password] : []);
  try {
    switch (command) {
      case 'init':
        return await init(configPath, { ...values, poolSize: values['pool-size'] }, ctx);
      case 'run':
        return await run(configPath, values, ctx);
      case 'doctor':
        return await doctor(configPath, ctx);
      case 'install':
        return await install(configPath, { dryRun: values['dry-run'] }, ctx);
      case 'uninstall':
        return await uninstall({ dryRun: values['dry-run'] }, ctx);
      case 'rotate-key':
        return await rotateKey(configPath, ctx);
      case 'renew-cert':
        return renewCertificate(configPath, values, ctx);
      default:
        ctx.io.err(`Unknown command "${command}".\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const hint = error instanceof ConnectorError && error.hint ? ` ${error.hint}` : '';
    ctx.io.err(redact.text(`${/[.!?]$/.test(message) ? message : `${message}.`}${hint}`));
    return 1;
  }
}

async function doctor(configPath: string, ctx: CliContext): Promise<number> {
  const loaded = loadAgentConfig(configPath);
  const { certPath, keyPath } = tlsPaths(loaded);
  const bridge = bridgeOptions(loaded.config, ctx.agentDir);
  const findings = await runDoctor(loaded.config, {
    pathExists: existsSync,
    bridgeHostScript: hostScriptPath(loaded.config, ctx.agentDir),
    certificate: () => {
      try {
        return inspectCertificate(readFileSync(certPath, 'utf8'), readFileSync(keyPath, 'utf8'));
      } catch (error) {
        return error as Error;
      }
    },
    revealPassword: () => ctx.protector.reveal(loaded.config.sage.password),
    openRoot: () => ctx.openRoot(bridge),
    now: ctx.now(),
  });
  for (const finding of findings) ctx.io.out(formatFinding(finding));
  const failed = findings.filter((finding) => finding.status === 'fail').length;
  ctx.io.out(failed === 0 ? 'All checks passed.' : `${failed} check(s) failed.`);
  return failed === 0 ? 0 : 1;
}
