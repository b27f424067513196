import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { Agent, fetch } from 'undici';
import { readSettings } from '../../lib/settings/definition';
import { orderNumberingSettings } from '../../lib/settings/sync';
import { customerPoNoFor, salesOrderNoFor } from '../../lib/sync/mapper-options';
import { findNode, loadExampleFlow } from '../../sandbox/flows';
import { freePort, removeUserDir } from '../../sandbox/node-red-process';

/**
 * `npm start` as a newcomer runs it: `npx tsx sandbox/start.ts` in a terminal with the ports in the environment,
 * watched from outside through the editor, the simulators' `/__sim/state` and the webhook endpoint, then stopped
 * with Ctrl-C.
 */

const repoRoot = resolve(__dirname, '..', '..');
const sageCertificate = readFileSync(join(repoRoot, 'sandbox', 'sage100', 'certs', 'cert.pem'), 'utf8');
const clientSecret = 'e2e-client-secret';
const accessToken = 'e2e-access-token';
const storeHash = 'e2estore';

interface SageWarehouseRow {
  ItemCode: string;
  WarehouseCode: string;
  QuantityOnHand: number;
  QuantityOnSalesOrder: number;
  QuantityOnBackOrder?: number;
}
interface SageState {
  salesOrders: Array<{ SalesOrderNo: string; CustomerPONo?: string }>;
  customers: unknown[];
  itemWarehouses: SageWarehouseRow[];
}
interface StoreState {
  orders: Array<{ id: number }>;
  products: Array<{ id: number; sku: string; inventory_level: number }>;
}

/** Polls `probe` until it returns something other than undefined/false, or fails naming `what` at `deadline`. */
async function waitFor<T>(what: string, deadline: number, probe: () => Promise<T | undefined | false> | T | undefined | false): Promise<T> {
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** A process and what identifies it beyond its pid (which the kernel may reuse). */
interface ProcessId {
  pid: number;
  startTime: string;
  command: string;
}

function readProcess(pid: number): (ProcessId & { ppid: number; state: string }) | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may itself contain spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return { pid, state: fields[0]!, ppid: Number(fields[1]), startTime: fields[19]!, command };
  } catch {
    return undefined;
  }
}

/** Every process below `root`, found through the parent links in /proc. */
function descendantsOf(root: number): ProcessId[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((p) => p !== undefined);
  const found: ProcessId[] = [];
  const parents = [root];
  while (parents.length > 0) {
    const parent = parents.pop()!;
    for (const p of all) {
      if (p.ppid !== parent) continue;
      found.push({ pid: p.pid, startTime: p.startTime, command: p.command });
      parents.push(p.pid);
    }
  }
  return found;
}

function stillRunning(seen: ProcessId): boolean {
  const now = readProcess(seen.pid);
  return now !== undefined && now.startTime === seen.startTime && now.state !== 'Z';
}

/** Signals a process group, which may be gone already. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.once('error', () => resolvePort(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePort(true)));
  });
}

/** Sage's available quantity as the example's push node computes it, written out independently here. */
function availableInSage(state: SageState, itemCode: string, push: { warehouses: string[]; safetyStock: number; subtractBackOrders: boolean }): number {
  let total = 0;
  for (const row of state.itemWarehouses) {
    if (row.ItemCode !== itemCode) continue;
    if (push.warehouses.length > 0 && !push.warehouses.includes(row.WarehouseCode)) continue;
    total += row.QuantityOnHand - row.QuantityOnSalesOrder - (push.subtractBackOrders ? (row.QuantityOnBackOrder ?? 0) : 0);
  }
  return Math.max(0, Math.floor(total - push.safetyStock));
}

