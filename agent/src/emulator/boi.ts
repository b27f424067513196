import { PVX_SEP, type BoiRef, type BoiValue, type BusinessObject, type LinesObject, type PvxScript, type SySession } from '../boi/types';
import { parseBrowseFilter, type BrowseFilter } from './browse-filter';
import type { BoiTable, CustomerRecord, SageCompany, SageRow } from './company';
import { SageFault } from './sage-fault';

/**
 * The BOI emulator's root: `ProvideX.Script` over one SageCompany, behaving as the Business Object Interface does
 * (../shared/docs/sage100-api.md §4): return codes 1 / −1 / 0 with `sLastErrorMsg` (on the lines object for line
 * errors), `nSetKey` 2 new / 1 existing, `$` on string columns, values read back padded with trailing spaces to the
 * column's length, the division resolved when CustomerNo is set (so ARDivisionNo must come first), ItemCode loading
 * the item's defaults over anything set on the line before it, a business object refused without a session
 * program (COM error 90), records open in the desktop refused as locked, and the duplicate customer PO answered
 * with a warning (−1). The agent's Sage logic sees only the interface in ../boi/types.ts.
 */

export interface EmulatorRootOptions {
  /** The Sage logon this root accepts in `nSetUser` (any non-empty one when absent). */
  user?: string;
  password?: string;
}

/** Business object classes and the table each reads; `write` marks the `_bus` objects this emulator can commit. */
const OBJECTS: Record<string, { table: BoiTable; task: string; lines?: boolean; keys: string[] }> = {
  AR_Customer_bus: { table: 'AR_Customer', task: 'AR_Customer_ui', keys: ['ARDivisionNo', 'CustomerNo'] },
  AR_Customer_svc: { table: 'AR_Customer', task: 'AR_Customer_ui', keys: ['ARDivisionNo', 'CustomerNo'] },
  SO_SalesOrder_bus: { table: 'SO_SalesOrderHeader', task: 'SO_SalesOrder_ui', lines: true, keys: ['SalesOrderNo'] },
  SO_SalesOrderHistoryInquiry_svc: { table: 'SO_SalesOrderHistoryHeader', task: 'SO_SalesOrderHistoryInquiry_ui', lines: true, keys: ['SalesOrderNo'] },
  SO_Invoice_svc: { table: 'SO_InvoiceHeader', task: 'SO_Invoice_ui', lines: true, keys: ['InvoiceNo'] },
  SO_InvoiceTracking_svc: { table: 'SO_InvoiceTracking', task: 'SO_Invoice_ui', keys: ['InvoiceNo', 'PackageNo'] },
  AR_InvoiceHistoryInquiry_bus: { table: 'AR_InvoiceHistoryHeader', task: 'AR_InvoiceHistoryInquiry_ui', lines: true, keys: ['InvoiceNo'] },
  AR_InvoiceHistoryTracking_svc: { table: 'AR_InvoiceHistoryTracking', task: 'AR_InvoiceHistoryInquiry_ui', keys: ['InvoiceNo', 'PackageNo'] },
  CI_ItemCode_svc: { table: 'CI_Item', task: 'CI_ItemCode_ui', keys: ['ItemCode'] },
  IM_ItemWarehouse_svc: { table: 'IM_ItemWarehouse', task: 'CI_ItemCode_ui', keys: ['ItemCode', 'WarehouseCode'] },
  IM_PriceCode_svc: { table: 'IM_PriceCode', task: 'CI_ItemCode_ui', keys: ['ItemCode', 'CustomerPriceLevel', 'PriceCode'] },
};

const TASKS = [...new Set(Object.values(OBJECTS).map((o) => o.task))];
const MODULES = new Set(['A/R', 'S/O', 'C/I', 'I/M']);
/** The duplicate customer PO warning (KDUPLICATEPO), Sage's wording. */
export const DUPLICATE_PO_WARNING = 'This customer PO number already exists on one or more sales orders or invoices.';

const isText = (column: string) => column.endsWith('$');
const bare = (column: string) => column.replace(/\$$/, '');

