import type { BoiRecordSet, BoiValue } from '../boi/types';
import { sageError } from './errors';
import type { SageLogicOptions } from './options';
import { boiColumn } from './records';
import type { SalesOrderInput } from './sales-orders';
import type { BoiSession } from './session';

/**
 * A dry run of the writes an order needs: the new customer's and the order's columns are set on the business
 * objects as a create would set them — so Sage checks item codes, the ZIP Code table, lengths, validated values —
 * and then cleared, never written. Every refusal is collected (not only the first), so the caller can fix what it
 * may (a ZIP missing from the table) or hold the order with every reason, before anything is written.
 */

export interface CheckProblem {
  /** e.g. `customer 00-BC1042`, `sales order W001042`, `sales order W001042 line 2 (WIDGET-9)`. */
  record: string;
  column: string;
  code: string;
  message: string;
}

export interface ValidateInput {
  salesOrder: SalesOrderInput;
  customer?: Record<string, BoiValue> & { ARDivisionNo: string; CustomerNo: string };
}

const KEYS = new Set(['SalesOrderNo', 'ARDivisionNo', 'CustomerNo', 'Lines']);

async function trySet(target: BoiRecordSet, column: string, value: BoiValue, where: { logic: SageLogicOptions; object: string; record: string }, problems: CheckProblem[]): Promise<boolean> {
  if ((await target.nSetValue(boiColumn(column, value), value)) !== 0) return true;
  const message = await target.sLastErrorMsg();
  problems.push({ record: where.record, column, code: sageError(message, where.logic, 'value', where.object, where.record).code, message });
  return false;
}

const columnsOf = (record: Record<string, unknown>, skip: Set<string>) =>
  Object.entries(record).filter((entry): entry is [string, BoiValue] => !skip.has(entry[0]) && entry[1] !== undefined && !Array.isArray(entry[1]));

export async function validateSalesOrder(session: BoiSession, logic: SageLogicOptions, input: ValidateInput): Promise<{ problems: CheckProblem[] }> {
  const problems: CheckProblem[] = [];
  let customerIsNew = false;
  if (input.customer) {
    const { ARDivisionNo, CustomerNo } = input.customer;
    const record = `customer ${ARDivisionNo}-${CustomerNo}`;
    const object = await session.object(logic.objects.customer);
    await object.nClear();
    await object.nSetKeyValue('ARDivisionNo$', ARDivisionNo);
    await object.nSetKeyValue('CustomerNo$', CustomerNo);
    const key = await object.nSetKey();
    if (key === 0) problems.push({ record, column: 'CustomerNo', code: sageError(await object.sLastErrorMsg(), logic, 'key', logic.objects.customer.className, record).code, message: await object.sLastErrorMsg() });
    // An existing customer is changed only under the customer policy; a new one is checked whole.
    customerIsNew = key === 2;
    if (customerIsNew) {
      for (const [column, value] of columnsOf(input.customer, new Set(['ARDivisionNo', 'CustomerNo']))) {
        await trySet(object, column, value, { logic, object: logic.objects.customer.className, record }, problems);
      }
    }
    await object.nClear();
  }

  const order = input.salesOrder;
  const record = `sales order ${order.SalesOrderNo}`;
  const object = await session.object(logic.objects.salesOrder);
  const where = { logic, object: logic.objects.salesOrder.className, record };
  await object.nClear();
  try {
    await object.nSetKeyValue('SalesOrderNo$', order.SalesOrderNo);
    const key = await object.nSetKey();
    if (key === 0) {
      const message = await object.sLastErrorMsg();
      problems.push({ record, column: 'SalesOrderNo', code: sageError(message, logic, 'key', where.object, record).code, message });
      return { problems };
    }
    // Already on file: create-if-absent answers it as existing; nothing of it will be written.
    if (key === 1) return { problems };
    await trySet(object, 'ARDivisionNo', order.ARDivisionNo, where, problems);
    // A customer still to be created is not on file yet: its columns were checked above.
    if (!customerIsNew) await trySet(object, 'CustomerNo', order.CustomerNo, where, problems);
    for (const [column, value] of columnsOf(order, KEYS)) await trySet(object, column, value, where, problems);
    const lines = await object.oLines();
    for (const [index, line] of order.Lines.entries()) {
      const lineRecord = `${record} line ${index + 1} (${String(line.ItemCode ?? '')})`;
      if ((await lines.nAddLine()) === 0) continue;
      const lineWhere = { logic, object: 'SO_SalesOrderDetail_bus', record: lineRecord };
      if (!(await trySet(lines, 'ItemCode', String(line.ItemCode ?? ''), lineWhere, problems))) continue;
      for (const [column, value] of columnsOf(line, new Set(['ItemCode']))) await trySet(lines, column, value, lineWhere, problems);
    }
  } finally {
    await object.nClear().catch(() => undefined);
  }
  return { problems };
}