describe('npm start: the sandbox as a user runs it', function () {
  const example = loadExampleFlow();
  const pushNode = findNode(example, 'bigcommerce-inventory-push');
  const push = {
    warehouses: String(pushNode.warehouses ?? '')
      .split(',')
      .map((code) => code.trim().toUpperCase())
      .filter(Boolean),
    safetyStock: Number(pushNode.safetyStock ?? 0),
    subtractBackOrders: pushNode.subtractBackOrders === true,
  };
  // The example's mapper numbers by its shared sync-order-numbering node.
  const numbering = readSettings(orderNumberingSettings, findNode(example, 'sync-order-numbering'));
  const sageAgent = new Agent({ connect: { ca: sageCertificate } });

  let userDir: string;
  let ports: { nodeRed: number; bc: number; sageAgent: number; sageSoap: number };
  let child: ChildProcess;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let output = '';
  let spawnedAt: number;
  /** Everything the sandbox started, seen while it ran. */
  let started: ProcessId[] = [];

  const bcUrl = (path: string) => `http://127.0.0.1:${ports.bc}${path}`;
  const storeApi = (path: string) => bcUrl(`/stores/${storeHash}${path}`);
  const sageState = async (): Promise<SageState> => (await (await fetch(`https://127.0.0.1:${ports.sageAgent}/__sim/state`, { dispatcher: sageAgent })).json()) as SageState;
  const storeState = async (): Promise<StoreState> => (await (await fetch(bcUrl('/__sim/state'))).json()) as StoreState;
  const storeCall = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(storeApi(path), {
      method,
      headers: { 'x-auth-token': accessToken, accept: 'application/json', ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    assert.ok(response.ok, `${method} ${path} answered ${response.status}: ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
  const stockLevel = (state: StoreState, sku: string) => state.products.find((p) => p.sku === sku)?.inventory_level;

  before(async function () {
    assert.ok(
      existsSync(join(repoRoot, 'dist', 'nodes', 'sage100', 'sage100-sales-order.js')),
      'dist/ is not built: run `npx tsup --silent` first (npm start and npm test build it)',
    );
    userDir = mkdtempSync(join(tmpdir(), 'ml-sandbox-e2e-'));
    ports = { nodeRed: await freePort(), bc: await freePort(), sageAgent: await freePort(), sageSoap: await freePort() };
    spawnedAt = Date.now();
    // Its own process group, so Ctrl-C can be sent as a terminal sends it: to every process of the job.
    child = spawn('npx', ['tsx', 'sandbox/start.ts'], {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        // The Node of the line under test runs npx, tsx, the sandbox and Node-RED (NODE_RED_PATH names its node-red).
        PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
        NODE_RED_PORT: String(ports.nodeRed),
        SANDBOX_BC_PORT: String(ports.bc),
        SANDBOX_SAGE_AGENT_PORT: String(ports.sageAgent),
        SANDBOX_SAGE_SOAP_PORT: String(ports.sageSoap),
        SANDBOX_BC_STORE_HASH: storeHash,
        SANDBOX_BC_TOKEN: accessToken,
        SANDBOX_BC_CLIENT_SECRET: clientSecret,
        SANDBOX_SAGE_API_KEY: 'e2e-agent-key',
        SANDBOX_USER_DIR: userDir,
      },
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(`--- the sandbox printed:\n${output.slice(-6000)}\n---`);
  });

  after(async function () {
    this.timeout(40_000);
    // Only when a test failed before Ctrl-C: stop what is left of the sandbox, politely first.
    if (child?.exitCode === null && child.signalCode === null) {
      signalGroup(child.pid!, 'SIGINT');
      const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), 25_000);
      await exited;
      clearTimeout(timer);
    }
    for (const leftover of started.filter(stillRunning)) {
      try {
        process.kill(leftover.pid, 'SIGKILL');
      } catch {
        // ended meanwhile
      }
    }
    await sageAgent.close();
    if (userDir) removeUserDir(userDir);
  });

  it('answers with the Node-RED editor on NODE_RED_PORT within 60 s', async function () {
    this.timeout(70_000);
    const page = await waitFor('the editor on NODE_RED_PORT', spawnedAt + 60_000, async () => {
      if (child.exitCode !== null) throw new Error(`the sandbox exited with ${child.exitCode}`);
      const response = await fetch(`http://127.0.0.1:${ports.nodeRed}/`);
      return response.ok && (await response.text());
    });
    assert.match(page, /<title>Node-RED<\/title>/);
    await waitFor('the banner', spawnedAt + 60_000, () => output.includes('Ctrl-C stops everything'));
    assert.match(output, new RegExp(`Node-RED editor +http://127\\.0\\.0\\.1:${ports.nodeRed}/`));
    assert.match(output, new RegExp(`X-Auth-Token ${accessToken}, client secret ${clientSecret}`));

    started = descendantsOf(child.pid!);
    assert.ok(
      started.some((p) => /node-red|red\.js/.test(p.command)),
      `Node-RED is not among the processes the sandbox started: ${started.map((p) => p.command).join(' | ')}`,
    );
  });

  it('within 2 minutes the Sage simulator holds the sales orders the flow made from demo web orders', async function () {
    this.timeout(130_000);
    const found = await waitFor('a sales order made by the flow', spawnedAt + 120_000, async () => {
      const [sage, store] = await Promise.all([sageState(), storeState()]);
      const numbers = new Set(sage.salesOrders.map((order) => order.SalesOrderNo));
      const made = store.orders.filter((order) => numbers.has(salesOrderNoFor(order.id, numbering)));
      return made.length > 0 && { sage, store, made };
    });
    // Every sales order in Sage came from a web order in the store: none invented, none under another number.
    const expected = new Set(found.store.orders.map((order) => salesOrderNoFor(order.id, numbering)));
    const strays = found.sage.salesOrders.filter((order) => !expected.has(order.SalesOrderNo));
    assert.deepEqual(strays, [], 'sales orders that match no web order');
  });

  it('within 2 minutes a Sage stock change shows in the store as Sage’s available quantity', async function () {
    this.timeout(130_000);
    const deadline = spawnedAt + 120_000;
    const stockChanges = () => [...output.matchAll(/^sage: (\S+): on hand in \S+ is now \d+$/gm)].map((m) => m[1]!);
    for (let next = 0; ; next++) {
      const itemCode = await waitFor('a Sage stock change by the demo', deadline, () => stockChanges()[next]);
      const [store, sage] = await Promise.all([storeState(), sageState()]);
      // A change that leaves the store's level right already would prove nothing; take the next one.
      if (stockLevel(store, itemCode) === availableInSage(sage, itemCode, push)) continue;
      const settled = await waitFor(`the store's stock of ${itemCode} to equal Sage's available quantity`, deadline, async () => {
        const [storeNow, sageNow] = await Promise.all([storeState(), sageState()]);
        const level = stockLevel(storeNow, itemCode);
        return level === availableInSage(sageNow, itemCode, push) && { level };
      });
      assert.ok(settled.level >= 0);
      return;
    }
  });

  it('answers a webhook with a wrong signature 401 and creates nothing for it', async function () {
    this.timeout(90_000);
    // Stop the store's own deliveries, so the two orders below reach the flow only through the requests of this test.
    const hooks = (await storeCall('GET', '/v3/hooks')) as { data: Array<{ id: number; is_active: boolean }> };
    for (const hook of hooks.data.filter((h) => h.is_active)) await storeCall('PUT', `/v3/hooks/${hook.id}`, { is_active: false });

    const product = (await storeState()).products[0]!;
    const placeOrder = async (email: string) =>
      ((await storeCall('POST', '/v2/orders', {
        customer_id: 0,
        status_id: 11,
        billing_address: { first_name: 'Eve', last_name: 'Tester', street_1: '350 Fifth Avenue', city: 'New York', state: 'NY', zip: '10118', country: 'United States', country_iso2: 'US', email },
        products: [{ product_id: product.id, quantity: 1 }],
      })) as { id: number }).id;
    const forgedOrder = await placeOrder('forged@example.com');
    const signedOrder = await placeOrder('signed@example.com');

    const deliver = (orderId: number, secret: string) => {
      const body = JSON.stringify({
        scope: 'store/order/created',
        store_id: '1001',
        data: { type: 'order', id: orderId },
        hash: randomBytes(20).toString('hex'),
        created_at: Math.floor(Date.now() / 1000),
        producer: `stores/${storeHash}`,
      });
      const id = `msg_${randomUUID()}`;
      const now = new Date();
      const signature = new Webhook(Buffer.from(secret, 'utf8').toString('base64')).sign(id, now, body);
      return fetch(`http://127.0.0.1:${ports.nodeRed}/bigcommerce/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': signature },
        body,
      });
    };

    const forged = await deliver(forgedOrder, 'not-the-client-secret');
    assert.equal(forged.status, 401, `the forged delivery got ${forged.status}: ${await forged.text()}`);
    // The same kind of delivery, properly signed and sent after the forged one, goes all the way to Sage ...
    const signed = await deliver(signedOrder, clientSecret);
    assert.equal(signed.status, 200, `the signed delivery got ${signed.status}: ${await signed.text()}`);
    const sage = await waitFor('the sales order of the properly signed delivery', Date.now() + 60_000, async () => {
      const state = await sageState();
      return state.salesOrders.some((order) => order.SalesOrderNo === salesOrderNoFor(signedOrder, numbering)) && state;
    });
    // ... while the forged one made nothing.
    const forgedNumber = salesOrderNoFor(forgedOrder, numbering);
    const forgedPo = customerPoNoFor(forgedOrder, numbering);
    assert.deepEqual(
      sage.salesOrders.filter((order) => order.SalesOrderNo === forgedNumber || order.CustomerPONo === forgedPo),
      [],
      `a sales order for web order ${forgedOrder}, whose only delivery was forged`,
    );
  });

  it('stops on Ctrl-C and leaves no process running and no port taken', async function () {
    this.timeout(60_000);
    assert.ok(started.length > 0, 'the processes the sandbox started were not seen (the first test failed)');
    // As a terminal sends Ctrl-C: to every process of the job. (npm runs the command through sh, which does not
    // pass a SIGINT on to its child, so signalling npx alone would not be what a user does.)
    signalGroup(child.pid!, 'SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([exited, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), 40_000)))]);
    clearTimeout(timer);
    assert.ok(exit, 'the sandbox did not exit within 40 s of Ctrl-C');
    assert.match(output, /stopping the sandbox/);
    // tsx's esbuild service ends when its parent's pipe closes, a moment after the parent.
    const grace = Date.now() + 10_000;
    while (started.some(stillRunning) && Date.now() < grace) await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(started.filter(stillRunning).map((p) => p.command), [], 'processes still running after Ctrl-C');
    for (const [name, port] of Object.entries(ports)) assert.ok(await portIsFree(port), `port ${port} (${name}) is still taken`);
  });
});
