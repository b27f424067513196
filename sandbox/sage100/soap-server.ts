import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { listen } from 'soap';
import { BUNDLED_WSDL_PATH } from '../../lib/sage100/soap-client';
import { asArray, fromSoapDateTime, toSoapDateTime, type SoapField, type SoapRecord } from '../../lib/sage100/soap-mapping';
import { FAULT_CODES, SageFault, type SageCompany, type SageRow, type SalesOrderWithLines } from './company';

/**
 * Sage 100 eBusiness Web Services over one SageCompany, through `soap`'s own server and the WSDL the client
 * bundles. It behaves as the reference describes a real server: the logon and company code are checked on every
 * call (with Sage's logon-failure text), Sage errors are faults with detail/MasFault, unexpected errors are only
 * "An exception occurred.", and the served WSDL imports its schema from `?xsd=xsd0` on the same server.
 */

export interface SoapServerOptions {
  port?: number;
  host?: string;
  tls?: { key: string | Buffer; cert: string | Buffer };
  username: string;
  password: string;
  companyCode: string;
}

export interface SoapSimulator {
  /** The service endpoint, e.g. https://127.0.0.1:1234/eBusinessWebServices/MasBasicService.svc */
  url: string;
  wsdlUrl: string;
  close(): Promise<void>;
}

export const SOAP_SERVICE_PATH = '/eBusinessWebServices/MasBasicService.svc';
export const LOGON_FAILURE_TEXT = 'Logon failure: The user logon or password does not match or the user logon is not enabled for web services.';
export const SERVER_EXCEPTION_TEXT = 'An exception occurred.';

const NAMESPACE = 'http://mas90.sage.com/ws';
const NULL_DATE_TIME = '1753-01-01T00:00:00';
/** BOI audit columns that the web-service contracts carry merged into DateTimeCreated / DateTimeUpdated. */
const AUDIT_COLUMNS = new Set(['DateCreated', 'TimeCreated', 'DateUpdated', 'TimeUpdated']);
const UDF_PREFIX = 'UDF_';

interface SoapFault {
  Fault: Record<string, unknown> & { statusCode: number };
}

class LogonFailure extends Error {}

/** YYYYMMDD + decimal hours ("13.5") → xsd:dateTime in the server's local time, as Sage writes it. */
export function stampToSoapDateTime(date: unknown, hours: unknown): string {
  if (typeof date !== 'string' || !/^\d{8}$/.test(date)) return NULL_DATE_TIME;
  const seconds = Math.round(Number.parseFloat(String(hours ?? '0')) * 3600) || 0;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${toSoapDateTime(date).slice(0, 11)}${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
}

/**
 * UDF columns (UDF_…) as OtherFields. With exactly one UDF, Sage sends `Field` as a single object rather than a
 * one-element array; the simulator does the same so clients must cope.
 */
export function otherFieldsOf(row: SageRow): { Field: SoapField | SoapField[] } | undefined {
  const fields = Object.entries(row)
    .filter(([name]) => name.startsWith(UDF_PREFIX))
    .map(([MasFieldName, value]) => ({ MasFieldName, Value: String(value) }));
  if (fields.length === 0) return undefined;
  return { Field: fields.length === 1 ? (fields[0] as SoapField) : fields };
}

/** A record as the contracts carry it: audit columns merged into DateTimeCreated/DateTimeUpdated, UDFs in OtherFields. */
function contractOf(row: SageRow): SoapRecord {
  const out: SoapRecord = {};
  for (const [name, value] of Object.entries(row)) {
    if (!AUDIT_COLUMNS.has(name) && !name.startsWith(UDF_PREFIX)) out[name] = value;
  }
  out.DateTimeCreated = stampToSoapDateTime(row.DateCreated, row.TimeCreated);
  out.DateTimeUpdated = stampToSoapDateTime(row.DateUpdated, row.TimeUpdated);
  const otherFields = otherFieldsOf(row);
  if (otherFields) out.OtherFields = otherFields;
  return out;
}

function salesOrderContract(order: SalesOrderWithLines): SoapRecord {
  const { Lines, ...header } = order;
  return { ...contractOf(header as SageRow), OrderDate: toSoapDateTime(order.OrderDate), Lines: { SalesOrderLine: Lines } };
}

/**
 * What a client sent, as the columns the company sets: members left out or nil are not sent (the service sets
 * only what it receives), OtherFields become UDF columns. Anything else goes to the company, whose rules reject
 * read-only and unknown columns as Sage does.
 */
export function columnsFromContract(raw: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof raw !== 'object' || raw === null) return out;
  for (const [name, value] of Object.entries(raw as SoapRecord)) {
    if (value === null || value === undefined) continue;
    if (name === 'OtherFields') {
      for (const field of asArray((value as { Field?: SoapField | SoapField[] }).Field)) out[field.MasFieldName] = field.Value;
    } else {
      out[name] = value;
    }
  }
  return out;
}

