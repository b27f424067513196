import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Agent } from 'undici';
import { HttpError } from '../../lib/http/errors';
import { Sage100Error } from '../../lib/sage100/errors';
import { createClientAsync } from 'soap';
import { BUNDLED_WSDL_PATH, createSoapClient, orderLike, sage100ErrorFromFault } from '../../lib/sage100/soap-client';
import { customerForUpdate, fromSoapDateTime, normalizeSoapRecord, salesOrderToSoap, toSoapDateTime } from '../../lib/sage100/soap-mapping';
import { createSageAgent } from '../../lib/sage100/tls';
import type { SalesOrder } from '../../lib/sage100/types';
import { columnsFromContract, otherFieldsOf, stampToSoapDateTime } from '../../sandbox/sage100/soap-server';

/** Envelopes as a WCF basic-profile service writes them (prefixes declared, i: for nil). */
const envelope = (body: string) =>
  `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body xmlns:i="http://www.w3.org/2001/XMLSchema-instance">${body}</s:Body></s:Envelope>`;
const fault = (code: string, text: string, detail = '') =>
  envelope(`<s:Fault><faultcode xmlns:a="http://mas90.sage.com/ws">${code}</faultcode><faultstring xml:lang="en-US">${text}</faultstring>${detail}</s:Fault>`);

interface Exchange {
  action: string;
  body: string;
}
type Answer = { status: number; body: string; type?: string };

