import type { InvoicePage, InvoiceQuery } from './invoices';
import type { Customer, SageFieldLimits, SageItem, SalesOrder } from './types';

/**
 * What the Sage 100 nodes need from Sage, whichever way it is reached. Two implementations:
 * the HTTPS agent that wraps the Business Object Interface (`agent-client.ts`, full access) and
 * eBusiness Web Services over SOAP (`soap-client.ts`, sales orders and customers only).
 *
 * Errors are `Sage100Error`s (`errors.ts`) whose `sageCode` is Sage's own (CI_NOF, CI_NoKey,
 * WS_AlreadyExists, CI_CharLength …) whichever transport reported it.
 */
export interface Sage100Client {
  readonly mode: 'agent' | 'soap';

  /** Reachability, TLS and credentials, with no side effect on Sage's data or counters. */
  checkConnection(): Promise<ConnectionReport>;

  /** Agent: the company's field lengths (health `columnLengths`), read once and kept; undefined when unknown. */
  fieldLimits?(): Promise<Partial<SageFieldLimits> | undefined>;

  /** The order, or undefined when no order has that number. */
  getSalesOrder(salesOrderNo: string): Promise<SalesOrder | undefined>;
  /** Create-only: fails with sageCode `WS_AlreadyExists` when the number exists; never edits an order. */
  createSalesOrder(order: SalesOrder): Promise<void>;

  /** The customer, or undefined when ARDivisionNo + CustomerNo is not on file. */
  getCustomer(arDivisionNo: string, customerNo: string): Promise<Customer | undefined>;
  createCustomer(customer: Customer): Promise<void>;
  /** Sends the full record; callers merge changes onto what `getCustomer` returned. */
  updateCustomer(customer: Customer): Promise<void>;
  /** Agent only; the SOAP service has no search and rejects this with a clear error. */
  findCustomersByEmail(email: string): Promise<Customer[]>;

  /**
   * Agent 1.1 and later: the order in one call — found open, in SO history or (by CustomerPONo) in invoice history,
   * or created. Undefined when the agent is older and has no such operation (the caller reads before creating).
   */
  ensureSalesOrder?(order: SalesOrder): Promise<EnsuredSalesOrder | undefined>;
  /**
   * Agent 1.1 and later: create the customer, or change only the `updatable` members that differ, in one call.
   * Undefined when the agent is older.
   */
  upsertCustomer?(customer: Customer, updatable: readonly string[]): Promise<UpsertedCustomer | undefined>;

  /**
   * Agent 1.3 and later (its health says so): the customer upsert for an order in one call. Sage checks the order
   * (and a new customer) first, whether or not the customer changes; when it would refuse anything, nothing is
   * written and the answer is the problems. The customer policy's rules apply in the same call. Undefined when the
   * agent is older (the caller checks with `checkSalesOrder`, then upserts).
   */
  upsertCustomerForOrder?(request: CustomerForOrder): Promise<UpsertedForOrder | OrderCheck | undefined>;

  /**
   * A dry run of the order (and of its customer, when that is not on file yet): what Sage would refuse, nothing
   * written. Agent: `validateSalesOrder`, every refusal; SOAP: PreviewSalesOrder, the first refusal (a new
   * customer cannot be previewed, so the order is previewed on `standInCustomerNo` when given). Undefined when the
   * agent is older and cannot check.
   */
  checkSalesOrder?(order: SalesOrder, customer?: Customer, standInCustomerNo?: string): Promise<OrderCheck | undefined>;

  /** Agent only: items whose CI_Item or IM_ItemWarehouse rows changed at or after the cursor, one page. */
  listItems(query: ItemQuery): Promise<ItemPage>;
  /**
   * Agent 1.2 and later: the codes of items whose IM_ItemWarehouse quantities changed since `since`, whatever Sage
   * stamped (the agent diffs on the Sage server). Undefined when the agent is older.
   */
  stockChanges?(query: StockChangesQuery): Promise<StockChangesAnswer | undefined>;
  /** Agent only: these items (codes Sage does not have are left out) with prices and quantities. */
  getItems?(itemCodes: readonly string[], warehouses?: string[]): Promise<SageItem[]>;

