import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Agent } from 'undici';
import { ConnectorError } from '../../lib/errors';
import { NetworkError } from '../../lib/http/errors';
import type { Sage100Client } from '../../lib/sage100/client';
import { upsertCustomer } from '../../lib/sage100/customers';
import { Sage100Error } from '../../lib/sage100/errors';
import { createClientAsync } from 'soap';
import { BUNDLED_WSDL_PATH, createSoapClient, type SoapClientOptions } from '../../lib/sage100/soap-client';
import { createSoapHttpClient } from '../../lib/sage100/soap-http';
import { createSageAgent, fingerprintOf, type Sage100TlsOptions } from '../../lib/sage100/tls';
import type { Customer, SalesOrder } from '../../lib/sage100/types';
import { SageCompany } from '../../sandbox/sage100/company';
import { LOGON_FAILURE_TEXT, startSoapServer, type SoapSimulator } from '../../sandbox/sage100/soap-server';

const certs = join(__dirname, '../../sandbox/sage100/certs');
const certPem = readFileSync(join(certs, 'cert.pem'), 'utf8');
const keyPem = readFileSync(join(certs, 'key.pem'), 'utf8');
const USERNAME = 'webservices';
const PASSWORD = 'Sage-S3cret!';

const customer: Customer = {
  ARDivisionNo: '01',
  CustomerNo: 'WEB0001',
  CustomerName: 'Ada Lovelace',
  AddressLine1: '12 Analytical Way',
  City: 'Seattle',
  State: 'WA',
  ZipCode: '98101',
  CountryCode: 'USA',
  EmailAddress: 'ada@example.com',
};

const order: SalesOrder = {
  SalesOrderNo: 'W001042',
  OrderDate: '20260302',
  ARDivisionNo: '01',
  CustomerNo: 'WEB0001',
  CustomerPONo: 'BC1042',
  ShipToName: 'Ada Lovelace',
  ShipToZipCode: '98101',
  Lines: [
    { ItemCode: 'WIDGET-1', QuantityOrdered: 3, UnitPrice: 11.25 },
    { ItemCode: '/FREIGHT', ItemType: '5', QuantityOrdered: 1, UnitPrice: 7.5 },
  ],
};

function seededCompany(): SageCompany {
  const company = new SageCompany({ companyCode: 'ABC', warehouses: ['000'], zipCodes: ['98101', '97201'] });
  company.addItem({ ItemCode: 'WIDGET-1', ItemCodeDesc: 'Widget', StandardUnitPrice: 12.5, warehouses: [{ WarehouseCode: '000', QuantityOnHand: 40 }] });
  company.addItem({ ItemCode: '/FREIGHT', ItemCodeDesc: 'Freight', ItemType: '5' });
  return company;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail('expected a rejection'),
    (err: unknown) => err,
  );
}

