import { FaultPlan } from './faults';
import { CUSTOMER_COLUMNS, LINE_COLUMNS, MAPPED_COLUMNS, READ_ONLY, SALES_ORDER_COLUMNS, VERSION_PROFILES, type Column, type ColumnLengths, type LengthKey, type VersionProfileName } from './schema';
import { FAULT_CODES, SageFault } from './sage-fault';
import { compareStamps, stampOf, type SageStamp } from './stamps';
import { toWindows1252 } from './windows-1252';

/**
 * One Sage 100 company in memory, with Sage's rules rather than the product's: key formats and lengths, column
 * lengths by version profile, read-only columns, codes that must be on file (customers, items, warehouses, ZIP
 * codes, tax schedules), create-only keys, all-or-nothing writes, text stored as Windows-1252, the audit columns
 * on every write, sales orders moving IM_ItemWarehouse.QuantityOnSalesOrder, tax from the tax schedule, and an
 * order's life: invoiced (fully or partly, with tracking numbers), posted by the daily sales journal update
 * (invoices to AR invoice history; a fully invoiced order leaves the open file for SO history with status C),
 * or deleted (history keeps X).
 *
 * The record-level methods here are what the BOI objects (./boi.ts) commit through, what the SOAP simulator
 * calls (eBusiness Web Services wraps the same business objects), and what tests and the sandbox seed with.
 * Errors are `SageFault`s with Sage's text.
 */

export type SageValue = string | number;
export type SageRow = Record<string, SageValue>;

