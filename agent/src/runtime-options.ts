import type { PvxScript } from './boi/types';
import type { SageLogicOptions } from './sage/options';

/**
 * What a running agent needs, whoever starts it: the CLI's `run` and the Windows service (from the config file
 * `init` wrote), or the sandbox and the tests (over the BOI emulator). `startAgent` in ./server/start.ts takes it.
 */
export interface AgentRuntimeOptions {
  host: string;
  port: number;
  tls: { key: string; cert: string };
  /** `hashApiKey(...)` of the key clients send in `X-API-Key` (./security/api-key.ts). */
  apiKeyHash: string;
  /** Opens one BOI root: the COM bridge's `ProvideX.Script` on Windows, or the emulator. Called once per pooled session. */
  openRoot: () => Promise<PvxScript>;
  sage: {
    /** `…\MAS90\Home`, passed to `Init`. */
    homePath: string;
    user: string;
    password: string;
    /** Company codes this agent serves (the `X-Sage-Company` header picks one). */
    companies: string[];
    /** BOI sessions per company; each may take a Sage user licence. */
    poolSize: number;
    /** Overrides of what the Sage logic assumes where the references say UNCONFIRMED (object names, message texts). */
    logic?: Partial<SageLogicOptions>;
  };
  log: AgentLog;
  /** A folder the agent may write (the stock generations of listStockChanges); without one they live in memory. */
  dataDir?: string;
}

export type AgentLog = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface RunningAgent {
  url: string;
  close(): Promise<void>;
}
