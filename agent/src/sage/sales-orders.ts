import type { BoiValue, BusinessObject } from '../boi/types';
import { CODES, SageAnswerError, sageError } from './errors';
import type { SageLogicOptions } from './options';
import { browse, parseColumns, pvxText, readColumns, setColumns, type SageRecord } from './records';
import type { BoiSession } from './session';

/**
 * Sales orders over SO_SalesOrder_bus: read one with its lines, create one create-only (ARDivisionNo before
 * CustomerNo, the header after the customer so its defaults do not overwrite it, ItemCode first on each line,
 * one nWrite for the whole order), and create-if-absent, which first looks for the order where Sage may keep it
 * after it left the open file: SO history by number, and AR invoice history by CustomerPONo.
 */

export interface SalesOrderRecord {
  Lines: SageRecord[];
  [column: string]: BoiValue | SageRecord[];
}
export type FoundIn = 'open' | 'history' | 'invoice-history';

export interface SalesOrderInput {
  SalesOrderNo: string;
  ARDivisionNo: string;
  CustomerNo: string;
  CustomerPONo?: string;
  Lines: Array<Record<string, BoiValue>>;
  [column: string]: BoiValue | Array<Record<string, BoiValue>> | undefined;
}

export type EnsureResult =
  | { outcome: 'created'; salesOrder: SalesOrderRecord; warnings: string[] }
  | { outcome: 'existing'; foundIn: FoundIn; salesOrder: SalesOrderRecord; invoiceNo?: string; warnings: string[] };

const HEADER_KEYS = new Set(['SalesOrderNo', 'ARDivisionNo', 'CustomerNo', 'Lines']);

/** The order's number, customer and PO as the messages name it. */
const recordOf = (salesOrderNo: string) => `sales order ${salesOrderNo}`;

async function readDocument(object: BusinessObject, linesTable: string): Promise<SalesOrderRecord> {
  const header = await readColumns(object, parseColumns(await object.sGetColumns()));
  const lines = await object.oLines();
  const lineColumns = parseColumns(await object.sGetColumns(linesTable));
  const rows: SageRecord[] = [];
  for (let more = await lines.nMoveFirst(); more !== 0 && (await lines.nEOF()) === 0; more = await lines.nMoveNext()) {
    rows.push(await readColumns(lines, lineColumns));
  }
  return { ...header, Lines: rows };
}

/** The open order, or undefined. */
export async function getSalesOrder(session: BoiSession, logic: SageLogicOptions, salesOrderNo: string): Promise<SalesOrderRecord | undefined> {
  const object = await session.object(logic.objects.salesOrder);
  await object.nClear();
  await object.nSetKeyValue('SalesOrderNo$', salesOrderNo);
  if ((await object.nFind()) === 0) return undefined;
  return readDocument(object, 'SO_SalesOrderDetail');
}

/** The order in SO_SalesOrderHistoryHeader (A active, C completed, X deleted), or undefined. */
export async function getSalesOrderHistory(session: BoiSession, logic: SageLogicOptions, salesOrderNo: string): Promise<SalesOrderRecord | undefined> {
  const object = await session.object(logic.objects.salesOrderHistory);
  await object.nSetKeyValue('SalesOrderNo$', salesOrderNo);
  if ((await object.nFind()) === 0) return undefined;
  return readDocument(object, 'SO_SalesOrderHistoryDetail');
}

const customerFilter = (input: { ARDivisionNo: string; CustomerNo: string; CustomerPONo: string }) =>
  `ARDivisionNo$=${pvxText(input.ARDivisionNo)} AND CustomerNo$=${pvxText(input.CustomerNo)} AND CustomerPONo$=${pvxText(input.CustomerPONo)}`;

