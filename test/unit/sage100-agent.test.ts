import assert from 'node:assert/strict';
import SwaggerParser from '@apidevtools/swagger-parser';
import OpenAPIBackend from 'openapi-backend';
import { request, type Dispatcher } from 'undici';
import { NetworkError } from '../../lib/http/errors';
import { createAgentClient, type AgentClientOptions } from '../../lib/sage100/agent-client';
import type { Sage100Client } from '../../lib/sage100/client';
import { Sage100Error } from '../../lib/sage100/errors';
import { createSageAgent } from '../../lib/sage100/tls';
import { CONTRACT_PATH as AGENT_API_PATH } from '../../agent/src/server/start';
import { SageCompany, seedDemo } from '../../sandbox/sage100/company';
import { startSage100Simulator, type Sage100Simulator } from '../../sandbox/sage100/index';
import { errorOf, sampleSalesOrder } from '../support/sage100';

interface Exchange {
  method: string;
  path: string;
  status: number;
  body: string;
}

/** Wraps a dispatcher so every answer the client receives is kept, to be checked against the contract. */
function recording(dispatcher: Dispatcher, exchanges: Exchange[]): Dispatcher {
  return dispatcher.compose((dispatch) => (options, handler) => {
    let status = 0;
    const chunks: Buffer[] = [];
    return dispatch(options, {
      onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
      onResponseStart: (controller, statusCode, headers, message) => {
        status = statusCode;
        return handler.onResponseStart?.(controller, statusCode, headers, message);
      },
      onResponseData: (controller, chunk) => {
        chunks.push(chunk);
        return handler.onResponseData?.(controller, chunk);
      },
      onResponseEnd: (controller, trailers) => {
        exchanges.push({ method: options.method, path: options.path, status, body: Buffer.concat(chunks).toString('utf8') });
        return handler.onResponseEnd?.(controller, trailers);
      },
      onResponseError: (controller, error) => handler.onResponseError?.(controller, error),
    });
  });
}

