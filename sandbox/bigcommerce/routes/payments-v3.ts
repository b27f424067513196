import { rfc3339 } from '../dates';
import { idListParam, pagingParams, RequestError } from '../query';
import { json, noContent, pageOf, paginationMeta, STATUS_CODES_URL, type SimResponse } from '../responses';
import type { Route, RouteContext } from '../router';
import type { RefundRecord, TransactionRecord } from '../store';
import { rejectUnsupported } from './common';

function orderNotFound(orderId: number, instance: string): SimResponse {
  return { status: 404, body: { status: 404, title: `Order ${orderId} not found`, type: STATUS_CODES_URL, instance } };
}

function renderTransaction(t: TransactionRecord) {
  return {
    id: t.id,
    order_id: String(t.orderId),
    event: t.event,
    method: t.method,
    amount: t.amount,
    currency: t.currency,
    gateway: t.gateway,
    gateway_transaction_id: t.gateway_transaction_id,
    date_created: rfc3339(t.dateCreated),
    test: t.test,
    status: t.status,
    fraud_review: false,
    offline: null,
    custom: null,
    payment_method_id: t.method === 'credit_card' ? 'testgateway.card' : t.method,
    payment_instrument_token: null,
    ...(t.creditCard && { credit_card: { card_iin: '', ...t.creditCard } }),
    avs_result: { code: '', message: '', street_match: '', postal_match: '' },
    cvv_result: { code: '', message: '' },
    gift_certificate: null,
    store_credit: null,
  };
}

export function renderRefund(r: RefundRecord) {
  return {
    id: r.id,
    order_id: r.orderId,
    user_id: 0,
    created: rfc3339(r.created),
    reason: r.reason,
    total_amount: r.totalAmount,
    total_tax: r.totalTax,
    uses_merchant_override_values: false,
    items: r.items.map((i) => ({
      item_type: i.item_type,
      item_id: i.item_id,
      reason: i.reason ?? r.reason,
      ...(i.quantity !== undefined && { quantity: i.quantity }),
      ...(i.requested_amount !== undefined && { requested_amount: i.requested_amount }),
    })),
    payments: r.payments.map((p) => ({ ...p, is_declined: false, declined_message: '' })),
  };
}

/** RFC 3339 (`2020-01-15T01:02:34+01:00`); a date alone is refused, as the filter documents date-times. */
function rfc3339Param(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const valid = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(raw);
  if (!valid) throw new RequestError(400, `The field '${name}' is invalid: '${raw}' is not an RFC 3339 date-time (URL-encode the '+' of an offset as %2B).`, { [name]: 'must be RFC 3339' });
  return Date.parse(raw);
}

function listRefunds({ store, query }: RouteContext): SimResponse {
  rejectUnsupported(query, ['order_id:in', 'id:in', 'created:min', 'created:max', 'transaction_id', 'page', 'limit']);
  const orderIds = idListParam(query, 'order_id:in');
  const ids = idListParam(query, 'id:in');
  const min = rfc3339Param(query, 'created:min');
  const max = rfc3339Param(query, 'created:max');
  const transactionId = query.get('transaction_id');
  const { page, limit } = pagingParams(query, 50, 250);
  const matching = store.refunds.filter(
    (r) =>
      (!orderIds || orderIds.includes(r.orderId)) &&
      (!ids || ids.includes(r.id)) &&
      (min === undefined || r.created >= min) &&
      (max === undefined || r.created <= max) &&
      (transactionId === null || r.payments.some((p) => p.transaction_id === transactionId)),
  );
  // Sorted by refund id ascending; the store-wide list carries no pagination block.
  return json({ data: pageOf(matching, page, limit).items.map(renderRefund), meta: {} });
}

export const paymentsV3Routes: Route[] = [
  {
    method: 'GET', api: 'v3', path: '/orders/{order_id}/transactions', scopes: ['transactions'],
    handle({ store, params, query }) {
      rejectUnsupported(query, []);
      const orderId = params.order_id!;
      if (!store.orders.has(orderId)) return orderNotFound(orderId, `/v3/orders/${orderId}/transactions`);
      const transactions = store.transactions.get(orderId) ?? [];
      if (transactions.length === 0) return noContent;
      const page = { items: transactions, page: 1, limit: Math.max(50, transactions.length), total: transactions.length };
      return json({ data: transactions.map(renderTransaction), meta: { pagination: paginationMeta(page) } });
    },
  },
  {
    method: 'GET', api: 'v3', path: '/orders/{order_id}/payment_actions/refunds', scopes: ['orders', 'transactions'],
    handle({ store, params, query }) {
      rejectUnsupported(query, ['transaction_id']);
      const orderId = params.order_id!;
      if (!store.orders.has(orderId)) return orderNotFound(orderId, `/v3/orders/${orderId}/payment_actions/refunds`);
      const transactionId = query.get('transaction_id');
      const refunds = store.refunds.filter((r) => r.orderId === orderId && (transactionId === null || r.payments.some((p) => p.transaction_id === transactionId)));
      return json({ data: refunds.map(renderRefund), meta: {} });
    },
  },
  { method: 'GET', api: 'v3', path: '/orders/payment_actions/refunds', scopes: ['orders', 'transactions'], handle: listRefunds },
  {
    method: 'GET', api: 'v3', path: '/orders/payment_actions/refunds/{refund_id}', scopes: ['orders', 'transactions'],
    handle({ store, params }) {
      const refund = store.refunds.find((r) => r.id === params.refund_id);
      return refund
        ? json({ data: renderRefund(refund), meta: {} })
        : { status: 404, body: { status: 404, title: `Refund ${params.refund_id} not found`, type: STATUS_CODES_URL } };
    },
  },
];