  /**
   * Agent 1.1 and later: invoices (open and posted) with their lines and tracking numbers changed at or after the
   * cursor, one page. Absent or throwing for SOAP, which has no invoice operations.
   */
  listInvoices?(query: InvoiceQuery): Promise<InvoicePage>;

  close(): Promise<void>;
}

export interface EnsuredSalesOrder {
  outcome: 'created' | 'existing';
  /** Where Sage holds an existing order: the open file, SO history, or AR invoice history (found by CustomerPONo). */
  foundIn?: 'open' | 'history' | 'invoice-history';
  salesOrder: SalesOrder;
}

export interface OrderCheckProblem {
  /** e.g. `customer 00-BC1042`, `sales order W001042 line 2 (WIDGET-9)`. */
  record: string;
  /** The column Sage refused, when it said which. */
  column: string;
  /** Sage's code, e.g. CI_NOF, CI_CharLength. */
  code: string;
  message: string;
}

export interface OrderCheck {
  problems: OrderCheckProblem[];
}

export interface UpsertedCustomer {
  outcome: 'created' | 'updated' | 'unchanged';
  changedFields: string[];
  customer: Customer;
}

/** A customer upsert for an order: what it may change on an existing customer, and how a new one is made. */
export interface CustomerRules {
  /** Columns an existing customer may have changed. */
  updatable: readonly string[];
  /** Columns never written over a value Sage has (the mapper shortened them). */
  keep?: readonly string[];
  /** An existing customer's column is neither emptied nor replaced by a shortened form of itself. */
  fullerOnly?: boolean;
  /** A new customer's master data: the template customer's `templateFields` when it is on file, else `defaults`. */
  newCustomer?: { defaults: Partial<Customer>; templateCustomerNo?: string; templateFields: readonly string[] };
}

export interface CustomerForOrder extends CustomerRules {
  customer: Customer;
  salesOrder: SalesOrder;
}

export interface UpsertedForOrder extends UpsertedCustomer {
  /** Allowed differences left as Sage has them, and why. */
  skipped: Array<{ field: string; reason: 'emptier' | 'shortened' | 'truncated' }>;
  /** Set when a template customer was named for a new customer: whether it was on file. */
  templateFound?: boolean;
}

export interface ConnectionReport {
  mode: 'agent' | 'soap';
  /** e.g. `Sage 100 2024 (agent 1.2.0)` or `eBusiness Web Services contract 3`. */
  server: string;
  company: string;
  /** What the check proved, in the order it proved it: reachability, TLS, credentials. */
  checks: string[];
}

export interface ItemCursor {
  /** YYYYMMDD */
  DateUpdated: string;
  /** Decimal hours as Sage stores them, e.g. "13.5" */
  TimeUpdated: string;
}

export interface ItemQuery {
  /** Omit for a full snapshot. */
  changedSince?: ItemCursor;
  /** Warehouses to report; all when empty. */
  warehouses?: string[];
  /** Opaque token from the previous page. */
  pageToken?: string;
  pageSize?: number;
}

export interface StockChangesQuery {
  /** Who keeps the token, e.g. the items node; letters, digits, dot, dash, underscore (at most 64). */
  clientId: string;
  /** The token of the previous answer; absent for the baseline. */
  since?: string;
  warehouses?: string[];
}

export interface StockChangesAnswer {
  /** Distinct item codes of the changed rows, in order. */
  itemCodes: string[];
  /** `since` for the next call, once these items are handed on. */
  token: string;
  baseline: boolean;
  resync: boolean;
  /** IM_ItemWarehouse rows the agent scanned; calls: requests made for the answer. */
  scanned: number;
  calls: number;
}

export interface ItemPage {
  items: SageItem[];
  nextPageToken?: string;
  /**
   * The next cursor once every page is read. The agent gives its clock when the listing began (the same on every
   * page), not the newest stamp seen: an item changed while the pages are read is then still at or after it.
   */
  highWater?: ItemCursor;
  total?: number;
}
