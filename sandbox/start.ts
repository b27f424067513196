import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ORDER_SCOPES } from '../lib/bigcommerce/hooks';
import { stateStoreFor } from '../lib/node-red/state-store';
import { startBigCommerceSimulator, type BigCommerceSimulator } from './bigcommerce';
import { changeSageItem, nextDemoOrder, placeDemoOrder, seedDemoWorld } from './demo';
import { loadExampleFlow, sandboxFlows, type FlowNode } from './flows';
import { startNodeRed, type NodeRedProcess } from './node-red-process';
import { startSage100Simulator, type Sage100Simulator } from './sage100';

/**
 * `npm start`: the whole integration on this machine, no credentials needed. Starts the BigCommerce and
 * Sage 100 simulators, seeds them alike, runs Node-RED from a project-local user directory with the package
 * linked from the build, deploys the example flow (examples/) pointed at the simulators, and makes demo traffic.
 * Tests start it too, in-process with `startSandbox({ ...ports 0, userDir })` or as `npx tsx sandbox/start.ts`.
 */

export interface SandboxSettings {
  /** 0 for any free port (all four). */
  nodeRedPort: number;
  bcPort: number;
  sageAgentPort: number;
  sageSoapPort: number;
  storeHash: string;
  accessToken: string;
  clientSecret: string;
  sageApiKey: string;
  /** Demo web orders a minute; 0 turns demo traffic (orders and Sage changes) off. */
  ordersPerMinute: number;
  userDir: string;
}

/** Between two demo Sage changes (a stock receipt or a new price). */
export const SAGE_CHANGE_EVERY_MS = 20_000;

/**
 * The example polls Sage items every 5 minutes; the sandbox every 15 s, so a Sage change reaches the store
 * while someone is watching. Everything else runs as the example is written.
 */
export const SANDBOX_ITEMS_POLL_SECONDS = 15;

/** Likewise the Sage invoices poll (5 minutes in the example): a `POST /__sim/invoice` shows in the store within 15 s. */
export const SANDBOX_INVOICES_POLL_SECONDS = 15;

