/**
 * The JSON-lines protocol between the agent and its COM host (agent/bridge/host.ps1): one request object per line
 * on the host's stdin, one response per line on its stdout, correlated by `id`. The host's first line is the
 * `ready` greeting. COM objects never cross: the host keeps them and hands out numeric handles.
 *
 * The PowerShell side declares the same version and op names; agent/test/bridge-protocol.test.ts reads them from
 * host.ps1 so the two sides cannot drift apart.
 */
export const BRIDGE_PROTOCOL_VERSION = 1;

export const BRIDGE_OPS = ['create', 'call', 'get', 'set', 'release'] as const;
export type BridgeOp = (typeof BRIDGE_OPS)[number];

/** A COM object held by the host. */
export interface HandleRef {
  handle: number;
}

/** A by-reference argument (`nGetValue(column, [ref] value)`): its value after the call comes back in `refs`. */
export interface ByRefArg {
  byRef: BridgeScalar;
}

export type BridgeScalar = string | number | boolean | null;
export type BridgeArg = BridgeScalar | HandleRef | ByRefArg;
export type BridgeValue = BridgeScalar | HandleRef;

export type BridgeRequest =
  | { id: number; op: 'create'; progId: string }
  | { id: number; op: 'call'; handle: number; member: string; args: BridgeArg[] }
  | { id: number; op: 'get'; handle: number; member: string }
  | { id: number; op: 'set'; handle: number; member: string; args: [BridgeArg] }
  | { id: number; op: 'release'; handle: number };

/** Without `id`, a request the host could not even parse. */
export type BridgeResponse =
  | { id: number; ok: true; value: BridgeValue; refs: BridgeValue[] }
  | { id: number | null; ok: false; error: { message: string; hresult?: number; byRef?: boolean } };

export interface BridgeGreeting {
  ready: true;
  protocol: number;
}

export function isHandleRef(value: unknown): value is HandleRef {
  return typeof value === 'object' && value !== null && typeof (value as HandleRef).handle === 'number';
}
