import { WebSocket } from 'undici';
import { waitFor } from './harness';

/**
 * What the Node-RED editor receives while the chaos run goes on: every debug sidebar entry, node status and
 * notification, over the comms websocket. It reconnects after a restart, hands every frame to `onFrame` (the
 * leak scanner) and lets the run wait for a node's status or a debug entry, always with a deadline.
 */

export interface DebugEntry {
  seq: number;
  /** The debug node's name. */
  name: string;
  /** What the sidebar shows, parsed back from Node-RED's encoding when it is an object. */
  value: unknown;
}

export interface StatusEntry {
  seq: number;
  text: string;
  fill?: string;
}

interface CommsMessage {
  topic: string;
  data: Record<string, unknown>;
}

const SUBSCRIPTIONS = ['debug', 'status/#', 'notification/#'];

function decodeDebugValue(data: Record<string, unknown>): unknown {
  const format = String(data.format ?? '');
  if (typeof data.msg !== 'string' || !(format.startsWith('Object') || format.startsWith('array'))) return data.msg;
  try {
    return JSON.parse(data.msg) as unknown;
  } catch {
    return data.msg;
  }
}

export class EditorFeed {
  readonly debug: DebugEntry[] = [];
  private readonly statuses = new Map<string, StatusEntry[]>();
  private socket?: WebSocket;
  private seq = 0;
  frames = 0;

  constructor(
    private readonly url: string,
    private readonly onFrame: (text: string) => void,
  ) {}

  /** Connects (again, after a restart) and subscribes; resolves once Node-RED has answered with retained status. */
  async connect(): Promise<void> {
    this.socket?.close();
    const socket = new WebSocket(`${this.url.replace(/^http/, 'ws')}/comms`);
    this.socket = socket;
    let answered = false;
    socket.addEventListener('message', (event) => {
      const text = String(event.data);
      this.frames++;
      this.onFrame(text);
      for (const message of JSON.parse(text) as CommsMessage[]) {
        answered = true;
        this.receive(message);
      }
    });
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error(`could not open ${this.url}/comms`)), { once: true });
    });
    for (const topic of SUBSCRIPTIONS) socket.send(JSON.stringify({ subscribe: topic }));
    await waitFor('the first status over /comms', () => (answered ? true : undefined), { timeoutMs: 15_000, intervalMs: 20 });
  }

  private receive({ topic, data }: CommsMessage): void {
    this.seq++;
    if (topic === 'debug') {
      this.debug.push({ seq: this.seq, name: String(data.name ?? ''), value: decodeDebugValue(data) });
    } else if (topic.startsWith('status/')) {
      const id = topic.slice('status/'.length);
      const history = this.statuses.get(id) ?? [];
      history.push({ seq: this.seq, text: String(data.text ?? ''), fill: typeof data.fill === 'string' ? data.fill : undefined });
      this.statuses.set(id, history);
    }
  }

  /** A mark to wait for things that happen after it. */
  mark(): number {
    return this.seq;
  }

  latestStatus(nodeId: string): StatusEntry | undefined {
    return this.statuses.get(nodeId)?.at(-1);
  }

  statusesSince(nodeId: string, mark: number): StatusEntry[] {
    return (this.statuses.get(nodeId) ?? []).filter((entry) => entry.seq > mark);
  }

  debugSince(name: string, mark: number): DebugEntry[] {
    return this.debug.filter((entry) => entry.name === name && entry.seq > mark);
  }

  async waitForStatus(nodeId: string, mark: number, accept: (entry: StatusEntry) => boolean, what: string, ms: number): Promise<StatusEntry> {
    return waitFor(what, () => this.statusesSince(nodeId, mark).find(accept), { timeoutMs: ms });
  }

  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }
}