function salesOrderFromContract(raw: unknown): Record<string, unknown> {
  const columns = columnsFromContract(raw);
  if (columns.OrderDate !== undefined) columns.OrderDate = fromSoapDateTime(columns.OrderDate) ?? columns.OrderDate;
  if (columns.Lines !== undefined) {
    columns.Lines = asArray((columns.Lines as { SalesOrderLine?: unknown }).SalesOrderLine).map(columnsFromContract);
  }
  return columns;
}

function faultFor(err: unknown): SoapFault {
  if (err instanceof LogonFailure) return { Fault: { faultcode: 'soap:Client', faultstring: LOGON_FAILURE_TEXT, statusCode: 500 } };
  if (err instanceof SageFault && err.code !== FAULT_CODES.exception) {
    return {
      Fault: {
        faultcode: { attributes: { 'xmlns:a': NAMESPACE }, $value: `a:${err.code}` },
        faultstring: { attributes: { 'xml:lang': 'en-US' }, $value: err.message },
        detail: { MasFault: { attributes: { xmlns: NAMESPACE }, ErrorCode: err.code, ErrorMessage: err.message } },
        statusCode: 500,
      },
    };
  }
  // Sage hides anything unexpected behind one sentence; the details go to the Windows Event Log (here: stderr).
  if (!(err instanceof SageFault)) console.error('Sage 100 SOAP simulator:', err);
  return { Fault: { faultcode: 'soap:Server', faultstring: { attributes: { 'xml:lang': 'en-US' }, $value: SERVER_EXCEPTION_TEXT }, statusCode: 500 } };
}

/** The schema parts the WSDL imports, in order: `?xsd=xsd0` is the first. */
function schemaParts(wsdl: string): string[] {
  return [...wsdl.matchAll(/schemaLocation="([^"]+)"/g)].map((match) => match[1] as string);
}

