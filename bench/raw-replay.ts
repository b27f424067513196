import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import type { Exchange } from '../sandbox/bigcommerce';
import type { SageOperation, World } from './harness';

/**
 * The same HTTP round trips an order needed in the flow, made one after another straight from this process with
 * keep-alive connections and nothing else: the webhook delivery (to a bare server that only answers 200), every
 * BigCommerce call the flow made (same method, path and query), and every Sage operation it made (same bodies;
 * sales order numbers are swapped for fresh ones so the creates are creates again). What the flow takes beyond
 * this is Node-RED and the nodes' own work.
 */
export class RawReplay {
  private nextNumber = 1;

  private constructor(
    private readonly world: World,
    private readonly receiver: Server,
    private readonly receiverUrl: string,
    private readonly storeAgent: Agent,
    private readonly sageAgent: Agent,
  ) {}

  static async start(world: World): Promise<RawReplay> {
    const receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhook`;
    return new RawReplay(world, receiver, url, new Agent({ keepAliveTimeout: 30_000 }), new Agent({ keepAliveTimeout: 30_000, connect: { ca: world.sage.certificatePem } }));
  }

  /** Milliseconds for the round trips, sequential. */
  async run(webhookBodies: string[], exchanges: Exchange[], operations: SageOperation[]): Promise<number> {
    const numbers = new Map<string, string>();
    const replayNumber = (original: string) => {
      let number = numbers.get(original);
      if (!number) numbers.set(original, (number = `R${String(this.nextNumber++).padStart(6, '0')}`));
      return number;
    };
    const started = performance.now();
    for (const body of webhookBodies) await this.send(this.storeAgent, this.receiverUrl, 'POST', { 'content-type': 'application/json' }, body);
    for (const exchange of exchanges) {
      const body = exchange.requestBody === undefined ? undefined : JSON.stringify(exchange.requestBody);
      const headers: Record<string, string> = { 'x-auth-token': this.world.bc.accessToken, accept: 'application/json', ...(body && { 'content-type': 'application/json' }) };
      await this.send(this.storeAgent, `${this.world.bc.apiUrl}${exchange.url}`, exchange.method, headers, body);
    }
    for (const operation of operations) {
      const call = sageRequest(operation, replayNumber);
      const headers: Record<string, string> = { 'x-api-key': this.world.sage.apiKey, 'x-sage-company': this.world.sage.companyCode, accept: 'application/json' };
      if (call.body !== undefined) headers['content-type'] = 'application/json';
      await this.send(this.sageAgent, `${this.world.sage.agentUrl}${call.path}`, call.method, headers, call.body === undefined ? undefined : JSON.stringify(call.body));
    }
    return performance.now() - started;
  }

  async close(): Promise<void> {
    await Promise.all([this.storeAgent.close(), this.sageAgent.close(), new Promise((resolve) => this.receiver.close(resolve))]);
  }

  private async send(agent: Agent, url: string, method: string, headers: Record<string, string>, body: string | undefined): Promise<void> {
    const response = await request(url, { dispatcher: agent, method: method as 'GET', headers, body });
    await response.body.text();
  }
}

/** The agent request behind a Sage operation, with the replay's own sales order number. */
function sageRequest(operation: SageOperation, replayNumber: (original: string) => string): { method: string; path: string; body?: unknown } {
  const sent = operation.request;
  if (!sent) throw new Error(`bench: no request recorded for the Sage operation ${operation.operation}`);
  const order = sent.body as { SalesOrderNo?: unknown } | undefined;
  if (operation.operation === 'getSalesOrder') return { ...sent, path: sent.path.replace(/[^/]+$/, (number) => replayNumber(decodeURIComponent(number))) };
  if (typeof order?.SalesOrderNo === 'string') return { ...sent, body: { ...order, SalesOrderNo: replayNumber(order.SalesOrderNo) } };
  return sent;
}
