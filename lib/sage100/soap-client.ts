import { join } from 'node:path';
import { createClientAsync, type Client as SoapServiceClient } from 'soap';
import type { Dispatcher } from 'undici';
import { ConnectorError, redact } from '../errors';
import type { RetryPolicy } from '../http/retry';
import type { ConnectionReport, OrderCheck, Sage100Client } from './client';
import { SAGE_CODES, Sage100Error } from './errors';
import { createSoapHttpClient, type SoapCallOptions } from './soap-http';
import {
  customerForUpdate,
  customerFromSoap,
  customerToSoap,
  isRecord,
  normalizeSoapRecord,
  salesOrderFromSoap,
  salesOrderToSoap,
  type SoapRecord,
} from './soap-mapping';
import type { Customer, SalesOrder } from './types';
import { serializeWrite } from './write-queue';

export interface SoapClientOptions {
  /** The service address as IIS shows it, e.g. https://sage/eBusinessWebServices/MasBasicService.svc. */
  endpoint: string;
  username: string;
  password: string;
  /** Sage's three-character company code. */
  companyCode: string;
  /** The config node's pool (createSageAgent), so TLS trust and pinning apply to SOAP too. */
  dispatcher: Dispatcher;
  timeoutMs: number;
  /** A WSDL file (or URL) to use instead of the bundled one, e.g. the server's own copy; see wsdl/README.md. */
  wsdlPath?: string;
  /** Overrides of the retry policy for safe requests (tests shorten the waits). */
  retry?: Partial<RetryPolicy>;
}

export const BUNDLED_WSDL_PATH = join(__dirname, 'wsdl', 'MasBasicWsdl.wsdl');

/**
 * checkConnection reads this customer to prove the logon and company without writing anything. A customer number
 * nobody uses, in a valid format, so Sage answers CI_NoKey; GetNext…No would prove as much but consumes a number.
 */
const PROBE_CUSTOMER = { arDivisionNo: '00', customerNo: 'ZZML-CONNECTOR-PROBE' } as const;

const GENERIC_FAULT_CODES = new Set(['Client', 'Server', 'Sender', 'Receiver', 'VersionMismatch', 'MustUnderstand']);
const LOGON_FAILURE = /logon failure/i;
const SERVER_EXCEPTION = /an exception occurred/i;
const NO_ACCESS = /no access/i;

/** WCF dispatcher faults that mean the bundled WSDL does not match the server, not a Sage error. */
const CONTRACT_MISMATCH_HINT =
  "The server did not recognise the request (SOAPAction or member namespaces differ from the bundled WSDL). Use the server's own WSDL: see lib/sage100/wsdl/README.md.";
const CONTRACT_MISMATCH_CODES = new Set(['ActionNotSupported', 'ContractFilter', 'DeserializationFailed']);

interface SoapFaultBody {
  faultcode?: unknown;
  faultstring?: unknown;
  detail?: { MasFault?: { ErrorCode?: unknown; ErrorMessage?: unknown } };
  Code?: { Value?: unknown; Subcode?: { Value?: unknown } };
  Reason?: { Text?: unknown };
}

/** Text of an element that soap may have parsed as `{ attributes, $value }` (e.g. faultstring with xml:lang). */
function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'object' && value !== null && '$value' in value) return textOf((value as { $value: unknown }).$value);
  return undefined;
}

function localPart(qualifiedName: string | undefined): string | undefined {
  return qualifiedName?.split(':').pop();
}

/**
 * A SOAP fault as a Sage100Error: the code from detail/MasFault/ErrorCode, else the local part of faultcode, else
 * recognised from the fault text (logon failure, "An exception occurred.", role security); the message from
 * ErrorMessage, else faultstring.
 */
export function sage100ErrorFromFault(fault: SoapFaultBody, record?: string, secrets: string[] = []): Sage100Error {
  const masFault = fault.detail?.MasFault;
  const message = redact(textOf(masFault?.ErrorMessage) ?? textOf(fault.faultstring) ?? textOf(fault.Reason?.Text) ?? 'SOAP fault without a message', secrets);
  const faultCode = localPart(textOf(fault.faultcode) ?? textOf(fault.Code?.Subcode?.Value) ?? textOf(fault.Code?.Value));
  let code = textOf(masFault?.ErrorCode) ?? (faultCode && !GENERIC_FAULT_CODES.has(faultCode) ? faultCode : undefined);
  if (!code) {
    if (LOGON_FAILURE.test(message)) code = SAGE_CODES.logonFailure;
    else if (SERVER_EXCEPTION.test(message)) code = SAGE_CODES.serverException;
    else if (NO_ACCESS.test(message)) code = SAGE_CODES.noAccess;
    else code = 'SoapFault';
  }
  const hint = [...CONTRACT_MISMATCH_CODES].some((known) => code.includes(known)) ? CONTRACT_MISMATCH_HINT : undefined;
  return new Sage100Error(code, message, { record, hint });
}