/** Reading and writing of one record in memory, with Sage's return codes and last error. */
abstract class Record_ {
  protected lastError = '';
  protected current: SageRow | undefined;

  constructor(
    protected readonly company: SageCompany,
    protected readonly table: string,
  ) {}

  protected fail(message: string): number {
    this.lastError = message;
    return 0;
  }

  protected ok(): number {
    this.lastError = '';
    return 1;
  }

  async sLastErrorMsg(): Promise<string> {
    return this.lastError;
  }

  async DropObject(): Promise<void> {
    this.current = undefined;
  }

  async nGetColumnLength(column: string): Promise<number> {
    return this.company.columnLength(this.table, bare(column)) ?? 0;
  }

  async nGetValue(column: string, value: BoiRef): Promise<number> {
    this.company.boiCall();
    if (!this.current) return this.fail('No record is loaded.');
    const stored = this.current[bare(column)];
    if (isText(column)) {
      if (typeof stored === 'number') return this.fail(`${column} is not a string column.`);
      const length = this.company.columnLength(this.table, bare(column));
      const text = stored ?? '';
      value.value = length && text.length < length ? text.padEnd(length, ' ') : text;
    } else {
      if (typeof stored === 'string') return this.fail(`${column} is a string column: use ${column}$.`);
      value.value = stored ?? 0;
    }
    return this.ok();
  }
}

/** A browsable, keyed view of one table: the `_svc` objects, and the reading side of the `_bus` ones. */
class TableObject extends Record_ implements BusinessObject {
  private filter: BrowseFilter | undefined;
  private cursor: readonly SageRow[] = [];
  private position = 0;
  protected keyValues: Record<string, string> = {};

  constructor(
    company: SageCompany,
    protected readonly className: string,
    protected readonly definition: { table: BoiTable; lines?: boolean; keys: string[] },
  ) {
    super(company, definition.table);
  }

  async nSetKeyValue(column: string, value: BoiValue): Promise<number> {
    this.company.boiCall();
    if (!this.definition.keys.includes(bare(column))) return this.fail(`${bare(column)} is not a key column of ${this.definition.table}.`);
    this.keyValues[bare(column)] = String(value);
    return this.ok();
  }

  /** The stored row with the key values set (or `key`, the whole key as one string). */
  protected lookup(key?: string): SageRow | undefined {
    const wanted = key !== undefined ? { [this.definition.keys[0] as string]: key } : this.keyValues;
    return this.company.findRow(this.definition.table, wanted);
  }

  async nSetKey(key?: string): Promise<number> {
    return this.nFind(key);
  }

  async nFind(key?: string): Promise<number> {
    this.company.boiCall();
    const row = this.lookup(key);
    this.current = row;
    return row ? this.ok() : this.fail(`The record is not on file.`);
  }

  async nDelete(_key?: string): Promise<number> {
    return this.fail(`${this.className} is read only.`);
  }

  async nClear(): Promise<number> {
    this.current = undefined;
    this.keyValues = {};
    return this.ok();
  }

  async nSetValue(column: string, _value: BoiValue): Promise<number> {
    this.company.boiCall();
    return this.fail(`${this.className} is read only: ${bare(column)} cannot be set.`);
  }

  async nWrite(): Promise<number> {
    return this.fail(`${this.className} is read only.`);
  }

  async nSetBrowseFilter(filter: string): Promise<number> {
    this.company.boiCall();
    try {
      this.filter = filter.trim() === '' ? undefined : parseBrowseFilter(filter);
      return this.ok();
    } catch (err) {
      return this.fail((err as Error).message);
    }
  }

  async nMoveFirst(): Promise<number> {
    this.company.boiCall();
    const itemCode = this.filter?.equals.ItemCode;
    const rows = typeof itemCode === 'string' ? this.company.rowsOfItem(this.definition.table, itemCode) : this.company.rows(this.definition.table);
    this.cursor = this.filter ? rows.filter(this.filter.test) : rows;
    this.position = 0;
    this.current = this.cursor[0];
    return this.current ? this.ok() : 0;
  }

