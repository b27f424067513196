import { join } from 'node:path';
import type { BridgeClientOptions } from '../src/bridge/client';

/** The stand-in host speaks host.ps1's protocol over a fake ProvideX object model, so the bridge is tested without Windows. */
export function standInHost(env: Record<string, string> = {}, timeouts: Partial<BridgeClientOptions> = {}): BridgeClientOptions {
  const script = join(__dirname, 'bridge-stand-in-host.mjs');
  const assignments = Object.entries(env).map(([name, value]) => `${name}=${value}`);
  return assignments.length === 0
    ? { command: process.execPath, args: [script], ...timeouts }
    : { command: 'env', args: [...assignments, process.execPath, script], ...timeouts };
}
