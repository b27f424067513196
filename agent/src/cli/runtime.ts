import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BridgeClientOptions } from '../bridge/client';
import type { AgentConfig, LoadedConfig } from '../config/schema';
import { resolveIn } from '../config/schema';

/**
 * The agent serves the contract document itself (the server reads it at start); the package ships it beside the
 * bundle, where the bundled server could not find it by its path in the repository.
 */
export const PACKAGED_CONTRACT = 'sage100-agent-api.yaml';

/** Windows PowerShell runs host.ps1 whatever the machine's execution policy; no profile, no prompts. */
export function bridgeOptions(config: AgentConfig, agentDir: string): BridgeClientOptions {
  return {
    command: config.bridge.command,
    args: ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', hostScriptPath(config, agentDir)],
    callTimeoutMs: config.bridge.callTimeoutMs,
  };
}

export function hostScriptPath(config: AgentConfig, agentDir: string): string {
  return config.bridge.hostScript ?? join(agentDir, 'bridge', 'host.ps1');
}

export interface TlsFiles {
  certPath: string;
  keyPath: string;
}

export function tlsPaths(loaded: LoadedConfig): TlsFiles {
  return { certPath: resolveIn(loaded.folder, loaded.config.tls.certFile), keyPath: resolveIn(loaded.folder, loaded.config.tls.keyFile) };
}

export function readTls(loaded: LoadedConfig): { cert: string; key: string } {
  const { certPath, keyPath } = tlsPaths(loaded);
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
}
