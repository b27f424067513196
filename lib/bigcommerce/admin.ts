import { z } from 'zod';
import { ConnectorError, ValidationError, redact } from '../errors';
import { HttpError } from '../http/errors';
import { DEFAULT_API_URL, clientSettingsSchema, createBigCommerceClient, type ClientSettings } from './client';
import { testConnection, type ConnectionCheck } from './connection-test';
import { registerOrderHooks, type HookReport } from './hooks';

/**
 * The logic behind the config node's editor buttons (Test connection, Register webhooks), kept apart from
 * express so it is testable without a browser. Both act on the values in the open dialog, which may not be
 * deployed yet; a password field the user did not touch comes back as a placeholder, and then the stored
 * credential of that config node is used — but only towards the deployed target (API URL and store hash): a
 * request naming another target must carry the secret itself, so no caller can send a stored token elsewhere.
 * Answers never carry what a remote server said beyond its HTTP status.
 */

/** What the editor sends for a password field that was not changed. */
export const UNCHANGED_PASSWORD = '__PWRD__';

export interface StoredCredentials {
  accessToken?: string;
  clientSecret?: string;
  webhookSecret?: string;
}

/** A deployed config node: where its stored credentials may go, and the credentials. */
export interface DeployedStore {
  storeHash: string;
  apiUrl?: string;
  credentials?: StoredCredentials;
}