/** Where an order or invoice of this customer with this PO is: open orders, SO history, then AR invoice history. */
async function findByCustomerPO(session: BoiSession, logic: SageLogicOptions, input: { ARDivisionNo: string; CustomerNo: string; CustomerPONo: string }, searchInvoices: boolean) {
  const filter = customerFilter(input);
  const open = await session.object(logic.objects.salesOrder);
  const [openNo] = await browse(open, filter, async () => (await readColumns(open, [{ name: 'SalesOrderNo', text: true }])).SalesOrderNo);
  if (openNo !== undefined) {
    const order = await getSalesOrder(session, logic, String(openNo));
    if (order) return { foundIn: 'open' as const, salesOrder: order };
  }
  const history = await session.object(logic.objects.salesOrderHistory);
  const [historyNo] = await browse(history, filter, async () => (await readColumns(history, [{ name: 'SalesOrderNo', text: true }])).SalesOrderNo);
  if (historyNo !== undefined) {
    const order = await getSalesOrderHistory(session, logic, String(historyNo));
    if (order) return { foundIn: 'history' as const, salesOrder: order };
  }
  if (!searchInvoices) return undefined;
  for (const [name, linesTable] of [[logic.objects.invoice, 'SO_InvoiceDetail'], [logic.objects.invoiceHistory, 'AR_InvoiceHistoryDetail']] as const) {
    const invoices = await session.object(name);
    const [invoice] = await browse(invoices, filter, () => readDocument(invoices, linesTable));
    if (invoice) {
      // The invoice stands for the order: its number, customer, PO and what was shipped.
      const { InvoiceNo, Lines, ...header } = invoice;
      const salesOrder: SalesOrderRecord = { ...header, OrderDate: String(header.InvoiceDate ?? ''), OrderStatus: 'C', Lines };
      return { foundIn: 'invoice-history' as const, salesOrder, invoiceNo: String(InvoiceNo) };
    }
  }
  return undefined;
}

/**
 * Writes a new order. `onDuplicatePO` decides what Sage's duplicate-PO warning (−1 on CustomerPONo) means: a
 * plain create passes it on as a warning, create-if-absent stops there and reports the order already posted.
 */
async function writeNewOrder(
  session: BoiSession,
  logic: SageLogicOptions,
  input: SalesOrderInput,
  stopOnDuplicatePO: boolean,
): Promise<{ created: true; order: SalesOrderRecord; warnings: string[] } | { created: false; reason: 'exists' | 'duplicate-po' }> {
  const object = await session.object(logic.objects.salesOrder);
  const name = logic.objects.salesOrder.className;
  const record = recordOf(input.SalesOrderNo);
  await object.nClear();
  if ((await object.nSetKeyValue('SalesOrderNo$', input.SalesOrderNo)) === 0) throw sageError(await object.sLastErrorMsg(), logic, 'key', name, record);
  const key = await object.nSetKey();
  if (key === 0) throw sageError(await object.sLastErrorMsg(), logic, 'key', name, record);
  if (key === 1) {
    await object.nClear();
    return { created: false, reason: 'exists' };
  }
  let duplicatePO = false;
  try {
    const header: Array<[string, BoiValue]> = [
      ['ARDivisionNo', input.ARDivisionNo],
      ['CustomerNo', input.CustomerNo],
      ...Object.entries(input).filter((entry): entry is [string, BoiValue] => !HEADER_KEYS.has(entry[0]) && entry[1] !== undefined && !Array.isArray(entry[1])),
    ];
    const { warnings } = await setColumns(object, header, {
      logic,
      object: name,
      record,
      onWarning: (column, message) => {
        if (column === 'CustomerPONo' && logic.messages.duplicatePO.test(message)) duplicatePO = true;
      },
    });
    if (duplicatePO && stopOnDuplicatePO) {
      await object.nClear();
      return { created: false, reason: 'duplicate-po' };
    }
    const lines = await object.oLines();
    for (const [index, line] of input.Lines.entries()) {
      const lineRecord = `${record} line ${index + 1} (${String(line.ItemCode ?? '')})`;
      if ((await lines.nAddLine()) === 0) throw sageError(await lines.sLastErrorMsg(), logic, 'value', 'SO_SalesOrderDetail_bus', lineRecord);
      // ItemCode first: it loads the item's defaults, which the columns after it override.
      const ordered: Array<[string, BoiValue]> = [
        ['ItemCode', String(line.ItemCode ?? '')],
        ...Object.entries(line).filter((entry): entry is [string, BoiValue] => entry[0] !== 'ItemCode' && entry[1] !== undefined),
      ];
      await setColumns(lines, ordered, { logic, object: 'SO_SalesOrderDetail_bus', record: lineRecord }, { warnings });
      if ((await lines.nWrite()) === 0) throw sageError(await lines.sLastErrorMsg(), logic, 'write', 'SO_SalesOrderDetail_bus', lineRecord);
    }
    const written = await object.nWrite();
    if (written === 0) throw sageError(await object.sLastErrorMsg(), logic, 'write', name, record);
    if (written < 0) warnings.push({ column: '', message: await object.sLastErrorMsg() });
    const order = await getSalesOrder(session, logic, input.SalesOrderNo);
    if (!order) throw new SageAnswerError(CODES.exception, `${record} was written (nWrite answered ${written}) but cannot be read back.`, { status: 500, object: name });
    return { created: true, order, warnings: warnings.map((w) => (w.column ? `${w.column}: ${w.message}` : w.message)) };
  } catch (err) {
    await object.nClear().catch(() => undefined);
    throw err;
  }
}

