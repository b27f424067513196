import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dispatcher } from 'undici';
import { openEmulatedRoot, SageCompany, seedDemo } from '../../agent/src/emulator';
import { hashApiKey } from '../../agent/src/security/api-key';
import { startAgent, type AgentExtras, type StartedAgent } from '../../agent/src/server/start';
import { createAgentClient } from '../../lib/sage100/agent-client';
import { Sage100Error } from '../../lib/sage100/errors';
import type { Sage100Client } from '../../lib/sage100/client';
import { upsertCustomer } from '../../lib/sage100/customers';
import { createSalesOrderIfAbsent } from '../../lib/sage100/sales-orders';
import { createSageAgent } from '../../lib/sage100/tls';
import { sampleSalesOrder } from '../support/sage100';

const CERTS = join(__dirname, '..', '..', 'sandbox', 'sage100', 'certs');

/**
 * The Node-RED side against agents of both contract versions: 2 agent requests for a new order with a 1.1 agent
 * (customer upsert, create-if-absent), and the read-before-create path, unchanged, with a 1.0 agent that answers
 * the newer operations 404 NotFound.
 */
describe('Sage 100 agent client: contract 1.1 operations, and a 1.0 agent without them', () => {
  let company: SageCompany;
  let agent: StartedAgent;
  let dispatcher: Dispatcher;
  let client: Sage100Client;
  let requests: string[];

  async function start(extras: AgentExtras = {}) {
    company = seedDemo(new SageCompany());
    const tls = { key: readFileSync(join(CERTS, 'key.pem'), 'utf8'), cert: readFileSync(join(CERTS, 'cert.pem'), 'utf8') };
    requests = [];
    agent = await startAgent(
      {
        host: '127.0.0.1',
        port: 0,
        tls,
        apiKeyHash: hashApiKey('versions-key-123'),
        openRoot: async () => openEmulatedRoot(company),
        sage: { homePath: 'C:\\Sage\\MAS90\\Home', user: 'WEBSYNC', password: 'pw', companies: ['ABC'], poolSize: 1 },
        log: (_level, message, fields) => {
          if (message === 'request') requests.push(`${String(fields?.method)} ${String(fields?.path)} ${String(fields?.status)}`);
        },
      },
      extras,
    );
    dispatcher = createSageAgent({ mode: 'ca', caPem: tls.cert });
    client = createAgentClient({ baseUrl: agent.url, apiKey: 'versions-key-123', companyCode: 'ABC', dispatcher, timeoutMs: 3000, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
  }

  afterEach(async () => {
    await agent.close();
    await dispatcher.close();
  });

  const customer = { ARDivisionNo: '01', CustomerNo: 'WEB0001', CustomerName: 'Ada Lovelace', TelephoneNo: '555-0100' };

  it('a 1.1 agent: a new order costs 2 requests, a customer upsert and a create-if-absent (after the one read of the company lengths)', async () => {
    await start();
    const upserted = await upsertCustomer(client, customer);
    assert.deepEqual([upserted.outcome, upserted.changedFields], ['updated', ['TelephoneNo']]);
    const created = await createSalesOrderIfAbsent(client, sampleSalesOrder());
    assert.equal(created.outcome, 'created');
    assert.deepEqual(requests, ['GET /v1/health 200', 'POST /v1/customers/upsert 200', 'POST /v1/sales-orders/create-if-absent 201']);
    const again = await createSalesOrderIfAbsent(client, sampleSalesOrder());
    assert.deepEqual([again.outcome, again.foundIn], ['already-posted', 'open']);
  });

  it('an order open in the Sage desktop is a retryable error naming it, and goes through once closed', async () => {
    await start();
    company.createSalesOrder({ ...sampleSalesOrder(), Lines: [] });
    company.lock('SO_SalesOrderHeader', 'W001042');
    // Only a write meets the lock: create-if-absent finds the order by reading, without a write.
    assert.equal((await createSalesOrderIfAbsent(client, sampleSalesOrder())).outcome, 'already-posted');
    company.lock('AR_Customer', '01-WEB0001');
    const err = await upsertCustomer(client, customer).catch((e: unknown) => e);
    assert.ok(err instanceof Sage100Error, String(err));
    assert.deepEqual([err.sageCode, err.retryable, err.record], ['RecordLocked', true, 'customer 01-WEB0001']);
    assert.match(err.message, /customer 01-WEB0001 is open in Sage \(locked\)/);
    company.unlock('AR_Customer', '01-WEB0001');
    assert.equal((await upsertCustomer(client, customer)).outcome, 'updated');
  });

  it('a 1.0 agent: the newer operations answer NotFound and the client reads before it creates', async () => {
    // What a 1.0 agent answers for a path it does not have.
    const added = new Set(['/v1/sales-orders/create-if-absent', '/v1/customers/upsert', '/v1/invoices']);
    await start({
      extraRoutes: async ({ path }) => {
        if (!added.has(path)) return undefined;
        return { status: 404, body: { code: 'NotFound', message: 'No such endpoint on this agent.' } };
      },
    });
    assert.equal((await upsertCustomer(client, customer)).outcome, 'updated');
    assert.equal((await createSalesOrderIfAbsent(client, sampleSalesOrder())).outcome, 'created');
    assert.deepEqual(requests, [
      'GET /v1/health 200',
      'POST /v1/customers/upsert 404',
      'GET /v1/customers/01/WEB0001 200',
      'PUT /v1/customers/01/WEB0001 200',
      'GET /v1/customers/01/WEB0001 200',
      'POST /v1/sales-orders/create-if-absent 404',
      'GET /v1/sales-orders/W001042 404',
      'POST /v1/sales-orders 201',
      'GET /v1/sales-orders/W001042 200',
    ]);
    assert.equal(company.state().salesOrders.length, 1);
    // Once told, the client does not ask that agent for the newer operations again.
    requests.length = 0;
    await createSalesOrderIfAbsent(client, sampleSalesOrder({ SalesOrderNo: 'W001043', CustomerPONo: 'BC1043' }));
    assert.deepEqual(requests, ['GET /v1/sales-orders/W001043 404', 'POST /v1/sales-orders 201', 'GET /v1/sales-orders/W001043 200']);
  });
});
