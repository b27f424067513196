import { z } from 'zod';
import { ConnectorError, ValidationError, redact } from '../errors';
import { createBigCommerceClient, type ClientSettings } from './client';
import { testConnection, type ConnectionCheck } from './connection-test';
import { registerOrderHooks, type HookReport } from './hooks';

/**
 * The logic behind the config node's editor buttons (Test connection, Register webhooks), kept apart from
 * express so it is testable without a browser. Both act on the values in the open dialog, which may not be
 * deployed yet; a password field the user did not touch comes back as a placeholder, and then the stored
 * credential of that config node is used.
 */

/** What the editor sends for a password field that was not changed. */
export const UNCHANGED_PASSWORD = '__PWRD__';

export interface StoredCredentials {
  accessToken?: string;
  clientSecret?: string;
  webhookSecret?: string;
}

export type CredentialLookup = (configNodeId: string) => StoredCredentials | undefined;

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

function settingsFrom(dialog: z.output<typeof dialogSchema>, stored: StoredCredentials | undefined): ClientSettings {
  const seconds = Number(dialog.timeout);
  return {
    storeHash: dialog.storeHash,
    accessToken: secret(dialog.accessToken, stored?.accessToken) ?? '',
    apiUrl: dialog.apiUrl || undefined,
    timeoutMs: Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : undefined,
  };
}

export async function testConnectionFromDialog(body: unknown, lookup: CredentialLookup): Promise<ConnectionCheck> {
  const dialog = dialogSchema.safeParse(body ?? {});
  if (!dialog.success) return { ok: false, reason: 'settings', message: 'The request did not carry the dialog values.' };
  return testConnection(settingsFrom(dialog.data, dialog.data.id ? lookup(dialog.data.id) : undefined));
}

export type RegistrationResult = { ok: true; report: HookReport } | { ok: false; message: string; hint?: string };

export async function registerHooksFromDialog(body: unknown, lookup: CredentialLookup): Promise<RegistrationResult> {
  const dialog = registerSchema.safeParse(body ?? {});
  if (!dialog.success) return { ok: false, message: 'The request did not carry the dialog values.' };
  const stored = dialog.data.id ? lookup(dialog.data.id) : undefined;
  const settings = settingsFrom(dialog.data, stored);
  const headerName = dialog.data.webhookHeaderName?.trim();
  const headerValue = secret(dialog.data.webhookSecret, stored?.webhookSecret);
  try {
    if (headerName && !headerValue) {
      throw new ValidationError('Webhook registration: webhookSecret: is required when a shared-secret header name is set', {
        code: 'bigcommerce.settings',
        field: 'webhookSecret',
      });
    }
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
    const error = err instanceof Error ? err : new Error(String(err));
    return {
      ok: false,
      message: redact(error.message, secrets),
      ...(error instanceof ConnectorError && error.hint && { hint: redact(error.hint, secrets) }),
    };
  }
}
