import { z } from 'zod';
import { ConnectorError, ValidationError, asError, parseWith } from '../errors';
import { refundSchema, transactionSchema, type OrderPayments } from '../bigcommerce/payments';
import type { Sage100Client } from '../sage100/client';
import type { SalesOrder } from '../sage100/types';
import { splitSalesOrderNo } from './mapper';
import { customerPoNoFor, numbering, salesOrderNoFor, type Numbering, type NumberingSettings } from './mapper-options';

/**
 * Read-only reconciliation: what BigCommerce says about each order's money, against the Sage sales order the
 * mapper numbered for it. Nothing is written to either system; the report says what a person should look at.
 */

export type MismatchKind =
  | 'missing-sales-order'
  | 'not-ours'
  | 'total-differs'
  | 'refunded-in-store'
  | 'undone-after-import'
  | 'payment-not-captured'
  | 'check-failed';

export interface Mismatch {
  orderId: number;
  salesOrderNo: string;
  kind: MismatchKind;
  detail: string;
}

export interface ReconcileReport {
  checked: number;
  mismatches: Mismatch[];
  /** e.g. `120 orders checked: 3 mismatches (2 total-differs, 1 missing-sales-order)`. */
  summary: string;
  byKind: Partial<Record<MismatchKind, number>>;
}

export const reconcileSettingsSchema = z.object({
  /** Differences up to this amount (rounding) are not reported. */
  tolerance: z.number().min(0).default(0.01),
  /** Orders in these statuses are not expected in Sage: 0 Incomplete, 5 Cancelled, 6 Declined. */
  skipStatuses: z.array(z.number().int()).default([0, 5, 6]),
  /** Report orders whose captured payments do not cover the total. */
  checkCapture: z.boolean().default(true),
  /** Sage lookups in flight at once. */
  concurrency: z.number().int().min(1).max(16).default(2),
});

export type ReconcileSettings = z.input<typeof reconcileSettingsSchema> & NumberingSettings;
export type ReconcileOptions = z.output<typeof reconcileSettingsSchema> & { numbering: Numbering };

export function reconcileOptions(settings: ReconcileSettings = {}): ReconcileOptions {
  const { salesOrderPrefix, salesOrderOverflow, customerPoPrefix, ...rest } = settings;
  return {
    ...parseWith(reconcileSettingsSchema, rest, { what: 'sync-reconcile settings', code: 'reconcile.settings' }),
    numbering: numbering({ salesOrderPrefix, salesOrderOverflow, customerPoPrefix }),
  };
}

const orderPaymentsSchema = z.looseObject({
  orderId: z.number().int().positive(),
  orderTotal: z.number().finite(),
  currency: z.string(),
  statusId: z.number().int(),
  transactions: z.array(transactionSchema).default([]),
  refunds: z.array(refundSchema).default([]),
});

const COMMENT_LINE = '4';
const REFUNDED = 4;
const PARTIALLY_REFUNDED = 14;
/** Refunded, Cancelled, Declined: an imported order that became one needs a person (the gate holds it too). */
const UNDONE = new Set([4, 5, 6]);
const STATUS_NAMES = [
  'Incomplete', 'Pending', 'Shipped', 'Partially Shipped', 'Refunded', 'Cancelled', 'Declined', 'Awaiting Payment',
  'Awaiting Pickup', 'Awaiting Shipment', 'Completed', 'Awaiting Fulfillment', 'Manual Verification Required',
  'Disputed', 'Partially Refunded',
];
const CAPTURING_EVENTS = new Set(['purchase', 'capture']);

const cents = (value: number): number => Math.round(value * 100) / 100;
const amount = (value: number, currency: string): string => `${value.toFixed(2)}${currency ? ` ${currency}` : ''}`;
const statusName = (id: number): string => `${STATUS_NAMES[id] ?? 'status'} (${id})`;

/**
 * What the sales order comes to in Sage: every non-comment line's quantity x unit price less its line
 * discount, rounded to cents as Sage rounds each extension, plus FreightAmt and SalesTaxAmt as Sage returns them.
 */
export function salesOrderTotal(order: SalesOrder): number {
  const lines = order.Lines.filter((line) => line.ItemType !== COMMENT_LINE).reduce(
    (sum, line) => sum + cents((line.QuantityOrdered ?? 0) * (line.UnitPrice ?? 0) * (1 - (line.LineDiscountPercent ?? 0) / 100)),
    0,
  );
  return cents(lines + (order.FreightAmt ?? 0) + (order.SalesTaxAmt ?? 0) - (order.DiscountAmt ?? 0));
}

