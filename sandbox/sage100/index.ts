import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprintOf } from '../../lib/sage100/tls';
import { openEmulatedRoot, SageCompany, SageFault, seedDemo, type FaultPlan, type FaultRule, type SageCompanyOptions } from '../../agent/src/emulator';
import { hashApiKey } from '../../agent/src/security/api-key';
import { CONTRACT_PATH, startAgent, type SandboxRequest } from '../../agent/src/server/start';
import { BUNDLED_WSDL_PATH } from '../../lib/sage100/soap-client';
import { parse as parseYaml } from 'yaml';
import type { Reply } from '../../agent/src/server/operations';
import { startSoapServer } from './soap-server';

/**
 * The Sage 100 sandbox: one emulated company (the agent's BOI emulator) served two ways — the real agent
 * (`startAgent` over the emulator as its ProvideX root, HTTPS + API key) and eBusiness Web Services (SOAP over
 * HTTPS) on the same data — both with the self-signed certificate in ./certs. The test routes (`/__sim/…`) are
 * on the agent's port. See README.md.
 */

const CERTS = join(__dirname, 'certs');
const BOI_USER = 'WEBSYNC';
const BOI_PASSWORD = 'sim-boi-pass-9e2c';

export interface Sage100SimulatorOptions {
  /** A company to serve, or options for a new one (default: company ABC with warehouse 000). */
  company?: SageCompany | SageCompanyOptions;
  apiKey?: string;
  username?: string;
  password?: string;
  host?: string;
  agentPort?: number;
  soapPort?: number;
  /** BOI sessions the agent keeps (default 1, as on a real server). */
  poolSize?: number;
  /** The agent's data folder (its stock generations per client); in memory when absent. */
  dataDir?: string;
}

export interface Sage100Simulator {
  /** e.g. https://127.0.0.1:50123 — the agent's base URL. */
  agentUrl: string;
  /** The SOAP service endpoint (…/MasBasicService.svc). */
  soapUrl: string;
  wsdlUrl: string;
  company: SageCompany;
  /** The servers' certificate, for "trust this CA" tests. */
  certificatePem: string;
  /** Its SHA-256 fingerprint (AA:BB:…), for pinning tests. */
  fingerprint256: string;
  apiKey: string;
  username: string;
  password: string;
  companyCode: string;
  faults: FaultPlan;
  close(): Promise<void>;
}

const json = (status: number, body: unknown): Reply => ({ status, body });
const badRequest = (message: string) => json(400, { code: 'BadRequest', message });

function parse<T>(text: string): T {
  return JSON.parse(text || '{}') as T;
}

/** `/__sim/…`: the company's state, fault rules, and the order's life as a Sage user would move it on. */
function simulatorRoutes(company: SageCompany) {
  return async (request: SandboxRequest): Promise<Reply | undefined> => {
    if (!request.path.startsWith('/__sim/')) return undefined;
    const route = `${request.method} ${request.path}`;
    try {
      switch (route) {
        case 'GET /__sim/state':
          return json(200, { ...company.state(), faults: company.faults.pending() });
        case 'POST /__sim/faults': {
          const body = parse<{ faults?: FaultRule[]; refuseConnectionsMs?: number }>(request.body);
          company.faults.set(body.faults ?? []);
          // Refuse after this answer is on its way, so the caller hears that it worked.
          if (body.refuseConnectionsMs) setImmediate(() => void company.faults.refuseConnections(Number(body.refuseConnectionsMs)));
          return json(200, { faults: company.faults.pending() });
        }
        case 'POST /__sim/invoice': {
          const body = parse<{ salesOrderNo?: unknown; lines?: Array<{ itemCode: string; quantity: number }>; trackingNumbers?: string[] }>(request.body);
          if (typeof body.salesOrderNo !== 'string') return badRequest('salesOrderNo: required, the sales order to invoice');
          return json(201, company.invoiceSalesOrder({ salesOrderNo: body.salesOrderNo, lines: body.lines, trackingNumbers: body.trackingNumbers }));
        }
        case 'POST /__sim/receipt': {
          const body = parse<{ itemCode?: unknown; warehouseCode?: unknown; quantity?: unknown }>(request.body);
          if (typeof body.itemCode !== 'string' || typeof body.warehouseCode !== 'string' || typeof body.quantity !== 'number') {
            return badRequest('itemCode, warehouseCode (strings) and quantity (a number) are required');
          }
          return json(200, company.receiveUnstamped(body.itemCode, body.warehouseCode, body.quantity));
        }
        case 'POST /__sim/daily-sales-journal':
          return json(200, company.dailySalesJournalUpdate());
        default:
          return json(404, { code: 'NotFound', message: `No simulator route ${route}.` });
      }
    } catch (err) {
      if (err instanceof SageFault) return json(err.code === 'CI_NoKey' ? 404 : 422, { code: err.code, message: err.message });
      return badRequest((err as Error).message);
    }
  };
}