/** Members of the first `<element>` in `xml`, in the order they were written. */
function memberOrder(xml: string, element: string): string[] {
  const inner = new RegExp(`<${element}(?:\\s[^>]*)?>(.*?)</${element}>`, 's').exec(xml)?.[1] ?? '';
  const names: string[] = [];
  let depth = 0;
  for (const match of inner.matchAll(/<(\/?)([A-Za-z0-9_]+)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = match;
    if (closing) depth--;
    else {
      if (depth === 0) names.push(name as string);
      if (!selfClosing) depth++;
    }
  }
  return names;
}

const ordinal = (names: string[]) => [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

describe('Sage 100 SOAP client on the wire', () => {
  let server: Server;
  let endpoint: string;
  let exchanges: Exchange[];
  let answers: Answer[];
  let agent: Agent;

  beforeEach(async () => {
    exchanges = [];
    answers = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        exchanges.push({ action: String(req.headers.soapaction ?? ''), body });
        const answer = answers.shift() ?? { status: 500, body: fault('s:Server', 'no answer scripted') };
        res.writeHead(answer.status, { 'content-type': answer.type ?? 'text/xml; charset=utf-8' });
        res.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/eBusinessWebServices/MasBasicService.svc`;
    agent = createSageAgent({ mode: 'verify' });
  });
  afterEach(async () => {
    await agent.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const client = () =>
    createSoapClient({ endpoint, username: 'webservices', password: 'Sage-S3cret!', companyCode: 'ABC', dispatcher: agent, timeoutMs: 5000, retry: { sleep: async () => {} } });

  const order: SalesOrder = {
    SalesOrderNo: 'W001042',
    OrderDate: '20260302',
    CustomerPONo: 'BC1042',
    CustomerNo: 'WEB0001',
    ARDivisionNo: '01',
    ShipToName: 'Ada',
    Lines: [{ QuantityOrdered: 3, ItemCode: 'WIDGET-1', UnitPrice: 11.25 }],
  };

  it('sends members in the order the WSDL declares, with the SOAPAction and logon first', async () => {
    answers.push({ status: 200, body: envelope('<CreateSalesOrderResponse xmlns="http://mas90.sage.com/ws"/>') });
    await client().createSalesOrder(order);
    const [sent] = exchanges;
    assert.equal(sent?.action, '"http://mas90.sage.com/ws/IMasService/CreateSalesOrder"');
    assert.deepEqual(memberOrder(sent?.body ?? '', 'CreateSalesOrder'), ['logon', 'companyCode', 'salesOrder']);
    assert.deepEqual(memberOrder(sent?.body ?? '', 'logon'), ['Password', 'Username']);
    const header = memberOrder(sent?.body ?? '', 'salesOrder');
    assert.deepEqual(header, ordinal(header));
    assert.deepEqual(header, ['ARDivisionNo', 'CustomerNo', 'CustomerPONo', 'Lines', 'OrderDate', 'SalesOrderNo', 'ShipToName']);
    assert.deepEqual(memberOrder(sent?.body ?? '', 'SalesOrderLine'), ['ItemCode', 'QuantityOrdered', 'UnitPrice']);
    assert.match(sent?.body ?? '', /<OrderDate>2026-03-02T00:00:00<\/OrderDate>/);
  });

  it('updates a customer with every member Sage holds, minus computed and nil ones, UDFs as an array', async () => {
    const current = `<GetCustomerResponse xmlns="http://mas90.sage.com/ws"><GetCustomerResult>
      <ARDivisionNo>01</ARDivisionNo><AddressLine1>1 Old Road</AddressLine1><City i:nil="true"/><CreditLimit>2500</CreditLimit>
      <CurrentBalance>120.5</CurrentBalance><CustomerName>Ada Lovelace</CustomerName><CustomerNo>WEB0001</CustomerNo>
      <DateTimeUpdated>2026-03-02T13:30:00</DateTimeUpdated>
      <OtherFields><Field><MasFieldName>UDF_LOYALTY</MasFieldName><Value>GOLD</Value></Field></OtherFields>
      <TermsCode>30</TermsCode></GetCustomerResult></GetCustomerResponse>`;
    answers.push({ status: 200, body: envelope(current) }, { status: 200, body: envelope('<UpdateCustomerResponse xmlns="http://mas90.sage.com/ws"/>') });
    await client().updateCustomer({ ARDivisionNo: '01', CustomerNo: 'WEB0001', CustomerName: 'Ada Lovelace', AddressLine1: '12 Analytical Way' });
    const update = exchanges[1]?.body ?? '';
    assert.equal(exchanges[1]?.action, '"http://mas90.sage.com/ws/IMasService/UpdateCustomer"');
    assert.deepEqual(memberOrder(update, 'customer'), ['ARDivisionNo', 'AddressLine1', 'CreditLimit', 'CustomerName', 'CustomerNo', 'OtherFields', 'TermsCode']);
    assert.match(update, /<AddressLine1>12 Analytical Way<\/AddressLine1>/);
    assert.match(update, /<Field><MasFieldName>UDF_LOYALTY<\/MasFieldName><Value>GOLD<\/Value><\/Field>/);
  });

  it('hands a fault (HTTP 500) to the fault mapping without retrying it', async () => {
    answers.push({ status: 500, body: fault('a:CI_NOF', 'The Item Code NO-SKU is not on file.', '<detail><MasFault xmlns="http://mas90.sage.com/ws"><ErrorCode>CI_NOF</ErrorCode><ErrorMessage>The Item Code NO-SKU is not on file.</ErrorMessage></MasFault></detail>') });
    const err = await client().createSalesOrder(order).catch((e: unknown) => e);
    assert.ok(err instanceof Sage100Error);
    assert.equal(err.sageCode, 'CI_NOF');
    assert.equal(err.record, 'sales order W001042');
    assert.equal(exchanges.length, 1);
  });

  it('retries a read after an HTTP 503 from IIS, and succeeds', async () => {
    answers.push(
      { status: 503, body: '<html>Service Unavailable</html>', type: 'text/html' },
      { status: 200, body: envelope('<GetSalesOrderResponse xmlns="http://mas90.sage.com/ws"><GetSalesOrderResult><CustomerPONo>BC1042</CustomerPONo><Lines><SalesOrderLine><ItemCode>WIDGET-1</ItemCode><QuantityOrdered>3</QuantityOrdered></SalesOrderLine></Lines><OrderDate>2026-03-02T00:00:00</OrderDate><SalesOrderNo>W001042</SalesOrderNo></GetSalesOrderResult></GetSalesOrderResponse>') },
    );
    const read = await client().getSalesOrder('W001042');
    assert.equal(exchanges.length, 2);
    assert.deepEqual(read, { CustomerPONo: 'BC1042', SalesOrderNo: 'W001042', OrderDate: '20260302', Lines: [{ ItemCode: 'WIDGET-1', QuantityOrdered: 3 }] });
  });

  it('a wrong endpoint path (HTTP 404 page) says to check the endpoint URL', async () => {
    answers.push({ status: 404, body: '<html>Not Found</html>', type: 'text/html' });
    const err = await client().getCustomer('01', 'WEB0001').catch((e: unknown) => e);
    assert.ok(err instanceof HttpError);
    assert.equal(err.code, 'http.404');
    assert.match(err.hint ?? '', /endpoint URL/);
    assert.equal(exchanges.length, 1);
  });

  it('the bundled WSDL has the documented operations, parameters and members', async () => {
    const described = (await createClientAsync(BUNDLED_WSDL_PATH, { disableCache: true })).describe() as Record<string, Record<string, Record<string, { input: Record<string, unknown>; output: Record<string, unknown> }>>>;
    const operations = described.MasService?.BasicHttpBinding_IMasService ?? {};
    const isMember = (key: string) => key !== 'targetNSAlias' && key !== 'targetNamespace';
    const inputOf = (name: string) => Object.keys(operations[name]?.input ?? {});
    assert.deepEqual(inputOf('GetContractInformation'), []);
    assert.deepEqual(inputOf('GetCustomer'), ['logon', 'companyCode', 'arDivisionNo', 'customerNo']);
    assert.deepEqual(inputOf('GetSalesOrder'), ['logon', 'companyCode', 'salesOrderNo']);
    assert.deepEqual(inputOf('CreateSalesOrder'), ['logon', 'companyCode', 'salesOrder']);
    assert.deepEqual(inputOf('UpdateCustomer'), ['logon', 'companyCode', 'customer']);
    const logonShape = operations.GetCustomer?.input.logon as Record<string, unknown>;
    assert.deepEqual(Object.keys(logonShape).filter(isMember), ['Password', 'Username']);
    const salesOrder = operations.CreateSalesOrder?.input.salesOrder as Record<string, unknown>;
    for (const member of ['SalesOrderNo', 'ARDivisionNo', 'CustomerNo', 'CustomerPONo', 'ShipToAddress3', 'DateTimeUpdated', 'OtherFields']) assert.ok(member in salesOrder, member);
    const line = (salesOrder.Lines as Record<string, Record<string, unknown>>)['SalesOrderLine[]'] ?? {};
    for (const member of ['ItemCode', 'QuantityOrdered', 'UnitPrice', 'WarehouseCode', 'LineKey']) assert.ok(member in line, member);
    const customerShape = operations.GetCustomer?.output.GetCustomerResult as Record<string, unknown>;
    for (const member of ['ARDivisionNo', 'CustomerNo', 'CustomerName', 'AddressLine1', 'ZipCode', 'EmailAddress', 'SalesPersonNo2']) assert.ok(member in customerShape, member);
    assert.deepEqual(Object.keys((customerShape.OtherFields as Record<string, Record<string, unknown>>)['Field[]'] ?? {}).filter(isMember), ['MasFieldName', 'Value']);
    assert.deepEqual(Object.keys(operations.GetContractInformation?.output.GetContractInformationResult as object).filter(isMember), ['AssemblyVersion', 'ContractVersion', 'NullDateTime']);
  });

  describe('fault mapping', () => {
    const masFault = { MasFault: { ErrorCode: 'CI_NoKey', ErrorMessage: 'The customer does not exist.' } };

    it('takes detail/MasFault first', () => {
      const err = sage100ErrorFromFault({ faultcode: 'a:Other', faultstring: 'ignored', detail: masFault }, 'customer 01-X');
      assert.equal(err.sageCode, 'CI_NoKey');
      assert.equal(err.sageMessage, 'The customer does not exist.');
      assert.equal(err.message, 'customer 01-X: no such record in Sage: The customer does not exist.');
    });

    it('then the local part of faultcode, with faultstring parsed with its xml:lang attribute', () => {
      const err = sage100ErrorFromFault({ faultcode: 'a:WS_AlreadyExists', faultstring: { attributes: { 'xml:lang': 'en-US' }, $value: 'Exists.' } });
      assert.equal(err.sageCode, 'WS_AlreadyExists');
      assert.equal(err.sageMessage, 'Exists.');
    });

    it('then the fault text: logon failure, "An exception occurred.", role security', () => {
      const logon = sage100ErrorFromFault({ faultcode: 's:Client', faultstring: 'Logon failure: The user logon or password does not match or the user logon is not enabled for web services.' });
      assert.equal(logon.code, 'sage100.LogonFailure');
      const exception = sage100ErrorFromFault({ faultcode: 's:Server', faultstring: 'An exception occurred.' });
      assert.equal(exception.sageCode, 'Exception');
      assert.equal(exception.retryable, true);
      const access = sage100ErrorFromFault({ faultcode: 's:Client', faultstring: 'No Access - you are not authorized to perform this action' });
      assert.equal(access.sageCode, 'NoAccess');
      assert.equal(sage100ErrorFromFault({ faultcode: 's:Client', faultstring: 'Something else' }).sageCode, 'SoapFault');
    });

    it('reads SOAP 1.2 faults too', () => {
      const err = sage100ErrorFromFault({ Code: { Value: 's:Sender', Subcode: { Value: 'a:CI_CharLength' } }, Reason: { Text: 'Too long.' } });
      assert.equal(err.sageCode, 'CI_CharLength');
      assert.equal(err.sageMessage, 'Too long.');
    });

    it('explains a WCF contract mismatch as a WSDL problem', () => {
      const err = sage100ErrorFromFault({ faultcode: 'a:ActionNotSupported', faultstring: 'The message with Action ... cannot be processed' });
      assert.match(err.hint ?? '', /server's own WSDL/);
    });

    it('never repeats the password, even if a server echoes it', () => {
      const err = sage100ErrorFromFault({ faultcode: 's:Client', faultstring: 'Bad password Sage-S3cret! for user' }, undefined, ['Sage-S3cret!']);
      assert.ok(!err.message.includes('Sage-S3cret!'));
      assert.match(err.message, /\[redacted\]/);
    });
  });

  describe('record mapping', () => {
    it('turns the single-object form of OtherFields and Lines into arrays', () => {
      const normalized = normalizeSoapRecord({ Lines: { SalesOrderLine: { ItemCode: 'A' } }, OtherFields: { Field: { MasFieldName: 'UDF_A', Value: '1' } } });
      assert.deepEqual(normalized, { Lines: { SalesOrderLine: [{ ItemCode: 'A' }] }, OtherFields: { Field: [{ MasFieldName: 'UDF_A', Value: '1' }] } });
    });

    it('converts dates, treating NullDateTime as blank', () => {
      assert.equal(toSoapDateTime('20260302'), '2026-03-02T00:00:00');
      assert.equal(fromSoapDateTime('2026-03-02T13:30:00'), '20260302');
      assert.equal(fromSoapDateTime('1753-01-01T00:00:00'), undefined);
      assert.equal(fromSoapDateTime('0001-01-01T00:00:00'), undefined);
      assert.equal(fromSoapDateTime(null), undefined);
    });

    it('sends only the members a sales order sets, lines wrapped', () => {
      assert.deepEqual(salesOrderToSoap({ ...order, Comment: undefined }), {
        SalesOrderNo: 'W001042', CustomerPONo: 'BC1042', CustomerNo: 'WEB0001', ARDivisionNo: '01', ShipToName: 'Ada',
        OrderDate: '2026-03-02T00:00:00', Lines: { SalesOrderLine: [{ QuantityOrdered: 3, ItemCode: 'WIDGET-1', UnitPrice: 11.25 }] },
      });
    });

    it('builds an update from what Sage holds, changes on top', () => {
      const sent = customerForUpdate(
        { CustomerNo: 'X', TermsCode: '30', CurrentBalance: 5, DateTimeCreated: '2026-01-01T00:00:00', City: null, OtherFields: { Field: { MasFieldName: 'UDF_A', Value: '1' } } },
        { ARDivisionNo: '01', CustomerNo: 'X', CustomerName: 'New Name' },
      );
      assert.deepEqual(sent, { CustomerNo: 'X', TermsCode: '30', OtherFields: { Field: [{ MasFieldName: 'UDF_A', Value: '1' }] }, ARDivisionNo: '01', CustomerName: 'New Name' });
    });

    it('orders nested members like the WSDL shape and keeps unknown ones last', () => {
      const shape = { a: 'xs:string', list: { 'item[]': { x: 'xs:string', y: 'xs:string' } }, z: 'xs:string' };
      const ordered = orderLike({ extra: 1, z: 'z', list: { item: [{ y: 2, x: 1 }] }, a: 'a' }, shape) as Record<string, unknown>;
      assert.deepEqual(Object.keys(ordered), ['a', 'list', 'z', 'extra']);
      assert.deepEqual(Object.keys((ordered.list as { item: object[] }).item[0] as object), ['x', 'y']);
    });
  });

  describe('simulator contract helpers', () => {
    it('writes one UDF as a single object, as Sage does, and several as an array', () => {
      assert.deepEqual(otherFieldsOf({ CustomerNo: 'X', UDF_A: '1' }), { Field: { MasFieldName: 'UDF_A', Value: '1' } });
      assert.deepEqual(otherFieldsOf({ UDF_A: '1', UDF_B: 2 }), { Field: [{ MasFieldName: 'UDF_A', Value: '1' }, { MasFieldName: 'UDF_B', Value: '2' }] });
      assert.equal(otherFieldsOf({ CustomerNo: 'X' }), undefined);
    });

    it('reads OtherFields (either form) as UDF columns and leaves out nil members', () => {
      assert.deepEqual(columnsFromContract({ CustomerNo: 'X', City: null, OtherFields: { Field: { MasFieldName: 'UDF_A', Value: '1' } } }), { CustomerNo: 'X', UDF_A: '1' });
    });

    it('merges DateUpdated + TimeUpdated (decimal hours) into one xsd:dateTime', () => {
      assert.equal(stampToSoapDateTime('20260302', '13.5'), '2026-03-02T13:30:00');
      assert.equal(stampToSoapDateTime('20260302', '8.49238'), '2026-03-02T08:29:33');
      assert.equal(stampToSoapDateTime(undefined, undefined), '1753-01-01T00:00:00');
    });
  });
});