/** The parts of a split order (W00123A, W00123B …) as one order: their lines and header amounts together. */
function combined(parts: SalesOrder[]): SalesOrder {
  const sum = (field: 'FreightAmt' | 'SalesTaxAmt' | 'DiscountAmt') => cents(parts.reduce((total, part) => total + (part[field] ?? 0), 0));
  const [first] = parts as [SalesOrder];
  return { ...first, Lines: parts.flatMap((part) => part.Lines), FreightAmt: sum('FreightAmt'), SalesTaxAmt: sum('SalesTaxAmt'), DiscountAmt: sum('DiscountAmt') };
}

/** The order's sales order, or the parts of a split one in number order; undefined when Sage has neither. */
async function salesOrderOf(orderId: number, sage: Pick<Sage100Client, 'getSalesOrder'>, options: ReconcileOptions): Promise<{ salesOrder?: SalesOrder; numbers: string }> {
  const number = salesOrderNoFor(orderId, options.numbering);
  const whole = await sage.getSalesOrder(number);
  if (whole) return { salesOrder: whole, numbers: number };
  const parts: SalesOrder[] = [];
  for (let index = 0; index < 26; index += 1) {
    let partNo: string;
    try {
      partNo = splitSalesOrderNo(orderId, index, options.numbering);
    } catch {
      break; // the order id is past what split numbers can hold: it was never split
    }
    const part = await sage.getSalesOrder(partNo);
    if (!part) break;
    parts.push(part);
  }
  if (parts.length === 0) return { numbers: number };
  return { salesOrder: combined(parts), numbers: parts.map((part) => part.SalesOrderNo).join('+') };
}

function sameReference(a: string, b: string): boolean {
  return a.trim().toUpperCase() === b.trim().toUpperCase();
}

/** The mismatches of one order, given the Sage order found under its number (or undefined). Pure. */
export function compareOrder(payments: OrderPayments, salesOrder: SalesOrder | undefined, options: ReconcileOptions, numbers?: string): Mismatch[] {
  const salesOrderNo = numbers ?? salesOrderNoFor(payments.orderId, options.numbering);
  const found: Mismatch[] = [];
  const report = (kind: MismatchKind, detail: string) => found.push({ orderId: payments.orderId, salesOrderNo, kind, detail });
  const { currency } = payments;

  if (!salesOrder) {
    if (!options.skipStatuses.includes(payments.statusId)) report('missing-sales-order', `Sage has no sales order ${salesOrderNo} for this order (${statusName(payments.statusId)}, ${amount(payments.orderTotal, currency)})`);
  } else {
    const reference = customerPoNoFor(payments.orderId, options.numbering);
    if (!sameReference(salesOrder.CustomerPONo ?? '', reference)) {
      report('not-ours', `sales order ${salesOrderNo} carries CustomerPONo "${salesOrder.CustomerPONo ?? ''}", not "${reference}": it belongs to something else`);
    } else {
      const sageTotal = salesOrderTotal(salesOrder);
      if (Math.abs(sageTotal - payments.orderTotal) > options.tolerance + 1e-9) {
        report('total-differs', `Sage ${amount(sageTotal, '')} vs BigCommerce ${amount(payments.orderTotal, currency)} (difference ${amount(cents(sageTotal - payments.orderTotal), '')})`);
      }
      if (UNDONE.has(payments.statusId)) {
        report('undone-after-import', `imported as sales order ${salesOrderNo}, now ${statusName(payments.statusId)} in BigCommerce: needs attention (nothing in Sage was changed or deleted)`);
      }
    }
  }

  const refunded = cents(payments.refunds.reduce((sum, refund) => sum + refund.total_amount, 0));
  if (payments.refunds.length > 0 || payments.statusId === REFUNDED || payments.statusId === PARTIALLY_REFUNDED) {
    const refunds = payments.refunds.length === 1 ? '1 refund' : `${payments.refunds.length} refunds`;
    report('refunded-in-store', `${amount(refunded, currency)} refunded in the store (${refunds}, ${statusName(payments.statusId)}); Sage is not changed by this integration`);
  }

  if (options.checkCapture && !options.skipStatuses.includes(payments.statusId)) {
    const ok = payments.transactions.filter((transaction) => transaction.status !== 'error');
    const captured = cents(ok.filter((transaction) => CAPTURING_EVENTS.has(transaction.event)).reduce((sum, transaction) => sum + transaction.amount, 0));
    if (captured < payments.orderTotal - options.tolerance - 1e-9) {
      const authorized = cents(ok.filter((transaction) => transaction.event === 'authorization').reduce((sum, transaction) => sum + transaction.amount, 0));
      report('payment-not-captured', `captured ${amount(captured, '')} of ${amount(payments.orderTotal, currency)}${authorized > 0 ? ` (authorized ${amount(authorized, '')})` : ''}`);
    }
  }
  return found;
}