  async nMoveNext(): Promise<number> {
    this.company.boiCall();
    this.position += 1;
    this.current = this.cursor[this.position];
    return this.current ? this.ok() : 0;
  }

  async nEOF(): Promise<number> {
    return this.position >= this.cursor.length ? 1 : 0;
  }

  /** The columns the table's rows hold (its lines' with a detail table's name), `$` on text ones. */
  async sGetColumns(table?: string): Promise<string> {
    this.company.boiCall();
    const ofLines = table !== undefined && table !== this.definition.table;
    return this.company.columnsOf(this.definition.table, ofLines, this.definition.keys).join(PVX_SEP);
  }

  async oLines(): Promise<LinesObject> {
    if (!this.definition.lines) throw new Error(`${this.className} has no lines`);
    return new LinesReader(this.company, `${this.definition.table}Detail`, () => (this.current?.Lines as unknown as SageRow[] | undefined) ?? []);
  }
}

/** The lines of the loaded document, read with nMoveFirst/nMoveNext (read-only documents). */
class LinesReader extends Record_ implements LinesObject {
  private position = 0;

  constructor(
    company: SageCompany,
    table: string,
    private readonly lines: () => SageRow[],
  ) {
    super(company, table.replace('HeaderDetail', 'Detail'));
  }

  async nMoveFirst(): Promise<number> {
    this.company.boiCall();
    this.position = 0;
    this.current = this.lines()[0];
    return this.current ? this.ok() : 0;
  }

  async nMoveNext(): Promise<number> {
    this.company.boiCall();
    this.position += 1;
    this.current = this.lines()[this.position];
    return this.current ? this.ok() : 0;
  }

  async nEOF(): Promise<number> {
    return this.position >= this.lines().length ? 1 : 0;
  }

  async nAddLine(): Promise<number> {
    return this.fail('These lines are read only.');
  }

  async nSetValue(): Promise<number> {
    return this.fail('These lines are read only.');
  }

  async nWrite(): Promise<number> {
    return this.fail('These lines are read only.');
  }

  async nDelete(): Promise<number> {
    return this.fail('These lines are read only.');
  }
}

/** AR_Customer_bus: create (nSetKey 2) or change (nSetKey 1) one customer, committed by nWrite. */
class CustomerBus extends TableObject {
  private isNew = false;
  private keyed = false;
  private changes: SageRow = {};

  override async nFind(key?: string): Promise<number> {
    this.keyed = false;
    return super.nFind(key);
  }

  override async nClear(): Promise<number> {
    this.keyed = false;
    return super.nClear();
  }

  override async nSetKey(): Promise<number> {
    this.company.boiCall();
    let key: string;
    try {
      key = this.company.customerKey(this.keyValues.ARDivisionNo ?? '', this.keyValues.CustomerNo ?? '');
    } catch (err) {
      return this.fail((err as Error).message);
    }
    const [ARDivisionNo, CustomerNo] = key.split('-') as [string, string];
    const locked = this.company.lockedBy('AR_Customer', key);
    if (locked) return this.fail(locked);
    const existing = this.company.findCustomer(ARDivisionNo, CustomerNo);
    this.changes = {};
    this.isNew = !existing;
    this.keyed = true;
    this.current = existing ?? { ARDivisionNo, CustomerNo };
    this.lastError = '';
    return existing ? 1 : 2;
  }

  override async nSetValue(column: string, value: BoiValue): Promise<number> {
    this.company.boiCall();
    if (!this.current || !this.keyed) return this.fail('No record is loaded for writing: call nSetKey first.');
    const name = bare(column);
    if (name === 'ARDivisionNo' || name === 'CustomerNo') return this.fail(`${name} is a key column: use nSetKeyValue.`);
    try {
      const def = this.company.columnDef('AR_Customer', name);
      if (def && (def.kind === 'number') === isText(column)) return this.fail(`${column} does not match the column's type.`);
      const stored = this.company.checkColumn('AR_Customer', 'AR_Customer_bus', name, value);
      this.current[name] = stored;
      this.changes[name] = stored;
      return this.ok();
    } catch (err) {
      return this.fail((err as Error).message);
    }
  }

