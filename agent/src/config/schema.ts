import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { ConnectorError, parseWith } from '../../../lib/errors';
import { DEFAULT_SAGE_LOGIC, type SageLogicOptions } from '../sage/options';

/**
 * The config file `init` writes and `run`, the service and `doctor` read (JSON, beside the agent by default).
 * Relative paths in it are relative to the file's folder, so the install folder can move as a whole.
 */
export const CONFIG_FILE_NAME = 'agent.config.json';
export const CONFIG_VERSION = 1;

/**
 * Where the Sage password is. `dpapi`: encrypted with Windows DPAPI for this machine (what `init` writes on Windows).
 * `env`: read from an environment variable at start. `plain`: development on Linux/macOS only, refused unless
 * SAGE100_AGENT_ALLOW_PLAINTEXT_PASSWORD=1 (see ./secret.ts).
 */
const passwordSchema = z.discriminatedUnion('scheme', [
  z.object({ scheme: z.literal('dpapi'), blob: z.string().min(1) }),
  z.object({ scheme: z.literal('env'), name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name') }),
  z.object({ scheme: z.literal('plain'), value: z.string() }),
]);
export type PasswordRef = z.infer<typeof passwordSchema>;

const boiObjectSchema = z.object({ className: z.string().min(1), module: z.string().regex(/^[A-Z]\/[A-Z]$/, 'must be a module code such as S/O'), task: z.string().min(1) });

/** Message patterns are case-insensitive regular expressions, written as strings. */
const patternSchema = z.string().min(1).refine((source) => {
  try {
    new RegExp(source, 'i');
    return true;
  } catch {
    return false;
  }
}, 'must be a regular expression');

const sageLogicSchema = z.object({
  objects: z.partialRecord(z.enum(Object.keys(DEFAULT_SAGE_LOGIC.objects) as [keyof SageLogicOptions['objects'], ...Array<keyof SageLogicOptions['objects']>]), boiObjectSchema).optional(),
  checkInvoiceHistoryByPO: z.boolean().optional(),
  messages: z.partialRecord(z.enum(Object.keys(DEFAULT_SAGE_LOGIC.messages) as [keyof SageLogicOptions['messages'], ...Array<keyof SageLogicOptions['messages']>]), patternSchema).optional(),
  recycleAfterHours: z.number().min(0.1).max(168).optional(),
}).strict();

export type SageLogicConfig = z.infer<typeof sageLogicSchema>;

/** The config file's `sage.logic` as the Sage logic's overrides. */
export function sageLogicOverrides(config: SageLogicConfig | undefined): Partial<SageLogicOptions> {
  if (!config) return {};
  const overrides: Partial<SageLogicOptions> = {};
  if (config.objects) overrides.objects = config.objects as SageLogicOptions['objects'];
  if (config.checkInvoiceHistoryByPO !== undefined) overrides.checkInvoiceHistoryByPO = config.checkInvoiceHistoryByPO;
  if (config.messages) {
    overrides.messages = Object.fromEntries(Object.entries(config.messages).map(([name, source]) => [name, new RegExp(source, 'i')])) as SageLogicOptions['messages'];
  }
  if (config.recycleAfterHours !== undefined) overrides.recycleAfterMs = config.recycleAfterHours * 3600_000;
  return overrides;
}

export const agentConfigSchema = z.object({
  version: z.literal(CONFIG_VERSION),
  listen: z.object({
    host: z.string().min(1).default('0.0.0.0'),
    port: z.number().int().min(1).max(65535),
  }),
  tls: z.object({
    certFile: z.string().min(1),
    keyFile: z.string().min(1),
  }),
  apiKeyHash: z.string().regex(/^scrypt\$[\w-]+\$[\w-]+$/, 'must be the hash init wrote (scrypt$…$…); run rotate-key to make a new key'),
  sage: z.object({
    homePath: z.string().min(1, 'must be the MAS90\\Home folder of the Sage installation'),
    user: z.string().min(1),
    password: passwordSchema,
    companies: z.array(z.string().regex(/^[A-Z0-9]{3}$/, 'must be a 3-character company code in capitals, e.g. ABC')).min(1),
    poolSize: z.number().int().min(1).max(8).default(1),
    /** What the Sage logic assumes about this installation where the references say UNCONFIRMED (../sage/options.ts). */
    logic: sageLogicSchema.optional(),
  }),
  /** Where the agent keeps what must survive a restart: each client's last reported stock quantities. */
  dataFolder: z.string().min(1).default('data'),
  log: z.object({
    folder: z.string().min(1).default('logs'),
    maxBytes: z.number().int().min(10_000).default(10_000_000),
    keep: z.number().int().min(0).max(100).default(5),
  }).prefault({}),
  bridge: z.object({
    /** 64-bit Windows PowerShell by default; `%SystemRoot%\SysWOW64\WindowsPowerShell\v1.0\powershell.exe` is the 32-bit one. */
    command: z.string().min(1).default('powershell.exe'),
    /** Default: bridge\\host.ps1 beside the agent's own files, which an upgrade replaces together. */
    hostScript: z.string().min(1).optional(),
    callTimeoutMs: z.number().int().min(1000).default(60_000),
  }).prefault({}),
});

export type AgentConfig = z.infer<typeof agentConfigSchema>;
export type AgentConfigInput = z.input<typeof agentConfigSchema>;

export function parseAgentConfig(value: unknown, source: string): AgentConfig {
  return parseWith(agentConfigSchema, value, { what: `The agent config ${source}`, code: 'agent.config_invalid' });
}

export interface LoadedConfig {
  config: AgentConfig;
  /** The file's folder: relative paths in the config are resolved against it. */
  folder: string;
  path: string;
}

export function loadAgentConfig(path: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConnectorError(`The agent config ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      code: 'agent.config_missing', hint: 'Run "sage100-agent init" first, or pass --config <file>.',
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ConnectorError(`The agent config ${path} is not valid JSON: ${(error as Error).message}`, { code: 'agent.config_invalid' });
  }
  return { config: parseAgentConfig(json, path), folder: dirname(resolve(path)), path: resolve(path) };
}

export function resolveIn(folder: string, path: string): string {
  return resolve(folder, path);
}
