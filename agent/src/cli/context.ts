import type { PvxScript } from '../boi/types';
import type { BridgeClientOptions } from '../bridge/client';
import type { SecretProtector } from '../config/secret';
import type { AgentRuntimeOptions, RunningAgent } from '../runtime-options';

/** The console as the CLI sees it; `ask` prompts (without echo when `secret`) or fails naming the flag to pass. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  ask(question: string, options: { secret?: boolean; flag: string }): Promise<string>;
}

export interface CommandResult {
  code: number;
  output: string;
}

/** Everything the CLI reaches outside itself, so each command runs in tests without Windows, Sage or a server. */
export interface CliContext {
  io: CliIo;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** The folder of the agent's own files (bundle, node.exe, bridge\host.ps1, service wrapper): the default config's home. */
  agentDir: string;
  version: string;
  protector: SecretProtector;
  startAgent(options: AgentRuntimeOptions): Promise<RunningAgent>;
  openRoot(bridge: BridgeClientOptions): Promise<PvxScript>;
  /** Runs a program (sc.exe) and answers its exit code and output. */
  execute(command: string, args: string[]): Promise<CommandResult>;
  /** Resolves when the process is asked to stop (Ctrl+C, service stop). */
  waitForStop(): Promise<void>;
  hostname: string;
  /** This machine's non-internal IP addresses: the default names in the certificate. */
  addresses: string[];
  now(): Date;
}
