import { ConnectorError } from '../errors';
import type { OrderCheckProblem, Sage100Client } from './client';
import { parseCustomer, parseSalesOrder } from './lengths';
import type { Customer, SalesOrder } from './types';

/**
 * Per order, all or nothing: before the first write of an order (its customer), Sage checks the whole order —
 * items, ZIP Codes, lengths, validated values — in a dry run. A ZIP Code missing from Sage's ZIP Code table (a
 * foreign postal code, usually) takes the configured fallback with a warning; anything else Sage would refuse
 * stops the order here, with every reason, and nothing is written.
 */

export type ZipFallback = { action: 'hold' } | { action: 'replace'; zipCode: string };

export interface CheckedOrder {
  salesOrder: SalesOrder;
  customer?: Customer;
  warnings: string[];
  /** False when the agent is older and could not check. */
  checked: boolean;
}

/** The ZIP columns that are checked against the table; each dry run may name another. */
const ZIP_COLUMN = /ZipCode$/;
const MOST_ZIP_COLUMNS = 3; // the customer's, the bill-to and the ship-to ZIP

const isZipNotOnFile = (problem: OrderCheckProblem) => ZIP_COLUMN.test(problem.column) && /not on file|ZIP/i.test(problem.message);

export class OrderCheckError extends ConnectorError {
  readonly problems: OrderCheckProblem[];

  constructor(salesOrderNo: string, problems: OrderCheckProblem[]) {
    const [first] = problems;
    const record = first?.record ?? `sales order ${salesOrderNo}`;
    const reasons = problems.map((problem) => `${problem.record}${problem.column ? ` ${problem.column}` : ''}: ${problem.message}`).join('; ');
    super(`sales order ${salesOrderNo}: Sage 100 would refuse the order, so nothing was written (not its customer either): ${reasons}`, {
      code: 'sage100.order_check',
      record,
      field: first?.column || undefined,
      hint: 'Fix the cause in Sage (add the item code or the ZIP Code, or choose a ZIP fallback on the customer node) or in the order, then re-drive the message.',
      retryable: false,
    });
    this.problems = problems;
  }
}

function withZip(order: SalesOrder, customer: Customer | undefined, problem: OrderCheckProblem, zipCode: string) {
  if (problem.record.startsWith('customer') && customer) return { order, customer: { ...customer, ZipCode: zipCode }, was: customer.ZipCode };
  const column = problem.column as keyof SalesOrder;
  const was = order[column];
  // The customer's own ZIP is usually the billing one: it would fail the customer's create next.
  const sameOnCustomer = customer && customer.ZipCode !== undefined && customer.ZipCode === was;
  return { order: { ...order, [column]: zipCode } as SalesOrder, customer: sameOnCustomer ? { ...customer, ZipCode: zipCode } : customer, was };
}

export async function checkOrderBeforeWrite(
  client: Sage100Client,
  input: { salesOrder: unknown; customer?: unknown; standInCustomerNo?: string },
  zipFallback: ZipFallback,
): Promise<CheckedOrder> {
  const number = (input.salesOrder as { SalesOrderNo?: unknown } | undefined)?.SalesOrderNo;
  const record = typeof number === 'string' ? `sales order ${number}` : undefined;
  let salesOrder = await parseSalesOrder(client, input.salesOrder, { what: 'Sales order', record });
  let customer = input.customer === undefined ? undefined : await parseCustomer(client, input.customer, { what: 'Customer', record });
  const warnings: string[] = [];
  if (!client.checkSalesOrder) return { salesOrder, customer, warnings, checked: false };
  for (let round = 0; round <= MOST_ZIP_COLUMNS; round += 1) {
    const result = await client.checkSalesOrder(salesOrder, customer, input.standInCustomerNo);
    if (!result) return { salesOrder, customer, warnings, checked: false };
    if (result.problems.length === 0) return { salesOrder, customer, warnings, checked: true };
    const zips = result.problems.filter(isZipNotOnFile);
    if (zipFallback.action === 'hold' || zips.length < result.problems.length || round === MOST_ZIP_COLUMNS) {
      throw new OrderCheckError(salesOrder.SalesOrderNo, result.problems);
    }
    for (const problem of zips) {
      const changed = withZip(salesOrder, customer, problem, zipFallback.zipCode);
      ({ order: salesOrder, customer } = changed);
      const target = zipFallback.zipCode === '' ? 'left blank' : `set to ${zipFallback.zipCode}`;
      warnings.push(`${problem.record} ${problem.column}: ZIP ${String(changed.was ?? '')} is not in Sage's ZIP Code table; ${target} (the ZIP fallback)`);
    }
  }
  throw new OrderCheckError(salesOrder.SalesOrderNo, []);
}
