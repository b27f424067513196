import { z } from 'zod';
import { parseWith } from '../errors';
import type { RequestFunction } from '../http/transport';
import { rfc3339 } from './dates';
import { money } from './order';
import { v2Pages, v3All } from './pagination';

/**
 * Read-only views of an order's money for reconciliation: the v3 transactions and refunds of one order or of
 * every order created in a date range, with the order's total. Nothing here writes to BigCommerce.
 */

const idText = z.union([z.string(), z.number()]).transform(String);

/** A v3 transaction (`orders.v3.yml` Transaction), with the fields reconciliation reads. */
export const transactionSchema = z.looseObject({
  id: z.number().int(),
  order_id: idText,
  event: z.string(),
  method: z.string(),
  amount: z.number(),
  currency: z.string(),
  gateway: z.string(),
  gateway_transaction_id: z.string().nullish(),
  date_created: z.string().optional(),
  status: z.string().optional(),
  test: z.boolean().optional(),
  reference_transaction_id: z.number().int().nullish(),
});

/** A v3 refund (`orders.v3.yml` Refund). */
export const refundSchema = z.looseObject({
  id: z.number().int(),
  order_id: z.number().int(),
  created: z.string().optional(),
  reason: z.string().nullish(),
  total_amount: z.number(),
  total_tax: z.number().optional(),
  items: z
    .array(z.looseObject({ item_type: z.string(), item_id: z.number().int().optional(), quantity: z.number().optional(), requested_amount: z.number().nullish() }))
    .default([]),
  payments: z
    .array(z.looseObject({ id: z.number().int().optional(), provider_id: z.string().optional(), amount: z.number(), offline: z.boolean().optional(), is_declined: z.boolean().optional() }))
    .default([]),
});

export type Transaction = z.output<typeof transactionSchema>;
export type Refund = z.output<typeof refundSchema>;

/** What `bigcommerce-payments` emits per order (an array of these); the reconciliation node consumes exactly this. */
export interface OrderPayments {
  orderId: number;
  /** `total_inc_tax`. */
  orderTotal: number;
  /** The order's transactional currency (`default_currency_code`, else `currency_code`). */
  currency: string;
  statusId: number;
  transactions: Transaction[];
  refunds: Refund[];
}

const orderSummarySchema = z.looseObject({
  id: z.number().int().positive(),
  status_id: z.number().int(),
  total_inc_tax: money,
  currency_code: z.string().optional(),
  default_currency_code: z.string().optional(),
});

type OrderSummary = z.output<typeof orderSummarySchema>;

/** Refunds are fetched store-wide for this many orders at a time (`order_id:in`), not one call per order. */
const REFUND_BATCH = 50;

function summary(raw: unknown, record: string): OrderSummary {
  return parseWith(orderSummarySchema, raw, { what: 'BigCommerce order', record, code: 'bigcommerce.order_invalid' });
}

const transactionCollectionSchema = z.looseObject({ data: z.array(transactionSchema) });

/** The endpoint takes no paging parameters and answers 204 when the order has no transactions. */
async function transactionsOf(request: RequestFunction, orderId: number): Promise<Transaction[]> {
  const response = await request({ method: 'GET', path: `/v3/orders/${orderId}/transactions`, priority: 'interactive' });
  if (response.status === 204 || response.body === undefined) return [];
  const what = { what: 'BigCommerce transactions', record: `order ${orderId}`, code: 'bigcommerce.payments_invalid' };
  return parseWith(transactionCollectionSchema, response.body, what).data;
}

async function refundsOf(request: RequestFunction, orderIds: number[]): Promise<Refund[]> {
  const refunds: Refund[] = [];
  for (let start = 0; start < orderIds.length; start += REFUND_BATCH) {
    const batch = orderIds.slice(start, start + REFUND_BATCH);
    const rows = await v3All(request, '/v3/orders/payment_actions/refunds', { 'order_id:in': batch.join(',') }, { priority: 'interactive' });
    const record = batch.length === 1 ? `order ${batch[0]}` : `orders ${batch[0]}…${batch[batch.length - 1]}`;
    refunds.push(...parseWith(z.array(refundSchema), rows, { what: 'BigCommerce refunds', record, code: 'bigcommerce.payments_invalid' }));
  }
  return refunds;
}

async function assemble(request: RequestFunction, orders: OrderSummary[]): Promise<OrderPayments[]> {
  const refunds = await refundsOf(request, orders.map((order) => order.id));
  const results: OrderPayments[] = [];
  for (const order of orders) {
    results.push({
      orderId: order.id,
      orderTotal: order.total_inc_tax,
      currency: order.default_currency_code || order.currency_code || '',
      statusId: order.status_id,
      transactions: await transactionsOf(request, order.id),
      refunds: refunds.filter((refund) => refund.order_id === order.id),
    });
  }
  return results;
}

export async function paymentsForOrder(request: RequestFunction, orderId: number): Promise<OrderPayments[]> {
  const response = await request({ method: 'GET', path: `/v2/orders/${orderId}`, priority: 'interactive' });
  return assemble(request, [summary(response.body, `order ${orderId}`)]);
}

export interface DateRange {
  from: Date;
  to: Date;
}

/** Every order created in the range (inclusive), with its transactions and refunds. */
export async function paymentsForRange(
  request: RequestFunction,
  range: DateRange,
  onProgress?: (done: number) => void,
): Promise<OrderPayments[]> {
  const orders: OrderSummary[] = [];
  const query = { min_date_created: rfc3339(range.from.getTime()), max_date_created: rfc3339(range.to.getTime()) };
  for await (const page of v2Pages(request, '/v2/orders', query, { priority: 'interactive' })) {
    for (const raw of page) {
      const id = (raw as { id?: unknown }).id;
      orders.push(summary(raw, typeof id === 'number' ? `order ${id}` : 'an order without id'));
    }
    onProgress?.(orders.length);
  }
  return assemble(request, orders);
}
