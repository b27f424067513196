import { join } from 'node:path';
import { ORDER_SCOPES } from '../lib/bigcommerce/hooks';
import { startBigCommerceSimulator, type BigCommerceSimulator } from './bigcommerce';
import { changeSageItem, nextDemoOrder, placeDemoOrder, seedDemoWorld } from './demo';
import { sandboxFlows } from './flows';
import { startNodeRed, type NodeRedProcess } from './node-red-process';
import { startSage100Simulator, type Sage100Simulator } from './sage100';

/**
 * `npm start`: the whole integration on this machine, no credentials needed. Starts the BigCommerce and
 * Sage 100 simulators, seeds them alike, runs Node-RED from a project-local user directory with the package
 * linked from the build, deploys examples/flows.json pointed at the simulators, and makes demo traffic.
 */

const env = (name: string, fallback: string): string => process.env[name] || fallback;
const port = (name: string, fallback: number): number => Number.parseInt(env(name, String(fallback)), 10);

const settings = {
  nodeRedPort: port('NODE_RED_PORT', 1880),
  bcPort: port('SANDBOX_BC_PORT', 4580),
  sageAgentPort: port('SANDBOX_SAGE_AGENT_PORT', 4581),
  sageSoapPort: port('SANDBOX_SAGE_SOAP_PORT', 4582),
  storeHash: env('SANDBOX_BC_STORE_HASH', 'sandbox1'),
  accessToken: env('SANDBOX_BC_TOKEN', 'sandbox-access-token'),
  clientSecret: env('SANDBOX_BC_CLIENT_SECRET', 'sandbox-client-secret'),
  sageApiKey: env('SANDBOX_SAGE_API_KEY', 'sandbox-agent-key'),
  ordersPerMinute: Number.parseFloat(env('SANDBOX_RATE', '6')),
  userDir: env('SANDBOX_USER_DIR', join(__dirname, '..', '.sandbox', 'node-red')),
};

export interface Sandbox {
  bc: BigCommerceSimulator;
  sage: Sage100Simulator;
  nodeRed: NodeRedProcess;
  stop(): Promise<void>;
}

export async function startSandbox(): Promise<Sandbox> {
  const bc = await startBigCommerceSimulator({ port: settings.bcPort, storeHash: settings.storeHash, accessToken: settings.accessToken, clientSecret: settings.clientSecret });
  const sage = await startSage100Simulator({ agentPort: settings.sageAgentPort, soapPort: settings.sageSoapPort, apiKey: settings.sageApiKey });
  const world = seedDemoWorld(bc, sage);
  const nodeRed = await startNodeRed({ userDir: settings.userDir, port: settings.nodeRedPort });
  await nodeRed.deploy(
    sandboxFlows({
      bigcommerce: { apiUrl: bc.apiUrl, storeHash: bc.storeHash, accessToken: bc.accessToken, clientSecret: settings.clientSecret },
      sage100: { agentUrl: sage.agentUrl, apiKey: sage.apiKey, companyCode: sage.companyCode, fingerprint256: sage.fingerprint256 },
    }),
  );
  // A real store only delivers to https on port 443 (the config node's Register webhooks insists on it); the
  // simulator's hooks are set up directly so it can deliver to Node-RED on this machine.
  for (const scope of ORDER_SCOPES) bc.store.addHook({ scope, destination: `${nodeRed.url}/bigcommerce/webhook`, client_id: bc.clientId });

  const timers: NodeJS.Timeout[] = [];
  if (settings.ordersPerMinute > 0) {
    timers.push(
      setInterval(() => {
        // Now and then BigCommerce delivers the same event twice; the flow must still make one sales order.
        if (world.random() < 0.1) bc.faults.add({ kind: 'duplicate-webhook', times: 1 });
        const id = placeDemoOrder(bc, nextDemoOrder(world));
        console.log(`store: web order ${id} placed`);
      }, 60_000 / settings.ordersPerMinute),
      setInterval(() => console.log(`sage: ${changeSageItem(sage, world)}`), 20_000),
    );
  }
  return {
    bc,
    sage,
    nodeRed,
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await nodeRed.stop();
      await Promise.all([bc.close(), sage.close()]);
    },
  };
}

function banner(sandbox: Sandbox): string {
  const { bc, sage, nodeRed } = sandbox;
  return [
    '',
    'Sage 100 ↔ BigCommerce sandbox is running',
    '',
    `  Node-RED editor         ${nodeRed.url}/`,
    `  BigCommerce simulator   ${bc.apiUrl}/stores/${bc.storeHash}/v2/orders   state: ${bc.apiUrl}/__sim/state`,
    `  Sage 100 agent          ${sage.agentUrl}   state: ${sage.agentUrl}/__sim/state`,
    `  Sage 100 SOAP           ${sage.soapUrl}?wsdl`,
    '',
    '  Demo credentials (already in the deployed config nodes):',
    `    BigCommerce store hash ${bc.storeHash}, X-Auth-Token ${bc.accessToken}, client secret ${settings.clientSecret}`,
    `    Sage 100 agent API key ${sage.apiKey}, company ${sage.companyCode}, certificate SHA-256 ${sage.fingerprint256}`,
    `    Sage 100 SOAP user ${sage.username} / ${sage.password}`,
    '',
    settings.ordersPerMinute > 0 ? `  Demo traffic: ${settings.ordersPerMinute} web orders a minute, a Sage stock or price change every 20 s.` : '  Demo traffic is off (SANDBOX_RATE=0).',
    '  Ctrl-C stops everything.',
    '',
  ].join('\n');
}

if (require.main === module) {
  startSandbox().then(
    (sandbox) => {
      console.log(banner(sandbox));
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        console.log('\nstopping the sandbox…');
        sandbox.stop().then(
          () => process.exit(0),
          (err: unknown) => {
            console.error(err);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (err: unknown) => {
      console.error('the sandbox could not start:', err);
      process.exit(1);
    },
  );
}