  override async nWrite(): Promise<number> {
    this.company.boiCall();
    if (!this.current || !this.keyed) return this.fail('No record is loaded for writing: call nSetKey first.');
    const keys = { ARDivisionNo: String(this.current.ARDivisionNo), CustomerNo: String(this.current.CustomerNo) };
    try {
      const written: CustomerRecord = this.isNew ? this.company.createCustomer({ ...this.changes, ...keys }) : this.company.updateCustomer({ ...this.changes, ...keys });
      this.current = written;
      this.isNew = false;
      this.changes = {};
      return this.ok();
    } catch (err) {
      if (!(err instanceof SageFault)) throw err;
      return this.fail(err.message);
    }
  }
}

/** SO_SalesOrder_bus: creates an order (nSetKey 2), header then lines, committed whole by nWrite; deletes one. */
class SalesOrderBus extends TableObject {
  private header: SageRow | undefined;
  private lines: SageRow[] = [];
  private linesObject: SalesOrderLines | undefined;

  override async nSetKey(key?: string): Promise<number> {
    this.company.boiCall();
    let salesOrderNo: string;
    try {
      salesOrderNo = this.company.salesOrderKey(key ?? this.keyValues.SalesOrderNo ?? '');
    } catch (err) {
      return this.fail((err as Error).message);
    }
    const locked = this.company.lockedBy('SO_SalesOrderHeader', salesOrderNo);
    if (locked) return this.fail(locked);
    const existing = this.company.findSalesOrder(salesOrderNo);
    this.lines = [];
    this.lastError = '';
    if (existing) {
      this.header = undefined;
      this.current = existing as unknown as SageRow;
      return 1;
    }
    this.header = { SalesOrderNo: salesOrderNo };
    this.current = this.header;
    return 2;
  }

  override async nClear(): Promise<number> {
    this.header = undefined;
    this.lines = [];
    return super.nClear();
  }

  override async nSetValue(column: string, value: BoiValue): Promise<number> {
    this.company.boiCall();
    const header = this.header;
    if (!header) return this.fail(this.current ? 'This emulator does not change existing orders.' : 'No record is loaded: call nSetKey first.');
    const name = bare(column);
    try {
      if (name === 'ARDivisionNo') {
        if (!/^\d{2}$/.test(String(value))) return this.fail(`The AR Division Number "${String(value)}" must be two digits, e.g. 00.`);
        header.ARDivisionNo = String(value);
        return this.ok();
      }
      if (name === 'CustomerNo') {
        // The customer is looked up in the division set at this moment ("00" when none was set yet).
        const division = String(header.ARDivisionNo ?? '00');
        const customer = this.company.findCustomer(division, String(value));
        if (!customer) return this.fail(`The Customer Number ${division}-${String(value)} is not on file.`);
        Object.assign(header, this.company.customerDefaults(customer));
        return this.ok();
      }
      const def = this.company.columnDef('SO_SalesOrderHeader', name);
      if (def && (def.kind === 'number') === isText(column)) return this.fail(`${column} does not match the column's type.`);
      const stored = this.company.checkColumn('SO_SalesOrderHeader', 'SO_SalesOrder_bus', name, value);
      header[name] = stored;
      if (name === 'CustomerPONo' && header.CustomerNo !== undefined) {
        if (this.company.duplicatePO(String(header.ARDivisionNo), String(header.CustomerNo), String(stored), String(header.SalesOrderNo))) {
          this.lastError = DUPLICATE_PO_WARNING;
          return -1;
        }
      }
      return this.ok();
    } catch (err) {
      if (!(err instanceof SageFault)) throw err;
      return this.fail(err.message);
    }
  }

  override async oLines(): Promise<LinesObject> {
    if (this.header) {
      this.linesObject ??= new SalesOrderLines(this.company, () => this.header, this.lines);
      this.linesObject.reset(this.lines);
      return this.linesObject;
    }
    return super.oLines();
  }

