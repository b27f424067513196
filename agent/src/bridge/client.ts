import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ConnectorError } from '../../../lib/errors';
import {
  BRIDGE_PROTOCOL_VERSION, type BridgeArg, type BridgeGreeting, type BridgeRequest, type BridgeResponse, type BridgeValue,
} from './protocol';

/** A failure of the bridge or of a COM call behind it. `retryable` when a fresh host may succeed (crash, timeout). */
export class BridgeError extends ConnectorError {
  readonly hresult?: number;

  constructor(message: string, details: { code: string; hint?: string; retryable: boolean; hresult?: number }) {
    super(message, details);
    this.hresult = details.hresult;
  }
}

export interface BridgeCommand {
  command: string;
  args: string[];
}

export interface BridgeClientOptions extends BridgeCommand {
  /** A COM call that takes longer is abandoned and the host killed: its state is unknown after that. */
  callTimeoutMs?: number;
  /** Starting Windows PowerShell takes a second or two on a busy server. */
  startTimeoutMs?: number;
}

export interface CallResult {
  value: BridgeValue;
  refs: BridgeValue[];
}

type WithoutId<R> = R extends unknown ? Omit<R, 'id'> : never;
type RequestBody = WithoutId<BridgeRequest>;

interface Pending {
  resolve: (result: CallResult) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  what: string;
}

const STDERR_TAIL = 2000;

/**
 * The Node side of one bridge host process. Calls are correlated by id; the host runs them one at a time in order,
 * as COM objects need. When the host dies every pending call fails with a retryable error, and the client stays
 * dead: whoever owns it (the session pool, through `openRoot`) starts a new one.
 */
export class BridgeClient {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderrTail = '';
  private exitError?: BridgeError;
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcessWithoutNullStreams, private readonly callTimeoutMs: number) {
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
  }

  static start(options: BridgeClientOptions): Promise<BridgeClient> {
    const child = spawn(options.command, options.args, { stdio: 'pipe', windowsHide: true });
    const client = new BridgeClient(child, options.callTimeoutMs ?? 60_000);
    return client.awaitGreeting(options.startTimeoutMs ?? 30_000);
  }

  get alive(): boolean {
    return this.exitError === undefined;
  }

  create(progId: string): Promise<CallResult> {
    return this.send({ op: 'create', progId }, `create ${progId}`);
  }

  call(handle: number, member: string, args: BridgeArg[] = []): Promise<CallResult> {
    return this.send({ op: 'call', handle, member, args }, member);
  }

  get(handle: number, member: string): Promise<CallResult> {
    return this.send({ op: 'get', handle, member }, member);
  }

  set(handle: number, member: string, value: BridgeArg): Promise<CallResult> {
    return this.send({ op: 'set', handle, member, args: [value] }, member);
  }

  release(handle: number): Promise<CallResult> {
    return this.send({ op: 'release', handle }, 'release');
  }

  /** Ends the host: closing its stdin lets it release every COM object; it is killed if it does not exit in time. */
  async close(graceMs = 5_000): Promise<void> {
    if (this.alive) this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill(), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private awaitGreeting(timeoutMs: number): Promise<BridgeClient> {
    return new Promise((resolve, reject) => {
      const lines = createInterface({ input: this.child.stdout });
      const timer = setTimeout(() => {
        this.child.kill();
        reject(new BridgeError(`The COM bridge host did not start within ${timeoutMs} ms`, {
          code: 'bridge.start_timeout', retryable: true, hint: 'Check that the bridge command in the config runs on its own.',
        }));
      }, timeoutMs);
      let greeted = false;
      lines.on('line', (line) => {
        if (greeted) return this.onLine(line);
        // Whatever Windows or a policy prints before the host starts (a banner, a warning) is not the greeting.
        const greeting = parseJson(line) as Partial<BridgeGreeting> | undefined;
        if (greeting?.ready !== true) return;
        greeted = true;
        clearTimeout(timer);
        if (greeting.protocol !== BRIDGE_PROTOCOL_VERSION) {
          this.child.kill();
          reject(new BridgeError(`The COM bridge host speaks protocol ${String(greeting?.protocol)}, the agent ${BRIDGE_PROTOCOL_VERSION}`, {
            code: 'bridge.protocol_mismatch', retryable: false, hint: 'host.ps1 and the agent come from different releases: reinstall the agent.',
          }));
          return;
        }
        resolve(this);
      });
      this.child.stderr.setEncoding('utf8');
      this.child.stderr.on('data', (chunk: string) => { this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL); });
      this.child.on('error', (error) => this.die(`could not be started (${error.message})`));
      this.child.on('close', (code, signal) => {
        clearTimeout(timer);
        this.die(`exited (${signal ?? `code ${code}`})`);
        if (!greeted) reject(this.exitError);
      });
      this.child.stdin.on('error', () => { /* the exit handler reports a host that went away */ });
    });
  }

  private send(body: RequestBody, what: string): Promise<CallResult> {
    if (this.exitError) return Promise.reject(this.exitError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new BridgeError(`The COM call ${what} did not answer within ${this.callTimeoutMs} ms`, {
          code: 'bridge.timeout', retryable: true, hint: 'The session is started again on the next call; a dialog or a lock on the Sage server can hold a call.',
        }));
        this.child.kill();
      }, this.callTimeoutMs);
      this.pending.set(id, { resolve, reject, timer, what });
      this.child.stdin.write(`${JSON.stringify({ id, ...body })}\n`);
    });
  }

  private onLine(line: string): void {
    const response = parseJson(line) as BridgeResponse | undefined;
    if (!response || typeof response.id !== 'number') return;
    const pending = this.pending.get(response.id);
    if (!pending) return;
    this.pending.delete(response.id);
    clearTimeout(pending.timer);
    if (response.ok) {
      pending.resolve({ value: response.value ?? null, refs: response.refs ?? [] });
      return;
    }
    const { message, hresult, byRef } = response.error;
    pending.reject(new BridgeError(
      byRef ? `The by-reference COM call ${pending.what} failed: ${message}` : `The COM call ${pending.what} failed: ${message}`,
      {
        code: byRef ? 'bridge.by_ref_failed' : 'bridge.com_error',
        retryable: false,
        hresult,
        hint: byRef
          ? 'By-reference arguments through Windows PowerShell are not yet confirmed against pvxcom: report this message with the Sage version.'
          : undefined,
      },
    ));
  }

  private die(how: string): void {
    const detail = this.stderrTail.trim() ? `: ${this.stderrTail.trim().split(/\r?\n/).slice(-3).join(' | ')}` : '';
    this.fail(new BridgeError(`The COM bridge host ${how}${detail}`, {
      code: 'bridge.host_exited', retryable: true, hint: 'The session is started again on the next call.',
    }));
  }

  /** From the first failure of the host on, every pending and later call fails with it: its COM state is unknown. */
  private fail(error: BridgeError): void {
    if (this.exitError) return;
    this.exitError = error;
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.pending.clear();
  }
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
