import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AgentConfig } from '../config/schema';
import { CONFIG_VERSION, loadAgentConfig, parseAgentConfig } from '../config/schema';
import { hashApiKey, makeApiKey } from '../security/api-key';
import { inspectCertificate, isCertificateName, makeSelfSignedCertificate } from './certificate';
import type { CliContext } from './context';
import { tlsPaths } from './runtime';

export const DEFAULT_PORT = 8443;
const CERT_VALID_DAYS = 3 * 365;
const CERT_FILE = 'tls/agent-cert.pem';
const KEY_FILE = 'tls/agent-key.pem';

export interface InitFlags {
  home?: string;
  user?: string;
  password?: string;
  companies?: string;
  port?: string;
  host?: string;
  names?: string;
  poolSize?: string;
  force?: boolean;
}

/**
 * `init`: the config, a certificate and an API key. The key is shown once and only its hash is written; the
 * Sage password is stored through the platform's protector (DPAPI on Windows).
 */
export async function init(configPath: string, flags: InitFlags, ctx: CliContext): Promise<number> {
  if (existsSync(configPath) && !flags.force) {
    ctx.io.err(`A config already exists at ${configPath}. init would replace its API key and certificate: use rotate-key or renew-cert, or init --force to start over.`);
    return 1;
  }
  const homePath = flags.home ?? await ctx.io.ask('Sage 100 MAS90\\Home folder (e.g. C:\\Sage\\Sage 100\\MAS90\\Home)', { flag: '--home' });
  const user = flags.user ?? await ctx.io.ask('Sage user for the agent (a dedicated one, not admin)', { flag: '--user' });
  const password = flags.password ?? await ctx.io.ask(`Password of Sage user ${user}`, { secret: true, flag: '--password' });
  const companies = (flags.companies ?? await ctx.io.ask('Company codes, comma-separated (e.g. ABC)', { flag: '--companies' }))
    .split(',').map((code) => code.trim().toUpperCase()).filter(Boolean);

  const apiKey = makeApiKey();
  const config = parseAgentConfig({
    version: CONFIG_VERSION,
    listen: { host: flags.host ?? '0.0.0.0', port: Number(flags.port ?? DEFAULT_PORT) },
    tls: { certFile: CERT_FILE, keyFile: KEY_FILE },
    apiKeyHash: hashApiKey(apiKey),
    sage: { homePath, user, password: await ctx.protector.protect(password), companies, poolSize: Number(flags.poolSize ?? 1) },
  }, configPath);

  const names = certificateNames(ctx, splitList(flags.names));
  // The key's folder is closed before the key is written, so the key inherits the closed folder's permissions.
  const tlsFolder = join(dirname(configPath), dirname(CERT_FILE));
  mkdirSync(tlsFolder, { recursive: true });
  await restrictAccess([tlsFolder], ctx);
  const certificate = writeCertificate(dirname(configPath), names, ctx);
  writeConfig(configPath, config);
  await restrictAccess([configPath], ctx);

  ctx.io.out(`Config written to ${configPath}`);
  reportCertificate(ctx, certificate, names);
  reportApiKey(ctx, apiKey);
  ctx.io.out('Next: "sage100-agent doctor" checks Sage, then "sage100-agent install" makes it a Windows service.');
  return 0;
}

/** `rotate-key`: a new API key replaces the old one at the next start of the agent. */
export async function rotateKey(configPath: string, ctx: CliContext): Promise<number> {
  const loaded = loadAgentConfig(configPath);
  const apiKey = makeApiKey();
  writeConfig(configPath, { ...loaded.config, apiKeyHash: hashApiKey(apiKey) });
  await restrictAccess([configPath], ctx);
  reportApiKey(ctx, apiKey);
  ctx.io.out('Restart the agent (sc.exe stop Sage100Agent, then sc.exe start Sage100Agent); the old key stops working then.');
  return 0;
}