/** Create-only: an existing number answers WS_AlreadyExists and the order is left as it is. */
export async function createSalesOrder(session: BoiSession, logic: SageLogicOptions, input: SalesOrderInput): Promise<{ order: SalesOrderRecord; warnings: string[] }> {
  const result = await writeNewOrder(session, logic, input, false);
  if (!result.created) {
    throw new SageAnswerError(CODES.alreadyExists, `Sales order ${input.SalesOrderNo} already exists; it was not changed.`, { status: 409, object: logic.objects.salesOrder.className });
  }
  return { order: result.order, warnings: result.warnings };
}

/**
 * The order exactly once: found open by number, in SO history by number, or (optionally) as an invoice of the
 * customer with this PO in AR invoice history, it is answered as existing with where it was found; otherwise it
 * is created. Sage's duplicate-PO warning during the create also means "already posted", never "go on".
 */
export async function ensureSalesOrder(session: BoiSession, logic: SageLogicOptions, input: SalesOrderInput): Promise<EnsureResult> {
  const open = await getSalesOrder(session, logic, input.SalesOrderNo);
  if (open) return { outcome: 'existing', foundIn: 'open', salesOrder: open, warnings: [] };
  const history = await getSalesOrderHistory(session, logic, input.SalesOrderNo);
  if (history) return { outcome: 'existing', foundIn: 'history', salesOrder: history, warnings: [] };
  const po = { ARDivisionNo: input.ARDivisionNo, CustomerNo: input.CustomerNo, CustomerPONo: String(input.CustomerPONo ?? '').trim() };
  if (po.CustomerPONo && logic.checkInvoiceHistoryByPO) {
    const invoiced = await findInvoiceHistoryByPO(session, logic, po);
    if (invoiced) return { outcome: 'existing', ...invoiced, warnings: [] };
  }

  const result = await writeNewOrder(session, logic, input, true);
  if (result.created) return { outcome: 'created', salesOrder: result.order, warnings: result.warnings };
  if (result.reason === 'exists') {
    const raced = await getSalesOrder(session, logic, input.SalesOrderNo);
    if (raced) return { outcome: 'existing', foundIn: 'open', salesOrder: raced, warnings: [] };
  }
  const found = po.CustomerPONo ? await findByCustomerPO(session, logic, po, true) : undefined;
  if (found) return { outcome: 'existing', ...found, warnings: [`Sage: CustomerPONo ${po.CustomerPONo} is already on ${found.salesOrder.SalesOrderNo ?? 'another document'}`] };
  throw new SageAnswerError(
    CODES.duplicatePO,
    `${recordOf(input.SalesOrderNo)}: Sage reports customer ${po.ARDivisionNo}-${po.CustomerNo} already has PO ${po.CustomerPONo} on another order or invoice, which the agent cannot read; nothing was written.`,
    { status: 409, object: logic.objects.salesOrder.className },
  );
}

async function findInvoiceHistoryByPO(session: BoiSession, logic: SageLogicOptions, po: { ARDivisionNo: string; CustomerNo: string; CustomerPONo: string }) {
  const invoices = await session.object(logic.objects.invoiceHistory);
  const [invoice] = await browse(invoices, customerFilter(po), () => readDocument(invoices, 'AR_InvoiceHistoryDetail'));
  if (!invoice) return undefined;
  const { InvoiceNo, Lines, ...header } = invoice;
  return { foundIn: 'invoice-history' as const, invoiceNo: String(InvoiceNo), salesOrder: { ...header, OrderDate: String(header.InvoiceDate ?? ''), OrderStatus: 'C', Lines } satisfies SalesOrderRecord };
}
