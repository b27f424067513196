import { SAGE_FIELD_LIMITS, type SageFieldLimits } from '../../lib/sage100/types';
import { seededRandom } from '../bigcommerce/random';

/**
 * One in-memory Sage 100 company, shared by the agent simulator (HTTPS + JSON) and the SOAP simulator
 * (eBusiness Web Services). It keeps Sage's rules rather than the product's: key formats and lengths, field
 * lengths, read-only columns, codes that must be on file, create-only keys, all-or-nothing writes, the audit
 * columns DateUpdated (YYYYMMDD) / TimeUpdated (decimal hours) on every write, and sales orders moving
 * IM_ItemWarehouse.QuantityOnSalesOrder. Errors are `SageFault`s with Sage's code and text, which each server
 * turns into its own error form (SOAP fault detail.MasFault, or the agent's `{ code, message }` body).
 *
 * The codes CI_InvalidKey, CI_ReadOnly and CI_InvalidColumn are the simulator's names for errors whose Sage
 * code is not documented (Sage reports them through sLastErrorMsg); their texts follow Sage's wording.
 */

export class SageFault extends Error {
  readonly code: string;
  /** For injected faults only: the HTTP status the agent simulator answers with (the SOAP one always faults). */
  readonly status?: number;

  constructor(code: string, message: string, options: { status?: number } = {}) {
    super(message);
    this.name = 'SageFault';
    this.code = code;
    this.status = options.status;
  }
}

export const FAULT_CODES = {
  notOnFile: 'CI_NOF',
  noKey: 'CI_NoKey',
  alreadyExists: 'WS_AlreadyExists',
  tooLong: 'CI_CharLength',
  invalidKey: 'CI_InvalidKey',
  readOnly: 'CI_ReadOnly',
  invalidColumn: 'CI_InvalidColumn',
  invalidValue: 'CI_InvalidValue',
  exception: 'Exception',
} as const;

export type SageValue = string | number;
export type SageRow = Record<string, SageValue>;
export interface SalesOrderWithLines {
  SalesOrderNo: string;
  ARDivisionNo: string;
  CustomerNo: string;
  CustomerPONo: string;
  OrderDate: string;
  DateUpdated: string;
  TimeUpdated: string;
  Lines: SageRow[];
  [column: string]: SageValue | SageRow[];
}
export interface CustomerRecord extends SageRow {
  ARDivisionNo: string;
  CustomerNo: string;
  CustomerName: string;
  DateUpdated: string;
  TimeUpdated: string;
}
export interface ItemRecord extends SageRow {
  ItemCode: string;
  ItemCodeDesc: string;
  ItemType: string;
  StandardUnitPrice: number;
  SuggestedRetailPrice: number;
  SalesPromotionPrice: number;
  DefaultWarehouseCode: string;
  DateUpdated: string;
  TimeUpdated: string;
}
export interface ItemWarehouseRecord extends SageRow {
  ItemCode: string;
  WarehouseCode: string;
  QuantityOnHand: number;
  QuantityOnSalesOrder: number;
  QuantityOnBackOrder: number;
  DateUpdated: string;
  TimeUpdated: string;
}

/** A point in Sage's audit columns: DateUpdated plus TimeUpdated. */
export interface SageStamp {
  DateUpdated: string;
  TimeUpdated: string;
}

type Limit = keyof SageFieldLimits;
type Column =
  | { kind: 'text'; limit?: Limit; label: string; oneOf?: readonly string[] }
  | { kind: 'number'; label: string }
  | { kind: 'date'; label: string };

const text = (label: string, limit?: Limit, oneOf?: readonly string[]): Column => ({ kind: 'text', label, limit, oneOf });
const number = (label: string): Column => ({ kind: 'number', label });
const date = (label: string): Column => ({ kind: 'date', label });

const ADDRESS = (prefix: string, who: string): Record<string, Column> => ({
  [`${prefix}Name`]: text(`${who} Name`, 'Name'),
  [`${prefix}Address1`]: text(`${who} Address 1`, 'AddressLine'),
  [`${prefix}Address2`]: text(`${who} Address 2`, 'AddressLine'),
  [`${prefix}Address3`]: text(`${who} Address 3`, 'AddressLine'),
  [`${prefix}City`]: text(`${who} City`, 'City'),
  [`${prefix}State`]: text(`${who} State`, 'State'),
  [`${prefix}ZipCode`]: text(`${who} ZIP Code`, 'ZipCode'),
  [`${prefix}CountryCode`]: text(`${who} Country Code`, 'CountryCode'),
});

