import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The example flow (EXAMPLE_FLOW below) as a user imports it, pointed at running simulators: the config nodes
 * get the simulators' URLs, the Sage certificate pin and the demo credentials (sent with the deploy, so Node-RED
 * stores them encrypted in flows_cred.json like the editor would). Used by `npm start`, the end-to-end tests and
 * the benchmarks, so all of them exercise the flow users get.
 */

export type FlowNode = Record<string, unknown> & { id: string; type: string };

export interface SimulatorEndpoints {
  bigcommerce: { apiUrl: string; storeHash: string; accessToken: string; clientSecret: string };
  sage100: { agentUrl: string; apiKey: string; companyCode: string; fingerprint256: string; soap?: { url: string; username: string; password: string } };
}

export interface SandboxFlowOptions {
  /** Put the order queue on BullMQ with this Redis URL and key prefix (several Node-RED instances share it). */
  redis?: { url: string; keyPrefix: string };
  /** Turn off the example's schedules so a test triggers every run itself. */
  withoutSchedules?: boolean;
  /** Reach Sage through eBusiness Web Services (SOAP) instead of the agent; needs `endpoints.sage100.soap`. */
  sageMode?: 'agent' | 'soap';
  /** Override settings of nodes by id (e.g. shorter queue backoff for a chaos run). */
  overrides?: Record<string, Record<string, unknown>>;
}

/**
 * examples/flows.json is where the package documents its example (README, palette); Import › Examples shows it as
 * "flows", and its tabs say what each part does.
 */
export const EXAMPLE_FLOW_FILE = 'flows.json';
export const EXAMPLE_FLOW = join(__dirname, '..', 'examples', EXAMPLE_FLOW_FILE);

export function loadExampleFlow(): FlowNode[] {
  return JSON.parse(readFileSync(EXAMPLE_FLOW, 'utf8')) as FlowNode[];
}

export function sandboxFlows(endpoints: SimulatorEndpoints, options: SandboxFlowOptions = {}): FlowNode[] {
  const flows = loadExampleFlow();
  for (const node of flows) {
    if (node.type === 'bigcommerce-config') {
      Object.assign(node, { apiUrl: endpoints.bigcommerce.apiUrl, storeHash: endpoints.bigcommerce.storeHash });
      node.credentials = { accessToken: endpoints.bigcommerce.accessToken, clientSecret: endpoints.bigcommerce.clientSecret };
    }
    if (node.type === 'sage100-config') {
      Object.assign(node, { mode: 'agent', agentUrl: endpoints.sage100.agentUrl, companyCode: endpoints.sage100.companyCode, tlsMode: 'pin', pinSha256: endpoints.sage100.fingerprint256 });
      node.credentials = { apiKey: endpoints.sage100.apiKey };
      const soap = endpoints.sage100.soap;
      if (options.sageMode === 'soap') {
        if (!soap) throw new Error('sandboxFlows: SOAP mode needs endpoints.sage100.soap');
        Object.assign(node, { mode: 'soap', soapEndpoint: soap.url });
        node.credentials = { username: soap.username, password: soap.password };
      }
    }
    if (options.withoutSchedules && node.type === 'inject') Object.assign(node, { repeat: '', crontab: '', once: false });
    Object.assign(node, options.overrides?.[node.id]);
  }
  if (options.redis) {
    const redisId = 'c0f00000000000r1';
    flows.push({ id: redisId, type: 'sync-redis', name: 'Redis', url: options.redis.url, tls: false, rejectUnauthorized: true, keyPrefix: options.redis.keyPrefix });
    for (const node of flows) if (node.type === 'sync-queue') Object.assign(node, { backend: 'bullmq', redis: redisId });
  }
  return flows;
}

/** The first node of a type (and, when given, a name) in a flow: tests and benches find nodes by role, not id. */
export function findNode(flows: FlowNode[], type: string, name?: string): FlowNode {
  const found = flows.find((node) => node.type === type && (name === undefined || node.name === name));
  if (!found) throw new Error(`the example flow has no ${type}${name ? ` named "${name}"` : ''}`);
  return found;
}