  override async nWrite(): Promise<number> {
    this.company.boiCall();
    if (!this.header) return this.fail('No new order is in memory: call nSetKey first.');
    try {
      const stored = this.company.createSalesOrder({ ...this.header, Lines: this.lines });
      this.header = undefined;
      this.lines = [];
      this.current = stored as unknown as SageRow;
      return this.ok();
    } catch (err) {
      if (!(err instanceof SageFault)) throw err;
      return this.fail(err.message);
    }
  }

  override async nDelete(key?: string): Promise<number> {
    this.company.boiCall();
    try {
      this.company.deleteSalesOrder(key ?? this.keyValues.SalesOrderNo ?? String(this.current?.SalesOrderNo ?? ''));
      this.current = undefined;
      return this.ok();
    } catch (err) {
      if (!(err instanceof SageFault)) throw err;
      return this.fail(err.message);
    }
  }
}

/** `oLines` of a new order: nAddLine, ItemCode first (it loads the item's defaults), nWrite into the order. */
class SalesOrderLines extends Record_ implements LinesObject {
  private lines: SageRow[] = [];
  private pending: SageRow | undefined;
  private position = 0;

  constructor(
    company: SageCompany,
    private readonly header: () => SageRow | undefined,
    lines: SageRow[],
  ) {
    super(company, 'SO_SalesOrderDetail');
    this.lines = lines;
  }

  reset(lines: SageRow[]): void {
    this.lines = lines;
    this.pending = undefined;
  }

  async nAddLine(): Promise<number> {
    this.company.boiCall();
    this.pending = {};
    this.current = this.pending;
    return this.ok();
  }

  async nSetValue(column: string, value: BoiValue): Promise<number> {
    this.company.boiCall();
    const line = this.pending;
    if (!line) return this.fail('No line is in memory: call nAddLine first.');
    const name = bare(column);
    try {
      if (name === 'ItemCode') {
        const code = String(value).trim();
        // Loading the item replaces whatever was set on the line before: price, warehouse, description.
        for (const key of Object.keys(line)) delete line[key];
        Object.assign(line, this.company.itemDefaults(code, String(this.header()?.WarehouseCode ?? '')));
        return this.ok();
      }
      const def = this.company.columnDef('SO_SalesOrderDetail', name);
      if (def && (def.kind === 'number') === isText(column)) return this.fail(`${column} does not match the column's type.`);
      const stored = this.company.checkColumn('SO_SalesOrderDetail', 'SO_SalesOrderDetail_bus', name, value);
      if (name === 'WarehouseCode' && stored !== '') this.company.requireWarehouse(String(stored));
      line[name] = stored;
      return this.ok();
    } catch (err) {
      if (!(err instanceof SageFault)) throw err;
      return this.fail(err.message);
    }
  }

  async nWrite(): Promise<number> {
    this.company.boiCall();
    if (!this.pending) return this.fail('No line is in memory: call nAddLine first.');
    if (!this.pending.ItemCode) return this.fail('The Item Code is required.');
    this.lines.push(this.pending);
    this.pending = undefined;
    return this.ok();
  }

  async nDelete(): Promise<number> {
    this.pending = undefined;
    return this.ok();
  }

  async nMoveFirst(): Promise<number> {
    this.position = 0;
    this.current = this.lines[0];
    return this.current ? 1 : 0;
  }

  async nMoveNext(): Promise<number> {
    this.position += 1;
    this.current = this.lines[this.position];
    return this.current ? 1 : 0;
  }

  async nEOF(): Promise<number> {
    return this.position >= this.lines.length ? 1 : 0;
  }
}

class EmulatedSession implements SySession {
  user = '';
  companyCode = '';
  module = '';
  program = 0;
  private lastError = '';
  private dropped = false;

  constructor(
    private readonly company: SageCompany,
    private readonly options: EmulatorRootOptions,
  ) {}

  private answer(ok: boolean, message: string): number {
    this.lastError = ok ? '' : message;
    return ok ? 1 : 0;
  }

  async sLastErrorMsg(): Promise<string> {
    return this.lastError;
  }

