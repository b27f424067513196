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
import { OrderCheckError, upsertCustomerForOrder, type ZipFallback } from '../../lib/sage100/order-check';
import type { SalesOrder } from '../../lib/sage100/types';
import { createSalesOrderIfAbsent } from '../../lib/sage100/sales-orders';
import { createSageAgent } from '../../lib/sage100/tls';
import { errorOf, sampleSalesOrder } from '../support/sage100';

const CERTS = join(__dirname, '..', '..', 'sandbox', 'sage100', 'certs');

/**
 * The Node-RED side against agents of each contract version: with a 1.3 agent an order's customer is one request
 * (the upsert checks the order first) and the order a create-if-absent; a 1.2 agent gets the dry run, then the
 * upsert; with a 1.1 agent a new order is 2 requests (customer upsert, create-if-absent); a 1.0 agent, which
 * answers the newer operations 404 NotFound, gets the read-before-create path, unchanged.
 */
describe('Sage 100 agent client: the operations of contracts 1.1 to 1.3, and older agents without them', () => {
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

  const policy = {
    cashCustomerNo: 'WEBCASH',
    isCashCustomer: false,
    updatableFields: ['EmailAddress', 'TelephoneNo', 'CustomerName', 'AddressLine1'],
    newCustomer: { defaults: { TermsCode: '30', CustomerType: 'WEB' } },
  };
  const newCustomer = { ARDivisionNo: '00', CustomerNo: 'BC1042', CustomerName: 'Grace Hopper', ZipCode: '98101', EmailAddress: 'grace@example.com' };
  const orderOf = (overrides: Partial<SalesOrder> = {}) => sampleSalesOrder({ ARDivisionNo: '00', CustomerNo: 'BC1042', ...overrides });
  const hold: ZipFallback = { action: 'hold' };

  it('a 1.3 agent: an order\'s customer is one request, the upsert that checks the order first, then the create-if-absent', async () => {
    await start();
    const first = await upsertCustomerForOrder(client, { customer: newCustomer, salesOrder: orderOf() }, hold, { policy });
    assert.deepEqual([first.checked, first.upserted.outcome], [true, 'created']);
    assert.deepEqual([company.getCustomer('00', 'BC1042').TermsCode, company.getCustomer('00', 'BC1042').CustomerType], ['30', 'WEB']);
    await createSalesOrderIfAbsent(client, first.salesOrder);
    const second = await upsertCustomerForOrder(client, { customer: newCustomer, salesOrder: orderOf({ SalesOrderNo: 'W001043', CustomerPONo: 'BC1043' }) }, hold, { policy });
    assert.equal(second.upserted.outcome, 'unchanged');
    await createSalesOrderIfAbsent(client, second.salesOrder);
    assert.deepEqual(requests, [
      'GET /v1/health 200',
      'POST /v1/customers/upsert 201',
      'POST /v1/sales-orders/create-if-absent 201',
      'POST /v1/customers/upsert 200',
      'POST /v1/sales-orders/create-if-absent 201',
    ]);
  });

  it('a 1.3 agent: an order Sage would refuse is held in that one request with every reason, and leaves no customer behind', async () => {
    await start();
    const salesOrder = orderOf({ Lines: [{ ItemCode: 'NO-SUCH-ITEM', QuantityOrdered: 1 }] });
    const err = await errorOf(upsertCustomerForOrder(client, { customer: { ...newCustomer, ZipCode: '99999' }, salesOrder }, hold, { policy }));
    assert.ok(err instanceof OrderCheckError, String(err));
    assert.deepEqual(err.problems.map((problem) => `${problem.record} ${problem.column}`), ['customer 00-BC1042 ZipCode', 'sales order W001042 line 1 (NO-SUCH-ITEM) ItemCode']);
    assert.equal(company.findCustomer('00', 'BC1042'), undefined);
    assert.deepEqual(requests, ['GET /v1/health 200', 'POST /v1/customers/upsert 422']);
  });

  it('a 1.3 agent: a ZIP missing from Sage\'s table takes the fallback in a second round of the same request', async () => {
    await start();
    const result = await upsertCustomerForOrder(client, { customer: { ...newCustomer, ZipCode: 'SW1A1AA' }, salesOrder: orderOf({ ShipToZipCode: 'SW1A1AA' }) }, { action: 'replace', zipCode: '98101' }, { policy });
    assert.deepEqual([result.upserted.outcome, result.salesOrder.ShipToZipCode, company.getCustomer('00', 'BC1042').ZipCode], ['created', '98101', '98101']);
    assert.equal(result.warnings.length, 2);
    assert.deepEqual(requests, ['GET /v1/health 200', 'POST /v1/customers/upsert 422', 'POST /v1/customers/upsert 201']);
  });

  it('a 1.2 agent (health says so): the dry run, then the upsert, with the same outcome and warnings', async () => {
    const existing = { ARDivisionNo: '01', CustomerNo: 'WEB0001', CustomerName: 'Ada Lovelac', AddressLine1: '', EmailAddress: 'ada@newmail.example' };
    const outcomes: unknown[] = [];
    for (const apiVersion of ['1.3', '1.2']) {
      await start({
        aroundOperation: async (operationId, _request, work) => {
          const reply = await work();
          return operationId === 'getHealth' ? { ...reply, body: { ...(reply.body as object), apiVersion } } : reply;
        },
      });
      const result = await upsertCustomerForOrder(client, { customer: existing, salesOrder: sampleSalesOrder() }, hold, { policy });
      const stored = company.getCustomer('01', 'WEB0001');
      outcomes.push([result.upserted.outcome, result.upserted.changedFields, result.upserted.warnings, stored.CustomerName, stored.AddressLine1, stored.EmailAddress]);
      if (apiVersion === '1.3') {
        await agent.close();
        await dispatcher.close();
      }
    }
    assert.deepEqual(requests, ['GET /v1/health 200', 'POST /v1/sales-orders/validate 200', 'GET /v1/customers/01/WEB0001 200', 'POST /v1/customers/upsert 200']);
    assert.deepEqual(outcomes[0], outcomes[1]);
    assert.equal((outcomes[0] as string[][])[2]?.length, 2, 'CustomerName shortened, AddressLine1 emptier');
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
