import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprintOf } from '../../lib/sage100/tls';
import { startAgentServer } from './agent-server';
import { SageCompany, seedDemo, type FaultPlan, type SageCompanyOptions } from './company';
import { startSoapServer } from './soap-server';

/**
 * The Sage 100 simulator: one in-memory company served two ways, the agent API (HTTPS + API key) and
 * eBusiness Web Services (SOAP over HTTPS), both with the self-signed certificate in ./certs. The test hooks
 * `GET /__sim/state` and `POST /__sim/faults` are on the agent's port. See README.md.
 */

const CERTS = join(__dirname, 'certs');

export interface Sage100SimulatorOptions {
  /** A company to serve, or options for a new one (default: company ABC with warehouse 000). */
  company?: SageCompany | SageCompanyOptions;
  apiKey?: string;
  username?: string;
  password?: string;
  host?: string;
  agentPort?: number;
  soapPort?: number;
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

export async function startSage100Simulator(options: Sage100SimulatorOptions = {}): Promise<Sage100Simulator> {
  const company = options.company instanceof SageCompany ? options.company : new SageCompany(options.company);
  const tls = { key: readFileSync(join(CERTS, 'key.pem'), 'utf8'), cert: readFileSync(join(CERTS, 'cert.pem'), 'utf8') };
  const apiKey = options.apiKey ?? 'sim-agent-key-7f3a9c21e5';
  const username = options.username ?? 'WEBSYNC';
  const password = options.password ?? 'sim-soap-pass-4b8d';
  const host = options.host ?? '127.0.0.1';

  const agent = await startAgentServer({ company, apiKey, tls, host, port: options.agentPort });
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
      await Promise.all([agent.close(), soap.close()]);
    },
  };
}

// `npx tsx sandbox/sage100/index.ts [agentPort] [soapPort]`: a seeded simulator to try things against by hand.
if (require.main === module) {
  const [agentPort, soapPort] = process.argv.slice(2).map(Number);
  startSage100Simulator({ company: seedDemo(new SageCompany()), agentPort: agentPort || 8443, soapPort: soapPort || 8444 }).then(
    (sim) => {
      console.log(`Sage 100 simulator, company ${sim.companyCode}`);
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
