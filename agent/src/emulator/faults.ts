import { seededRandom } from './random';
import { FAULT_CODES, SageFault } from './sage-fault';

/**
 * Fault injection for the sandbox's Sage servers (the agent over the emulator, and the SOAP simulator). A server
 * runs each operation through `apply`, which adds latency, fails with a fault, or does the work and then holds
 * the answer back ("commit then time out"). Refusing connections is a transport matter: `refuseConnections` asks
 * every registered server to stop listening for a while.
 */

export type FaultKind = 'latency' | 'fault' | 'commit-then-timeout';

export interface FaultRule {
  kind: FaultKind;
  /** The operation as the server names it (agent operationId or SOAP operation), any case; absent or '*' = every one. */
  operation?: string;
  /** latency: added delay; commit-then-timeout: how long the answer is held back after the work is done. */
  ms?: number;
  /** fault: Sage's code and text (default Exception, "An exception occurred.") and the agent's HTTP status (default 500). */
  code?: string;
  message?: string;
  status?: number;
  /** How many matching calls the rule affects (default 1). */
  times?: number;
  /** The chance (0–1) that a matching call is affected (default 1); calls passed over do not use up `times`. */
  probability?: number;
}

export class FaultPlan {
  private rules: Array<FaultRule & { remaining: number }> = [];
  private readonly random = seededRandom(1);
  private readonly refusers = new Set<(ms: number) => Promise<void>>();
  private readonly holds = new Set<() => void>();
  private readonly operations = new Set<string>();

  /**
   * The operations the servers answer (agent operationIds, SOAP operations). Once some are known, a rule naming
   * any other is refused: a rule that can never fire would let a test pass without the fault it meant to inject.
   */
  knowOperations(names: Iterable<string>): void {
    for (const name of names) this.operations.add(name.toLowerCase());
  }

  set(rules: FaultRule[]): void {
    this.rules = rules.map((rule) => {
      if (!['latency', 'fault', 'commit-then-timeout'].includes(rule.kind)) throw new Error(`unknown fault kind ${String(rule.kind)}`);
      const named = rule.operation && rule.operation !== '*' ? rule.operation.toLowerCase() : undefined;
      if (named && this.operations.size > 0 && !this.operations.has(named)) {
        throw new Error(`no server answers an operation called ${rule.operation}: one of ${[...this.operations].sort().join(', ')}`);
      }
      if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1)) throw new Error(`probability must be between 0 and 1, not ${String(rule.probability)}`);
      return { ...rule, remaining: rule.times ?? 1 };
    });
  }

  clear(): void {
    this.rules = [];
  }

  /** The rules still waiting to fire, for `GET /__sim/state`. */
  pending(): FaultRule[] {
    return this.rules.map(({ remaining, ...rule }) => ({ ...rule, times: remaining }));
  }

  private take(operation: string): FaultRule | undefined {
    const wanted = operation.toLowerCase();
    const index = this.rules.findIndex(
      (r) => (!r.operation || r.operation === '*' || r.operation.toLowerCase() === wanted) && (r.probability === undefined || this.random() < r.probability),
    );
    if (index < 0) return undefined;
    const rule = this.rules[index] as FaultRule & { remaining: number };
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules.splice(index, 1);
    return rule;
  }

  /**
   * Runs one operation under the plan; `holdMs` > 0 means the answer must be held back that long (see `hold`).
   * `request` is what the caller sent, for whoever wraps `apply` to watch the calls (the benchmark's counter).
   */
  async apply<T>(operation: string, work: () => T | Promise<T>, request?: unknown): Promise<{ result: T; holdMs: number }> {
    void request;
    const rule = this.take(operation);
    if (rule?.kind === 'latency') await this.hold(rule.ms ?? 1000);
    if (rule?.kind === 'fault') {
      throw new SageFault(rule.code ?? FAULT_CODES.exception, rule.message ?? 'An exception occurred.', { status: rule.status ?? 500 });
    }
    const result = await work();
    return { result, holdMs: rule?.kind === 'commit-then-timeout' ? (rule.ms ?? 30_000) : 0 };
  }

  /** Waits `ms`, or less when the simulator closes (so a held answer never keeps a test process alive). */
  hold(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const release = () => {
        clearTimeout(timer);
        this.holds.delete(release);
        resolve();
      };
      const timer = setTimeout(release, ms);
      this.holds.add(release);
    });
  }

  releaseHolds(): void {
    for (const release of [...this.holds]) release();
  }

  /** A server registers how it stops listening for `ms`; returns the unregister function. */
  onRefuse(refuse: (ms: number) => Promise<void>): () => void {
    this.refusers.add(refuse);
    return () => this.refusers.delete(refuse);
  }

  /** Every registered server refuses new connections for `ms` (ECONNREFUSED), then listens again on the same port. */
  async refuseConnections(ms: number): Promise<void> {
    await Promise.all([...this.refusers].map((refuse) => refuse(ms)));
  }
}