export async function startSoapServer(company: SageCompany, options: SoapServerOptions): Promise<SoapSimulator> {
  const host = options.host ?? '127.0.0.1';
  const wsdlXml = readFileSync(BUNDLED_WSDL_PATH, 'utf8');
  const parts = schemaParts(wsdlXml);
  const schemas = parts.map((file) => readFileSync(join(dirname(BUNDLED_WSDL_PATH), file), 'utf8'));
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }) : createHttpServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `${options.tls ? 'https' : 'http'}://${host}:${port}${SOAP_SERVICE_PATH}`;

  function checkLogon(args: SoapRecord): void {
    const logon = (args.logon ?? {}) as { Username?: unknown; Password?: unknown };
    // A wrong company code is reported like a user without web-services rights (UNCONFIRMED wording on real servers).
    if (logon.Username !== options.username || logon.Password !== options.password || args.companyCode !== options.companyCode) throw new LogonFailure();
  }

  /** One operation: logon check, the fault plan (latency, injected faults, commit-then-timeout), then Sage's answer. */
  async function run(operation: string, args: SoapRecord | undefined, work: () => SoapRecord): Promise<SoapRecord> {
    try {
      if (args) checkLogon(args);
      const { result, holdMs } = await company.faults.apply(operation, work);
      if (holdMs > 0) await company.faults.hold(holdMs);
      return result;
    } catch (err) {
      throw faultFor(err);
    }
  }

  // Operations the company has no rules for fail the way an unexpected server error does (logged to stderr).
  const notSimulated = (operation: string) => (args: SoapRecord) =>
    run(operation, args, () => {
      throw new Error(`${operation} is not simulated`);
    });

  const operations = {
    GetContractInformation: () =>
      run('GetContractInformation', undefined, () => ({
        GetContractInformationResult: { AssemblyVersion: `${/\((\d+\.\d+)\)/.exec(company.sageVersion)?.[1] ?? '7.30'}.0.0`, ContractVersion: 1, NullDateTime: NULL_DATE_TIME },
      })),
    GetCustomer: (args: SoapRecord) =>
      run('GetCustomer', args, () => ({ GetCustomerResult: contractOf(company.getCustomer(String(args.arDivisionNo ?? ''), String(args.customerNo ?? ''))) })),
    GetNextCustomerNo: (args: SoapRecord) => run('GetNextCustomerNo', args, () => ({ GetNextCustomerNoResult: company.takeNextCustomerNo() })),
    CreateCustomer: (args: SoapRecord) =>
      run('CreateCustomer', args, () => {
        company.createCustomer(columnsFromContract(args.customer));
        return {};
      }),
    UpdateCustomer: (args: SoapRecord) =>
      run('UpdateCustomer', args, () => {
        company.updateCustomer(columnsFromContract(args.customer));
        return {};
      }),
    GetSalesOrder: (args: SoapRecord) =>
      run('GetSalesOrder', args, () => ({ GetSalesOrderResult: salesOrderContract(company.getSalesOrder(args.salesOrderNo)) })),
    GetNextSalesOrderNo: (args: SoapRecord) => run('GetNextSalesOrderNo', args, () => ({ GetNextSalesOrderNoResult: company.takeNextSalesOrderNo() })),
    CreateSalesOrder: (args: SoapRecord) =>
      run('CreateSalesOrder', args, () => {
        company.createSalesOrder(salesOrderFromContract(args.salesOrder));
        return {};
      }),
    GetSalesOrderTemplate: notSimulated('GetSalesOrderTemplate'),
    PreviewSalesOrder: (args: SoapRecord) =>
      run('PreviewSalesOrder', args, () => ({ PreviewSalesOrderResult: salesOrderContract(company.createSalesOrder(salesOrderFromContract(args.salesOrder), { preview: true })) })),
    UpdateSalesOrder: notSimulated('UpdateSalesOrder'),
    DeleteSalesOrder: notSimulated('DeleteSalesOrder'),
    DeleteCustomer: notSimulated('DeleteCustomer'),
  };

  await new Promise<void>((resolve, reject) => {
    listen(server, {
      path: SOAP_SERVICE_PATH,
      services: { MasService: { BasicHttpBinding_IMasService: operations } },
      xml: wsdlXml,
      uri: BUNDLED_WSDL_PATH,
      customDeserializer: { dateTime: (text: string) => text },
      callback: (err: unknown) => (err ? reject(err) : resolve()),
    } as Parameters<typeof listen>[1]);
  });

  // soap serves the WSDL as given; a Sage server serves it with schema locations on itself, and the parts too.
  const [soapListener] = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  const servedWsdl = parts.reduce((xml, file, index) => xml.replace(`schemaLocation="${file}"`, `schemaLocation="${url}?xsd=xsd${index}"`), wsdlXml)
    .replace(/<soap:address location="[^"]*"/, `<soap:address location="${url}"`);
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const requested = new URL(req.url ?? '/', url);
    const part = /^xsd(\d+)$/.exec(requested.searchParams.get('xsd') ?? '');
    if (req.method === 'GET' && requested.pathname === SOAP_SERVICE_PATH && (requested.search.toLowerCase() === '?wsdl' || part)) {
      const body = part ? schemas[Number(part[1])] : servedWsdl;
      res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'text/xml; charset=utf-8' });
      res.end(body ?? '');
      return;
    }
    soapListener?.(req, res);
  });

  let closed = false;
  let relisten: NodeJS.Timeout | undefined;
  const stopRefusing = company.faults.onRefuse(async (ms) => {
    if (closed || relisten) return;
    // Stop listening and drop kept-alive sockets, so new and pooled connections alike are refused until relisten.
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await stopped;
    relisten = setTimeout(() => {
      relisten = undefined;
      if (!closed) server.listen(port, host);
    }, ms);
  });

  return {
    url,
    wsdlUrl: `${url}?wsdl`,
    async close() {
      closed = true;
      stopRefusing();
      clearTimeout(relisten);
      company.faults.releaseHolds();
      if (!server.listening) return;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await stopped;
    },
  };
}