/** Every operation the two servers answer: the contract's operationIds and the WSDL's operations. */
function answeredOperations(): string[] {
  const contract = parseYaml(readFileSync(CONTRACT_PATH, 'utf8')) as { paths: Record<string, Record<string, { operationId?: string }>> };
  const agentOperations = Object.values(contract.paths).flatMap((path) => Object.values(path).map((operation) => operation.operationId ?? ''));
  const soapOperations = [...readFileSync(BUNDLED_WSDL_PATH, 'utf8').matchAll(/<wsdl:operation name="([^"]+)"/g)].map((match) => match[1] ?? '');
  return [...agentOperations, ...soapOperations].filter(Boolean);
}

export async function startSage100Simulator(options: Sage100SimulatorOptions = {}): Promise<Sage100Simulator> {
  const company = options.company instanceof SageCompany ? options.company : new SageCompany(options.company);
  const tls = { key: readFileSync(join(CERTS, 'key.pem'), 'utf8'), cert: readFileSync(join(CERTS, 'cert.pem'), 'utf8') };
  const apiKey = options.apiKey ?? 'sim-agent-key-7f3a9c21e5';
  const username = options.username ?? 'WEBSYNC';
  const password = options.password ?? 'sim-soap-pass-4b8d';
  const host = options.host ?? '127.0.0.1';

  const agent = await startAgent(
    {
      host,
      port: options.agentPort ?? 0,
      tls,
      apiKeyHash: hashApiKey(apiKey),
      openRoot: async () => openEmulatedRoot(company, { user: BOI_USER, password: BOI_PASSWORD }),
      sage: { homePath: 'C:\\Sage\\Sage 100\\MAS90\\Home', user: BOI_USER, password: BOI_PASSWORD, companies: [company.companyCode], poolSize: options.poolSize ?? 1 },
      log: () => undefined,
      dataDir: options.dataDir,
    },
    {
      extraRoutes: simulatorRoutes(company),
      aroundOperation: async (operationId, request, work) => {
        const { result, holdMs } = await company.faults.apply(operationId, work, request);
        return { ...result, holdMs };
      },
      hold: (ms) => company.faults.hold(ms),
      now: () => company.currentStamp(),
    },
  );
  company.faults.knowOperations(answeredOperations());
  const stopRefusing = company.faults.onRefuse(async (ms) => agent.refuseConnections(ms));
  const soap = await startSoapServer(company, { tls, host, port: options.soapPort, username, password, companyCode: company.companyCode }).catch(async (err: unknown) => {
    await agent.close();
    throw err;
  });

  return {
    agentUrl: agent.url,
    soapUrl: soap.url,
    wsdlUrl: soap.wsdlUrl,
    company,
    certificatePem: tls.cert,
    fingerprint256: fingerprintOf(tls.cert),
    apiKey,
    username,
    password,
    companyCode: company.companyCode,
    faults: company.faults,
    async close() {
      stopRefusing();
      company.faults.releaseHolds();
      await Promise.all([agent.close(), soap.close()]);
    },
  };
}

// `npx tsx sandbox/sage100/index.ts [agentPort] [soapPort]`: a seeded sandbox to try things against by hand.
if (require.main === module) {
  const [agentPort, soapPort] = process.argv.slice(2).map(Number);
  startSage100Simulator({ company: seedDemo(new SageCompany()), agentPort: agentPort || 8443, soapPort: soapPort || 8444 }).then(
    (sim) => {
      console.log(`Sage 100 sandbox (the agent over the BOI emulator), company ${sim.companyCode}`);
      console.log(`  agent  ${sim.agentUrl}  (X-API-Key: ${sim.apiKey})`);
      console.log(`  SOAP   ${sim.soapUrl}  (user ${sim.username}, password ${sim.password})`);
      console.log(`  state  ${sim.agentUrl}/__sim/state`);
      console.log(`  certificate SHA-256 ${sim.fingerprint256}`);
      process.once('SIGINT', () => void sim.close().then(() => process.exit(0)));
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
