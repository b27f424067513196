import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBigCommerceSimulator, type BigCommerceSimulator, type Exchange, type Quota } from '../sandbox/bigcommerce';
import type { FlowNode, SimulatorEndpoints } from '../sandbox/flows';
import { removeUserDir, startNodeRed, type NodeRedProcess } from '../sandbox/node-red-process';
import { startSage100Simulator, type Sage100Simulator } from '../sandbox/sage100';
import type { SageCompany, SageCompanyOptions } from '../sandbox/sage100/company';

/**
 * The pieces every benchmark stands on: both simulators, a real Node-RED process with the package linked from
 * dist/, and counters that see every call from the outside (the BigCommerce simulator's exchanges, the Sage 100
 * simulator's operations). Nothing in the product is replaced or wrapped; only the simulators are observed.
 */

/** Enough quota that a benchmark counting calls never meets the rate limit. */
export const UNLIMITED_QUOTA: Quota = { requests: 1_000_000, windowMs: 30_000 };

const BENCH_SECRETS = {
  accessToken: 'bench-access-token',
  clientSecret: 'bench-client-secret',
  sageApiKey: 'bench-agent-key',
};

/** Every call the BigCommerce simulator answers (API calls only, not `/__sim`), by route. */
export class BigCommerceCalls {
  total = 0;
  throttled = 0;
  readonly byRoute = new Map<string, number>();
  private readonly listeners = new Set<(exchange: Exchange) => void>();
  private lastSeen = performance.now();

  constructor(bc: BigCommerceSimulator) {
    bc.onExchange((exchange) => {
      if (exchange.api !== 'v2' && exchange.api !== 'v3') return;
      this.total++;
      this.lastSeen = performance.now();
      if (exchange.status === 429) this.throttled++;
      const key = `${exchange.method} ${exchange.route ?? exchange.apiPath}`;
      this.byRoute.set(key, (this.byRoute.get(key) ?? 0) + 1);
      for (const listener of this.listeners) listener(exchange);
    });
  }

  mark(): CallMark {
    return { total: this.total, throttled: this.throttled, byRoute: new Map(this.byRoute) };
  }

  since(mark: CallMark): CallCount {
    const byRoute: Record<string, number> = {};
    for (const [route, count] of this.byRoute) {
      const delta = count - (mark.byRoute.get(route) ?? 0);
      if (delta > 0) byRoute[route] = delta;
    }
    return { total: this.total - mark.total, throttled: this.throttled - mark.throttled, byRoute };
  }

  /** Every API exchange from now until the returned function is called. */
  record(): { exchanges: Exchange[]; stop(): void } {
    const exchanges: Exchange[] = [];
    const listener = (exchange: Exchange) => exchanges.push(exchange);
    this.listeners.add(listener);
    return { exchanges, stop: () => this.listeners.delete(listener) };
  }

  /** When the last API exchange ended, for waiting until the store has gone quiet. */
  lastAt(): number {
    return this.lastSeen;
  }
}

export interface CallMark {
  total: number;
  throttled: number;
  byRoute: Map<string, number>;
}

export interface CallCount {
  total: number;
  throttled: number;
  byRoute: Record<string, number>;
}

/** One Sage operation as the agent served it: the operation, the request the caller sent, and the agent's answer. */
export interface SageOperation {
  operation: string;
  request?: { method: string; path: string; body?: unknown };
  /** The agent's answer ({ status, body }) or, for a SOAP call, the operation's result. */
  result?: unknown;
  failed?: string;
  at: number;
}

/**
 * Every operation the Sage 100 sandbox serves (one per agent request or SOAP call), counted through its fault
 * plan, which both servers run each operation through. Agent operations carry the request, so the overhead
 * benchmark can replay exactly what the flow sent.
 */
export class SageCalls {
  total = 0;
  readonly byOperation = new Map<string, number>();
  private readonly listeners = new Set<(operation: SageOperation) => void>();

  constructor(company: SageCompany) {
    const plan = company.faults;
    const apply = plan.apply.bind(plan);
    plan.apply = async <T>(operation: string, work: () => T | Promise<T>, request?: unknown) => {
      this.total++;
      this.byOperation.set(operation, (this.byOperation.get(operation) ?? 0) + 1);
      const sent = structuredClone(request) as SageOperation['request'];
      try {
        const answer = await apply(operation, work, request);
        this.emit({ operation, request: sent, result: answer.result, at: performance.now() });
        return answer;
      } catch (err) {
        this.emit({ operation, request: sent, failed: (err as { code?: string }).code ?? String(err), at: performance.now() });
        throw err;
      }
    };
  }

  mark(): SageMark {
    return { total: this.total, byOperation: new Map(this.byOperation) };
  }

  since(mark: SageMark): { total: number; byOperation: Record<string, number> } {
    const byOperation: Record<string, number> = {};
    for (const [operation, count] of this.byOperation) {
      const delta = count - (mark.byOperation.get(operation) ?? 0);
      if (delta > 0) byOperation[operation] = delta;
    }
    return { total: this.total - mark.total, byOperation };
  }

