import { UDF_COLUMN, customerSchema, salesOrderLineSchema, salesOrderSchema, type Customer, type SalesOrder, type SalesOrderLine } from './types';

/**
 * Sage 100 records as eBusiness Web Services carries them, and back. Member names are the same Sage column names
 * on both sides; what differs is dates (`OrderDate` is YYYYMMDD in our records, xsd:dateTime on the wire), the
 * wrapper elements of arrays (`Lines/SalesOrderLine`, `OtherFields/Field`), and blanks (the service returns every
 * member, empty ones included).
 */
export type SoapRecord = Record<string, unknown>;

/** One UDF as the service carries it. */
export interface SoapField {
  MasFieldName: string;
  Value: string;
}

/** A single element arrives as an object, not a one-element array (the OtherFields quirk); this undoes that. */
export function asArray<T>(value: T | T[] | null | undefined): T[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function isRecord(value: unknown): value is SoapRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** YYYYMMDD → the xsd:dateTime the service expects (a date with no time of day). */
export function toSoapDateTime(yyyymmdd: string): string {
  return `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}T00:00:00`;
}

/**
 * xsd:dateTime → YYYYMMDD, or undefined for a blank. Sage writes a blank date as its NullDateTime (1753-01-01 on
 * SQL installs, 0001-01-01 from .NET), so anything before 1800 is blank.
 */
export function fromSoapDateTime(value: unknown): string | undefined {
  const text = typeof value === 'string' ? value : value instanceof Date ? value.toISOString() : '';
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!match || Number(match[1]) < 1800) return undefined;
  return `${match[1]}${match[2]}${match[3]}`;
}

/** Lines and UDFs as arrays whatever the service sent, so callers never meet the single-object form. */
export function normalizeSoapRecord(raw: SoapRecord): SoapRecord {
  const out: SoapRecord = { ...raw };
  if (isRecord(raw.Lines)) out.Lines = { SalesOrderLine: asArray(raw.Lines.SalesOrderLine as SoapRecord | SoapRecord[]) };
  if (isRecord(raw.OtherFields)) out.OtherFields = { Field: asArray(raw.OtherFields.Field as SoapField | SoapField[]) };
  return out;
}

/** The members our record type knows, trimmed (ProvideX pads with spaces), blanks left out. */
function pick(keys: readonly string[], raw: SoapRecord): SoapRecord {
  const out: SoapRecord = {};
  for (const key of keys) {
    const value = raw[key];
    if (value === null || value === undefined) continue;
    if (typeof value === 'string') {
      const trimmed = value.trim();
      if (trimmed !== '') out[key] = trimmed;
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      out[key] = value;
    }
  }
  return out;
}

/** The record without undefined members, so nothing is sent that the caller did not set. */
function defined<T extends object>(record: T): SoapRecord {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

const CUSTOMER_KEYS = Object.keys(customerSchema.shape);
const LINE_KEYS = Object.keys(salesOrderLineSchema.shape);
const ORDER_KEYS = Object.keys(salesOrderSchema.shape).filter((key) => key !== 'Lines' && key !== 'OrderDate');

export function customerFromSoap(raw: SoapRecord): Customer {
  return pick(CUSTOMER_KEYS, raw) as Customer;
}

export function customerToSoap(customer: Customer): SoapRecord {
  return defined(customer);
}

/** Customer members Sage computes or stamps itself (balances, aging, audit): an update never sends them back. */
const CUSTOMER_COMPUTED_MEMBERS = new Set([
  'CurrentBalance', 'BalanceForward', 'OpenOrderAmt', 'AgingCategory1', 'AgingCategory2', 'AgingCategory3', 'AgingCategory4',
  'RetentionCurrent', 'RetentionAging1', 'RetentionAging2', 'RetentionAging3', 'RetentionAging4', 'HighestStmntBalance',
  'LastPaymentAmt', 'UnpaidServiceChrg', 'AvgDaysOverDue', 'AvgDaysPaymentInvoice', 'NumberOfInvToUseInCalc',
  'DateLastActivity', 'DateLastAging', 'DateLastFinanceChrg', 'DateLastPayment', 'DateLastStatement',
  'DateTimeCreated', 'DateTimeUpdated', 'UserCreatedKey', 'UserUpdatedKey',
]);

/**
 * The full customer an UpdateCustomer sends: the service replaces the whole record, so every member Sage holds
 * (terms, credit limit, UDFs …) goes back as it was read, the changes on top; computed members and nil ones are
 * left out.
 */
export function customerForUpdate(current: SoapRecord, customer: Customer): SoapRecord {
  const normalized = normalizeSoapRecord(current);
  const kept: SoapRecord = {};
  for (const [name, value] of Object.entries(normalized)) {
    if (CUSTOMER_COMPUTED_MEMBERS.has(name)) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || name === 'OtherFields') kept[name] = value;
  }
  return { ...kept, ...customerToSoap(customer) };
}

/** OtherFields as UDF_ columns, blanks left out. */
function udfsFromSoap(normalized: SoapRecord): SoapRecord {
  const fields = isRecord(normalized.OtherFields) ? (normalized.OtherFields.Field as SoapField[]) : [];
  return Object.fromEntries(fields.filter((field) => UDF_COLUMN.test(field.MasFieldName) && String(field.Value ?? '').trim() !== '').map((field) => [field.MasFieldName, String(field.Value).trim()]));
}

export function salesOrderFromSoap(raw: SoapRecord): SalesOrder {
  const normalized = normalizeSoapRecord(raw);
  const lines = isRecord(normalized.Lines) ? (normalized.Lines.SalesOrderLine as SoapRecord[]) : [];
  return {
    CustomerPONo: '',
    ...pick(ORDER_KEYS, normalized),
    ...udfsFromSoap(normalized),
    OrderDate: fromSoapDateTime(normalized.OrderDate) ?? '',
    Lines: lines.map((line) => pick(LINE_KEYS, line) as SalesOrderLine),
  } as SalesOrder;
}

/**
 * The order as CreateSalesOrder takes it: UDF_ columns travel as OtherFields (always an array of Field; a
 * top-level UDF_ member would be dropped by the service without a word).
 */
export function salesOrderToSoap(order: SalesOrder): SoapRecord {
  const { Lines, OrderDate, ...header } = order;
  return {
    ...withOtherFields(defined(header)),
    OrderDate: toSoapDateTime(OrderDate),
    // The SalesOrderLine contract has no OtherFields (as far as the WSDL we know shows, UNCONFIRMED): line UDFs, such as
    // the shipment line link, go through the agent only (README, "Shipments back to the store").
    Lines: { SalesOrderLine: Lines.map((line) => Object.fromEntries(Object.entries(defined(line)).filter(([name]) => !UDF_COLUMN.test(name)))) },
  };
}

/** Named members as they are, UDF_ members moved into OtherFields. */
function withOtherFields(columns: SoapRecord): SoapRecord {
  const named = Object.fromEntries(Object.entries(columns).filter(([name]) => !UDF_COLUMN.test(name)));
  const udfs: SoapField[] = Object.entries(columns).filter(([name]) => UDF_COLUMN.test(name)).map(([MasFieldName, value]) => ({ MasFieldName, Value: String(value) }));
  return { ...named, ...(udfs.length > 0 && { OtherFields: { Field: udfs } }) };
}
