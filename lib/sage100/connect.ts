import type { Agent } from 'undici';
import { z } from 'zod';
import { dirname, resolve, sep } from 'node:path';
import { ValidationError, parseWith, redact } from '../errors';
import { createAgentClient } from './agent-client';
import type { ConnectionReport, Sage100Client } from './client';
import { BUNDLED_WSDL_PATH, createSoapClient } from './soap-client';
import { createSageAgent, type Sage100TlsOptions } from './tls';

/**
 * Builds the Sage 100 connection a `sage100-config` node owns: the undici Agent (pool + TLS trust rule) and
 * the client for the chosen mode on top of it. The same settings drive the editor's Test connection button.
 */

export const DEFAULT_TIMEOUT_MS = 30_000;

const url = (protocols: string[], example: string) =>
  z
    .string()
    .trim()
    .refine((value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    }, `must be a ${protocols.map((p) => p.replace(':', '')).join(' or ')} URL, e.g. ${example}`);

const required = (what: string) => z.string({ error: `${what} is required` }).min(1, `${what} is required`);

const common = {
  companyCode: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{3}$/, 'must be exactly three letters or digits, e.g. ABC')
    .transform((code) => code.toUpperCase()),
  tls: z.object({
    mode: z.enum(['verify', 'ca', 'pin', 'insecure']),
    caPem: z.string().optional(),
    pinSha256: z.string().optional(),
  }),
  timeoutMs: z.number().int().min(1000, 'must be at least 1 s').max(300_000, 'must be at most 300 s'),
};

export const sage100SettingsSchema = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('agent'),
    agentUrl: url(['https:'], 'https://sage-server:8443'),
    apiKey: required('the API key'),
    ...common,
  }),
  z.object({
    mode: z.literal('soap'),
    // Plain http would send the Sage user name and password readable to anyone on the network path.
    soapEndpoint: url(['https:'], 'https://sage-server/eBusinessWebServices/MasBasicService.svc'),
    username: required('the user name'),
    password: required('the password'),
    wsdlPath: z.string().trim().optional(),
    ...common,
  }),
]);

export type Sage100Settings = z.infer<typeof sage100SettingsSchema>;

/**
 * The WSDL setting may name only a file the user could have put there: one beside the bundled WSDL, or one under
 * the Node-RED user directory. Anything else (e.g. /etc/…) is refused before it is read.
 */
export function checkWsdlPath(wsdlPath: string | undefined, userDir: string | undefined): void {
  if (!wsdlPath) return;
  const file = resolve(wsdlPath);
  const folders = [dirname(BUNDLED_WSDL_PATH), ...(userDir ? [resolve(userDir)] : [])];
  if (folders.some((folder) => file.startsWith(`${folder}${sep}`))) return;
  throw new ValidationError('Sage 100 settings: wsdlPath: must be a file in the Node-RED user directory (or empty for the bundled WSDL)', {
    code: 'sage100.config',
    field: 'wsdlPath',
    hint: `Save the WSDL (with its schema parts) under ${userDir ?? 'the Node-RED user directory'}, or leave the setting empty.`,
  });
}

/**
 * What a stored credential may be sent to: mode, server URL, TLS rule, WSDL. Two settings with the same target
 * reach the same server the same way.
 */
export function targetOf(input: unknown): string {
  const settings = (input ?? {}) as { mode?: unknown; agentUrl?: unknown; soapEndpoint?: unknown; wsdlPath?: unknown; tls?: { mode?: unknown; caPem?: unknown; pinSha256?: unknown } };
  const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
  const url = settings.mode === 'soap' ? text(settings.soapEndpoint) : text(settings.agentUrl);
  return JSON.stringify([
    settings.mode,
    url.replace(/\/+$/, '').toLowerCase(),
    text(settings.tls?.mode),
    text(settings.tls?.caPem),
    text(settings.tls?.pinSha256).replace(/[^0-9a-f]/gi, '').toUpperCase(),
    settings.mode === 'soap' ? text(settings.wsdlPath) : '',
  ]);
}

/**
 * The timeout in milliseconds from the config node's fields. `timeout` is in seconds, like the BigCommerce
 * configuration's; flows saved before it carry `timeoutMs` (milliseconds) instead, which is used while present
 * (the dialog converts it to seconds and clears it on its next save).
 */
export function timeoutMsFromConfig(config: Record<string, unknown>): number {
  const legacyMs = Number.parseFloat(String(config.timeoutMs ?? ''));
  if (Number.isFinite(legacyMs) && legacyMs > 0) return legacyMs;
  const seconds = Number.parseFloat(String(config.timeout ?? ''));
  return Number.isFinite(seconds) ? Math.round(seconds * 1000) : DEFAULT_TIMEOUT_MS;
}