  async DropObject(): Promise<void> {
    this.dropped = true;
  }

  async nLogon(): Promise<number> {
    this.company.boiCall();
    // No Windows-integrated logon in the emulator: the agent goes on with nSetUser.
    return this.answer(false, 'Integrated logon is not available.');
  }

  async nSetUser(user: string, password: string): Promise<number> {
    this.company.boiCall();
    const expected = this.options.user === undefined || (user.toUpperCase() === this.options.user.toUpperCase() && password === this.options.password);
    const ok = user !== '' && expected;
    if (ok) this.user = user;
    return this.answer(ok, 'Invalid user logon or password.');
  }

  async nSetCompany(companyCode: string): Promise<number> {
    this.company.boiCall();
    if (!this.user) return this.answer(false, 'No user is logged on.');
    const ok = companyCode.toUpperCase() === this.company.companyCode;
    if (ok) this.companyCode = this.company.companyCode;
    return this.answer(ok, `Company ${companyCode} is not on file.`);
  }

  async nSetDate(module: string, date: string): Promise<number> {
    return this.answer(MODULES.has(module) && /^\d{8}$/.test(date), `The date ${date} for ${module} is not valid.`);
  }

  async nSetModule(module: string): Promise<number> {
    const ok = MODULES.has(module);
    if (ok) this.module = module;
    return this.answer(ok, `Module ${module} is not installed.`);
  }

  async nLookupTask(task: string): Promise<number> {
    const index = TASKS.indexOf(task);
    return index < 0 ? 0 : index + 100;
  }

  async nSetProgram(taskId: number): Promise<number> {
    const ok = taskId >= 100 && taskId < 100 + TASKS.length;
    if (ok) this.program = taskId;
    return this.answer(ok, `Task ${taskId} is not on file.`);
  }

  async nCleanup(): Promise<number> {
    return 1;
  }

  async sCompanyName(): Promise<string> {
    this.company.boiCall();
    return this.company.companyName;
  }

  async sVersion(): Promise<string> {
    this.company.boiCall();
    return this.company.sageVersion;
  }

  /** `NewObject` rules: a live session with a company, and for a `_bus` object a program (else COM error 90). */
  check(className: string): void {
    if (this.dropped) throw new Error('ProvideX COM error: the session object was dropped');
    if (!this.companyCode) throw new Error(`NewObject(${className}): no company is set on the session`);
    if (className.endsWith('_bus') && this.program === 0) throw new Error(`NewObject(${className}): Error 90 (no program set: call nSetProgram first)`);
  }
}

class EmulatedScript implements PvxScript {
  private home = '';

  constructor(
    private readonly company: SageCompany,
    private readonly options: EmulatorRootOptions,
  ) {}

  async Init(homePath: string): Promise<void> {
    this.company.boiCall();
    this.home = homePath;
  }

  NewObject(className: 'SY_Session'): Promise<SySession>;
  NewObject(className: string, session: SySession): Promise<BusinessObject>;
  async NewObject(className: string, session?: SySession): Promise<SySession | BusinessObject> {
    this.company.boiCall();
    if (!this.home) throw new Error('ProvideX.Script: call Init first');
    if (className === 'SY_Session') return new EmulatedSession(this.company, this.options);
    if (!(session instanceof EmulatedSession)) throw new Error(`NewObject(${className}): a session is required`);
    session.check(className);
    const definition = OBJECTS[className];
    if (!definition) throw new Error(`NewObject(${className}): Error 200 (no such object)`);
    if (className === 'AR_Customer_bus') return new CustomerBus(this.company, className, definition);
    if (className === 'SO_SalesOrder_bus') return new SalesOrderBus(this.company, className, definition);
    return new TableObject(this.company, className, definition);
  }

  async Close(): Promise<void> {
    this.home = '';
  }
}

/** A new `ProvideX.Script` over the company, for `openRoot`. */
export function openEmulatedRoot(company: SageCompany, options: EmulatorRootOptions = {}): PvxScript {
  return new EmulatedScript(company, options);
}