/** Writable SO_SalesOrderHeader columns (keys are checked separately). */
const SALES_ORDER_COLUMNS: Record<string, Column> = {
  OrderDate: date('Order Date'),
  OrderType: text('Order Type', undefined, ['S', 'B', 'M', 'R', 'Q', 'P']),
  CustomerPONo: text('Customer PO Number', 'CustomerPONo'),
  ...ADDRESS('BillTo', 'Bill To'),
  ...ADDRESS('ShipTo', 'Ship To'),
  ShipVia: text('Ship Via', 'ShipVia'),
  EmailAddress: text('E-mail Address', 'EmailAddress'),
  Comment: text('Comment', 'Comment'),
  WarehouseCode: text('Warehouse Code', 'WarehouseCode'),
  TaxSchedule: text('Tax Schedule', 'TaxSchedule'),
  TermsCode: text('Terms Code', 'TermsCode'),
  FreightAmt: number('Freight Amount'),
  SalesTaxAmt: number('Sales Tax Amount'),
};

const LINE_COLUMNS: Record<string, Column> = {
  ItemType: text('Item Type', undefined, ['1', '2', '3', '4', '5']),
  ItemCodeDesc: text('Item Code Description', 'ItemCodeDesc'),
  QuantityOrdered: number('Quantity Ordered'),
  UnitPrice: number('Unit Price'),
  WarehouseCode: text('Warehouse Code', 'WarehouseCode'),
  LineDiscountPercent: number('Line Discount Percent'),
  UnitOfMeasure: text('Unit of Measure', 'UnitOfMeasure'),
  CommentText: text('Comment Text', 'CommentText'),
};

const CUSTOMER_COLUMNS: Record<string, Column> = {
  CustomerName: text('Customer Name', 'Name'),
  AddressLine1: text('Address Line 1', 'AddressLine'),
  AddressLine2: text('Address Line 2', 'AddressLine'),
  AddressLine3: text('Address Line 3', 'AddressLine'),
  City: text('City', 'City'),
  State: text('State', 'State'),
  ZipCode: text('ZIP Code', 'ZipCode'),
  CountryCode: text('Country Code', 'CountryCode'),
  TelephoneNo: text('Telephone Number', 'TelephoneNo'),
  EmailAddress: text('E-mail Address', 'EmailAddress'),
  TermsCode: text('Terms Code', 'TermsCode'),
  TaxSchedule: text('Tax Schedule', 'TaxSchedule'),
};

/** Columns Sage computes or stamps itself; sending one fails with "<label> is read only". */
const READ_ONLY: Record<string, string> = {
  DateCreated: 'Creation Date',
  TimeCreated: 'Creation Time',
  DateUpdated: 'Date Updated',
  TimeUpdated: 'Time Updated',
  DateTimeCreated: 'Creation Date',
  DateTimeUpdated: 'Date Updated',
  UserCreatedKey: 'User Created Key',
  UserUpdatedKey: 'User Updated Key',
  OrderStatus: 'Order Status',
  TaxableAmt: 'Taxable Amount',
  NonTaxableAmt: 'Non-Taxable Amount',
  Weight: 'Weight',
  LineKey: 'Line Key',
  ExtensionAmt: 'Extension Amount',
  LineWeight: 'Line Weight',
  CurrentBalance: 'Current Balance',
  OpenOrderAmt: 'Open Order Amount',
};

const COMMENT_ITEM = '/C';

export type FaultKind = 'latency' | 'fault' | 'commit-then-timeout';

export interface FaultRule {
  kind: FaultKind;
  /** The operation as the server names it (agent operationId or SOAP operation), any case; absent or '*' = every one. */
  operation?: string;
  /** latency: added delay; commit-then-timeout: how long the answer is held back after the work is done. */
  ms?: number;
  /** fault: Sage's code and text (default Exception, "An exception occurred.") and the agent's HTTP status (default 500). */
  code?: string;
  message?: string;
  status?: number;
  /** How many matching calls the rule affects (default 1). */
  times?: number;
  /** The chance (0–1) that a matching call is affected (default 1); calls passed over do not use up `times`. */
  probability?: number;
}

/**
 * Fault injection shared by both servers. A server runs each operation through `apply`, which adds latency,
 * fails with a fault, or does the work and then holds the answer back ("commit then time out"). Refusing
 * connections is a transport matter: `refuseConnections` asks every registered server to stop listening for a while.
 */
export class FaultPlan {
  private rules: Array<FaultRule & { remaining: number }> = [];
  /** Seeded, so a run with probabilistic rules repeats. */
  private readonly random = seededRandom(1);
  private readonly refusers = new Set<(ms: number) => Promise<void>>();
  private readonly holds = new Set<() => void>();