/** `renew-cert`: a new key pair and certificate for the same names (plus any given), in place of the old files. */
export function renewCertificate(configPath: string, flags: Pick<InitFlags, 'names'>, ctx: CliContext): number {
  const loaded = loadAgentConfig(configPath);
  const { certPath, keyPath } = tlsPaths(loaded);
  let previous: string[] = [];
  if (existsSync(certPath) && existsSync(keyPath)) previous = inspectCertificate(readFileSync(certPath, 'utf8'), readFileSync(keyPath, 'utf8')).altNames;
  const names = previous.length > 0 ? unique([...previous, ...splitList(flags.names)]) : certificateNames(ctx, splitList(flags.names));
  const certificate = makeSelfSignedCertificate({ commonName: `${ctx.hostname} sage100-agent`, altNames: names, validDays: CERT_VALID_DAYS, now: ctx.now() });
  writeSecretFile(keyPath, certificate.keyPem);
  writeSecretFile(certPath, certificate.certPem);
  reportCertificate(ctx, certificate, names);
  ctx.io.out('Restart the agent and paste the new fingerprint into Node-RED: until then Node-RED refuses the new certificate.');
  return 0;
}

function certificateNames(ctx: CliContext, extra: string[]): string[] {
  return unique([ctx.hostname, ...extra, 'localhost', '127.0.0.1', ...ctx.addresses]).filter((name) => {
    if (isCertificateName(name)) return true;
    ctx.io.err(`"${name}" cannot be a name in a certificate and is left out; reach the agent by IP address or pass --names.`);
    return false;
  });
}

function writeCertificate(folder: string, names: string[], ctx: CliContext) {
  const certificate = makeSelfSignedCertificate({ commonName: `${ctx.hostname} sage100-agent`, altNames: names, validDays: CERT_VALID_DAYS, now: ctx.now() });
  writeSecretFile(join(folder, KEY_FILE), certificate.keyPem);
  writeSecretFile(join(folder, CERT_FILE), certificate.certPem);
  return certificate;
}

function reportCertificate(ctx: CliContext, certificate: { fingerprint256: string; notAfter: Date }, names: string[]): void {
  ctx.io.out(`Certificate for ${names.join(', ')}, valid until ${certificate.notAfter.toISOString().slice(0, 10)}.`);
  ctx.io.out('SHA-256 fingerprint (paste it into the Node-RED Sage 100 config node, TLS "pin the certificate"):');
  ctx.io.out(`  ${certificate.fingerprint256}`);
}

function reportApiKey(ctx: CliContext, apiKey: string): void {
  ctx.io.out('API key (shown this once; only its hash is kept. Paste it into the Node-RED Sage 100 config node now):');
  ctx.io.out(`  ${apiKey}`);
}

/**
 * The TLS key is a plain PEM file and the config holds the DPAPI blob: on Windows only Administrators and SYSTEM
 * (the service's default account) may read them. Well-known SIDs, so it works in every Windows language.
 */
export function restrictAccessCommands(paths: string[]): Array<{ command: string; args: string[] }> {
  return paths.map((path) => ({
    command: 'icacls.exe',
    args: [path, '/inheritance:r', '/grant:r', `*S-1-5-32-544:${path.endsWith('.json') ? '' : '(OI)(CI)'}F`, '/grant:r', `*S-1-5-18:${path.endsWith('.json') ? '' : '(OI)(CI)'}F`],
  }));
}

async function restrictAccess(paths: string[], ctx: CliContext): Promise<void> {
  if (ctx.platform !== 'win32') return;
  for (const { command, args } of restrictAccessCommands(paths)) {
    const result = await ctx.execute(command, args);
    if (result.code !== 0) ctx.io.err(`Could not limit who may read ${args[0]} (icacls ${result.code}); limit it to Administrators and the service account by hand.`);
  }
}

function writeConfig(path: string, config: AgentConfig): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/** Owner-only on Linux (development); on Windows the folder's ACL decides, as the README says. */
function writeSecretFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, { mode: 0o600 });
}

function splitList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