export type CredentialLookup = (configNodeId: string) => DeployedStore | undefined;

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function normalizedUrl(value: string | undefined): string {
  const text = (value || DEFAULT_API_URL).trim();
  try {
    const url = new URL(text);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`.toLowerCase();
  } catch {
    return text;
  }
}

const dialogSchema = z.object({
  id: z.string().optional(),
  storeHash: z.string().default(''),
  apiUrl: z.string().optional(),
  /** Seconds, as the editor stores it. */
  timeout: z.union([z.string(), z.number()]).optional(),
  accessToken: z.string().optional(),
});

const registerSchema = dialogSchema.extend({
  webhookUrl: z.string().default(''),
  webhookHeaderName: z.string().optional(),
  webhookSecret: z.string().optional(),
});

function secret(sent: string | undefined, stored: string | undefined): string | undefined {
  return sent && sent !== UNCHANGED_PASSWORD ? sent : stored;
}

type Dialog = z.output<typeof dialogSchema>;

/** Why the dialog's target may not be contacted with these values, or undefined when it may. */
function refusedTarget(dialog: Dialog, target: { deployed?: DeployedStore; sameTarget: boolean }, secretGiven: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL((dialog.apiUrl || DEFAULT_API_URL).trim());
  } catch {
    return undefined; // the client's own validation names the field
  }
  if (url.protocol !== 'https:' && !LOCAL_HOSTS.has(url.hostname)) return 'The API URL must start with https:// (plain http only to this machine).';
  if (!secretGiven && target.deployed && !target.sameTarget) {
    return 'The API URL or store hash differs from the deployed configuration: enter the access token again to use them (a stored token is only sent to the deployed store).';
  }
  return undefined;
}

function settingsFrom(dialog: Dialog, stored: StoredCredentials | undefined): ClientSettings {
  const seconds = Number(dialog.timeout);
  return {
    storeHash: dialog.storeHash,
    accessToken: secret(dialog.accessToken, stored?.accessToken) ?? '',
    apiUrl: dialog.apiUrl || undefined,
    timeoutMs: Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : undefined,
  };
}

const tokenGiven = (dialog: Dialog) => Boolean(dialog.accessToken && dialog.accessToken !== UNCHANGED_PASSWORD);

/** The deployed node's stored credentials, when the dialog's target is that node's. */
function storedFor(dialog: Dialog, lookup: CredentialLookup): { deployed?: DeployedStore; sameTarget: boolean; stored?: StoredCredentials } {
  const deployed = dialog.id ? lookup(dialog.id) : undefined;
  if (!deployed) return { sameTarget: false };
  const sameTarget = normalizedUrl(dialog.apiUrl) === normalizedUrl(deployed.apiUrl) && dialog.storeHash.trim().toLowerCase() === deployed.storeHash.trim().toLowerCase();
  return { deployed, sameTarget, stored: sameTarget ? deployed.credentials : undefined };
}

export async function testConnectionFromDialog(body: unknown, lookup: CredentialLookup): Promise<ConnectionCheck> {
  const dialog = dialogSchema.safeParse(body ?? {});
  if (!dialog.success) return { ok: false, reason: 'settings', code: 'bigcommerce.settings', message: 'The request did not carry the dialog values.' };
  const target = storedFor(dialog.data, lookup);
  const refused = refusedTarget(dialog.data, target, tokenGiven(dialog.data));
  if (refused) return { ok: false, reason: 'settings', code: 'bigcommerce.settings', message: refused };
  return testConnection(settingsFrom(dialog.data, target.stored));
}

/** A failure answers as Test connection does: its code (for the words), every setting at fault, the hint. */
export type RegistrationResult =
  | { ok: true; report: HookReport }
  | { ok: false; message: string; hint?: string; code?: string; issues?: Array<{ field: string; message: string }> };

function issuesOf(parsed: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }): Array<{ field: string; message: string }> {
  return (parsed.error?.issues ?? []).map((issue) => ({ field: issue.path.map(String).join('.') || '(root)', message: issue.message }));
}

/** Every setting at fault in one answer, as Test connection names them, rather than one per click. */
function throwForMissingSettings(issues: Array<{ field: string; message: string }>): void {
  const [first] = issues;
  if (!first) return;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw new ValidationError(`Webhook registration: ${first.field}: ${first.message}${more}`, { code: 'bigcommerce.settings', field: first.field, issues });
}

export async function registerHooksFromDialog(body: unknown, lookup: CredentialLookup): Promise<RegistrationResult> {
  const dialog = registerSchema.safeParse(body ?? {});
  if (!dialog.success) return { ok: false, message: 'The request did not carry the dialog values.' };
  const target = storedFor(dialog.data, lookup);
  const refused = refusedTarget(dialog.data, target, tokenGiven(dialog.data));
  if (refused) return { ok: false, message: refused };
  const stored = target.stored;
  const settings = settingsFrom(dialog.data, stored);
  const headerName = dialog.data.webhookHeaderName?.trim();
  const headerValue = secret(dialog.data.webhookSecret, stored?.webhookSecret);
  try {
    throwForMissingSettings([
      ...issuesOf(clientSettingsSchema.safeParse(settings)),
      ...(dialog.data.webhookUrl.trim() ? [] : [{ field: 'webhookUrl', message: 'is required' }]),
      ...(headerName && !headerValue ? [{ field: 'webhookSecret', message: 'is required when a shared-secret header name is set' }] : []),
    ]);
    const client = createBigCommerceClient({ ...settings, retry: { retries: 2 } });
    try {
      const report = await registerOrderHooks(client.request, {
        destination: dialog.data.webhookUrl.trim(),
        headers: headerName && headerValue ? { [headerName]: headerValue } : undefined,
      });
      return { ok: true, report };
    } finally {
      await client.close();
    }
  } catch (err) {
    const secrets = [settings.accessToken, headerValue];
    // What the server sent stays out of the answer: its status says enough, and the URL may be anyone's.
    if (err instanceof HttpError) return { ok: false, code: err.code, message: `BigCommerce answered HTTP ${err.status}: the hooks were not registered.` };
    const error = err instanceof Error ? err : new Error(String(err));
    return {
      ok: false,
      message: redact(error.message, secrets),
      ...(error instanceof ConnectorError && { code: error.code }),
      ...(error instanceof ValidationError && error.issues.length > 0 && { issues: error.issues.map((issue) => ({ field: issue.field, message: redact(issue.message, secrets) })) }),
      ...(error instanceof ConnectorError && error.hint && { hint: redact(error.hint, secrets) }),
    };
  }
}