/** The config node's fields (as the editor stores them) and its credentials, as settings to validate. */
export function settingsFromConfig(config: Record<string, unknown>, credentials: Record<string, string | undefined>): unknown {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    mode: config.mode === 'soap' ? 'soap' : 'agent',
    agentUrl: text(config.agentUrl) ?? '',
    soapEndpoint: text(config.soapEndpoint) ?? '',
    wsdlPath: text(config.wsdlPath) || undefined,
    companyCode: text(config.companyCode) ?? '',
    tls: { mode: text(config.tlsMode) || 'verify', caPem: text(config.caPem) || undefined, pinSha256: text(config.pinSha256) || undefined },
    timeoutMs: timeoutMsFromConfig(config),
    apiKey: credentials.apiKey || undefined,
    username: credentials.username || undefined,
    password: credentials.password || undefined,
  };
}

export interface Sage100Connection {
  settings: Sage100Settings;
  client: Sage100Client;
  /** The pool every node using this configuration shares. */
  dispatcher: Agent;
  /** Set when certificate checks are off, for the node status and the log. */
  tlsWarning?: string;
  close(): Promise<void>;
}

export const INSECURE_TLS_WARNING =
  'Sage 100 TLS certificate checks are OFF ("do not verify"): anyone on the network path can read or change Sage traffic and credentials. Trust the CA certificate or pin the fingerprint instead.';

/** What the trust rule proves about the server, for Test connection. */
export function describeTls(tls: Sage100TlsOptions, serverUrl: string): string {
  if (new URL(serverUrl).protocol === 'http:') return 'no TLS: plain HTTP, traffic is not encrypted';
  switch (tls.mode) {
    case 'verify':
      return 'TLS certificate verified against the trusted certificate authorities';
    case 'ca':
      return 'TLS certificate verified against the given CA certificate';
    case 'pin':
      return 'TLS certificate matches the pinned SHA-256 fingerprint';
    case 'insecure':
      return 'TLS certificate NOT verified ("do not verify" is selected)';
  }
}

/** Waits for in-flight requests a little, then cuts them: Node-RED gives a closing node 15 seconds. */
async function closeDispatcher(dispatcher: Agent, graceMs = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const cut = new Promise<void>((resolve) => {
    timer = setTimeout(() => void dispatcher.destroy().then(resolve, resolve), graceMs);
  });
  await Promise.race([dispatcher.close(), cut]);
  clearTimeout(timer);
}

/** Validates the settings (errors name the field and the configuration) and builds pool and client. */
export function connectSage100(input: unknown, context: { record: string }): Sage100Connection {
  const settings = parseWith(sage100SettingsSchema, input, { what: 'Sage 100 settings', record: context.record, code: 'sage100.config' });
  const tls: Sage100TlsOptions = settings.tls;
  const dispatcher = createSageAgent(tls);
  const client =
    settings.mode === 'agent'
      ? createAgentClient({ baseUrl: settings.agentUrl, apiKey: settings.apiKey, companyCode: settings.companyCode, dispatcher, timeoutMs: settings.timeoutMs })
      : createSoapClient({
          endpoint: settings.soapEndpoint,
          username: settings.username,
          password: settings.password,
          companyCode: settings.companyCode,
          wsdlPath: settings.wsdlPath,
          dispatcher,
          timeoutMs: settings.timeoutMs,
        });
  return {
    settings,
    client,
    dispatcher,
    tlsWarning: tls.mode === 'insecure' ? INSECURE_TLS_WARNING : undefined,
    async close() {
      await client.close();
      await closeDispatcher(dispatcher);
    },
  };
}

function secretsOf(settings: unknown): string[] {
  const { apiKey, password } = (settings ?? {}) as { apiKey?: unknown; password?: unknown };
  return [apiKey, password].filter((value): value is string => typeof value === 'string');
}

export type TestConnectionAnswer =
  | ({ ok: true } & ConnectionReport)
  | { ok: false; message: string; code?: string; hint?: string; issues?: Array<{ field: string; message: string }> };

/**
 * Test connection: builds a throw-away connection from the dialog's values and runs the client's
 * side-effect-free check (agent: health; SOAP: contract information plus a read of a customer that cannot
 * exist). The answer says what was proved, or why not, and never carries a credential.
 */
export async function testConnection(input: unknown): Promise<TestConnectionAnswer> {
  const secrets = secretsOf(input);
  let connection: Sage100Connection | undefined;
  try {
    connection = connectSage100(input, { record: 'Test connection' });
    const report = await connection.client.checkConnection();
    const { settings } = connection;
    const tls = describeTls(settings.tls, settings.mode === 'agent' ? settings.agentUrl : settings.soapEndpoint);
    const [reached, ...rest] = report.checks;
    return { ok: true, ...report, checks: [...(reached ? [reached] : []), tls, ...rest] };
  } catch (err) {
    const details = err as { message?: string; code?: string; hint?: string };
    return {
      ok: false,
      message: redact(details.message ?? String(err), secrets),
      ...(details.code && { code: details.code }),
      ...(details.hint && { hint: redact(details.hint, secrets) }),
      ...(err instanceof ValidationError && { issues: err.issues.map((issue) => ({ field: issue.field, message: redact(issue.message, secrets) })) }),
    };
  } finally {
    await connection?.close();
  }
}
