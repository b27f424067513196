import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ConnectorError } from '../errors';

/**
 * Checks that a webhook delivery comes from BigCommerce: the Standard Webhooks signature BigCommerce documents
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature`; key = the client secret) and/or the shared-secret
 * custom header BigCommerce sends verbatim when a hook was created with `headers`. Which of the two a store
 * sends is not stated by BigCommerce for every account type, so both are configurable.
 */

export type RejectionReason =
  | 'body-parsed'
  | 'missing-headers'
  | 'bad-timestamp'
  | 'stale-timestamp'
  | 'future-timestamp'
  | 'bad-signature'
  | 'bad-shared-secret'
  | 'not-json'
  | 'not-a-webhook'
  | 'other-store';

/** `required`: reject deliveries without a signature; `if-present`: check it when sent; `off`: rely on the shared header. */
export type SignatureMode = 'required' | 'if-present' | 'off';

export interface WebhookSecrets {
  /** The client secret of the app or API account that created the hooks. */
  clientSecret?: string;
  /** A custom header the hooks were created with, e.g. `X-Bridge-Token`. */
  sharedHeader?: { name: string; value: string };
}

export interface VerifierOptions {
  signature: SignatureMode;
  /** How far `webhook-timestamp` may be from now, in seconds (Standard Webhooks: 300). */
  toleranceSeconds: number;
  /** The configuration's store hash: a delivery whose `producer` names another store is refused. */
  storeHash?: string;
  now?: () => number;
}

export const webhookPayloadSchema = z.looseObject({
  scope: z.string().min(1),
  store_id: z.union([z.string(), z.number()]).optional(),
  data: z.looseObject({ type: z.string().optional(), id: z.union([z.number(), z.string()]).optional() }),
  hash: z.string().optional(),
  created_at: z.number().optional(),
  producer: z.string().optional(),
});

export type WebhookPayload = z.output<typeof webhookPayloadSchema>;

export interface VerifiedDelivery {
  ok: true;
  payload: WebhookPayload;
  webhook: { id?: string; timestamp?: number; hash?: string };
}

export interface RejectedDelivery {
  ok: false;
  reason: RejectionReason;
  message: string;
}

const SIGNATURE_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

function reject(reason: RejectionReason, message: string): RejectedDelivery {
  return { ok: false, reason, message };
}

/** Equal-time comparison of two strings of any length (both are hashed first, so lengths leak nothing). */
function sameSecret(a: string, b: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

function lowerCaseHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const text = Array.isArray(value) ? value[0] : value;
    if (typeof text === 'string') out[name.toLowerCase()] = text;
  }
  return out;
}

/**
 * What the webhook endpoint answers, whatever was sent: a fixed small JSON body per outcome, never the request.
 * BigCommerce only looks at the status; the body is for people reading logs.
 */
export const WEBHOOK_ANSWERS = {
  accepted: { statusCode: 200, body: '{"status":"accepted"}' },
  duplicate: { statusCode: 200, body: '{"status":"duplicate"}' },
  rejected: { statusCode: 401, body: '{"status":"rejected"}' },
  unavailable: { statusCode: 503, body: '{"status":"unavailable"}' },
  tooLarge: { statusCode: 413, body: '{"status":"too-large"}' },
  /** Node-RED could not read the request (e.g. broken JSON on a case-varied path): its own status, this body. */
  unreadable: { statusCode: 500, body: '{"status":"unreadable"}' },
} as const;

export type WebhookAnswer = keyof typeof WEBHOOK_ANSWERS;

/** Headers of every answer: JSON, and no browser may guess another type (a reflected page would run script). */
export const WEBHOOK_ANSWER_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json; charset=utf-8',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/** Request headers that authenticate someone: nothing after the verifier needs them, so they are forgotten. */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

/**
 * Removes the shared-secret header and credentials from a request's headers in place (the raw list too), so
 * that no msg, queued job or debug output that still reaches the request can show them.
 */
export function forgetSecretHeaders(req: { headers?: Record<string, unknown>; rawHeaders?: string[] } | undefined, sharedHeaderName?: string): void {
  if (!req) return;
  const names = new Set([...CREDENTIAL_HEADERS, ...(sharedHeaderName ? [sharedHeaderName.toLowerCase()] : [])]);
  for (const name of Object.keys(req.headers ?? {})) {
    if (names.has(name.toLowerCase())) delete req.headers![name];
  }
  const raw = req.rawHeaders;
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      if (names.has(String(raw[i]).toLowerCase())) raw[i + 1] = '';
    }
  }
}

export class WebhookVerifier {
  private readonly signingKey?: Buffer;
  private readonly now: () => number;

  constructor(
    private readonly secrets: WebhookSecrets,
    private readonly options: VerifierOptions,
  ) {
    this.now = options.now ?? Date.now;
    if (options.signature !== 'off') {
      if (!secrets.clientSecret) {
        throw new ConnectorError('Webhook signatures cannot be checked: the BigCommerce configuration has no client secret', {
          code: 'bigcommerce.webhook_config',
          hint: 'Enter the client secret of the API account in the BigCommerce configuration, or set signature checking to off and use a shared-secret header.',
        });
      }
      // Standard Webhooks keys the HMAC with the secret's bytes (BigCommerce's client secret as UTF-8).
      this.signingKey = Buffer.from(secrets.clientSecret, 'utf8');
    } else if (!secrets.sharedHeader) {
      throw new ConnectorError('Webhook deliveries would not be verified at all: signature checking is off and no shared-secret header is set', {
        code: 'bigcommerce.webhook_config',
        hint: 'Turn signature checking on, or set a shared-secret header in the BigCommerce configuration (and register the hooks with it).',
      });
    }
  }

