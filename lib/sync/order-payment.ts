import { z } from 'zod';
import { transactionSchema, type Transaction } from '../bigcommerce/payments';
import type { BigCommerceOrder } from '../bigcommerce/order';
import { compact, cut, singleLine, type Draft } from './mapper-draft';
import { shippingMethodKey, type MapperOptions } from './mapper-options';
import { centsToAmount, convertUnits, formatCents, toUnits, unitsToCents } from './money';
import type { MoneyPlan } from './order-money';

/** PaymentType, DepositAmt and the gateway reference of a prepaid order (docs/field-placement.md, Payment). */

export interface PaymentFields {
  PaymentType?: string;
  DepositAmt?: number;
  OtherPaymentTypeRefNo?: string;
}

const captureEvents = new Set(['capture', 'purchase']);

export function mapPayment(order: BigCommerceOrder, options: MapperOptions, transactionsOnMsg: unknown, plan: MoneyPlan, draft: Draft): PaymentFields {
  const method = singleLine(order.payment_method);
  const paymentType = method ? options.paymentTypes.get(shippingMethodKey(method)) : undefined;
  if (method && options.paymentTypes.size > 0 && paymentType === undefined) draft.warn(`${draft.record}: payment method "${method}" is not in the payment type table: no PaymentType or deposit`);
  if (options.deposit === 'none') return compact({ PaymentType: paymentType });
  const toCompany = (units: number) => unitsToCents(plan.exchangeRate === undefined ? units : convertUnits(units, plan.exchangeRate));
  let depositCents: number | undefined;
  let reference: string | undefined;
  if (options.deposit === 'transactions') {
    const parsed = z.array(transactionSchema).safeParse(transactionsOnMsg);
    if (transactionsOnMsg === undefined || !parsed.success) {
      if (paymentType) draft.warn(`${draft.record}: no transactions on the msg (msg.transactions): no deposit recorded`);
      return compact({ PaymentType: paymentType });
    }
    const transactions: Transaction[] = parsed.data.filter((transaction) => transaction.status !== 'error' && transaction.test !== true);
    const captured = transactions.filter((transaction) => captureEvents.has(transaction.event));
    const refunds = transactions.filter((transaction) => transaction.event === 'refund');
    depositCents = toCompany(toUnits(captured.reduce((sum, t) => sum + t.amount, 0) - refunds.reduce((sum, t) => sum + t.amount, 0)));
    reference = captured.map((transaction) => transaction.gateway_transaction_id?.trim()).find(Boolean);
  } else if (['captured', 'paid', 'partially refunded'].includes(order.payment_status.trim().toLowerCase())) {
    depositCents = toCompany(toUnits(order.total_inc_tax) - toUnits(order.refunded_amount) - toUnits(order.store_credit_amount) - toUnits(order.gift_certificate_amount));
    reference = order.payment_provider_id === undefined || order.payment_provider_id === null ? undefined : String(order.payment_provider_id).trim() || undefined;
  }
  if (depositCents === undefined || depositCents <= 0) return compact({ PaymentType: paymentType });
  if (!paymentType) {
    draft.warn(`${draft.record}: ${formatCents(depositCents)} was captured but payment method "${method}" has no PaymentType in the table: no deposit recorded`);
    return {};
  }
  return compact({
    PaymentType: paymentType,
    DepositAmt: centsToAmount(depositCents),
    OtherPaymentTypeRefNo: reference ? cut(singleLine(reference), 24) : undefined,
  });
}