describe('Sage 100 SOAP client against the SOAP simulator (HTTPS)', () => {
  let company: SageCompany;
  let sim: SoapSimulator;
  let agents: Agent[];

  function client(options: Partial<SoapClientOptions> & { tls?: Sage100TlsOptions } = {}): Sage100Client {
    const dispatcher = createSageAgent(options.tls ?? { mode: 'ca', caPem: certPem });
    agents.push(dispatcher);
    return createSoapClient({
      endpoint: sim.url,
      username: USERNAME,
      password: PASSWORD,
      companyCode: 'ABC',
      dispatcher,
      timeoutMs: 10_000,
      retry: { sleep: async () => {} },
      ...options,
    });
  }

  beforeEach(async () => {
    company = seededCompany();
    agents = [];
    sim = await startSoapServer(company, { tls: { key: keyPem, cert: certPem }, username: USERNAME, password: PASSWORD, companyCode: 'ABC' });
  });
  afterEach(async () => {
    await sim.close();
    await Promise.all(agents.map((agent) => agent.close()));
  });

  describe('checkConnection', () => {
    it('proves reachability, TLS and the logon with no write: the company is byte-identical afterwards', async () => {
      company.createCustomer(customer);
      const before = JSON.stringify(company.state());
      const report = await client().checkConnection();
      assert.equal(JSON.stringify(company.state()), before);
      assert.equal(report.mode, 'soap');
      assert.equal(report.company, 'ABC');
      assert.match(report.server, /eBusiness Web Services contract 1/);
      assert.equal(report.checks.length, 3);
      assert.match(report.checks[0] ?? '', /over HTTPS/);
      assert.match(report.checks[2] ?? '', /webservices logged on to company ABC/);
    });

    it('fails a wrong password with the logon-failure text and hint, and never shows the password', async () => {
      const err = await rejection(client({ password: 'Wrong-Pass-1' }).checkConnection());
      assert.ok(err instanceof Sage100Error);
      assert.equal(err.code, 'sage100.LogonFailure');
      assert.equal(err.sageMessage, LOGON_FAILURE_TEXT);
      assert.match(err.hint ?? '', /Enable Web Services/);
      assert.ok(!JSON.stringify(err.toDetails()).includes('Wrong-Pass-1'));
      assert.ok(!err.message.includes('Wrong-Pass-1'));
    });

    it('fails a company code the user may not use as a logon failure', async () => {
      const err = await rejection(client({ companyCode: 'XYZ' }).checkConnection());
      assert.ok(err instanceof Sage100Error);
      assert.equal(err.sageCode, 'LogonFailure');
    });
  });

  describe('TLS with the self-signed simulator certificate', () => {
    it('default verification fails with a clear TLS message', async () => {
      const err = await rejection(client({ tls: { mode: 'verify' } }).checkConnection());
      assert.ok(err instanceof NetworkError);
      assert.equal(err.code, 'http.tls');
      assert.match(err.message, /TLS check failed/);
      assert.match(err.hint ?? '', /CA certificate or pin/);
    });

    it('trusting the certificate as CA passes', async () => {
      assert.equal((await client({ tls: { mode: 'ca', caPem: certPem } }).checkConnection()).mode, 'soap');
    });

    it('pinning the right SHA-256 fingerprint passes, on every new connection too', async () => {
      const report = await client({ tls: { mode: 'pin', pinSha256: fingerprintOf(certPem) } }).checkConnection();
      assert.equal(report.company, 'ABC');
    });

    it('pinning a different fingerprint fails without retrying', async () => {
      const wrong = 'AA:'.repeat(31) + 'AA';
      const err = await rejection(client({ tls: { mode: 'pin', pinSha256: wrong } }).checkConnection());
      assert.ok(err instanceof ConnectorError);
      assert.equal(err.code, 'sage100.tls_pin_mismatch');
      assert.match(err.message, /does not match the pinned/);
    });
  });

  describe('customers', () => {
    it('gets a customer, or undefined when Sage answers CI_NoKey', async () => {
      company.createCustomer({ ...customer, TermsCode: '30' });
      const sage = client();
      assert.deepEqual(await sage.getCustomer('01', 'WEB0001'), { ...customer, TermsCode: '30' });
      assert.equal(await sage.getCustomer('01', 'NOBODY'), undefined);
    });

    it('creates a customer, and a second create fails WS_AlreadyExists naming the customer', async () => {
      const sage = client();
      await sage.createCustomer(customer);
      assert.equal(company.getCustomer('01', 'WEB0001').CustomerName, 'Ada Lovelace');
      const err = await rejection(sage.createCustomer(customer));
      assert.ok(err instanceof Sage100Error);
      assert.equal(err.sageCode, 'WS_AlreadyExists');
      assert.equal(err.record, 'customer 01-WEB0001');
    });

    it('updates by sending back the full record: members our record does not carry keep their values', async () => {
      company.createCustomer({ ...customer, TermsCode: '30', TaxSchedule: 'WA' });
      await client().updateCustomer({ ...customer, City: 'Seattle', AddressLine1: '1 Pike Place' });
      const stored = company.getCustomer('01', 'WEB0001');
      assert.equal(stored.AddressLine1, '1 Pike Place');
      assert.equal(stored.TermsCode, '30');
      assert.equal(stored.TaxSchedule, 'WA');
    });

    it('maps Sage field rules to typed errors: too long, ZIP not on file, read-only', async () => {
      const sage = client();
      const tooLong = await rejection(sage.createCustomer({ ...customer, CustomerName: 'N'.repeat(31) }));
      assert.ok(tooLong instanceof Sage100Error);
      assert.equal(tooLong.sageCode, 'CI_CharLength');
      assert.match(tooLong.message, /customer 01-WEB0001: too long for Sage: The Customer Name is greater than 30 character/);

      const zip = await rejection(sage.createCustomer({ ...customer, ZipCode: '00000' }));
      assert.ok(zip instanceof Sage100Error);
      assert.equal(zip.sageCode, 'CI_NOF');
      assert.match(zip.hint ?? '', /ZIP Code table/);

      const readOnly = await rejection(sage.createCustomer({ ...customer, CurrentBalance: 5 } as Customer));
      assert.ok(readOnly instanceof Sage100Error);
      assert.match(readOnly.hint ?? '', /read-only field/);
      assert.deepEqual(company.state().customers, [], 'nothing was written');
    });

    it('upserts over SOAP: created, then updated with only the changed member, then unchanged with no write', async () => {
      const sage = client();
      assert.equal((await upsertCustomer(sage, customer)).outcome, 'created');

      const moved = await upsertCustomer(sage, { ...customer, AddressLine1: '1 Pike Place' });
      assert.equal(moved.outcome, 'updated');
      assert.deepEqual(moved.changedFields, ['AddressLine1']);
      assert.equal(moved.customer.AddressLine1, '1 Pike Place');

      const stamped = JSON.stringify(company.state());
      const again = await upsertCustomer(sage, { ...customer, AddressLine1: '1 Pike Place' });
      assert.equal(again.outcome, 'unchanged');
      assert.equal(JSON.stringify(company.state()), stamped, 'no write, so DateUpdated/TimeUpdated did not move');
    });

    it('clears a member sent as empty', async () => {
      company.createCustomer({ ...customer, AddressLine2: 'Suite 5' });
      await client().updateCustomer({ ...customer, AddressLine2: '' });
      assert.equal(company.getCustomer('01', 'WEB0001').AddressLine2, '');
    });

    it('rejects find-by-email with a clear message that it needs the agent', async () => {
      const err = await rejection(client().findCustomersByEmail('ada@example.com'));
      assert.ok(err instanceof ConnectorError);
      assert.equal(err.code, 'sage100.soap_unsupported');
      assert.match(err.message, /no customer search .* needs the Sage 100 agent/);
    });
  });

  describe('sales orders', () => {
    beforeEach(() => {
      company.createCustomer(customer);
    });

    it('creates a sales order and reads it back in our record form', async () => {
      const sage = client();
      await sage.createSalesOrder(order);
      const read = await sage.getSalesOrder('W001042');
      assert.ok(read);
      assert.equal(read.SalesOrderNo, 'W001042');
      assert.equal(read.OrderDate, '20260302');
      assert.equal(read.CustomerPONo, 'BC1042');
      assert.equal(read.BillToName, 'Ada Lovelace', 'customer defaults filled by Sage');
      assert.deepEqual(read.Lines.map((line) => [line.ItemCode, line.QuantityOrdered, line.UnitPrice, line.WarehouseCode]), [
        ['WIDGET-1', 3, 11.25, '000'],
        ['/FREIGHT', 1, 7.5, undefined],
      ]);
      assert.equal(company.listStock({ itemCodes: ['WIDGET-1'] })[0]?.QuantityOnSalesOrder, 3);
    });

    it('reads a one-line order with Lines as an array', async () => {
      const sage = client();
      await sage.createSalesOrder({ ...order, Lines: [{ ItemCode: 'WIDGET-1', QuantityOrdered: 1 }] });
      const read = await sage.getSalesOrder('W001042');
      assert.equal(read?.Lines.length, 1);
      assert.equal(read?.Lines[0]?.UnitPrice, 12.5, 'item default price');
    });

    it('answers undefined for an order that does not exist', async () => {
      assert.equal(await client().getSalesOrder('W009999'), undefined);
    });

    it('is create-only: an existing number fails WS_AlreadyExists and the order is unchanged', async () => {
      const sage = client();
      await sage.createSalesOrder(order);
      const err = await rejection(sage.createSalesOrder({ ...order, CustomerPONo: 'BC9999' }));
      assert.ok(err instanceof Sage100Error);
      assert.equal(err.sageCode, 'WS_AlreadyExists');
      assert.equal(err.record, 'sales order W001042');
      assert.equal(company.getSalesOrder('W001042').CustomerPONo, 'BC1042');
    });

    it('an unknown item fails CI_NOF with the SKU-mapping hint, and nothing is written (all or nothing)', async () => {
      const err = await rejection(client().createSalesOrder({ ...order, Lines: [...order.Lines, { ItemCode: 'NO-SUCH-SKU', QuantityOrdered: 1 }] }));
      assert.ok(err instanceof Sage100Error);
      assert.equal(err.sageCode, 'CI_NOF');
      assert.match(err.sageMessage, /NO-SUCH-SKU/);
      assert.match(err.hint ?? '', /SKU mapping/);
      assert.deepEqual(company.state().salesOrders, []);
      assert.equal(company.listStock({ itemCodes: ['WIDGET-1'] })[0]?.QuantityOnSalesOrder, 0);
    });

    it('a create that commits and then times out, repeated, leaves exactly one sales order', async () => {
      company.faults.set([{ kind: 'commit-then-timeout', operation: 'CreateSalesOrder', ms: 10_000 }]);
      const retries: string[] = [];
      const sage = client({ timeoutMs: 500, retry: { sleep: async () => {}, onRetry: ({ error }) => retries.push((error as ConnectorError).code) } });
      const err = await rejection(sage.createSalesOrder(order));
      assert.deepEqual(retries, ['http.timeout'], 'the timed-out create was repeated once');
      assert.ok(err instanceof Sage100Error, 'the repeat found the committed order');
      assert.equal(err.sageCode, 'WS_AlreadyExists');
      assert.equal(company.state().salesOrders.length, 1);
      assert.equal((await sage.getSalesOrder('W001042'))?.CustomerPONo, 'BC1042');
    });
  });

  describe('faults the service can raise', () => {
    it('"An exception occurred." becomes a retryable Sage100Error pointing at the Event Log', async () => {
      company.faults.set([{ kind: 'fault', operation: 'GetCustomer' }]);
      const err = await rejection(client().getCustomer('01', 'WEB0001'));
      assert.ok(err instanceof Sage100Error);
      assert.equal(err.sageCode, 'Exception');
      assert.equal(err.sageMessage, 'An exception occurred.');
      assert.equal(err.retryable, true);
      assert.match(err.hint ?? '', /Windows Event Log/);
    });

    it('a record locked by another user is a retryable Sage100Error', async () => {
      company.faults.set([{ kind: 'fault', operation: 'CreateSalesOrder', code: 'SY_RecordLocked', message: 'The record is locked by another user.' }]);
      const err = await rejection(client().createSalesOrder(order));
      assert.ok(err instanceof Sage100Error);
      assert.equal(err.retryable, true);
      assert.match(err.hint ?? '', /locked/);
    });

        it('an injected Sage code arrives through detail/MasFault', async () => {
      company.faults.set([{ kind: 'fault', operation: 'CreateCustomer', code: 'NoAccess', message: 'No Access - you are not authorized to perform this action' }]);
      const err = await rejection(client().createCustomer(customer));
      assert.ok(err instanceof Sage100Error);
      assert.equal(err.sageCode, 'NoAccess');
      assert.match(err.hint ?? '', /Role Maintenance/);
    });

    it('refused connections fail reads and writes as network errors that never reached Sage, then recover', async () => {
      const sage = client();
      await company.faults.refuseConnections(1500);
      const read = await rejection(sage.getCustomer('01', 'WEB0001'));
      assert.ok(read instanceof NetworkError);
      assert.equal(read.reachedServer, false);
      const write = await rejection(sage.createCustomer(customer));
      assert.ok(write instanceof NetworkError);
      assert.deepEqual(company.state().customers, []);
      let recovered = false;
      for (let attempt = 0; attempt < 100 && !recovered; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        recovered = await sage.getCustomer('01', 'WEB0001').then(() => true, () => false);
      }
      assert.ok(recovered, 'the simulator listens again on the same port');
    });

    it('says clearly that items and stock need the agent', async () => {
      const err = await rejection(client().listItems({}));
      assert.ok(err instanceof ConnectorError);
      assert.equal(err.code, 'sage100.soap_unsupported');
      assert.match(err.message, /inventory operations .* needs the Sage 100 agent/);
    });
  });

  describe('the simulator beyond what the client uses', () => {
    async function rawService() {
      const dispatcher = createSageAgent({ mode: 'ca', caPem: certPem });
      agents.push(dispatcher);
      const httpClient = createSoapHttpClient({ dispatcher, timeoutMs: 10_000, retry: { retries: 0, baseDelayMs: 0, maxDelayMs: 0 } });
      const service = await createClientAsync(BUNDLED_WSDL_PATH, { httpClient, endpoint: sim.url, disableCache: true });
      return service as unknown as Record<string, (args: object) => Promise<[Record<string, unknown>]>>;
    }
    const logon = { logon: { Username: USERNAME, Password: PASSWORD }, companyCode: 'ABC' };

    it('GetNextSalesOrderNo / GetNextCustomerNo consume a number each call, with nothing created', async () => {
      const service = await rawService();
      const [first] = await service.GetNextSalesOrderNoAsync!(logon);
      const [second] = await service.GetNextSalesOrderNoAsync!(logon);
      assert.deepEqual([first.GetNextSalesOrderNoResult, second.GetNextSalesOrderNoResult], ['0000001', '0000002']);
      const [customerNo] = await service.GetNextCustomerNoAsync!(logon);
      assert.equal(customerNo.GetNextCustomerNoResult, '0000001');
      assert.equal(company.state().nextSalesOrderNo, 3);
      assert.deepEqual(company.state().salesOrders, []);
    });

    it('operations the company has no rules for answer "An exception occurred."', async () => {
      const service = await rawService();
      const err = await rejection(service.DeleteCustomerAsync!({ ...logon, arDivisionNo: '01', customerNo: 'WEB0001' }));
      assert.match(String((err as Error).message), /An exception occurred\./);
    });
  });

  describe('the served WSDL', () => {
    it('serves ?wsdl with schema locations on itself and the schema at ?xsd=xsd0', async () => {
      const dispatcher = createSageAgent({ mode: 'ca', caPem: certPem });
      agents.push(dispatcher);
      const wsdl = await (await dispatcher.request({ origin: new URL(sim.url).origin, path: new URL(sim.wsdlUrl).pathname + '?wsdl', method: 'GET' })).body.text();
      assert.match(wsdl, new RegExp(`schemaLocation="${sim.url.replace(/[.?]/g, '\\$&')}\\?xsd=xsd0"`));
      assert.match(wsdl, new RegExp(`<soap:address location="${sim.url.replace(/[.?]/g, '\\$&')}"`));
      const xsd = await (await dispatcher.request({ origin: new URL(sim.url).origin, path: `${new URL(sim.url).pathname}?xsd=xsd0`, method: 'GET' })).body.text();
      assert.match(xsd, /targetNamespace="http:\/\/mas90.sage.com\/ws"/);
      assert.match(xsd, /<xs:complexType name="MasFault">/);
    });

    it("a client loads the server's own WSDL over the same pinned connection", async () => {
      const sage = client({ wsdlPath: sim.wsdlUrl, tls: { mode: 'pin', pinSha256: fingerprintOf(certPem) } });
      await sage.createCustomer(customer);
      assert.equal((await sage.getCustomer('01', 'WEB0001'))?.CustomerName, 'Ada Lovelace');
    });

    it('a WSDL path that cannot be read fails with a clear error', async () => {
      const sage = client({ wsdlPath: join(__dirname, 'no-such.wsdl') });
      const err = await rejection(sage.getCustomer('01', 'WEB0001'));
      assert.ok(err instanceof ConnectorError);
      assert.equal(err.code, 'sage100.wsdl');
      assert.match(err.message, /no-such\.wsdl could not be read/);
    });
  });
});