  /** `body` must be the raw request body (a Buffer or string): re-serialised JSON no longer matches the signature. */
  verify(body: unknown, rawHeaders: Record<string, unknown>): VerifiedDelivery | RejectedDelivery {
    if (body !== null && typeof body === 'object' && !Buffer.isBuffer(body)) {
      return reject('body-parsed', 'The request body was already parsed, so its signature cannot be checked: tick "Do not parse request body" in the http in node.');
    }
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : '', 'utf8');
    const headers = lowerCaseHeaders(rawHeaders);

    const shared = this.secrets.sharedHeader;
    if (shared) {
      const sent = headers[shared.name.toLowerCase()];
      if (sent === undefined) return reject('bad-shared-secret', `The ${shared.name} header is missing.`);
      if (!sameSecret(sent, shared.value)) return reject('bad-shared-secret', `The ${shared.name} header does not match the shared secret.`);
    }

    let webhookId: string | undefined;
    let timestamp: number | undefined;
    if (this.signingKey) {
      const present = SIGNATURE_HEADERS.filter((name) => headers[name] !== undefined);
      const mustCheck = this.options.signature === 'required' || present.length > 0;
      if (mustCheck) {
        const missing = SIGNATURE_HEADERS.filter((name) => headers[name] === undefined);
        if (missing.length > 0) return reject('missing-headers', `Signature header${missing.length > 1 ? 's' : ''} missing: ${missing.join(', ')}.`);
        const checked = this.checkSignature(headers, bytes);
        if (!checked.ok) return checked;
        webhookId = headers['webhook-id'];
        timestamp = checked.timestamp;
      }
    }

    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch {
      return reject('not-json', bytes.length === 0 ? 'The request body is empty.' : 'The request body is not JSON.');
    }
    const payload = webhookPayloadSchema.safeParse(parsed);
    if (!payload.success) {
      const issue = payload.error.issues[0];
      return reject('not-a-webhook', `The body is not a BigCommerce webhook: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}.`);
    }
    const storeHash = this.options.storeHash?.trim().toLowerCase();
    const producer = payload.data.producer;
    if (storeHash && producer !== undefined && producer.trim().toLowerCase() !== `stores/${storeHash}`) {
      return reject('other-store', `The delivery comes from another store than the configuration's (${storeHash}).`);
    }
    return { ok: true, payload: payload.data, webhook: { id: webhookId, timestamp, hash: payload.data.hash } };
  }

  private checkSignature(headers: Record<string, string>, body: Buffer): { ok: true; timestamp: number } | RejectedDelivery {
    const stamp = headers['webhook-timestamp'] ?? '';
    if (!/^\d+$/.test(stamp)) return reject('bad-timestamp', 'webhook-timestamp is not a Unix time in seconds.');
    const timestamp = Number(stamp);
    const skew = Math.floor(this.now() / 1000) - timestamp;
    const tolerance = this.options.toleranceSeconds;
    if (skew > tolerance) return reject('stale-timestamp', `webhook-timestamp is ${skew} s old (more than ${tolerance} s): a replay, or the clocks disagree.`);
    if (-skew > tolerance) return reject('future-timestamp', `webhook-timestamp is ${-skew} s in the future (more than ${tolerance} s): the clocks disagree.`);
    // Standard Webhooks signs `${id}.${timestamp}.${body}`. node:crypto hashes the body's bytes as they came,
    // without a copy as text (the reference library hashes in JavaScript, far slower on large bodies).
    const mac = createHmac('sha256', this.signingKey as Buffer).update(`${headers['webhook-id'] ?? ''}.${timestamp}.`, 'utf8').update(body).digest('base64');
    const expected = `v1,${mac}`;
    const candidates = (headers['webhook-signature'] ?? '').split(' ').filter((entry) => entry.startsWith('v1,'));
    const matched = candidates.some((candidate) => sameSecret(candidate, expected));
    return matched ? { ok: true, timestamp } : reject('bad-signature', 'No v1 entry of webhook-signature matches the body signed with the client secret.');
  }
}

/**
 * Keys seen recently (webhook ids, payload hashes), to drop repeated deliveries. Memory is bounded both by
 * time (entries expire after `windowMs`) and by count (the oldest go first beyond `maxEntries`).
 */
export class RecentKeys {
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.expiries.size;
  }

  /** True when any of the keys was seen within the window. Records them all either way. */
  seen(keys: string[]): boolean {
    const now = this.now();
    this.expire(now);
    const repeated = keys.some((key) => (this.expiries.get(key) ?? 0) > now);
    for (const key of keys) {
      // Re-inserting keeps the map in expiry order, so expiring and evicting only look at its head.
      this.expiries.delete(key);
      this.expiries.set(key, now + this.windowMs);
    }
    while (this.expiries.size > this.maxEntries) {
      const oldest = this.expiries.keys().next().value as string;
      this.expiries.delete(oldest);
    }
    return repeated;
  }

  private expire(now: number): void {
    for (const [key, expiry] of this.expiries) {
      if (expiry > now) return;
      this.expiries.delete(key);
    }
  }
}
