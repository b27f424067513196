import { z } from 'zod';
import { parseWith } from '../errors';
import type { RequestFunction } from '../http/transport';

/** The order events the integration listens to. */
export const ORDER_SCOPES = ['store/order/created', 'store/order/updated', 'store/order/statusUpdated'] as const;

export const registrationSchema = z.object({
  destination: z
    .url({ protocol: /^https$/, error: 'must be a public https:// URL' })
    .refine((url) => new URL(url).port === '' || new URL(url).port === '443', 'must use port 443: BigCommerce does not deliver to other ports'),
  /** The shared-secret header sent verbatim with every delivery. */
  headers: z.record(z.string(), z.string()).optional(),
});

export type Registration = z.input<typeof registrationSchema>;

const hookSchema = z.looseObject({
  id: z.number().int(),
  scope: z.string(),
  destination: z.string(),
  is_active: z.boolean().optional(),
  headers: z.record(z.string(), z.string()).nullish(),
});

const hookEnvelope = z.looseObject({ data: hookSchema });

const adminSchema = z.looseObject({
  data: z.looseObject({
    hooks_list: z.array(hookSchema.extend({ status: z.string().optional() })).default([]),
    blocked_domains: z.array(z.looseObject({ destination: z.string(), time_left: z.number().optional(), reasons: z.array(z.unknown()).optional() })).default([]),
  }),
});

export interface HookReport {
  created: Array<{ id: number; scope: string }>;
  /** Existing hooks that were inactive, or had other headers: now active with the given headers. */
  reactivated: Array<{ id: number; scope: string }>;
  unchanged: Array<{ id: number; scope: string }>;
  /** Hooks of this API account that BigCommerce deactivated (after failed deliveries or 90 idle days), before this run. */
  deactivated: Array<{ id: number; scope: string; destination: string }>;
  /** Destinations BigCommerce is not delivering to right now (too many failures), with seconds left. */
  blockedDomains: Array<{ destination: string; timeLeftSeconds?: number }>;
}

function sameHeaders(a: Record<string, string> | null | undefined, b: Record<string, string> | undefined): boolean {
  const left = a ?? {};
  const right = b ?? {};
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  return [...keys].every((key) => left[key] === right[key]);
}

/**
 * Makes sure the store has one active hook per order scope pointing at `destination`: creates the missing
 * ones and re-activates (and updates the headers of) existing ones. Reports what BigCommerce had deactivated
 * or blocked before. Safe to run again: it never creates a second hook per scope and destination.
 */
export async function registerOrderHooks(request: RequestFunction, registration: Registration): Promise<HookReport> {
  const { destination, headers } = parseWith(registrationSchema, registration, { what: 'Webhook registration', code: 'bigcommerce.settings' });
  // One call lists every hook of this API account with its status, and the destinations BigCommerce blocked.
  const admin = parseWith(adminSchema, (await request({ method: 'GET', path: '/v3/hooks/admin' })).body, { what: 'BigCommerce hooks admin' });
  const existing = admin.data.hooks_list;
  const report: HookReport = {
    created: [],
    reactivated: [],
    unchanged: [],
    deactivated: admin.data.hooks_list
      .filter((hook) => hook.status === 'deactivated')
      .map((hook) => ({ id: hook.id, scope: hook.scope, destination: hook.destination })),
    blockedDomains: admin.data.blocked_domains.map((blocked) => ({ destination: blocked.destination, timeLeftSeconds: blocked.time_left })),
  };
  for (const scope of ORDER_SCOPES) {
    const hook = existing.find((candidate) => candidate.scope === scope && candidate.destination === destination);
    if (!hook) {
      const response = await request({ method: 'POST', path: '/v3/hooks', body: { scope, destination, is_active: true, headers: headers ?? null } });
      const created = parseWith(hookEnvelope, response.body, { what: 'BigCommerce hook', record: scope }).data;
      report.created.push({ id: created.id, scope });
    } else if (hook.is_active === false || !sameHeaders(hook.headers, headers)) {
      await request({ method: 'PUT', path: `/v3/hooks/${hook.id}`, body: { is_active: true, headers: headers ?? null }, idempotent: true });
      report.reactivated.push({ id: hook.id, scope });
    } else {
      report.unchanged.push({ id: hook.id, scope });
    }
  }
  return report;
}
