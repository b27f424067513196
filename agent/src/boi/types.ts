/**
 * The Business Object Interface as the agent's Sage logic sees it: shaped like ProvideX's COM object model so that
 * the same code runs on two roots — the real `ProvideX.Script` reached through the COM bridge, and the BOI emulator.
 * Every member is async because the real root crosses a process boundary on every call.
 *
 * Return codes follow Sage (see ../shared/docs/sage100-api.md §4.3): for `nSetValue`/`nWrite` 1 success, −1 success
 * with a warning in `sLastErrorMsg`, 0 failure with the reason in `sLastErrorMsg`; `nSetKey` 2 new record, 1 existing
 * record, 0 failure. String columns carry a `$` suffix (`"CustomerNo$"`), numeric ones do not (`"UnitPrice"`).
 * COM properties (`sLastErrorMsg`, `nEOF`, `oLines`) are methods here, so a bridge can fetch them.
 */

export type BoiValue = string | number;

/** A by-reference out parameter (`nGetValue(column, ref value)`): the callee sets `value`. */
export interface BoiRef<T extends BoiValue = BoiValue> {
  value: T;
}

/** ProvideX SEP (chr 138) as it arrives through COM: separates entries of list strings such as `sGetColumns`. */
export const PVX_SEP = '\u0160';

export interface PvxObject {
  /** The reason for the last 0 or −1 return. */
  sLastErrorMsg(): Promise<string>;
  /** Releases the object (its files, and for a session the licence seat). */
  DropObject(): Promise<void>;
}

/** `ProvideX.Script`, the COM root. */
export interface PvxScript {
  /** First call: the `MAS90\Home` folder of the Sage installation. */
  Init(homePath: string): Promise<void>;
  NewObject(className: 'SY_Session'): Promise<SySession>;
  NewObject(className: string, session: SySession): Promise<BusinessObject>;
  /** Ends the script object (and, with it, the COM server's hold on this client). */
  Close(): Promise<void>;
}

export interface SySession extends PvxObject {
  nLogon(): Promise<number>;
  nSetUser(user: string, password: string): Promise<number>;
  nSetCompany(companyCode: string): Promise<number>;
  /** Accounting date for a module, `YYYYMMDD`. */
  nSetDate(module: string, date: string): Promise<number>;
  nSetModule(module: string): Promise<number>;
  /** The task id of a `…_ui` program, for `nSetProgram`; 0 when the user has no rights to it. */
  nLookupTask(task: string): Promise<number>;
  nSetProgram(taskId: number): Promise<number>;
  nCleanup(): Promise<number>;
  /** The open company's name (`SY_Company.CompanyName`). Added for `health`; the property name is UNCONFIRMED. */
  sCompanyName(): Promise<string>;
  /** Sage's version text, e.g. "Sage 100 Advanced 2024 (7.30)". Added for `health`; how BOI exposes it is UNCONFIRMED. */
  sVersion(): Promise<string>;
}

/** A row-level cursor over one table: the business object itself for headers, `oLines()` for lines. */
export interface BoiRecordSet extends PvxObject {
  nSetValue(column: string, value: BoiValue): Promise<number>;
  nGetValue(column: string, value: BoiRef): Promise<number>;
  nWrite(): Promise<number>;
  nMoveFirst(): Promise<number>;
  nMoveNext(): Promise<number>;
  /** 1 past the last record. */
  nEOF(): Promise<number>;
  /**
   * A column's length in the company's data dictionary, 0 for a column without one (numbers, dates). Added for
   * the agent's `health`: the name and how pvxcom exposes the dictionary are UNCONFIRMED on a live Sage (the
   * agent reports the length as unknown when the call fails).
   */
  nGetColumnLength(column: string): Promise<number>;
}

/** `…_bus` (read/write) and `…_svc` (read-only) objects. */
export interface BusinessObject extends BoiRecordSet {
  nSetKeyValue(column: string, value: BoiValue): Promise<number>;
  /** Without an argument, uses the key values set by `nSetKeyValue`. 2 new, 1 existing, 0 failure. */
  nSetKey(key?: string): Promise<number>;
  /** Loads an existing record (read-only use): 1 found, 0 not found. */
  nFind(key?: string): Promise<number>;
  nDelete(key?: string): Promise<number>;
  /** Drops the record in memory without writing it. */
  nClear(): Promise<number>;
  /** A ProvideX expression over the table's columns limiting `nMoveFirst`/`nMoveNext`; `""` clears it. */
  nSetBrowseFilter(filter: string): Promise<number>;
  /** The table's column names, `PVX_SEP`-separated, `$` on string columns. */
  sGetColumns(table?: string): Promise<string>;
  /** The lines child of a document object (`SO_SalesOrder_bus.oLines`). */
  oLines(): Promise<LinesObject>;
}

export interface LinesObject extends BoiRecordSet {
  /** Starts a new line in memory; commit it with `nWrite`. */
  nAddLine(): Promise<number>;
  nDelete(): Promise<number>;
}
