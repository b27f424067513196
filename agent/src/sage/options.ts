/**
 * What the Sage logic assumes about a Sage 100 installation, kept in one place because part of it is
 * UNCONFIRMED on a live system (../shared/docs/sage100-api.md §4, §8): business object and task names beyond
 * the documented ones, the wording of warnings and errors (BOI gives text, not codes), and how long a session
 * lives. Every member can be overridden where the agent is started.
 */

export interface BoiObjectName {
  /** e.g. SO_SalesOrder_bus */
  className: string;
  /** nSetModule / nSetDate module, e.g. S/O */
  module: string;
  /** The `…_ui` task for nSetProgram(nLookupTask(task)). */
  task: string;
}

export interface SageLogicOptions {
  objects: {
    salesOrder: BoiObjectName;
    /** SO_SalesOrderHistoryHeader reader: the object name is UNCONFIRMED. */
    salesOrderHistory: BoiObjectName;
    customer: BoiObjectName;
    invoice: BoiObjectName;
    invoiceTracking: BoiObjectName;
    invoiceHistory: BoiObjectName;
    invoiceHistoryTracking: BoiObjectName;
    item: BoiObjectName;
    itemWarehouse: BoiObjectName;
    priceCode: BoiObjectName;
  };
  /** Create-if-absent also looks for the CustomerPONo in AR invoice history (the order may be long purged). */
  checkInvoiceHistoryByPO: boolean;
  /** Sage's texts the logic acts on (BOI reports text only). */
  messages: {
    duplicatePO: RegExp;
    locked: RegExp;
    notOnFile: RegExp;
    tooLong: RegExp;
    readOnly: RegExp;
    invalidColumn: RegExp;
  };
  /** A session older than this is closed when it is next released (UAF-Auto recycles every 4 h). */
  recycleAfterMs: number;
  /** How long a request waits for a pooled session before answering 503. */
  acquireTimeoutMs: number;
  /** Today's date for nSetDate, YYYYMMDD (the server's local date by default). */
  today: () => string;
}

const object = (className: string, module: string, task: string): BoiObjectName => ({ className, module, task });

function localDate(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}`;
}

export const DEFAULT_SAGE_LOGIC: SageLogicOptions = {
  objects: {
    salesOrder: object('SO_SalesOrder_bus', 'S/O', 'SO_SalesOrder_ui'),
    salesOrderHistory: object('SO_SalesOrderHistoryInquiry_svc', 'S/O', 'SO_SalesOrderHistoryInquiry_ui'),
    customer: object('AR_Customer_bus', 'A/R', 'AR_Customer_ui'),
    invoice: object('SO_Invoice_svc', 'S/O', 'SO_Invoice_ui'),
    invoiceTracking: object('SO_InvoiceTracking_svc', 'S/O', 'SO_Invoice_ui'),
    invoiceHistory: object('AR_InvoiceHistoryInquiry_bus', 'A/R', 'AR_InvoiceHistoryInquiry_ui'),
    invoiceHistoryTracking: object('AR_InvoiceHistoryTracking_svc', 'A/R', 'AR_InvoiceHistoryInquiry_ui'),
    item: object('CI_ItemCode_svc', 'C/I', 'CI_ItemCode_ui'),
    itemWarehouse: object('IM_ItemWarehouse_svc', 'I/M', 'CI_ItemCode_ui'),
    priceCode: object('IM_PriceCode_svc', 'I/M', 'CI_ItemCode_ui'),
  },
  checkInvoiceHistoryByPO: true,
  messages: {
    duplicatePO: /customer PO number already exists/i,
    locked: /in use by|is locked|locked by another/i,
    notOnFile: /is not on file/i,
    tooLong: /is greater than \d+ character/i,
    readOnly: /is read only/i,
    invalidColumn: /has no column|invalid column|column not found/i,
  },
  recycleAfterMs: 4 * 3600_000,
  acquireTimeoutMs: 30_000,
  today: localDate,
};

export function sageLogicOptions(overrides: Partial<SageLogicOptions> = {}): SageLogicOptions {
  return {
    ...DEFAULT_SAGE_LOGIC,
    ...overrides,
    objects: { ...DEFAULT_SAGE_LOGIC.objects, ...overrides.objects },
    messages: { ...DEFAULT_SAGE_LOGIC.messages, ...overrides.messages },
  };
}