function faultOf(err: unknown): SoapFaultBody | undefined {
  const root = (err as { root?: { Envelope?: { Body?: { Fault?: SoapFaultBody } } } } | undefined)?.root;
  return root?.Envelope?.Body?.Fault;
}

function isNotFound(err: unknown): boolean {
  return err instanceof Sage100Error && err.sageCode === SAGE_CODES.noKey;
}

/**
 * The value with its members in the order the WSDL declares them. WCF's DataContractSerializer silently ignores
 * members that arrive out of order, and `soap` writes members in the order of the object's keys.
 */
export function orderLike(value: unknown, shape: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => orderLike(item, shape));
  if (!isRecord(value) || !isRecord(shape)) return value;
  const ordered: Record<string, unknown> = {};
  for (const [shapeKey, memberShape] of Object.entries(shape)) {
    const key = shapeKey.replace(/\[\]$/, '');
    if (key in value && value[key] !== undefined) ordered[key] = orderLike(value[key], memberShape);
  }
  for (const [key, member] of Object.entries(value)) if (!(key in ordered) && member !== undefined) ordered[key] = member;
  return ordered;
}

type OperationShapes = Record<string, { input?: unknown }>;

interface LoadedService {
  client: SoapServiceClient;
  operations: OperationShapes;
}

function unsupported(what: string): ConnectorError {
  return new ConnectorError(`Sage 100 eBusiness Web Services has no ${what}; this needs the Sage 100 agent`, {
    code: 'sage100.soap_unsupported',
    hint: 'Switch the Sage 100 configuration to agent mode (the HTTPS agent on the Sage server), or turn this option off.',
  });
}

