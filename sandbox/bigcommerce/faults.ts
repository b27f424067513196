import { z } from 'zod';
import type { Random } from '../../agent/src/emulator/random';

/**
 * Fault injection. Each rule says what goes wrong, for which requests (a route template such as
 * `GET /v2/orders/{order_id}` or `/v3/catalog/variants`; all API requests when absent), how often
 * (`probability`) and how many times at most (`times`). Rules are checked in the order they were added.
 */
export const faultRuleSchema = z.strictObject({
  kind: z.enum(['latency', 'error', 'drop', 'rate-limit', 'multi-status', 'duplicate-webhook']),
  route: z.string().min(1).optional(),
  probability: z.number().min(0).max(1).optional(),
  times: z.number().int().positive().optional(),
  /** latency: added delay before the answer. */
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  /** error: the status sent (default 500). */
  status: z.number().int().min(500).max(599).optional(),
  /**
   * error and drop: `before` (default) fails the request without processing it; `after` processes it and then
   * fails the answer, so the client cannot know the write happened.
   */
  phase: z.enum(['before', 'after']).optional(),
  /** rate-limit: false sends a bare 429 without `X-Rate-Limit-*` headers, the platform-under-load case. */
  withHeaders: z.boolean().optional(),
});

export type FaultRule = z.infer<typeof faultRuleSchema>;
export type FaultKind = FaultRule['kind'];

interface ActiveRule {
  rule: FaultRule;
  used: number;
}

export class Faults {
  private rules: ActiveRule[] = [];

  constructor(private readonly random: Random) {}

  /** Replaces every rule. */
  set(rules: FaultRule[]): void {
    this.rules = rules.map((rule) => ({ rule: faultRuleSchema.parse(rule), used: 0 }));
  }

  add(rule: FaultRule): void {
    this.rules.push({ rule: faultRuleSchema.parse(rule), used: 0 });
  }

  clear(): void {
    this.rules = [];
  }

  /** The rules with how often each has fired. */
  list(): Array<FaultRule & { used: number }> {
    return this.rules.map(({ rule, used }) => ({ ...rule, used }));
  }

  /**
   * The first rule of this kind (and phase) that applies to the request, counted as used; undefined if none.
   * `template` is the route template with its method, e.g. `GET /v2/orders`.
   */
  take(kind: FaultKind, template: string | undefined, phase: 'before' | 'after' = 'before'): FaultRule | undefined {
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.kind !== kind) continue;
      if ((rule.phase ?? 'before') !== phase && (kind === 'error' || kind === 'drop')) continue;
      if (rule.times !== undefined && active.used >= rule.times) continue;
      if (rule.route !== undefined && !matches(rule.route, template)) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      active.used++;
      return rule;
    }
    return undefined;
  }
}

function matches(pattern: string, template: string | undefined): boolean {
  if (template === undefined) return false;
  if (pattern.includes(' ')) return pattern === template;
  return template.slice(template.indexOf(' ') + 1) === pattern;
}