function summarize(checked: number, mismatches: Mismatch[]): Pick<ReconcileReport, 'summary' | 'byKind'> {
  const byKind: Partial<Record<MismatchKind, number>> = {};
  for (const mismatch of mismatches) byKind[mismatch.kind] = (byKind[mismatch.kind] ?? 0) + 1;
  const orders = `${checked} order${checked === 1 ? '' : 's'} checked`;
  if (mismatches.length === 0) return { summary: `${orders}: all match`, byKind };
  const kinds = Object.entries(byKind)
    .sort(([, a], [, b]) => b - a)
    .map(([kind, count]) => `${count} ${kind}`)
    .join(', ');
  return { summary: `${orders}: ${mismatches.length} mismatch${mismatches.length === 1 ? '' : 'es'} (${kinds})`, byKind };
}

/**
 * The orders the report found with no sales order in Sage although their status says they belong there: what
 * the periodic re-queue check sends back to the order queue, so no order depends on one webhook delivery.
 */
export function ordersMissingInSage(report: Pick<ReconcileReport, 'mismatches'>): number[] {
  return report.mismatches.filter((mismatch) => mismatch.kind === 'missing-sales-order').map((mismatch) => mismatch.orderId);
}

/** Sage could not be asked: no report at all, as "missing" rows for an outage would send people hunting for orders that exist. */
function checkFailed(payments: OrderPayments, salesOrderNo: string, err: unknown): ConnectorError {
  const cause = asError(err);
  const details = cause instanceof ConnectorError ? cause : undefined;
  return new ConnectorError(
    `Reconciliation stopped: Sage 100 could not be asked about order ${payments.orderId} (sales order ${salesOrderNo}), so nothing was compared: ${cause.message}`,
    {
      code: 'reconcile.check_failed',
      record: `order ${payments.orderId}`,
      hint: details?.hint ?? 'Check the Sage 100 configuration (URL, key, certificate) and that Sage answers, then run the reconciliation again.',
      retryable: details?.retryable ?? false,
    },
    { cause },
  );
}

/**
 * Looks up each order's sales order in Sage (reads only) and compares. An order whose own data cannot be
 * checked (e.g. its number does not fit, or Sage's record for it cannot be read) is reported as `check-failed`,
 * so one bad order does not hide the others; a lookup that fails for any other reason (Sage unreachable, a
 * wrong key, a TLS failure) stops the run with an error and no report.
 */
export async function reconcile(
  input: unknown,
  sage: Pick<Sage100Client, 'getSalesOrder'>,
  options: ReconcileOptions,
  onProgress?: (done: number, total: number) => void,
): Promise<ReconcileReport> {
  const orders = parseWith(z.array(orderPaymentsSchema), input, { what: 'Payments from bigcommerce-payments', code: 'reconcile.input' });
  const results: Mismatch[][] = new Array(orders.length);
  let next = 0;
  let done = 0;
  let stopped: ConnectorError | undefined;
  const worker = async () => {
    for (let index = next++; index < orders.length && !stopped; index = next++) {
      const payments = orders[index] as OrderPayments;
      let salesOrderNo = '';
      try {
        salesOrderNo = salesOrderNoFor(payments.orderId, options.numbering);
        const found = await salesOrderOf(payments.orderId, sage, options);
        results[index] = compareOrder(payments, found.salesOrder, options, found.numbers);
      } catch (err) {
        if (!(err instanceof ValidationError)) {
          stopped ??= checkFailed(payments, salesOrderNo, err);
          return;
        }
        results[index] = [{ orderId: payments.orderId, salesOrderNo, kind: 'check-failed', detail: err.message }];
      }
      onProgress?.(++done, orders.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, orders.length) }, worker));
  if (stopped) throw stopped;
  const mismatches = results.flat();
  return { checked: orders.length, mismatches, ...summarize(orders.length, mismatches) };
}