/** Sage 100 over eBusiness Web Services (SOAP): sales orders and customers only, Logon + company code on every call. */
export function createSoapClient(options: SoapClientOptions): Sage100Client {
  const endpoint = new URL(options.endpoint);
  const wsdlPath = options.wsdlPath || BUNDLED_WSDL_PATH;
  const companyKey = `${endpoint.hostname}/${options.companyCode}`;
  const secrets = [options.password];
  const httpClient = createSoapHttpClient({
    dispatcher: options.dispatcher,
    timeoutMs: options.timeoutMs,
    retry: { retries: 2, baseDelayMs: 500, maxDelayMs: 4000, ...options.retry },
  });
  let loading: Promise<LoadedService> | undefined;

  async function load(): Promise<LoadedService> {
    try {
      const client = await createClientAsync(wsdlPath, {
        httpClient,
        endpoint: endpoint.toString(),
        disableCache: true,
        handleNilAsNull: true,
        // Dates stay as the text Sage sent; the record mapping reads the date part only.
        customDeserializer: { dateTime: (text: string) => text },
      });
      const services = Object.values(client.describe() as Record<string, Record<string, OperationShapes>>);
      const operations = Object.values(services[0] ?? {})[0] ?? {};
      return { client, operations };
    } catch (err) {
      if (err instanceof ConnectorError) throw err;
      // The parser's message can quote the file; the answer of Test connection must not.
      throw new ConnectorError(`Sage 100 web services: the WSDL ${wsdlPath} could not be read as a WSDL`, {
        code: 'sage100.wsdl',
        hint: 'Leave the WSDL setting empty to use the bundled WSDL, or give a WSDL saved with its schema parts (see lib/sage100/wsdl/README.md).',
      }, { cause: err });
    }
  }

  function service(): Promise<LoadedService> {
    loading ??= load().catch((err: unknown) => {
      loading = undefined; // a fixed file or a reachable server works on the next call
      throw err;
    });
    return loading;
  }

  async function call(operation: string, parameters: SoapRecord, context: { record?: string; logon?: boolean } & SoapCallOptions): Promise<SoapRecord> {
    const { client, operations } = await service();
    const method = (client as unknown as Record<string, unknown>)[`${operation}Async`];
    if (typeof method !== 'function') {
      throw new ConnectorError(`Sage 100 web services: the WSDL ${wsdlPath} has no operation ${operation}`, {
        code: 'sage100.wsdl', hint: 'Use a WSDL of Sage 100 eBusiness Web Services (see lib/sage100/wsdl/README.md).',
      });
    }
    const args = context.logon === false
      ? parameters
      : { logon: { Username: options.username, Password: options.password }, companyCode: options.companyCode, ...parameters };
    try {
      const [result] = (await method.call(client, orderLike(args, operations[operation]?.input), { idempotent: context.idempotent })) as [SoapRecord | null];
      return result ?? {};
    } catch (err) {
      const fault = faultOf(err);
      if (fault) throw sage100ErrorFromFault(fault, context.record, secrets);
      if (err instanceof ConnectorError) throw err;
      throw new ConnectorError(`Sage 100 web services: ${operation} failed: ${redact((err as Error).message ?? String(err), secrets)}`, {
        code: 'sage100.soap_response',
        hint: "The answer was not the SOAP response the WSDL describes; check the endpoint URL and use the server's own WSDL if it differs.",
      }, { cause: err });
    }
  }

  async function readCustomer(arDivisionNo: string, customerNo: string): Promise<SoapRecord | undefined> {
    const record = `customer ${arDivisionNo}-${customerNo}`;
    try {
      const result = await call('GetCustomer', { arDivisionNo, customerNo }, { record, idempotent: true });
      return isRecord(result.GetCustomerResult) ? normalizeSoapRecord(result.GetCustomerResult) : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  return {
    mode: 'soap',

    async checkConnection(): Promise<ConnectionReport> {
      const result = await call('GetContractInformation', {}, { logon: false, idempotent: true });
      const info = isRecord(result.GetContractInformationResult) ? result.GetContractInformationResult : {};
      const server = `eBusiness Web Services contract ${String(info.ContractVersion ?? '?')} (assembly ${String(info.AssemblyVersion ?? '?')})`;
      const checks = [
        endpoint.protocol === 'https:' ? `reached ${endpoint.host} over HTTPS` : `reached ${endpoint.host} (plain HTTP, not encrypted)`,
        `the service answers: ${server}`,
      ];
      try {
        await readCustomer(PROBE_CUSTOMER.arDivisionNo, PROBE_CUSTOMER.customerNo);
      } catch (err) {
        // Any answer about the customer itself means the logon and the company were accepted.
        if (!(err instanceof Sage100Error && err.sageCode === SAGE_CODES.notOnFile)) throw err;
      }
      checks.push(`user ${options.username} logged on to company ${options.companyCode} (read only, nothing written)`);
      return { mode: 'soap', server, company: options.companyCode, checks };
    },

    async getSalesOrder(salesOrderNo: string): Promise<SalesOrder | undefined> {
      try {
        const result = await call('GetSalesOrder', { salesOrderNo }, { record: `sales order ${salesOrderNo}`, idempotent: true });
        return isRecord(result.GetSalesOrderResult) ? salesOrderFromSoap(result.GetSalesOrderResult) : undefined;
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },

    async createSalesOrder(order: SalesOrder): Promise<void> {
      // Create-only on a stable number: a repeat after an unknown outcome fails WS_AlreadyExists and changes nothing.
      await serializeWrite(companyKey, () =>
        call('CreateSalesOrder', { salesOrder: salesOrderToSoap(order) }, { record: `sales order ${order.SalesOrderNo}`, idempotent: true }),
      );
    },

    async checkSalesOrder(order: SalesOrder, customer?: Customer, standInCustomerNo?: string): Promise<OrderCheck> {
      const record = `sales order ${order.SalesOrderNo}`;
      const customerIsNew = customer !== undefined && !(await readCustomer(customer.ARDivisionNo, customer.CustomerNo));
      const previewed = customerIsNew && standInCustomerNo ? { ...order, CustomerNo: standInCustomerNo } : order;
      try {
        await call('PreviewSalesOrder', { salesOrder: salesOrderToSoap(previewed) }, { record, idempotent: true });
        return { problems: [] };
      } catch (err) {
        if (!(err instanceof Sage100Error) || err.retryable) throw err;
        // Already on file: create-if-absent settles it. A customer still to be created cannot be previewed.
        if (err.sageCode === SAGE_CODES.alreadyExists) return { problems: [] };
        if (customerIsNew && !standInCustomerNo && /customer/i.test(err.message)) return { problems: [] };
        const column = /column (\w+?)\$?:/.exec(err.message)?.[1] ?? (/ZIP Code/i.test(err.message) ? 'ShipToZipCode' : '');
        return { problems: [{ record, column, code: err.sageCode, message: err.message }] };
      }
    },

    async getCustomer(arDivisionNo: string, customerNo: string): Promise<Customer | undefined> {
      const raw = await readCustomer(arDivisionNo, customerNo);
      return raw && customerFromSoap(raw);
    },

    async createCustomer(customer: Customer): Promise<void> {
      await serializeWrite(companyKey, () =>
        call('CreateCustomer', { customer: customerToSoap(customer) }, { record: `customer ${customer.ARDivisionNo}-${customer.CustomerNo}`, idempotent: true }),
      );
    },

    async updateCustomer(customer: Customer): Promise<void> {
      const record = `customer ${customer.ARDivisionNo}-${customer.CustomerNo}`;
      await serializeWrite(companyKey, async () => {
        // Read inside the queued write, so members our record type does not carry go back as Sage holds them now.
        const current = await readCustomer(customer.ARDivisionNo, customer.CustomerNo);
        if (!current) throw new Sage100Error(SAGE_CODES.noKey, 'The customer does not exist.', { record });
        await call('UpdateCustomer', { customer: customerForUpdate(current, customer) }, { record, idempotent: true });
      });
    },

    async findCustomersByEmail(): Promise<Customer[]> {
      throw unsupported('customer search (find by email)');
    },

    async listItems(): Promise<never> {
      throw unsupported('item, price or inventory operations (items, prices and stock)');
    },

    async listInvoices(): Promise<never> {
      throw unsupported('invoice or shipment operations (invoices and tracking numbers)');
    },

    async close(): Promise<void> {
      // The dispatcher belongs to the config node, which closes it; only the parsed WSDL is let go.
      loading = undefined;
    },
  };
}