  set(rules: FaultRule[]): void {
    this.rules = rules.map((rule) => {
      if (!['latency', 'fault', 'commit-then-timeout'].includes(rule.kind)) throw new Error(`unknown fault kind ${String(rule.kind)}`);
      if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1)) throw new Error(`probability must be between 0 and 1, not ${String(rule.probability)}`);
      return { ...rule, remaining: rule.times ?? 1 };
    });
  }

  clear(): void {
    this.rules = [];
  }

  /** The rules still waiting to fire, for `GET /__sim/state`. */
  pending(): FaultRule[] {
    return this.rules.map(({ remaining, ...rule }) => ({ ...rule, times: remaining }));
  }

  private take(operation: string): FaultRule | undefined {
    const wanted = operation.toLowerCase();
    const index = this.rules.findIndex(
      (r) => (!r.operation || r.operation === '*' || r.operation.toLowerCase() === wanted) && (r.probability === undefined || this.random() < r.probability),
    );
    if (index < 0) return undefined;
    const rule = this.rules[index] as FaultRule & { remaining: number };
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules.splice(index, 1);
    return rule;
  }

  /** Runs one operation under the plan; `holdMs` > 0 means the answer must be held back that long (see `hold`). */
  async apply<T>(operation: string, work: () => T): Promise<{ result: T; holdMs: number }> {
    const rule = this.take(operation);
    if (rule?.kind === 'latency') await this.hold(rule.ms ?? 1000);
    if (rule?.kind === 'fault') {
      throw new SageFault(rule.code ?? FAULT_CODES.exception, rule.message ?? 'An exception occurred.', { status: rule.status ?? 500 });
    }
    const result = work();
    return { result, holdMs: rule?.kind === 'commit-then-timeout' ? (rule.ms ?? 30_000) : 0 };
  }

  /** Waits `ms`, or less when the simulator closes (so a held answer never keeps a test process alive). */
  hold(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const release = () => {
        clearTimeout(timer);
        this.holds.delete(release);
        resolve();
      };
      const timer = setTimeout(release, ms);
      this.holds.add(release);
    });
  }

  releaseHolds(): void {
    for (const release of [...this.holds]) release();
  }

  /** A server registers how it stops listening for `ms`; returns the unregister function. */
  onRefuse(refuse: (ms: number) => Promise<void>): () => void {
    this.refusers.add(refuse);
    return () => this.refusers.delete(refuse);
  }

  /** Every registered server refuses new connections for `ms` (ECONNREFUSED), then listens again on the same port. */
  async refuseConnections(ms: number): Promise<void> {
    await Promise.all([...this.refusers].map((refuse) => refuse(ms)));
  }
}

export interface SageCompanyOptions {
  /** Three characters, e.g. ABC. */
  companyCode?: string;
  companyName?: string;
  sageVersion?: string;
  /** Field lengths; the defaults are the conservative ones every supported version accepts (names 30). */
  limits?: Partial<SageFieldLimits>;
  /** The ZIP Code table; when given, addresses with any other ZIP fail as Sage does. Absent = any ZIP is on file. */
  zipCodes?: Iterable<string>;
  warehouses?: Iterable<string>;
  /** Clock for the audit columns; the simulator reads its UTC fields. */
  now?: () => Date;
}

export interface ItemSeed {
  ItemCode: string;
  ItemCodeDesc?: string;
  /** 1 regular (stocked), 2 special, 3 charge, 4 comment, 5 miscellaneous. */
  ItemType?: '1' | '2' | '3' | '4' | '5';
  StandardUnitPrice?: number;
  SuggestedRetailPrice?: number;
  SalesPromotionPrice?: number;
  DefaultWarehouseCode?: string;
  warehouses?: Array<{ WarehouseCode: string; QuantityOnHand?: number; QuantityOnSalesOrder?: number; QuantityOnBackOrder?: number }>;
}

export interface ItemFilter {
  /** Items whose CI_Item row or any IM_ItemWarehouse row changed at or after this stamp. */
  changedSince?: SageStamp;
  itemCodes?: string[];
  itemTypes?: string[];
}

export interface StockFilter {
  itemCodes?: string[];
  warehouses?: string[];
}

/** Decimal hours as Sage stores TimeUpdated: "13.5" is 13:30:00; up to five decimals. */
export function decimalHours(at: Date): string {
  const hours = at.getUTCHours() + at.getUTCMinutes() / 60 + at.getUTCSeconds() / 3600 + at.getUTCMilliseconds() / 3_600_000;
  return String(Number(hours.toFixed(5)));
}

export function stampOf(at: Date): SageStamp {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return {
    DateUpdated: `${pad(at.getUTCFullYear(), 4)}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}`,
    TimeUpdated: decimalHours(at),
  };
}

/** Orders two stamps the way change detection must: DateUpdated as text, then TimeUpdated as a number. */
export function compareStamps(a: SageStamp, b: SageStamp): number {
  if (a.DateUpdated !== b.DateUpdated) return a.DateUpdated < b.DateUpdated ? -1 : 1;
  return Number.parseFloat(a.TimeUpdated) - Number.parseFloat(b.TimeUpdated);
}