export interface SalesOrderWithLines {
  SalesOrderNo: string;
  ARDivisionNo: string;
  CustomerNo: string;
  CustomerPONo: string;
  OrderDate: string;
  OrderStatus: string;
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
  SaleStartingDate: string;
  SaleEndingDate: string;
  SaleMethod: string;
  InactiveItem: string;
  ProductType: string;
  TaxClass: string;
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
/** IM_PriceCode: a pricing method with up to five quantity breaks, for an item and a customer price level. */
export interface PriceCodeRecord extends SageRow {
  PriceCodeRecord: string;
  PriceCode: string;
  ItemCode: string;
  CustomerPriceLevel: string;
  PricingMethod: string;
  BreakQuantity1: number;
  BreakQuantity2: number;
  BreakQuantity3: number;
  BreakQuantity4: number;
  BreakQuantity5: number;
  DiscountMarkup1: number;
  DiscountMarkup2: number;
  DiscountMarkup3: number;
  DiscountMarkup4: number;
  DiscountMarkup5: number;
}
export interface TaxScheduleRecord extends SageRow {
  TaxSchedule: string;
  Description: string;
  /** Percent, e.g. 10.1. */
  TaxRate: number;
  /** Y: freight is taxed too. */
  TaxFreight: string;
}
/** SO_InvoiceHeader (open, before the daily update) or AR_InvoiceHistoryHeader (after), with detail and tracking. */
export interface InvoiceWithLines {
  InvoiceNo: string;
  InvoiceDate: string;
  SalesOrderNo: string;
  CustomerPONo: string;
  ARDivisionNo: string;
  CustomerNo: string;
  ShipDate: string;
  ShipVia: string;
  DateUpdated: string;
  TimeUpdated: string;
  Lines: SageRow[];
  Tracking: SageRow[];
  [column: string]: SageValue | SageRow[];
}

export type BoiTable =
  | 'AR_Customer'
  | 'SO_SalesOrderHeader'
  | 'SO_SalesOrderHistoryHeader'
  | 'SO_InvoiceHeader'
  | 'SO_InvoiceTracking'
  | 'AR_InvoiceHistoryHeader'
  | 'AR_InvoiceHistoryTracking'
  | 'CI_Item'
  | 'IM_ItemWarehouse'
  | 'IM_PriceCode';

export type UdfTable = 'SO_SalesOrderHeader' | 'SO_SalesOrderDetail' | 'AR_Customer';

export interface SageCompanyOptions {
  /** Three characters, e.g. ABC. */
  companyCode?: string;
  companyName?: string;
  /** Column lengths and the version `health` reports: `older` 30/30/20/15 (default), `current` 50/40/30/30. */
  profile?: VersionProfileName;
  sageVersion?: string;
  /** Lengths over the profile's. */
  limits?: Partial<ColumnLengths>;
  /** The ZIP Code table; when given, addresses with any other ZIP fail as Sage does. Absent = any ZIP is on file. */
  zipCodes?: Iterable<string>;
  warehouses?: Iterable<string>;
  /** S/O option "Retain Sales Order/Quote History" (default on): completed and deleted orders stay in SO history. */
  retainHistory?: boolean;
  /** UDF columns defined in Sage's User-Defined Field and Table Maintenance; others are unknown columns. */
  udfColumns?: Partial<Record<UdfTable, string[]>>;
  /** Clock for the audit columns; read as UTC. */
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
  SaleStartingDate?: string;
  SaleEndingDate?: string;
  /** P promotional price, D discount percent (Sage's SaleMethod). */
  SaleMethod?: string;
  InactiveItem?: 'Y' | 'N';
  /** F finished good (default), R raw material, D discontinued, K kit (Item Maintenance's Product Type). */
  ProductType?: 'F' | 'R' | 'D' | 'K';
  /** TX taxable (default for regular, charge and misc items), NT not taxable. */
  TaxClass?: string;
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

export interface InvoiceRequest {
  salesOrderNo: string;
  /** What ships; absent = every line's open quantity. */
  lines?: Array<{ itemCode: string; quantity: number }>;
  trackingNumbers?: string[];
}

const COMMENT_ITEM = '/C';

const byKey = <T>(key: (row: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
const clone = <T>(value: T): T => structuredClone(value);
const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;

export class SageCompany {
  readonly companyCode: string;
  readonly companyName: string;
  readonly sageVersion: string;
  readonly retainHistory: boolean;
  readonly faults = new FaultPlan();
  private readonly lengths: ColumnLengths;
  private readonly now: () => Date;
  private readonly udfColumns: Partial<Record<UdfTable, Set<string>>>;
  private zipCodes?: Set<string>;
  private taxSchedules?: Map<string, TaxScheduleRecord>;
  private readonly warehouseCodes = new Set<string>();
  private readonly customers = new Map<string, CustomerRecord>();
  private readonly salesOrders = new Map<string, SalesOrderWithLines>();
  private readonly salesOrderHistory = new Map<string, SalesOrderWithLines>();
  private readonly invoices = new Map<string, InvoiceWithLines>();
  private readonly invoiceHistory = new Map<string, InvoiceWithLines>();
  private readonly items = new Map<string, ItemRecord>();
  private readonly priceCodes = new Map<string, PriceCodeRecord>();
  private readonly itemWarehouses = new Map<string, ItemWarehouseRecord>();
  /** The same rows by ItemCode, so item reads stay linear in a benchmark-size company (50,000 items). */
  private readonly itemWarehousesByItem = new Map<string, ItemWarehouseRecord[]>();
  /** Records open in a desktop user's screen: `table key` → who. */
  private readonly locks = new Map<string, string>();
  private nextSalesOrderNo = 1;
  private nextCustomerNo = 1;
  private nextInvoiceNo = 1;
  private boiFailures = { count: 0, message: '' };
  private writeVersion = 0;
  private readonly sortedRows = new Map<BoiTable, { version: number; rows: SageRow[] }>();
  private readonly columnLists = new Map<string, { version: number; columns: string[] }>();

  constructor(options: SageCompanyOptions = {}) {
    this.companyCode = options.companyCode ?? 'ABC';
    if (!/^[A-Z0-9]{3}$/.test(this.companyCode)) throw new Error(`company code must be three upper-case characters, not ${this.companyCode}`);
    this.companyName = options.companyName ?? 'ABC Distribution and Service Corp.';
    const profile = VERSION_PROFILES[options.profile ?? 'older'];
    this.sageVersion = options.sageVersion ?? profile.sageVersion;
    this.lengths = { ...profile.lengths, ...options.limits };
    this.retainHistory = options.retainHistory ?? true;
    this.now = options.now ?? (() => new Date());
    this.udfColumns = Object.fromEntries(Object.entries(options.udfColumns ?? {}).map(([table, names]) => [table, new Set(names)]));
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

  /** A tax schedule; once the company has one, every TaxSchedule written must be on file. */
  addTaxSchedule(schedule: { TaxSchedule: string; Description?: string; TaxRate: number; TaxFreight?: boolean }): void {
    this.taxSchedules ??= new Map();
    this.taxSchedules.set(schedule.TaxSchedule, {
      TaxSchedule: schedule.TaxSchedule,
      Description: schedule.Description ?? schedule.TaxSchedule,
      TaxRate: schedule.TaxRate,
      TaxFreight: schedule.TaxFreight ? 'Y' : 'N',
    });
  }

  addItem(seed: ItemSeed): ItemRecord {
    this.checkLength('Item Code', seed.ItemCode, 'ItemCode');
    if (!seed.ItemCode || seed.ItemCode !== seed.ItemCode.trim()) throw new SageFault(FAULT_CODES.invalidKey, `The Item Code "${seed.ItemCode}" is not valid.`);
    const stamp = this.stamp();
    const itemType = seed.ItemType ?? '1';
    const item: ItemRecord = {
      ItemCode: seed.ItemCode,
      ItemCodeDesc: toWindows1252(seed.ItemCodeDesc ?? ''),
      ItemType: itemType,
      StandardUnitPrice: seed.StandardUnitPrice ?? 0,
      SuggestedRetailPrice: seed.SuggestedRetailPrice ?? 0,
      SalesPromotionPrice: seed.SalesPromotionPrice ?? 0,
      SaleStartingDate: seed.SaleStartingDate ?? '',
      SaleEndingDate: seed.SaleEndingDate ?? '',
      SaleMethod: seed.SaleMethod ?? '',
      InactiveItem: seed.InactiveItem ?? 'N',
      ProductType: seed.ProductType ?? 'F',
      TaxClass: seed.TaxClass ?? (itemType === '4' ? 'NT' : 'TX'),
      DefaultWarehouseCode: seed.DefaultWarehouseCode ?? [...this.warehouseCodes][0] ?? '000',
      DateCreated: stamp.DateUpdated,
      TimeCreated: stamp.TimeUpdated,
      ...stamp,
    };
    this.items.set(item.ItemCode, item);
    for (const row of seed.warehouses ?? []) this.setStock(item.ItemCode, row.WarehouseCode, row);
    return clone(item);
  }

  /** A desktop edit of CI_Item; stamps DateUpdated/TimeUpdated. */
  updateItem(
    itemCode: string,
    changes: Partial<Pick<ItemRecord, 'ItemCodeDesc' | 'StandardUnitPrice' | 'SuggestedRetailPrice' | 'SalesPromotionPrice' | 'SaleStartingDate' | 'SaleEndingDate' | 'SaleMethod' | 'InactiveItem' | 'ProductType'>>,
  ): ItemRecord {
    const item = this.requireItem(itemCode);
    Object.assign(item, changes, this.stamp());
    return clone(item);
  }

  /** An IM_PriceCode row (Price Code Maintenance): quantity breaks for an item at a customer price level. */
  addPriceCode(row: { ItemCode: string; CustomerPriceLevel?: string; PriceCode?: string; PricingMethod: string; breaks: Array<{ quantity: number; discountMarkup: number }> }): PriceCodeRecord {
    this.requireItem(row.ItemCode);
    const level = row.CustomerPriceLevel ?? '';
    const record: PriceCodeRecord = {
      PriceCodeRecord: level ? '2' : '1',
      PriceCode: row.PriceCode ?? '',
      ItemCode: row.ItemCode,
      CustomerPriceLevel: level,
      PricingMethod: row.PricingMethod,
      BreakQuantity1: 0, BreakQuantity2: 0, BreakQuantity3: 0, BreakQuantity4: 0, BreakQuantity5: 0,
      DiscountMarkup1: 0, DiscountMarkup2: 0, DiscountMarkup3: 0, DiscountMarkup4: 0, DiscountMarkup5: 0,
    };
    row.breaks.slice(0, 5).forEach((step, index) => {
      record[`BreakQuantity${index + 1}`] = step.quantity;
      record[`DiscountMarkup${index + 1}`] = step.discountMarkup;
    });
    this.priceCodes.set(`${row.ItemCode}\u0000${level}\u0000${record.PriceCode}`, record);
    Object.assign(this.requireItem(row.ItemCode), this.stamp());
    return clone(record);
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

  /**
   * A receipt Sage does not stamp (a Visual Integrator import, purchase-order receipt or batch update,
   * sage100-company-life.md §7): QuantityOnHand moves by `quantity` and DateUpdated/TimeUpdated stay as they were.
   */
  receiveUnstamped(itemCode: string, warehouseCode: string, quantity: number): ItemWarehouseRecord {
    this.requireWarehouse(warehouseCode);
    const row = this.stockRow(itemCode, warehouseCode);
    row.QuantityOnHand = round(row.QuantityOnHand + quantity, 6);
    // The BOI layer's sorted views must see the new quantity, though no audit column changed.
    this.writeVersion += 1;
    return clone(row);
  }

  /** A desktop user opens the record (e.g. the order in Sales Order Entry): BOI writers find it locked until `unlock`. */
  lock(table: 'SO_SalesOrderHeader' | 'AR_Customer', key: string, user = 'desktop'): void {
    this.locks.set(`${table} ${key}`, user);
  }

  unlock(table: 'SO_SalesOrderHeader' | 'AR_Customer', key: string): void {
    this.locks.delete(`${table} ${key}`);
  }

  /** Sage's lock message (UNCONFIRMED wording, sage100-api.md §8) when the record is open elsewhere. */
  lockedBy(table: string, key: string): string | undefined {
    const user = this.locks.get(`${table} ${key}`);
    return user === undefined ? undefined : `The record is in use by ${user}. ${table} ${key} is locked.`;
  }

  // ---- numbers (GetNextSalesOrderNo / GetNextCustomerNo consume a number whether or not it is used) ----

  takeNextSalesOrderNo(): string {
    return String(this.nextSalesOrderNo++).padStart(this.lengths.SalesOrderNo, '0');
  }

  takeNextCustomerNo(): string {
    return String(this.nextCustomerNo++).padStart(7, '0');
  }

  // ---- metadata ----

  /** A column's length in this company's dictionary, or undefined for a column without one (numbers, dates). */
  columnLength(table: string, column: string): number | undefined {
    const mapped = MAPPED_COLUMNS[table]?.[column];
    if (mapped) return this.lengths[mapped];
    const def = this.columnDef(table, column);
    if (def?.kind === 'text' && def.length) return this.lengths[def.length];
    if (column.startsWith('UDF_')) return this.lengths.UDF;
    const keys: Record<string, LengthKey> = { SalesOrderNo: 'SalesOrderNo', ARDivisionNo: 'ARDivisionNo', CustomerNo: 'CustomerNo', ItemCode: 'ItemCode' };
    const key = keys[column];
    return key ? this.lengths[key] : undefined;
  }

  /** The definition of a writable column of a table, UDFs included; undefined for read-only or unknown ones. */
  columnDef(table: string, column: string): Column | undefined {
    const columns: Record<string, Record<string, Column>> = { SO_SalesOrderHeader: SALES_ORDER_COLUMNS, SO_SalesOrderDetail: LINE_COLUMNS, AR_Customer: CUSTOMER_COLUMNS };
    const known = columns[table]?.[column];
    if (known) return known;
    if (column.startsWith('UDF_') && this.udfColumns[table as UdfTable]?.has(column)) return { kind: 'text', label: column, length: 'UDF' };
    return undefined;
  }

  /**
   * One column value as Sage stores it, or a SageFault worded as Sage words it: read-only, unknown, too long,
   * not a number, not a date, not one of the validated values, a ZIP code or tax schedule not on file.
   */
  checkColumn(table: string, object: string, column: string, value: unknown): SageValue {
    if (column in READ_ONLY) throw new SageFault(FAULT_CODES.readOnly, `${READ_ONLY[column]} is read only`);
    const def = this.columnDef(table, column);
    if (!def) throw new SageFault(FAULT_CODES.invalidColumn, `${object} has no column ${column}.`);
    const stored = this.columnValue(def, value);
    if (/ZipCode$/.test(column)) this.checkZip(object, column, stored);
    if (column === 'TaxSchedule') this.checkTaxSchedule(stored);
    return stored;
  }

  // ---- customers (AR_Customer) ----

  getCustomer(arDivisionNo: string, customerNo: string): CustomerRecord {
    const key = this.customerKey(arDivisionNo, customerNo);
    const found = this.customers.get(key);
    if (!found) throw new SageFault(FAULT_CODES.noKey, `Customer ${key} does not exist.`);
    return clone(found);
  }

  /** The customer if on file (keys as given, normalized as Sage masks them); undefined otherwise. */
  findCustomer(arDivisionNo: string, customerNo: string): CustomerRecord | undefined {
    const found = this.customers.get(this.customerKey(arDivisionNo, customerNo));
    return found && clone(found);
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
    const values = this.columns(input, 'AR_Customer', ['ARDivisionNo', 'CustomerNo'], 'AR_Customer_bus');
    if (!values.CustomerName) throw new SageFault(FAULT_CODES.invalidValue, 'The Customer Name is required.');
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
    this.requireUnlocked('AR_Customer', key);
    const values = this.columns(input, 'AR_Customer', ['ARDivisionNo', 'CustomerNo'], 'AR_Customer_bus');
    if ('CustomerName' in values && !values.CustomerName) throw new SageFault(FAULT_CODES.invalidValue, 'The Customer Name is required.');
    Object.assign(existing, values, this.stamp());
    return clone(existing);
  }

  // ---- sales orders (SO_SalesOrderHeader / SO_SalesOrderDetail, SO_SalesOrderHistoryHeader) ----

  getSalesOrder(salesOrderNo: unknown): SalesOrderWithLines {
    const key = this.salesOrderKey(salesOrderNo);
    const found = this.salesOrders.get(key);
    if (!found) throw new SageFault(FAULT_CODES.noKey, `Sales order ${key} does not exist.`);
    return clone(found);
  }

  /** The open order, or undefined. */
  findSalesOrder(salesOrderNo: string): SalesOrderWithLines | undefined {
    const found = this.salesOrders.get(this.salesOrderKey(salesOrderNo));
    return found && clone(found);
  }

  /** The order in SO history (OrderStatus A active, C completed, X deleted), or undefined. */
  findSalesOrderHistory(salesOrderNo: string): SalesOrderWithLines | undefined {
    const found = this.salesOrderHistory.get(this.salesOrderKey(salesOrderNo));
    return found && clone(found);
  }

  /**
   * Sage's KDUPLICATEPO check: another order or invoice of the same customer with this PO number. Sage answers it
   * with a warning (−1), "This customer PO number already exists on one or more sales orders or invoices.".
   */
  duplicatePO(arDivisionNo: string, customerNo: string, customerPONo: string, salesOrderNo: string): boolean {
    const po = customerPONo.trim();
    if (!po) return false;
    const same = (row: { ARDivisionNo: string; CustomerNo: string; CustomerPONo: string; SalesOrderNo: string }) =>
      row.ARDivisionNo === arDivisionNo && row.CustomerNo === customerNo && row.CustomerPONo === po && row.SalesOrderNo !== salesOrderNo;
    return [...this.salesOrders.values(), ...this.salesOrderHistory.values(), ...this.invoices.values(), ...this.invoiceHistory.values()].some(same);
  }

  /**
   * Create-only and all-or-nothing: every check runs before anything is stored, so a failure leaves the
   * company exactly as it was. Customer defaults fill the header and item defaults fill each line, as BOI
   * does when CustomerNo and ItemCode are set first; tax comes from the tax schedule.
   */
  createSalesOrder(input: Record<string, unknown>, options: { preview?: boolean } = {}): SalesOrderWithLines {
    const salesOrderNo = this.salesOrderKey(input.SalesOrderNo);
    if (this.salesOrders.has(salesOrderNo)) throw new SageFault(FAULT_CODES.alreadyExists, `Sales order ${salesOrderNo} already exists.`);
    const customerKey = this.customerKey(input.ARDivisionNo, input.CustomerNo);
    const customer = this.customers.get(customerKey);
    if (!customer) throw new SageFault(FAULT_CODES.notOnFile, `The Customer Number ${customerKey} is not on file.`);
    const values = this.columns(input, 'SO_SalesOrderHeader', ['SalesOrderNo', 'ARDivisionNo', 'CustomerNo', 'Lines'], 'SO_SalesOrder_bus');
    if (!values.OrderDate) throw new SageFault(FAULT_CODES.invalidValue, 'The Order Date is required.');
    if (values.WarehouseCode !== undefined) this.requireWarehouse(String(values.WarehouseCode));

    const header: SageRow = {
      ...this.customerDefaults(customer),
      SalesOrderNo: salesOrderNo,
      OrderType: 'S',
      OrderStatus: 'N',
      CustomerPONo: '',
      FreightAmt: 0,
      ...values,
    };
    const rawLines = input.Lines ?? [];
    if (!Array.isArray(rawLines)) throw new SageFault(FAULT_CODES.invalidValue, 'Lines must be a list of sales order lines.');
    const lines = rawLines.map((raw: unknown, index) => this.buildLine(raw, index, String(header.WarehouseCode ?? '')));
    Object.assign(header, this.taxOf(String(header.TaxSchedule ?? ''), lines, Number(header.FreightAmt)));
    // PreviewSalesOrder: every check and the totals, nothing stored.
    if (options.preview) return clone({ ...header, SalesOrderNo: salesOrderNo, Lines: lines } as SalesOrderWithLines);

    // Everything checked: commit header, lines and the stock they commit, with one audit stamp.
    const stamp = this.stamp();
    this.moveOnSalesOrder(lines, 1, stamp);
    const order: SalesOrderWithLines = {
      ...header,
      SalesOrderNo: salesOrderNo,
      ARDivisionNo: customer.ARDivisionNo,
      CustomerNo: customer.CustomerNo,
      CustomerPONo: String(header.CustomerPONo),
      OrderDate: String(header.OrderDate),
      OrderStatus: 'N',
      DateCreated: stamp.DateUpdated,
      TimeCreated: stamp.TimeUpdated,
      ...stamp,
      Lines: lines.map((line) => ({ SalesOrderNo: salesOrderNo, ...line })),
    };
    this.salesOrders.set(salesOrderNo, order);
    if (this.retainHistory) this.salesOrderHistory.set(salesOrderNo, { ...clone(order), OrderStatus: 'A' });
    return clone(order);
  }

  /** The header columns setting CustomerNo loads in Sales Order Entry. */
  customerDefaults(customer: CustomerRecord): SageRow {
    return {
      ARDivisionNo: customer.ARDivisionNo,
      CustomerNo: customer.CustomerNo,
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
    };
  }

  /** The line columns setting ItemCode loads: type, description, price and warehouse for stocked items. */
  itemDefaults(itemCode: string, headerWarehouse: string): SageRow {
    const item = this.requireItem(itemCode);
    const stocked = item.ItemType === '1';
    return {
      ItemCode: item.ItemCode,
      ItemType: item.ItemType,
      ItemCodeDesc: item.ItemCodeDesc,
      QuantityOrdered: 0,
      UnitPrice: item.ItemType === '1' || item.ItemType === '3' ? item.StandardUnitPrice : 0,
      WarehouseCode: stocked ? headerWarehouse || item.DefaultWarehouseCode : '',
      LineDiscountPercent: 0,
    };
  }

  private buildLine(raw: unknown, index: number, headerWarehouse: string): SageRow {
    if (!raw || typeof raw !== 'object') throw new SageFault(FAULT_CODES.invalidValue, `Line ${index + 1} is not a sales order line.`);
    const input = raw as Record<string, unknown>;
    const itemCode = typeof input.ItemCode === 'string' ? input.ItemCode.trim() : '';
    if (!itemCode) throw new SageFault(FAULT_CODES.invalidValue, `Line ${index + 1}: the Item Code is required.`);
    this.checkLength('Item Code', itemCode, 'ItemCode');
    const item = this.requireItem(itemCode);
    const values = this.columns(input, 'SO_SalesOrderDetail', ['ItemCode', 'SalesOrderNo'], 'SO_SalesOrderDetail_bus');
    // ItemType belongs to the item code: a different one sent is ignored, as the code's type is loaded.
    const line: SageRow = { LineKey: String(index + 1).padStart(6, '0'), ...this.itemDefaults(itemCode, headerWarehouse), ...values, ItemType: item.ItemType };
    if (item.ItemType === '1') this.requireWarehouse(String(line.WarehouseCode));
    else line.WarehouseCode = '';
    if (item.ItemType === '4') Object.assign(line, { QuantityOrdered: 0, UnitPrice: 0 });
    const extension = Number(line.QuantityOrdered) * Number(line.UnitPrice) * (1 - Number(line.LineDiscountPercent) / 100);
    line.ExtensionAmt = round(extension, 2);
    line.QuantityShipped = 0;
    line.QuantityBackordered = 0;
    return line;
  }

  /** TaxableAmt, NonTaxableAmt and SalesTaxAmt from the schedule's rate and each line's item TaxClass. */
  private taxOf(schedule: string, lines: SageRow[], freight: number): SageRow {
    let taxable = 0;
    let nonTaxable = 0;
    for (const line of lines) {
      const amount = Number(line.ExtensionAmt ?? 0);
      if (this.items.get(String(line.ItemCode))?.TaxClass === 'TX') taxable += amount;
      else nonTaxable += amount;
    }
    const rule = schedule ? this.taxSchedules?.get(schedule) : undefined;
    const rate = rule?.TaxRate ?? 0;
    const taxedFreight = rule?.TaxFreight === 'Y' ? freight : 0;
    return {
      TaxableAmt: round(taxable + taxedFreight, 2),
      NonTaxableAmt: round(nonTaxable, 2),
      SalesTaxAmt: round(((taxable + taxedFreight) * rate) / 100, 2),
    };
  }

  private moveOnSalesOrder(lines: SageRow[], sign: 1 | -1, stamp: SageStamp, quantityOf = (line: SageRow) => Number(line.QuantityOrdered)): void {
    for (const line of lines) {
      if (line.ItemType !== '1') continue;
      const row = this.stockRow(String(line.ItemCode), String(line.WarehouseCode));
      row.QuantityOnSalesOrder = round(Math.max(0, row.QuantityOnSalesOrder + sign * quantityOf(line)), 6);
      Object.assign(row, stamp);
    }
  }

  /** Sales Order Entry's Delete: the order leaves the open file and its stock commitment; history keeps it as X. */
  deleteSalesOrder(salesOrderNo: string): void {
    const key = this.salesOrderKey(salesOrderNo);
    const order = this.salesOrders.get(key);
    if (!order) throw new SageFault(FAULT_CODES.noKey, `Sales order ${key} does not exist.`);
    this.requireUnlocked('SO_SalesOrderHeader', key);
    if ([...this.invoices.values()].some((invoice) => invoice.SalesOrderNo === key)) {
      throw new SageFault(FAULT_CODES.invalidValue, `Sales order ${key} has invoices in process and cannot be deleted.`);
    }
    const stamp = this.stamp();
    this.moveOnSalesOrder(order.Lines, -1, stamp, (line) => Number(line.QuantityOrdered) - Number(line.QuantityShipped ?? 0));
    this.salesOrders.delete(key);
    if (this.retainHistory) this.salesOrderHistory.set(key, { ...clone(order), OrderStatus: 'X', ...stamp });
  }

  // ---- invoices (SO_InvoiceHeader / Detail / Tracking, then AR_InvoiceHistory…) ----

  /**
   * Shipping and invoicing an order (Shipping Data Entry / Invoice Data Entry): an invoice for the quantities
   * shipped, with the package tracking numbers StarShip-like software writes. Partial shipments leave the rest open.
   */
  invoiceSalesOrder(request: InvoiceRequest): InvoiceWithLines {
    const key = this.salesOrderKey(request.salesOrderNo);
    const order = this.salesOrders.get(key);
    if (!order) throw new SageFault(FAULT_CODES.noKey, `Sales order ${key} does not exist.`);
    this.requireUnlocked('SO_SalesOrderHeader', key);
    const openOf = (line: SageRow) => round(Number(line.QuantityOrdered) - Number(line.QuantityShipped ?? 0), 6);
    const wanted = request.lines ?? order.Lines.filter((line) => openOf(line) > 0).map((line) => ({ itemCode: String(line.ItemCode), quantity: openOf(line) }));
    const shipped = new Map<SageRow, number>();
    for (const { itemCode, quantity } of wanted) {
      if (!(quantity > 0)) throw new SageFault(FAULT_CODES.invalidValue, `The quantity shipped for ${itemCode} must be greater than 0.`);
      const line = order.Lines.find((candidate) => candidate.ItemCode === itemCode && openOf(candidate) - (shipped.get(candidate) ?? 0) > 0);
      if (!line) throw new SageFault(FAULT_CODES.notOnFile, `Sales order ${key} has no open line for ${itemCode}.`);
      const quantityShipped = Math.min(quantity, openOf(line) - (shipped.get(line) ?? 0));
      shipped.set(line, (shipped.get(line) ?? 0) + quantityShipped);
    }
    if (shipped.size === 0) throw new SageFault(FAULT_CODES.invalidValue, `Sales order ${key} has nothing left to ship.`);

    const stamp = this.stamp();
    const invoiceNo = String(this.nextInvoiceNo++).padStart(7, '0');
    const lines: SageRow[] = [];
    for (const [line, quantity] of shipped) {
      line.QuantityShipped = round(Number(line.QuantityShipped ?? 0) + quantity, 6);
      const udfs = Object.fromEntries(Object.entries(line).filter(([name]) => name.startsWith('UDF_')));
      lines.push({
        InvoiceNo: invoiceNo,
        DetailSeqNo: String(lines.length + 1).padStart(6, '0'),
        SalesOrderLineKey: String(line.LineKey),
        ItemCode: String(line.ItemCode),
        ItemType: String(line.ItemType),
        ItemCodeDesc: String(line.ItemCodeDesc ?? ''),
        WarehouseCode: String(line.WarehouseCode ?? ''),
        QuantityOrdered: Number(line.QuantityOrdered),
        QuantityShipped: quantity,
        UnitPrice: Number(line.UnitPrice),
        ExtensionAmt: round(quantity * Number(line.UnitPrice) * (1 - Number(line.LineDiscountPercent ?? 0) / 100), 2),
        ...udfs,
      });
    }
    order.OrderStatus = 'O';
    Object.assign(order, stamp);
    const udfs = Object.fromEntries(Object.entries(order).filter(([name]) => name.startsWith('UDF_')));
    const invoice: InvoiceWithLines = {
      InvoiceNo: invoiceNo,
      InvoiceDate: stamp.DateUpdated,
      InvoiceType: 'IN',
      SalesOrderNo: key,
      CustomerPONo: order.CustomerPONo,
      ARDivisionNo: order.ARDivisionNo,
      CustomerNo: order.CustomerNo,
      ShipDate: stamp.DateUpdated,
      ShipVia: String(order.ShipVia ?? ''),
      FreightAmt: [...this.invoices.values(), ...this.invoiceHistory.values()].some((other) => other.SalesOrderNo === key) ? 0 : Number(order.FreightAmt ?? 0),
      ...udfs,
      DateCreated: stamp.DateUpdated,
      TimeCreated: stamp.TimeUpdated,
      ...stamp,
      Lines: lines,
      Tracking: (request.trackingNumbers ?? []).map((trackingId, index) => ({ InvoiceNo: invoiceNo, PackageNo: String(index + 1).padStart(4, '0'), TrackingID: trackingId })),
    };
    this.invoices.set(invoiceNo, invoice);
    return clone(invoice);
  }

  /**
   * The Daily Sales Reports/Journal update: open invoices post to AR invoice history and take their quantities
   * off hand and off sales order; a fully shipped order leaves the open file (SO history keeps it as C).
   */
  dailySalesJournalUpdate(): { invoicesPosted: string[]; ordersCompleted: string[] } {
    const stamp = this.stamp();
    const invoicesPosted: string[] = [];
    for (const [invoiceNo, invoice] of this.invoices) {
      for (const line of invoice.Lines) {
        if (line.ItemType !== '1') continue;
        const row = this.stockRow(String(line.ItemCode), String(line.WarehouseCode));
        row.QuantityOnHand = round(row.QuantityOnHand - Number(line.QuantityShipped), 6);
        row.QuantityOnSalesOrder = round(Math.max(0, row.QuantityOnSalesOrder - Number(line.QuantityShipped)), 6);
        Object.assign(row, stamp);
      }
      this.invoiceHistory.set(invoiceNo, { ...invoice, ...stamp });
      this.invoices.delete(invoiceNo);
      invoicesPosted.push(invoiceNo);
    }
    const ordersCompleted: string[] = [];
    for (const [salesOrderNo, order] of this.salesOrders) {
      const complete = order.Lines.every((line) => line.ItemType === '4' || Number(line.QuantityShipped ?? 0) >= Number(line.QuantityOrdered));
      const invoiced = [...this.invoiceHistory.values()].some((invoice) => invoice.SalesOrderNo === salesOrderNo);
      if (!complete || !invoiced) continue;
      this.salesOrders.delete(salesOrderNo);
      if (this.retainHistory) this.salesOrderHistory.set(salesOrderNo, { ...clone(order), OrderStatus: 'C', ...stamp });
      ordersCompleted.push(salesOrderNo);
    }
    return { invoicesPosted, ordersCompleted };
  }

  /** Open invoices (not yet posted), by InvoiceNo. */
  listInvoices(): InvoiceWithLines[] {
    return [...this.invoices.values()].sort(byKey((i) => i.InvoiceNo)).map(clone);
  }

  listInvoiceHistory(): InvoiceWithLines[] {
    return [...this.invoiceHistory.values()].sort(byKey((i) => i.InvoiceNo)).map(clone);
  }

  listSalesOrderHistory(): SalesOrderWithLines[] {
    return [...this.salesOrderHistory.values()].sort(byKey((o) => o.SalesOrderNo)).map(clone);
  }

  listSalesOrders(): SalesOrderWithLines[] {
    return [...this.salesOrders.values()].sort(byKey((o) => o.SalesOrderNo)).map(clone);
  }

  listCustomers(): CustomerRecord[] {
    return [...this.customers.values()].sort(byKey((c) => `${c.ARDivisionNo}-${c.CustomerNo}`)).map(clone);
  }

  listPriceCodes(itemCode?: string): PriceCodeRecord[] {
    return [...this.priceCodes.values()].filter((row) => itemCode === undefined || row.ItemCode === itemCode).map(clone);
  }

  /**
   * A table's rows as stored, ordered by its primary key, for the BOI objects' browsing (./boi.ts). They are the
   * company's own rows, not copies: the BOI layer only reads them.
   */
  rows(table: BoiTable): readonly SageRow[] {
    const cached = this.sortedRows.get(table);
    if (cached && cached.version === this.writeVersion) return cached.rows;
    const rows = this.sortRows(table);
    this.sortedRows.set(table, { version: this.writeVersion, rows });
    return rows;
  }

  /** The columns a table's rows (or their lines) hold, `$` on text ones: what `sGetColumns` answers. */
  columnsOf(table: BoiTable, ofLines: boolean, keys: string[]): string[] {
    const cacheKey = `${table} ${ofLines}`;
    const cached = this.columnLists.get(cacheKey);
    if (cached && cached.version === this.writeVersion) return cached.columns;
    const rows = this.rows(table);
    const samples = ofLines ? rows.flatMap((row) => (row.Lines as unknown as SageRow[] | undefined) ?? []) : rows;
    const kinds = new Map<string, boolean>(ofLines ? [] : keys.map((key) => [key, true]));
    for (const sample of samples) {
      for (const [name, value] of Object.entries(sample)) {
        if (name !== 'Lines' && name !== 'Tracking' && !kinds.has(name)) kinds.set(name, typeof value !== 'number');
      }
    }
    const columns = [...kinds].map(([name, text]) => (text ? `${name}$` : name));
    this.columnLists.set(cacheKey, { version: this.writeVersion, columns });
    return columns;
  }

  /** The rows of an item in a table keyed by ItemCode first (IM_ItemWarehouse, IM_PriceCode), by index. */
  rowsOfItem(table: BoiTable, itemCode: string): readonly SageRow[] {
    if (table === 'IM_ItemWarehouse') return [...(this.itemWarehousesByItem.get(itemCode) ?? [])].sort(byKey((r) => r.WarehouseCode));
    return this.rows(table).filter((row) => row.ItemCode === itemCode);
  }

  /** One row by its key columns (trailing spaces ignored), by index where the table has one. */
  findRow(table: BoiTable, key: Record<string, string>): SageRow | undefined {
    const value = (column: string) => (key[column] ?? '').trim();
    switch (table) {
      case 'CI_Item':
        return this.items.get(value('ItemCode'));
      case 'SO_SalesOrderHeader':
      case 'SO_SalesOrderHistoryHeader': {
        let number = value('SalesOrderNo');
        if (/^\d+$/.test(number)) number = number.padStart(this.lengths.SalesOrderNo, '0');
        return (table === 'SO_SalesOrderHeader' ? this.salesOrders : this.salesOrderHistory).get(number) as SageRow | undefined;
      }
      case 'AR_Customer': {
        try {
          return this.customers.get(this.customerKey(value('ARDivisionNo'), value('CustomerNo')));
        } catch {
          return undefined;
        }
      }
      default:
        return this.rows(table).find((row) => Object.keys(key).every((column) => String(row[column] ?? '').trim() === value(column)));
    }
  }

  private sortRows(table: BoiTable): SageRow[] {
    const sorted = <T extends SageRow>(rows: Iterable<T>, key: (row: T) => string) => [...rows].sort(byKey(key));
    switch (table) {
      case 'AR_Customer':
        return sorted(this.customers.values(), (c) => `${c.ARDivisionNo}\u0000${c.CustomerNo}`);
      case 'SO_SalesOrderHeader':
        return sorted(this.salesOrders.values() as Iterable<SageRow & SalesOrderWithLines>, (o) => o.SalesOrderNo);
      case 'SO_SalesOrderHistoryHeader':
        return sorted(this.salesOrderHistory.values() as Iterable<SageRow & SalesOrderWithLines>, (o) => o.SalesOrderNo);
      case 'SO_InvoiceHeader':
        return sorted(this.invoices.values() as Iterable<SageRow & InvoiceWithLines>, (i) => i.InvoiceNo);
      case 'AR_InvoiceHistoryHeader':
        return sorted(this.invoiceHistory.values() as Iterable<SageRow & InvoiceWithLines>, (i) => i.InvoiceNo);
      case 'SO_InvoiceTracking':
        return [...this.invoices.values()].flatMap((invoice) => invoice.Tracking);
      case 'AR_InvoiceHistoryTracking':
        return [...this.invoiceHistory.values()].flatMap((invoice) => invoice.Tracking);
      case 'CI_Item':
        return sorted(this.items.values(), (i) => i.ItemCode);
      case 'IM_ItemWarehouse':
        return sorted(this.itemWarehouses.values(), (r) => `${r.ItemCode}\u0000${r.WarehouseCode}`);
      case 'IM_PriceCode':
        return sorted(this.priceCodes.values(), (r) => `${r.ItemCode}\u0000${r.CustomerPriceLevel}\u0000${r.PriceCode}`);
    }
  }

  /** The next `count` BOI calls throw, as a COM call does when pvxcom fails (the agent must drop that session). */
  failBoiCalls(count: number, message = 'ProvideX COM error: the object is no longer valid'): void {
    this.boiFailures = { count, message };
  }

  /** Called by every emulated BOI call; throws while injected failures remain. */
  boiCall(): void {
    if (this.boiFailures.count <= 0) return;
    this.boiFailures.count -= 1;
    throw new Error(this.boiFailures.message);
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
      sageVersion: this.sageVersion,
      nextSalesOrderNo: this.nextSalesOrderNo,
      nextCustomerNo: this.nextCustomerNo,
      nextInvoiceNo: this.nextInvoiceNo,
      zipCodes: this.zipCodes ? [...this.zipCodes].sort() : null,
      taxSchedules: this.taxSchedules ? [...this.taxSchedules.values()].sort(byKey((t) => t.TaxSchedule)).map(clone) : null,
      warehouses: [...this.warehouseCodes].sort(),
      customers: this.listCustomers(),
      salesOrders: this.listSalesOrders(),
      salesOrderHistory: this.listSalesOrderHistory(),
      invoices: this.listInvoices(),
      invoiceHistory: this.listInvoiceHistory(),
      items: [...this.items.values()].sort(byKey((i) => i.ItemCode)).map(clone),
      priceCodes: this.listPriceCodes(),
      itemWarehouses: this.listStock(),
    };
  }

  // ---- rules ----

  /** Every write stamps its rows: the stamp also tells the BOI layer's sorted views that the data changed. */
  private stamp(): SageStamp {
    this.writeVersion += 1;
    return stampOf(this.now());
  }

  private lastChange(item: ItemRecord): SageStamp {
    let newest: SageStamp = { DateUpdated: item.DateUpdated, TimeUpdated: item.TimeUpdated };
    for (const row of this.itemWarehousesByItem.get(item.ItemCode) ?? []) {
      if (compareStamps(row, newest) > 0) newest = { DateUpdated: row.DateUpdated, TimeUpdated: row.TimeUpdated };
    }
    return newest;
  }

  requireItem(itemCode: string): ItemRecord {
    const item = this.items.get(itemCode);
    if (!item) throw new SageFault(FAULT_CODES.notOnFile, `The Item Code ${itemCode} is not on file.`);
    return item;
  }

  requireWarehouse(code: string): void {
    if (!this.warehouseCodes.has(code)) throw new SageFault(FAULT_CODES.notOnFile, `The Warehouse Code ${code} is not on file.`);
  }

  requireUnlocked(table: string, key: string): void {
    const message = this.lockedBy(table, key);
    if (message) throw new SageFault(FAULT_CODES.locked, message);
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

  private checkLength(label: string, value: string, length: LengthKey): void {
    const max = this.lengths[length];
    if (value.length > max) throw new SageFault(FAULT_CODES.tooLong, `The ${label} is greater than ${max} character(s).`);
  }

  private checkZip(object: string, column: string, zip: SageValue | undefined): void {
    if (!this.zipCodes || zip === undefined || zip === '') return;
    if (!this.zipCodes.has(String(zip))) {
      throw new SageFault(FAULT_CODES.notOnFile, `Could not set ${object} column ${column}$: The ZIP Code ${zip} is not on file.`);
    }
  }

  private checkTaxSchedule(schedule: SageValue): void {
    if (!this.taxSchedules || schedule === '') return;
    if (!this.taxSchedules.has(String(schedule))) throw new SageFault(FAULT_CODES.notOnFile, `The Tax Schedule ${schedule} is not on file.`);
  }

  /** SalesOrderNo: 7 characters, upper case; an all-digit number is zero-filled to 7 as Sage masks it. */
  salesOrderKey(value: unknown): string {
    const raw = typeof value === 'string' ? value.trim() : '';
    if (!raw) throw new SageFault(FAULT_CODES.invalidKey, 'The Sales Order Number is required.');
    const max = this.lengths.SalesOrderNo;
    if (raw.length > max) throw new SageFault(FAULT_CODES.tooLong, `The Sales Order Number is greater than ${max} character(s).`);
    if (!/^[A-Z0-9]+$/.test(raw)) throw new SageFault(FAULT_CODES.invalidKey, `The Sales Order Number ${raw} must be upper-case letters and digits.`);
    return /^\d+$/.test(raw) ? raw.padStart(max, '0') : raw;
  }

  /** ARDivisionNo: exactly 2 digits. CustomerNo: up to 20 upper-case characters; all digits zero-filled to 7. */
  customerKey(division: unknown, customer: unknown): string {
    const ar = typeof division === 'string' ? division : '';
    if (!/^\d{2}$/.test(ar)) throw new SageFault(FAULT_CODES.invalidKey, `The AR Division Number "${ar}" must be two digits, e.g. 00.`);
    const no = typeof customer === 'string' ? customer.trim() : '';
    if (!no) throw new SageFault(FAULT_CODES.invalidKey, 'The Customer Number is required.');
    const max = this.lengths.CustomerNo;
    if (no.length > max) throw new SageFault(FAULT_CODES.tooLong, `The Customer Number is greater than ${max} character(s).`);
    if (no !== no.toUpperCase() || !/^[A-Z0-9\-_.&/ ]+$/.test(no)) {
      throw new SageFault(FAULT_CODES.invalidKey, `The Customer Number ${no} must be upper case (letters, digits and - _ . & /).`);
    }
    return `${ar}-${/^\d{1,7}$/.test(no) ? no.padStart(7, '0') : no}`;
  }

  /** The writable columns of `input`, each checked as `checkColumn` does. */
  private columns(input: Record<string, unknown>, table: string, keys: string[], object: string): SageRow {
    const out: SageRow = {};
    for (const [name, value] of Object.entries(input)) {
      if (keys.includes(name) || value === undefined || value === null) continue;
      out[name] = this.checkColumn(table, object, name, value);
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
    if (column.length) this.checkLength(column.label, value, column.length);
    if (column.oneOf && !column.oneOf.includes(value)) {
      throw new SageFault(FAULT_CODES.invalidValue, `The ${column.label} failed validation on ${column.oneOf.join(',')}.`);
    }
    return toWindows1252(value);
  }
}