  onOperation(listener: (operation: SageOperation) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(operation: SageOperation): void {
    for (const listener of this.listeners) listener(operation);
  }
}

export interface SageMark {
  total: number;
  byOperation: Map<string, number>;
}

export interface World {
  bc: BigCommerceSimulator;
  sage: Sage100Simulator;
  nodeRed: NodeRedProcess;
  endpoints: SimulatorEndpoints;
  bcCalls: BigCommerceCalls;
  sageCalls: SageCalls;
  stop(): Promise<void>;
}

export interface WorldOptions {
  /** Each benchmark its own store, so state kept per store (SKU ids, snapshots) never crosses benchmarks. */
  storeHash: string;
  /** Seeds the company and the store before Node-RED starts. */
  seed?: (bc: BigCommerceSimulator, sage: Sage100Simulator) => void;
  /** Options of the Sage company (e.g. UDF columns). */
  sageCompany?: SageCompanyOptions;
}

/** Both simulators and a fresh Node-RED (its own user directory, removed on stop). */
export async function startWorld(options: WorldOptions): Promise<World> {
  const bc = await startBigCommerceSimulator({
    storeHash: options.storeHash,
    accessToken: BENCH_SECRETS.accessToken,
    clientSecret: BENCH_SECRETS.clientSecret,
    quota: UNLIMITED_QUOTA,
  });
  const sage = await startSage100Simulator({ apiKey: BENCH_SECRETS.sageApiKey, company: options.sageCompany });
  const bcCalls = new BigCommerceCalls(bc);
  const sageCalls = new SageCalls(sage.company);
  options.seed?.(bc, sage);
  const userDir = mkdtempSync(join(tmpdir(), 'ml-connector-bench-'));
  let nodeRed: NodeRedProcess;
  try {
    nodeRed = await startNodeRed({ userDir });
  } catch (err) {
    await Promise.all([bc.close(), sage.close()]);
    removeUserDir(userDir);
    throw err;
  }
  return {
    bc,
    sage,
    nodeRed,
    bcCalls,
    sageCalls,
    endpoints: {
      bigcommerce: { apiUrl: bc.apiUrl, storeHash: bc.storeHash, accessToken: bc.accessToken, clientSecret: bc.clientSecret },
      sage100: { agentUrl: sage.agentUrl, apiKey: sage.apiKey, companyCode: sage.companyCode, fingerprint256: sage.fingerprint256 },
    },
    async stop() {
      await nodeRed.stop();
      await Promise.all([bc.close(), sage.close()]);
      removeUserDir(userDir);
    },
  };
}

/** A value a probe set in a flow's context, as the editor's Context sidebar reads it; undefined when unset. */
export async function flowValue(nodeRed: NodeRedProcess, tabId: string, key: string): Promise<string | number | undefined> {
  const response = await fetch(`${nodeRed.url}/context/flow/${tabId}/${encodeURIComponent(key)}`, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`flow context ${key} of ${tabId}: ${response.status} ${await response.text()}`);
  const { msg, format } = (await response.json()) as { msg?: string; format?: string };
  if (format === 'number') return Number(msg);
  return format === undefined || format === 'undefined' ? undefined : msg;
}

/** A counter a probe keeps in flow context (0 while unset). */
export async function flowCount(nodeRed: NodeRedProcess, tabId: string, key: string): Promise<number> {
  const value = await flowValue(nodeRed, tabId, key);
  return typeof value === 'number' ? value : 0;
}

/** Polls `check` until it answers something other than undefined; fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, options: { timeoutMs: number; intervalMs?: number; log?: () => string }): Promise<T> {
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() > deadline) {
      throw new Error(`bench: ${what} did not happen within ${Math.round(options.timeoutMs / 1000)} s${options.log ? `\n--- Node-RED log (end) ---\n${options.log().slice(-3000)}` : ''}`);
    }
    await sleep(options.intervalMs ?? 50);
  }
}

/** Resolves once the store has had no API call for `quietMs` (the tail of a run: last answers still on their way). */
export function storeQuiet(world: World, quietMs = 300, timeoutMs = 30_000): Promise<true> {
  return waitFor('a quiet store', () => (performance.now() - world.bcCalls.lastAt() >= quietMs ? true : undefined), { timeoutMs, intervalMs: 50 });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const startedFlows = (log: string) => log.split('Started flows').length - 1;

/**
 * Replaces the deployed flows (a full deploy: every node restarts; state files and the flow context of kept tabs
 * stay). Node-RED answers the deploy before the new flows have started, so this waits for its "Started flows".
 */
export async function deploy(world: World, flows: FlowNode[]): Promise<void> {
  const before = startedFlows(world.nodeRed.log());
  await world.nodeRed.deploy(flows);
  await waitFor('the deployed flows to start', () => (startedFlows(world.nodeRed.log()) > before ? true : undefined), { timeoutMs: 30_000, intervalMs: 20, log: world.nodeRed.log });
}