const byKey = <T>(key: (row: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
const clone = <T>(value: T): T => structuredClone(value);
const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;

export class SageCompany {
  readonly companyCode: string;
  readonly companyName: string;
  readonly sageVersion: string;
  readonly faults = new FaultPlan();
  private readonly limits: SageFieldLimits;
  private readonly now: () => Date;
  private zipCodes?: Set<string>;
  private readonly warehouseCodes = new Set<string>();
  private readonly customers = new Map<string, CustomerRecord>();
  private readonly salesOrders = new Map<string, SalesOrderWithLines>();
  private readonly items = new Map<string, ItemRecord>();
  private readonly itemWarehouses = new Map<string, ItemWarehouseRecord>();
  /** The same rows by ItemCode, so item reads stay linear in a benchmark-size company (50,000 items). */
  private readonly itemWarehousesByItem = new Map<string, ItemWarehouseRecord[]>();
  private nextSalesOrderNo = 1;
  private nextCustomerNo = 1;

  constructor(options: SageCompanyOptions = {}) {
    this.companyCode = options.companyCode ?? 'ABC';
    if (!/^[A-Z0-9]{3}$/.test(this.companyCode)) throw new Error(`company code must be three upper-case characters, not ${this.companyCode}`);
    this.companyName = options.companyName ?? 'ABC Distribution and Service Corp.';
    this.sageVersion = options.sageVersion ?? 'Sage 100 Advanced 2024 (7.30)';
    this.limits = { ...SAGE_FIELD_LIMITS, ...options.limits };
    this.now = options.now ?? (() => new Date());
    if (options.zipCodes) this.zipCodes = new Set(options.zipCodes);
    for (const code of options.warehouses ?? ['000']) this.addWarehouse(code);
    this.addItem({ ItemCode: COMMENT_ITEM, ItemCodeDesc: 'Comment', ItemType: '4' });
  }

  // ---- seeding (what a Sage user would have set up in the desktop) ----

  addWarehouse(code: string): void {
    if (!/^[A-Z0-9]{1,3}$/.test(code)) throw new Error(`warehouse code must be 1–3 upper-case characters, not ${code}`);
    this.warehouseCodes.add(code);
  }

  addZipCodes(codes: Iterable<string>): void {
    this.zipCodes ??= new Set();
    for (const code of codes) this.zipCodes.add(code);
  }

  addItem(seed: ItemSeed): ItemRecord {
    this.checkLength('Item Code', seed.ItemCode, 'ItemCode');
    if (!seed.ItemCode || seed.ItemCode !== seed.ItemCode.trim()) throw new SageFault(FAULT_CODES.invalidKey, `The Item Code "${seed.ItemCode}" is not valid.`);
    const stamp = this.stamp();
    const item: ItemRecord = {
      ItemCode: seed.ItemCode,
      ItemCodeDesc: seed.ItemCodeDesc ?? '',
      ItemType: seed.ItemType ?? '1',
      StandardUnitPrice: seed.StandardUnitPrice ?? 0,
      SuggestedRetailPrice: seed.SuggestedRetailPrice ?? 0,
      SalesPromotionPrice: seed.SalesPromotionPrice ?? 0,
      DefaultWarehouseCode: seed.DefaultWarehouseCode ?? [...this.warehouseCodes][0] ?? '000',
      DateCreated: stamp.DateUpdated,
      TimeCreated: stamp.TimeUpdated,
      ...stamp,
    };
    this.items.set(item.ItemCode, item);
    for (const row of seed.warehouses ?? []) this.setStock(item.ItemCode, row.WarehouseCode, row);
    return clone(item);
  }

  /** A desktop edit of CI_Item prices or description; stamps DateUpdated/TimeUpdated. */
  updateItem(itemCode: string, changes: Partial<Pick<ItemRecord, 'ItemCodeDesc' | 'StandardUnitPrice' | 'SuggestedRetailPrice' | 'SalesPromotionPrice'>>): ItemRecord {
    const item = this.requireItem(itemCode);
    Object.assign(item, changes, this.stamp());
    return clone(item);
  }

  /** A desktop edit of IM_ItemWarehouse quantities (receipts, adjustments); creates the row when missing. */
  setStock(itemCode: string, warehouseCode: string, quantities: Partial<Pick<ItemWarehouseRecord, 'QuantityOnHand' | 'QuantityOnSalesOrder' | 'QuantityOnBackOrder'>>): ItemWarehouseRecord {
    const row = this.stockRow(itemCode, warehouseCode);
    for (const key of ['QuantityOnHand', 'QuantityOnSalesOrder', 'QuantityOnBackOrder'] as const) {
      if (quantities[key] !== undefined) row[key] = quantities[key];
    }
    Object.assign(row, this.stamp());
    return clone(row);
  }

  // ---- numbers (GetNextSalesOrderNo / GetNextCustomerNo consume a number whether or not it is used) ----

  takeNextSalesOrderNo(): string {
    return String(this.nextSalesOrderNo++).padStart(this.limits.SalesOrderNo, '0');
  }

  takeNextCustomerNo(): string {
    return String(this.nextCustomerNo++).padStart(7, '0');
  }

  // ---- customers (AR_Customer) ----

  getCustomer(arDivisionNo: string, customerNo: string): CustomerRecord {
    const key = this.customerKey(arDivisionNo, customerNo);
    const found = this.customers.get(key);
    if (!found) throw new SageFault(FAULT_CODES.noKey, `Customer ${key} does not exist.`);
    return clone(found);
  }

  findCustomersByEmail(email: string): CustomerRecord[] {
    const wanted = email.trim().toLowerCase();
    return [...this.customers.values()]
      .filter((c) => String(c.EmailAddress ?? '').trim().toLowerCase() === wanted && wanted !== '')
      .sort(byKey((c) => `${c.ARDivisionNo}-${c.CustomerNo}`))
      .map(clone);
  }

  createCustomer(input: Record<string, unknown>): CustomerRecord {
    const key = this.customerKey(input.ARDivisionNo, input.CustomerNo);
    if (this.customers.has(key)) throw new SageFault(FAULT_CODES.alreadyExists, `Customer ${key} already exists.`);
    const values = this.columns(input, CUSTOMER_COLUMNS, ['ARDivisionNo', 'CustomerNo'], 'AR_Customer_bus');
    if (!values.CustomerName) throw new SageFault(FAULT_CODES.invalidValue, 'The Customer Name is required.');
    this.checkZip('AR_Customer_bus', 'ZipCode', values.ZipCode);
    const [ARDivisionNo, CustomerNo] = key.split('-') as [string, string];
    const stamp = this.stamp();
    const record: CustomerRecord = {
      ARDivisionNo,
      CustomerNo,
      ...values,
      CustomerName: String(values.CustomerName),
      DateCreated: stamp.DateUpdated,
      TimeCreated: stamp.TimeUpdated,
      ...stamp,
    };
    this.customers.set(key, record);
    return clone(record);
  }

  /** Sets the given columns on an existing customer; columns not sent keep their values. */
  updateCustomer(input: Record<string, unknown>): CustomerRecord {
    const key = this.customerKey(input.ARDivisionNo, input.CustomerNo);
    const existing = this.customers.get(key);
    if (!existing) throw new SageFault(FAULT_CODES.noKey, `Customer ${key} does not exist.`);
    const values = this.columns(input, CUSTOMER_COLUMNS, ['ARDivisionNo', 'CustomerNo'], 'AR_Customer_bus');
    if ('CustomerName' in values && !values.CustomerName) throw new SageFault(FAULT_CODES.invalidValue, 'The Customer Name is required.');
    this.checkZip('AR_Customer_bus', 'ZipCode', values.ZipCode);
    Object.assign(existing, values, this.stamp());
    return clone(existing);
  }

  // ---- sales orders (SO_SalesOrderHeader / SO_SalesOrderDetail) ----

  getSalesOrder(salesOrderNo: unknown): SalesOrderWithLines {
    const key = this.salesOrderKey(salesOrderNo);
    const found = this.salesOrders.get(key);
    if (!found) throw new SageFault(FAULT_CODES.noKey, `Sales order ${key} does not exist.`);
    return clone(found);
  }

  /**
   * Create-only and all-or-nothing: every check runs before anything is stored, so a failure leaves the
   * company exactly as it was. Customer defaults fill the header and item defaults fill each line, as BOI
   * does when CustomerNo and ItemCode are set first.
   */
  createSalesOrder(input: Record<string, unknown>): SalesOrderWithLines {
    const salesOrderNo = this.salesOrderKey(input.SalesOrderNo);
    if (this.salesOrders.has(salesOrderNo)) throw new SageFault(FAULT_CODES.alreadyExists, `Sales order ${salesOrderNo} already exists.`);
    const customerKey = this.customerKey(input.ARDivisionNo, input.CustomerNo);
    const customer = this.customers.get(customerKey);
    if (!customer) throw new SageFault(FAULT_CODES.notOnFile, `The Customer Number ${customerKey} is not on file.`);
    const values = this.columns(input, SALES_ORDER_COLUMNS, ['SalesOrderNo', 'ARDivisionNo', 'CustomerNo', 'Lines'], 'SO_SalesOrder_bus');
    if (!values.OrderDate) throw new SageFault(FAULT_CODES.invalidValue, 'The Order Date is required.');
    this.checkZip('SO_SalesOrder_bus', 'BillToZipCode', values.BillToZipCode);
    this.checkZip('SO_SalesOrder_bus', 'ShipToZipCode', values.ShipToZipCode);
    if (values.WarehouseCode !== undefined) this.requireWarehouse(String(values.WarehouseCode));

    const header: SageRow = {
      SalesOrderNo: salesOrderNo,
      OrderType: 'S',
      OrderStatus: 'N',
      ARDivisionNo: customer.ARDivisionNo,
      CustomerNo: customer.CustomerNo,
      CustomerPONo: '',
      BillToName: customer.CustomerName,
      BillToAddress1: customer.AddressLine1 ?? '',
      BillToAddress2: customer.AddressLine2 ?? '',
      BillToAddress3: customer.AddressLine3 ?? '',
      BillToCity: customer.City ?? '',
      BillToState: customer.State ?? '',
      BillToZipCode: customer.ZipCode ?? '',
      BillToCountryCode: customer.CountryCode ?? '',
      EmailAddress: customer.EmailAddress ?? '',
      TermsCode: customer.TermsCode ?? '00',
      TaxSchedule: customer.TaxSchedule ?? '',
      ...values,
    };
    const rawLines = input.Lines ?? [];
    if (!Array.isArray(rawLines)) throw new SageFault(FAULT_CODES.invalidValue, 'Lines must be a list of sales order lines.');
    const lines = rawLines.map((raw: unknown, index) => this.buildLine(raw, index, String(header.WarehouseCode ?? '')));

    // Everything checked: commit header, lines and the stock they commit, with one audit stamp.
    const stamp = this.stamp();
    for (const line of lines) {
      if (line.ItemType !== '1') continue;
      const row = this.stockRow(String(line.ItemCode), String(line.WarehouseCode));
      row.QuantityOnSalesOrder = round(row.QuantityOnSalesOrder + Number(line.QuantityOrdered), 6);
      Object.assign(row, stamp);
    }
    const order: SalesOrderWithLines = {
      ...header,
      SalesOrderNo: salesOrderNo,
      ARDivisionNo: customer.ARDivisionNo,
      CustomerNo: customer.CustomerNo,
      CustomerPONo: String(header.CustomerPONo),
      OrderDate: String(header.OrderDate),
      DateCreated: stamp.DateUpdated,
      TimeCreated: stamp.TimeUpdated,
      ...stamp,
      Lines: lines.map((line) => ({ SalesOrderNo: salesOrderNo, ...line })),
    };
    this.salesOrders.set(salesOrderNo, order);
    return clone(order);
  }

  private buildLine(raw: unknown, index: number, headerWarehouse: string): SageRow {
    if (!raw || typeof raw !== 'object') throw new SageFault(FAULT_CODES.invalidValue, `Line ${index + 1} is not a sales order line.`);
    const input = raw as Record<string, unknown>;
    const itemCode = typeof input.ItemCode === 'string' ? input.ItemCode.trim() : '';
    if (!itemCode) throw new SageFault(FAULT_CODES.invalidValue, `Line ${index + 1}: the Item Code is required.`);
    this.checkLength('Item Code', itemCode, 'ItemCode');
    const item = this.items.get(itemCode);
    if (!item) throw new SageFault(FAULT_CODES.notOnFile, `The Item Code ${itemCode} is not on file.`);
    const values = this.columns(input, LINE_COLUMNS, ['ItemCode', 'SalesOrderNo'], 'SO_SalesOrderDetail_bus');
    // Setting ItemCode loads the item's defaults; the columns sent after it override them.
    const line: SageRow = {
      LineKey: String(index + 1).padStart(6, '0'),
      ItemCode: itemCode,
      ItemType: item.ItemType,
      ItemCodeDesc: item.ItemCodeDesc,
      QuantityOrdered: 0,
      UnitPrice: item.ItemType === '1' ? item.StandardUnitPrice : 0,
      WarehouseCode: item.ItemType === '1' ? headerWarehouse || item.DefaultWarehouseCode : '',
      LineDiscountPercent: 0,
      ...values,
    };
    line.ItemType = item.ItemType;
    if (item.ItemType === '1') this.requireWarehouse(String(line.WarehouseCode));
    const extension = Number(line.QuantityOrdered) * Number(line.UnitPrice) * (1 - Number(line.LineDiscountPercent) / 100);
    line.ExtensionAmt = round(extension, 2);
    return line;
  }

  // ---- inventory reads (BOI only: CI_Item and IM_ItemWarehouse) ----

  /** CI_Item rows, ordered by ItemCode, each stamped with the newest change to the item or its warehouse rows. */
  listItems(filter: ItemFilter = {}): ItemRecord[] {
    const codes = filter.itemCodes ? new Set(filter.itemCodes) : undefined;
    const types = filter.itemTypes?.length ? new Set(filter.itemTypes) : undefined;
    const out: ItemRecord[] = [];
    const candidates = codes ? [...codes].flatMap((code) => this.items.get(code) ?? []) : this.items.values();
    for (const item of candidates) {
      if (types && !types.has(item.ItemType)) continue;
      const changed = this.lastChange(item);
      if (filter.changedSince && compareStamps(changed, filter.changedSince) < 0) continue;
      out.push({ ...clone(item), ...changed });
    }
    return out.sort(byKey((i) => i.ItemCode));
  }

  /** IM_ItemWarehouse rows, ordered by ItemCode then WarehouseCode. */
  listStock(filter: StockFilter = {}): ItemWarehouseRecord[] {
    const codes = filter.itemCodes ? new Set(filter.itemCodes) : undefined;
    const warehouses = filter.warehouses?.length ? new Set(filter.warehouses) : undefined;
    const rows = codes ? [...codes].flatMap((code) => this.itemWarehousesByItem.get(code) ?? []) : [...this.itemWarehouses.values()];
    return rows
      .filter((row) => !warehouses || warehouses.has(row.WarehouseCode))
      .sort(byKey((row) => `${row.ItemCode}\u0000${row.WarehouseCode}`))
      .map(clone);
  }

  /** Now, in Sage's audit-column form. */
  currentStamp(): SageStamp {
    return stampOf(this.now());
  }

  /** Everything the company holds, in a stable order, so two snapshots compare byte for byte. */
  state() {
    return {
      companyCode: this.companyCode,
      companyName: this.companyName,
      nextSalesOrderNo: this.nextSalesOrderNo,
      nextCustomerNo: this.nextCustomerNo,
      zipCodes: this.zipCodes ? [...this.zipCodes].sort() : null,
      warehouses: [...this.warehouseCodes].sort(),
      customers: [...this.customers.values()].sort(byKey((c) => `${c.ARDivisionNo}-${c.CustomerNo}`)).map(clone),
      salesOrders: [...this.salesOrders.values()].sort(byKey((o) => o.SalesOrderNo)).map(clone),
      items: [...this.items.values()].sort(byKey((i) => i.ItemCode)).map(clone),
      itemWarehouses: this.listStock(),
    };
  }

  // ---- rules ----

  private stamp(): SageStamp {
    return stampOf(this.now());
  }

  private lastChange(item: ItemRecord): SageStamp {
    let newest: SageStamp = { DateUpdated: item.DateUpdated, TimeUpdated: item.TimeUpdated };
    for (const row of this.itemWarehousesByItem.get(item.ItemCode) ?? []) {
      if (compareStamps(row, newest) > 0) newest = { DateUpdated: row.DateUpdated, TimeUpdated: row.TimeUpdated };
    }
    return newest;
  }

  private requireItem(itemCode: string): ItemRecord {
    const item = this.items.get(itemCode);
    if (!item) throw new SageFault(FAULT_CODES.notOnFile, `The Item Code ${itemCode} is not on file.`);
    return item;
  }

  private requireWarehouse(code: string): void {
    if (!this.warehouseCodes.has(code)) throw new SageFault(FAULT_CODES.notOnFile, `The Warehouse Code ${code} is not on file.`);
  }

  private stockRow(itemCode: string, warehouseCode: string): ItemWarehouseRecord {
    this.requireItem(itemCode);
    this.requireWarehouse(warehouseCode);
    const key = `${itemCode}\u0000${warehouseCode}`;
    let row = this.itemWarehouses.get(key);
    if (!row) {
      row = { ItemCode: itemCode, WarehouseCode: warehouseCode, QuantityOnHand: 0, QuantityOnSalesOrder: 0, QuantityOnBackOrder: 0, ...this.stamp() };
      this.itemWarehouses.set(key, row);
      this.itemWarehousesByItem.set(itemCode, [...(this.itemWarehousesByItem.get(itemCode) ?? []), row]);
    }
    return row;
  }

  private checkLength(label: string, value: string, limit: Limit): void {
    const max = this.limits[limit];
    if (value.length > max) throw new SageFault(FAULT_CODES.tooLong, `The ${label} is greater than ${max} character(s).`);
  }

  private checkZip(object: string, column: string, zip: SageValue | undefined): void {
    if (!this.zipCodes || zip === undefined || zip === '') return;
    if (!this.zipCodes.has(String(zip))) {
      throw new SageFault(FAULT_CODES.notOnFile, `Could not set ${object} column ${column}$: The ZIP Code ${zip} is not on file.`);
    }
  }

  /** SalesOrderNo: 7 characters, upper case; an all-digit number is zero-filled to 7 as Sage masks it. */
  private salesOrderKey(value: unknown): string {
    const raw = typeof value === 'string' ? value.trim() : '';
    if (!raw) throw new SageFault(FAULT_CODES.invalidKey, 'The Sales Order Number is required.');
    const max = this.limits.SalesOrderNo;
    if (raw.length > max) throw new SageFault(FAULT_CODES.tooLong, `The Sales Order Number is greater than ${max} character(s).`);
    if (!/^[A-Z0-9]+$/.test(raw)) throw new SageFault(FAULT_CODES.invalidKey, `The Sales Order Number ${raw} must be upper-case letters and digits.`);
    return /^\d+$/.test(raw) ? raw.padStart(max, '0') : raw;
  }

  /** ARDivisionNo: exactly 2 digits. CustomerNo: up to 20 upper-case characters; all digits zero-filled to 7. */
  private customerKey(division: unknown, customer: unknown): string {
    const ar = typeof division === 'string' ? division : '';
    if (!/^\d{2}$/.test(ar)) throw new SageFault(FAULT_CODES.invalidKey, `The AR Division Number "${ar}" must be two digits, e.g. 00.`);
    const no = typeof customer === 'string' ? customer.trim() : '';
    if (!no) throw new SageFault(FAULT_CODES.invalidKey, 'The Customer Number is required.');
    const max = this.limits.CustomerNo;
    if (no.length > max) throw new SageFault(FAULT_CODES.tooLong, `The Customer Number is greater than ${max} character(s).`);
    if (no !== no.toUpperCase() || !/^[A-Z0-9\-_.&/ ]+$/.test(no)) {
      throw new SageFault(FAULT_CODES.invalidKey, `The Customer Number ${no} must be upper case (letters, digits and - _ . & /).`);
    }
    return `${ar}-${/^\d{1,7}$/.test(no) ? no.padStart(7, '0') : no}`;
  }

  /** The writable columns of `input`: unknown or read-only columns fail, lengths and validated values are checked. */
  private columns(input: Record<string, unknown>, columns: Record<string, Column>, keys: string[], object: string): SageRow {
    const out: SageRow = {};
    for (const [name, value] of Object.entries(input)) {
      if (keys.includes(name) || value === undefined || value === null) continue;
      if (name in READ_ONLY) throw new SageFault(FAULT_CODES.readOnly, `${READ_ONLY[name]} is read only`);
      const column = columns[name];
      if (!column) throw new SageFault(FAULT_CODES.invalidColumn, `${object} has no column ${name}.`);
      out[name] = this.columnValue(column, value);
    }
    return out;
  }

  private columnValue(column: Column, value: unknown): SageValue {
    if (column.kind === 'number') {
      const parsed = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
      if (!Number.isFinite(parsed)) throw new SageFault(FAULT_CODES.invalidValue, `The ${column.label} must be a number.`);
      return parsed;
    }
    if (typeof value !== 'string') throw new SageFault(FAULT_CODES.invalidValue, `The ${column.label} must be text.`);
    if (column.kind === 'date') {
      if (!/^\d{8}$/.test(value)) throw new SageFault(FAULT_CODES.invalidValue, `The ${column.label} must be a date (YYYYMMDD).`);
      return value;
    }
    if (column.limit) this.checkLength(column.label, value, column.limit);
    if (column.oneOf && !column.oneOf.includes(value)) {
      throw new SageFault(FAULT_CODES.invalidValue, `The ${column.label} failed validation on ${column.oneOf.join(',')}.`);
    }
    return value;
  }
}

/**
 * A small company to work against: warehouses 000 and EST, a ZIP Code table, three stocked items, freight as a
 * miscellaneous item, and two customers. Used by the simulator's command line and by the tests.
 */
export function seedDemo(company: SageCompany): SageCompany {
  company.addWarehouse('000');
  company.addWarehouse('EST');
  company.addZipCodes(['98101', '10001', '60601', '94105', '30301']);
  company.addItem({ ItemCode: 'WIDGET-1', ItemCodeDesc: 'Widget, blue', StandardUnitPrice: 12.5, SuggestedRetailPrice: 14.99, warehouses: [{ WarehouseCode: '000', QuantityOnHand: 40 }, { WarehouseCode: 'EST', QuantityOnHand: 10 }] });
  company.addItem({ ItemCode: 'GADGET-2', ItemCodeDesc: 'Gadget', StandardUnitPrice: 5, SalesPromotionPrice: 4.5, warehouses: [{ WarehouseCode: '000', QuantityOnHand: 3, QuantityOnBackOrder: 1 }] });
  company.addItem({ ItemCode: 'CABLE-USB-C-2M', ItemCodeDesc: 'USB-C cable 2 m', StandardUnitPrice: 9.95, warehouses: [{ WarehouseCode: 'EST', QuantityOnHand: 120 }] });
  company.addItem({ ItemCode: '/FREIGHT', ItemCodeDesc: 'Freight', ItemType: '5' });
  company.createCustomer({ ARDivisionNo: '01', CustomerNo: 'WEB0001', CustomerName: 'Ada Lovelace', AddressLine1: '1 Analytical Way', City: 'Seattle', State: 'WA', ZipCode: '98101', CountryCode: 'USA', EmailAddress: 'ada@example.com' });
  company.createCustomer({ ARDivisionNo: '00', CustomerNo: 'WEBCASH', CustomerName: 'Web cash sales', ZipCode: '10001', CountryCode: 'USA' });
  return company;
}