describe('Sage 100 agent: contract, the agent over the BOI emulator, and the client', () => {
  const exchanges: Exchange[] = [];
  let sim: Sage100Simulator;
  let dispatcher: Dispatcher;
  let client: Sage100Client;

  function clientWith(overrides: Partial<AgentClientOptions> = {}): Sage100Client {
    return createAgentClient({
      baseUrl: sim.agentUrl,
      apiKey: sim.apiKey,
      companyCode: sim.companyCode,
      dispatcher,
      timeoutMs: 3000,
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
      ...overrides,
    });
  }

  /** The company's clock: moved by hand where a test needs changes to be later than a cursor. */
  let now: Date;

  beforeEach(async () => {
    now = new Date('2026-03-02T09:00:00Z');
    sim = await startSage100Simulator({ company: seedDemo(new SageCompany({ now: () => now })) });
    dispatcher = recording(createSageAgent({ mode: 'ca', caPem: sim.certificatePem }), exchanges);
    client = clientWith();
  });
  afterEach(async () => {
    await sim.close();
    await dispatcher.close();
  });

  after(async function () {
    // Every answer the client received during this suite, checked against the contract.
    const api = new OpenAPIBackend({ definition: AGENT_API_PATH, strict: true });
    await api.init();
    const failures: string[] = [];
    const seen = new Map<string, number>();
    for (const exchange of exchanges.filter((e) => !e.path.startsWith('/__sim/'))) {
      const operation = api.matchOperation({ method: exchange.method, path: exchange.path, headers: {} });
      assert.ok(operation, `no operation in the contract for ${exchange.method} ${exchange.path}`);
      const result = api.validateResponse(JSON.parse(exchange.body), operation, exchange.status);
      if (result.errors) failures.push(`${exchange.method} ${exchange.path} ${exchange.status}: ${JSON.stringify(result.errors)}`);
      const key = `${operation.operationId} ${exchange.status}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    console.log(`      ${exchanges.length} agent responses validated against docs/sage100-agent-api.yaml (${seen.size} operation/status pairs: ${[...seen.keys()].sort().join(', ')})`);
    assert.deepEqual(failures, []);
    const operations = new Set([...seen.keys()].map((key) => key.split(' ')[0]));
    // Contract 1.0's ten operations through the client here; agent/test/agent-contract.test.ts answers all 14.
    assert.equal(operations.size, 10, `every 1.0 operation answered at least once, saw ${[...operations].join(', ')}`);
  });

  it('the contract is a valid OpenAPI 3 document', async () => {
    const api = await SwaggerParser.validate(AGENT_API_PATH);
    assert.match(String((api as { openapi?: string }).openapi), /^3\./);
    const operations = Object.values(api.paths ?? {}).flatMap((item) => Object.keys(item ?? {}).filter((key) => ['get', 'post', 'put', 'delete'].includes(key)));
    console.log(`      docs/sage100-agent-api.yaml: valid OpenAPI ${(api as { openapi?: string }).openapi}, ${operations.length} operations`);
    assert.equal(operations.length, 15);
  });

  it('checks the connection with health only: versions, company and what was proved', async () => {
    const report = await client.checkConnection();
    assert.deepEqual(report, {
      mode: 'agent',
      server: 'Sage 100 Standard 2018 (6.10) (agent 1.3.0)',
      company: 'ABC (ABC Distribution and Service Corp.)',
      checks: [
        `reached the agent at ${new URL(sim.agentUrl).host}`,
        'API key accepted',
        'company ABC open in Sage 100 Standard 2018 (6.10) (read only, nothing written)',
      ],
    });
  });

  it('creates a sales order create-only and reads it back as a SalesOrder record', async () => {
    assert.equal(await client.getSalesOrder('W001042'), undefined);
    await client.createSalesOrder(sampleSalesOrder());
    const stored = await client.getSalesOrder('W001042');
    assert.deepEqual(stored, {
      SalesOrderNo: 'W001042',
      OrderDate: '20260302',
      OrderType: 'S',
      ARDivisionNo: '01',
      CustomerNo: 'WEB0001',
      CustomerPONo: 'BC1042',
      BillToName: 'Ada Lovelace',
      BillToAddress1: '1 Analytical Way',
      BillToCity: 'Seattle',
      BillToState: 'WA',
      BillToZipCode: '98101',
      BillToCountryCode: 'USA',
      ShipToName: 'Ada Lovelace',
      ShipToZipCode: '98101',
      EmailAddress: 'ada@example.com',
      TermsCode: '00',
      // Computed by Sage: no freight sent, no tax schedule on the customer.
      FreightAmt: 0,
      SalesTaxAmt: 0,
      Lines: [{ ItemCode: 'WIDGET-1', ItemType: '1', ItemCodeDesc: 'Widget, blue', QuantityOrdered: 2, UnitPrice: 11.25, WarehouseCode: '000', LineDiscountPercent: 0 }],
    });

    const again = await errorOf(client.createSalesOrder(sampleSalesOrder({ CustomerPONo: 'BC9999' })));
    assert.ok(again instanceof Sage100Error);
    assert.equal(again.code, 'sage100.WS_AlreadyExists');
    assert.equal(again.record, 'sales order W001042');
    assert.equal(again.retryable, false);
    assert.equal(sim.company.state().salesOrders.length, 1);
    assert.equal(sim.company.getSalesOrder('W001042').CustomerPONo, 'BC1042');
  });

  it("reports Sage's own code and text with a plain explanation, and stores nothing", async () => {
    const before = JSON.stringify(sim.company.state());
    const err = await errorOf(client.createSalesOrder(sampleSalesOrder({ Lines: [{ ItemCode: 'WIDGET-9', QuantityOrdered: 1 }] })));
    assert.ok(err instanceof Sage100Error);
    assert.deepEqual([err.sageCode, err.sageMessage], ['CI_NOF', 'The Item Code WIDGET-9 is not on file.']);
    assert.equal(err.message, 'sales order W001042: not on file in Sage: The Item Code WIDGET-9 is not on file.');
    assert.match(err.hint ?? '', /item code \(SKU mapping\)/);
    assert.equal(JSON.stringify(sim.company.state()), before);

    const long = await errorOf(client.createSalesOrder(sampleSalesOrder({ ShipToName: 'N'.repeat(31) })));
    assert.ok(long instanceof Sage100Error);
    assert.deepEqual([long.sageCode, long.sageMessage], ['CI_CharLength', 'The Ship To Name is greater than 30 character(s).']);
  });

  it('gets, creates, updates and finds customers, including numbers that need URL encoding', async () => {
    assert.equal(await client.getCustomer('01', 'A&B/7'), undefined);
    await client.createCustomer({ ARDivisionNo: '01', CustomerNo: 'A&B/7', CustomerName: 'Ampersand & Slash', AddressLine2: 'Suite 5', EmailAddress: 'AB@example.com', ZipCode: '10001' });
    const created = await client.getCustomer('01', 'A&B/7');
    assert.deepEqual(created, { ARDivisionNo: '01', CustomerNo: 'A&B/7', CustomerName: 'Ampersand & Slash', AddressLine2: 'Suite 5', ZipCode: '10001', EmailAddress: 'AB@example.com' });
    // A record as read, merged and sent back in full carries no audit columns Sage would reject as read-only;
    // an empty member is sent, so it is cleared.
    await client.updateCustomer({ ...(created as NonNullable<typeof created>), TelephoneNo: '555-0100', AddressLine2: '' });
    const updated = await client.getCustomer('01', 'A&B/7');
    assert.deepEqual([updated?.TelephoneNo, updated?.AddressLine2], ['555-0100', undefined]);
    assert.equal(sim.company.getCustomer('01', 'A&B/7').AddressLine2, '');
    assert.deepEqual((await client.findCustomersByEmail('ab@EXAMPLE.com')).map((c) => c.CustomerNo), ['A&B/7']);
    assert.deepEqual(await client.findCustomersByEmail('nobody@example.com'), []);
    const duplicate = await errorOf(client.createCustomer({ ARDivisionNo: '01', CustomerNo: 'A&B/7', CustomerName: 'Again' }));
    assert.equal((duplicate as Sage100Error).sageCode, 'WS_AlreadyExists');
    const badZip = await errorOf(client.updateCustomer({ ARDivisionNo: '01', CustomerNo: 'A&B/7', CustomerName: 'x', ZipCode: 'EC1A 1BB' }));
    assert.match((badZip as Sage100Error).hint ?? '', /ZIP Code table/);
  });

  it('lists items with prices and per-warehouse stock, paged, with a cursor for the next poll', async () => {
    now = new Date('2026-03-02T09:01:00Z');
    const first = await client.listItems({ pageSize: 2 });
    assert.equal(first.total, 3);
    assert.deepEqual(first.items.map((i) => i.ItemCode), ['CABLE-USB-C-2M', 'GADGET-2']);
    const second = await client.listItems({ pageSize: 2, pageToken: first.nextPageToken });
    assert.equal(second.nextPageToken, undefined);
    const [widget] = second.items;
    assert.deepEqual(widget, {
      ItemCode: 'WIDGET-1',
      ItemCodeDesc: 'Widget, blue',
      StandardUnitPrice: 12.5,
      SuggestedRetailPrice: 14.99,
      SalesPromotionPrice: 0,
      InactiveItem: false,
      Discontinued: false,
      // Its IM_PriceCode row: 10 % off from the tenth unit, the quantity breaks a price list's bulk tiers come from.
      priceCodes: [{ PriceCode: '', CustomerPriceLevel: '', PricingMethod: 'D', breaks: [{ BreakQuantity: 9, DiscountMarkup: 0 }, { BreakQuantity: 99999999, DiscountMarkup: 10 }] }],
      DateUpdated: '20260302',
      TimeUpdated: '9',
      warehouses: [
        { WarehouseCode: '000', QuantityOnHand: 40, QuantityOnSalesOrder: 0, QuantityOnBackOrder: 0 },
        { WarehouseCode: 'EST', QuantityOnHand: 10, QuantityOnSalesOrder: 0, QuantityOnBackOrder: 0 },
      ],
    });
    // The cursor is the agent's clock when the listing began, the same on every page.
    assert.deepEqual(first.highWater, { DateUpdated: '20260302', TimeUpdated: '9.01667' });
    assert.deepEqual(second.highWater, first.highWater);

    const onlyEast = await client.listItems({ warehouses: ['EST'] });
    assert.deepEqual(onlyEast.items.map((i) => [i.ItemCode, i.warehouses.map((w) => w.WarehouseCode)]), [['CABLE-USB-C-2M', ['EST']], ['GADGET-2', []], ['WIDGET-1', ['EST']]]);

    const unchanged = await client.listItems({ changedSince: first.highWater });
    assert.deepEqual(unchanged.items, []);
    now = new Date('2026-03-02T09:02:00Z');
    await client.createSalesOrder(sampleSalesOrder());
    const changed = await client.listItems({ changedSince: first.highWater });
    assert.deepEqual(changed.items.map((i) => [i.ItemCode, i.warehouses.find((w) => w.WarehouseCode === '000')?.QuantityOnSalesOrder]), [['WIDGET-1', 2]]);
  });

  it('retries reads and create-only writes after a server error, creating exactly one order', async () => {
    sim.faults.set([
      { kind: 'fault', operation: 'getSalesOrder', status: 503, code: 'Unavailable', message: 'The Sage session is being recycled.' },
      { kind: 'fault', operation: 'createSalesOrder' },
    ]);
    assert.equal(await client.getSalesOrder('W001042'), undefined);
    await client.createSalesOrder(sampleSalesOrder());
    assert.equal(sim.company.state().salesOrders.length, 1);
    assert.deepEqual(sim.faults.pending(), []);
  });

  it('gives up with a retryable error once the retries are spent', async () => {
    sim.faults.set([{ kind: 'fault', operation: 'getHealth', times: 3 }]);
    const err = await errorOf(client.checkConnection());
    assert.ok(err instanceof Sage100Error);
    assert.deepEqual([err.sageCode, err.retryable], ['Exception', true]);
    assert.match(err.hint ?? '', /Windows Event Log/);
  });

  it('names a wrong API key or company plainly, without the key anywhere in the error', async () => {
    const wrongKey = await errorOf(clientWith({ apiKey: 'not-the-key-123' }).checkConnection());
    assert.ok(wrongKey instanceof Sage100Error);
    assert.equal(wrongKey.code, 'sage100.Unauthorized');
    assert.match(wrongKey.hint ?? '', /API key/);
    for (const secret of ['not-the-key-123', sim.apiKey]) {
      assert.ok(!JSON.stringify({ ...wrongKey.toDetails(), stack: wrongKey.stack }).includes(secret));
    }
    const wrongCompany = await errorOf(clientWith({ companyCode: 'XYZ' }).getSalesOrder('W001042'));
    assert.equal((wrongCompany as Sage100Error).code, 'sage100.UnknownCompany');
    assert.match((wrongCompany as Sage100Error).hint ?? '', /company code/);
  });

  it('reports refused connections as never having reached the agent', async () => {
    void sim.faults.refuseConnections(10_000);
    const err = await errorOf(clientWith({ retry: { retries: 0 } }).getSalesOrder('W001042'));
    assert.ok(err instanceof NetworkError, String(err));
    assert.equal(err.reachedServer, false);
    assert.match(err.message, /ECONNREFUSED/);
  });

  it('rejects a request that does not match the contract with 400 naming the field', async () => {
    const headers = { 'x-api-key': sim.apiKey, 'x-sage-company': 'ABC', 'content-type': 'application/json' };
    const answer = await request(`${sim.agentUrl}/v1/sales-orders`, { method: 'POST', headers, body: JSON.stringify({ ...sampleSalesOrder(), Lines: [{ QuantityOrdered: 1 }] }), dispatcher });
    assert.equal(answer.statusCode, 400);
    assert.deepEqual(await answer.body.json(), { code: 'BadRequest', message: "/requestBody/Lines/0: must have required property 'ItemCode'" });
    assert.equal(sim.company.state().salesOrders.length, 0);
  });

  it('serves the read-only state and takes fault rules on the agent port without an API key', async () => {
    const faults = await request(`${sim.agentUrl}/__sim/faults`, {
      method: 'POST',
      body: JSON.stringify({ faults: [{ kind: 'latency', operation: 'getCustomer', ms: 1 }] }),
      dispatcher,
    });
    assert.equal(faults.statusCode, 200);
    await faults.body.dump();
    const state = await request(`${sim.agentUrl}/__sim/state`, { dispatcher });
    const body = (await state.body.json()) as { companyCode: string; customers: unknown[]; faults: unknown[] };
    assert.equal(body.companyCode, 'ABC');
    assert.equal(body.customers.length, 2);
    assert.deepEqual(body.faults, [{ kind: 'latency', operation: 'getCustomer', ms: 1, times: 1 }]);
    const bad = await request(`${sim.agentUrl}/__sim/faults`, { method: 'POST', body: '{"faults":[{"kind":"meteor"}]}', dispatcher });
    assert.equal(bad.statusCode, 400);
    await bad.body.dump();
  });

  it('refuses a fault rule for an operation no server answers, so a test cannot pass without its fault', () => {
    assert.throws(() => sim.faults.set([{ kind: 'fault', operation: 'createSalesOrderIfMissing' }]), /no server answers an operation called createSalesOrderIfMissing/);
    sim.faults.set([{ kind: 'latency', operation: 'ensureSalesOrder', ms: 1 }, { kind: 'latency', operation: 'CreateSalesOrder', ms: 1 }, { kind: 'latency', operation: '*', ms: 1 }]);
    assert.equal(sim.faults.pending().length, 3, 'agent operationIds, SOAP operations and the wildcard are all known');
    sim.faults.clear();
  });
});
