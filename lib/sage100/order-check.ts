import { ConnectorError } from '../errors';
import type { OrderCheckProblem, Sage100Client } from './client';
import { customerRules, upsertCustomer, upsertResultOf, type CustomerUpsertResult, type UpsertOptions } from './customers';
import { parseCustomer, parseSalesOrder } from './lengths';
import type { Customer, SalesOrder } from './types';

/**
 * Per order, all or nothing: before the first write of an order (its customer), Sage checks the whole order —
 * items, ZIP Codes, lengths, validated values — in a dry run (with agent 1.3, inside the customer upsert itself).
 * A ZIP Code missing from Sage's ZIP Code table (a foreign postal code, usually) takes the configured fallback
 * with a warning; anything else Sage would refuse stops the order here, with every reason, and nothing is written.
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

/** One try at the order as it now stands: Sage's problems (none: Sage takes it) and what the try wrote, if anything. */
type Attempt<T> = (salesOrder: SalesOrder, customer: Customer | undefined) => Promise<{ problems: OrderCheckProblem[]; wrote?: T } | undefined>;

/** Tries until Sage takes the order, each round with the ZIPs Sage named replaced by the fallback; undefined: cannot check. */
async function withZipFallback<T>(order: { salesOrder: SalesOrder; customer?: Customer }, zipFallback: ZipFallback, attempt: Attempt<T>) {
  let { salesOrder, customer } = order;
  const warnings: string[] = [];
  for (let round = 0; round <= MOST_ZIP_COLUMNS; round += 1) {
    const result = await attempt(salesOrder, customer);
    if (!result) return undefined;
    if (result.problems.length === 0) return { salesOrder, customer, warnings, wrote: result.wrote };
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

type OrderInput = { salesOrder: unknown; customer?: unknown; standInCustomerNo?: string };

async function parseOrder(client: Sage100Client, input: OrderInput) {
  const number = (input.salesOrder as { SalesOrderNo?: unknown } | undefined)?.SalesOrderNo;
  const record = typeof number === 'string' ? `sales order ${number}` : undefined;
  const salesOrder = await parseSalesOrder(client, input.salesOrder, { what: 'Sales order', record });
  const customer = input.customer === undefined ? undefined : await parseCustomer(client, input.customer, { what: 'Customer', record });
  return { salesOrder, customer };
}

/** The dry run (`checkSalesOrder`) with the ZIP fallback; `checked` false when the client cannot check. */
async function checkOrder(client: Sage100Client, order: { salesOrder: SalesOrder; customer?: Customer }, standInCustomerNo: string | undefined, zipFallback: ZipFallback): Promise<CheckedOrder> {
  const check = client.checkSalesOrder?.bind(client);
  const checked = check && (await withZipFallback(order, zipFallback, (salesOrder, customer) => check(salesOrder, customer, standInCustomerNo)));
  return checked ? { salesOrder: checked.salesOrder, customer: checked.customer, warnings: checked.warnings, checked: true } : { ...order, warnings: [], checked: false };
}

export interface CustomerForOrderResult extends CheckedOrder {
  upserted: CustomerUpsertResult;
}

/**
 * The customer of an order, written only if Sage would take the order. Agent 1.3: one call a round, the upsert
 * that checks the order first and writes nothing when Sage would refuse it (so the common case, no problem, is one
 * call). Older agents and SOAP, or a match by email: the dry run (`checkSalesOrder`), then the upsert.
 */
export async function upsertCustomerForOrder(
  client: Sage100Client,
  input: OrderInput & { customer: unknown },
  zipFallback: ZipFallback,
  options: UpsertOptions,
): Promise<CustomerForOrderResult> {
  const order = await parseOrder(client, input);
  const upsert = options.matchByEmail ? undefined : client.upsertCustomerForOrder?.bind(client);
  const inOneCall =
    upsert &&
    (await withZipFallback(order, zipFallback, async (salesOrder, customer) => {
      const desired = customer as Customer;
      const answer = await upsert({ customer: desired, salesOrder, ...customerRules(desired, options) });
      if (!answer || 'problems' in answer) return answer;
      return { problems: [], wrote: upsertResultOf(answer, desired, options) };
    }));
  if (inOneCall?.wrote) return { salesOrder: inOneCall.salesOrder, customer: inOneCall.customer, warnings: inOneCall.warnings, checked: true, upserted: inOneCall.wrote };
  const checked = await checkOrder(client, order, input.standInCustomerNo, zipFallback);
  return { ...checked, upserted: await upsertCustomer(client, checked.customer ?? order.customer, options) };
}