function number(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number of 0 or more, not "${text}"`);
  return value;
}

/** The settings `npm start` runs with: the environment variables the README lists, else the defaults. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): SandboxSettings {
  return {
    nodeRedPort: number(env, 'NODE_RED_PORT', 1880),
    bcPort: number(env, 'SANDBOX_BC_PORT', 4580),
    sageAgentPort: number(env, 'SANDBOX_SAGE_AGENT_PORT', 4581),
    sageSoapPort: number(env, 'SANDBOX_SAGE_SOAP_PORT', 4582),
    storeHash: env.SANDBOX_BC_STORE_HASH || 'sandbox1',
    accessToken: env.SANDBOX_BC_TOKEN || 'sandbox-access-token',
    clientSecret: env.SANDBOX_BC_CLIENT_SECRET || 'sandbox-client-secret',
    sageApiKey: env.SANDBOX_SAGE_API_KEY || 'sandbox-agent-key',
    ordersPerMinute: number(env, 'SANDBOX_RATE', 6),
    userDir: env.SANDBOX_USER_DIR || join(__dirname, '..', '.sandbox', 'node-red'),
  };
}

/** The example flow pointed at the simulators, with the items and invoices polls made faster for the demo. */
function demoFlows(bc: BigCommerceSimulator, sage: Sage100Simulator, settings: SandboxSettings, flowOverrides: Record<string, Record<string, unknown>> = {}): FlowNode[] {
  const example = loadExampleFlow();
  const itemChanges = example.find((node) => node.type === 'sage100-items' && node.mode === 'changes');
  const poll = itemChanges && example.find((node) => node.type === 'inject' && (node.wires as string[][]).flat().includes(itemChanges.id));
  const invoices = example.find((node) => node.type === 'sage100-invoices');
  const invoicePoll = invoices && example.find((node) => node.type === 'inject' && (node.wires as string[][]).flat().includes(invoices.id));
  const faster = (node: FlowNode | undefined, seconds: number, extra: Record<string, unknown> = {}) => (node ? { [node.id]: { repeat: String(seconds), name: `every ${seconds} s (sandbox)`, ...extra } } : {});
  return sandboxFlows(
    {
      bigcommerce: { apiUrl: bc.apiUrl, storeHash: bc.storeHash, accessToken: bc.accessToken, clientSecret: settings.clientSecret },
      sage100: { agentUrl: sage.agentUrl, apiKey: sage.apiKey, companyCode: sage.companyCode, fingerprint256: sage.fingerprint256 },
    },
    {
      overrides: {
        ...faster(poll, SANDBOX_ITEMS_POLL_SECONDS),
        // The first invoices poll at once too (the example waits 30 s), so the 15-s rhythm holds from the start.
        ...faster(invoicePoll, SANDBOX_INVOICES_POLL_SECONDS, { onceDelay: '1' }),
        ...flowOverrides,
      },
    },
  );
}

/**
 * The simulators are new on every start, so flows, poll cursors and the last pushed stock snapshot left in the
 * user directory by an earlier run describe a store and a company that no longer exist.
 */
function forgetEarlierRun(userDir: string): void {
  for (const file of ['flows.json', 'flows_cred.json']) rmSync(join(userDir, file), { force: true });
  rmSync(stateStoreFor({ userDir }).directory, { recursive: true, force: true });
}

export interface Sandbox {
  settings: SandboxSettings;
  bc: BigCommerceSimulator;
  sage: Sage100Simulator;
  nodeRed: NodeRedProcess;
  /** Stops the demo traffic, Node-RED and both simulators. */
  stop(): Promise<void>;
}

export interface SandboxOptions extends Partial<SandboxSettings> {
  /** Where the demo traffic is reported, one line each (default: the console). */
  log?: (line: string) => void;
  /** Settings of example nodes by id, e.g. fewer queue attempts so a test sees a dead letter soon. */
  flowOverrides?: Record<string, Record<string, unknown>>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const { log = console.log, flowOverrides, ...overrides } = options;
  const settings = { ...settingsFromEnv(), ...overrides };
  // What is running so far, stopped in reverse if a later step fails.
  const running: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of running.splice(0).reverse()) await stop();
  };
  try {
    const bc = await startBigCommerceSimulator({ port: settings.bcPort, storeHash: settings.storeHash, accessToken: settings.accessToken, clientSecret: settings.clientSecret });
    running.push(() => bc.close());
    const sage = await startSage100Simulator({ agentPort: settings.sageAgentPort, soapPort: settings.sageSoapPort, apiKey: settings.sageApiKey });
    running.push(() => sage.close());
    const world = seedDemoWorld(bc, sage);

    forgetEarlierRun(settings.userDir);
    const nodeRed = await startNodeRed({ userDir: settings.userDir, port: settings.nodeRedPort, logFile: nodeRedLogFile(settings.userDir) });
    running.push(() => nodeRed.stop());
    await nodeRed.deploy(demoFlows(bc, sage, settings, flowOverrides));
    // A real store only delivers to https on port 443 (the config node's Register webhooks insists on it); the
    // simulator's hooks are set up directly so it can deliver to Node-RED on this machine.
    for (const scope of ORDER_SCOPES) bc.store.addHook({ scope, destination: `${nodeRed.url}/bigcommerce/webhook`, client_id: bc.clientId });

    if (settings.ordersPerMinute > 0) {
      const timers = [
        setInterval(() => {
          // Now and then BigCommerce delivers the same event twice; the flow must still make one sales order.
          if (world.random() < 0.1) bc.faults.add({ kind: 'duplicate-webhook', times: 1 });
          const id = placeDemoOrder(bc, nextDemoOrder(world));
          log(`store: web order ${id} placed`);
        }, 60_000 / settings.ordersPerMinute),
        setInterval(() => log(`sage: ${changeSageItem(sage, world)}`), SAGE_CHANGE_EVERY_MS),
      ];
      running.push(async () => timers.forEach(clearInterval));
    }
    return { settings, bc, sage, nodeRed, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Where `npm start` keeps Node-RED's log: the console stays for the banner and the demo traffic. */
export function nodeRedLogFile(userDir: string): string {
  return join(userDir, 'node-red.log');
}

export function banner(sandbox: Sandbox): string {
  const { bc, sage, nodeRed, settings } = sandbox;
  return [
    '',
    'Sage 100 ↔ BigCommerce sandbox is running',
    '',
    `  Node-RED editor         ${nodeRed.url}/`,
    `  BigCommerce simulator   ${bc.apiUrl}/stores/${bc.storeHash}/v2/orders   state: ${bc.apiUrl}/__sim/state`,
    `  Sage 100 agent          ${sage.agentUrl}   state: curl -k ${sage.agentUrl}/__sim/state (self-signed certificate)`,
    `  Sage 100 SOAP           ${sage.soapUrl}?wsdl`,
    `  Webhook endpoint        ${nodeRed.url}/bigcommerce/webhook`,
    '',
    '  Demo credentials (already in the deployed config nodes):',
    `    BigCommerce store hash ${bc.storeHash}, X-Auth-Token ${bc.accessToken}, client secret ${settings.clientSecret}`,
    `    Sage 100 agent API key ${sage.apiKey}, company ${sage.companyCode}, certificate SHA-256 ${sage.fingerprint256}`,
    `    Sage 100 SOAP user ${sage.username} / ${sage.password}`,
    '',
    settings.ordersPerMinute > 0
      ? `  Demo traffic: ${settings.ordersPerMinute} web orders a minute, a Sage stock or price change every ${SAGE_CHANGE_EVERY_MS / 1000} s (pushed to the store within ${SANDBOX_ITEMS_POLL_SECONDS} s).`
      : '  Demo traffic is off (SANDBOX_RATE=0).',
    `  Shipments: POST ${sage.agentUrl}/__sim/invoice {"salesOrderNo":"W000104","trackingNumbers":["1Z999"]} reaches the store within ${SANDBOX_INVOICES_POLL_SECONDS} s.`,
    `  Node-RED user directory ${settings.userDir}`,
    `  Node-RED log            ${nodeRedLogFile(settings.userDir)} (tail -f it to watch)`,
    '  Ctrl-C stops everything.',
    '',
  ].join('\n');
}

if (require.main === module) {
  const starting = startSandbox();
  let stopping = false;
  // Ctrl-C during start-up waits for it to finish, so nothing it started is left running.
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping the sandbox…');
    starting
      .then((sandbox) => sandbox.stop())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          console.error(err);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  starting.then(
    (sandbox) => {
      if (!stopping) console.log(banner(sandbox));
    },
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      console.error('the sandbox could not start:', message);
      if (/EADDRINUSE|port in use/.test(message)) {
        console.error('A port is taken: choose others with NODE_RED_PORT, SANDBOX_BC_PORT, SANDBOX_SAGE_AGENT_PORT and SANDBOX_SAGE_SOAP_PORT (0 = any free port).');
      }
      process.exit(1);
    },
  );
}
