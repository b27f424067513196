import type { BigCommerceOrder, OrderProduct } from '../bigcommerce/order';
import type { MapperOptions } from './mapper-options';
import { lineLabel, type Draft } from './mapper-draft';

/** Every human-meaningful field of an order, for comment lines or UDF columns (docs/field-placement.md, Notes). */

export interface Note {
  key: string;
  label: string;
  text: string;
  field: string;
  /** Product line id the note belongs under. */
  under?: number;
}

/** Every human-meaningful field of the order, as comment lines or UDF values (settings), or named in warnings. */
export function orderNotes(order: BigCommerceOrder, products: OrderProduct[], options: MapperOptions, draft: Draft): Note[] {
  const notes: Note[] = [];
  const add = (key: string, label: string, value: unknown, field: string, under?: number) => {
    const text = Array.isArray(value) ? value.map(String).join(', ') : value === undefined || value === null ? '' : String(value);
    if (text.trim() !== '') notes.push({ key, label, text: text.trim(), field, ...(under !== undefined && { under }) });
  };
  add('customer_message', 'Customer message', order.customer_message, 'customer_message');
  if (order.staff_notes.trim() !== '') {
    if (options.staffNotes === 'comment' || options.udfs.has('staff_notes')) add('staff_notes', 'Staff notes', order.staff_notes, 'staff_notes');
    else draft.warn(`${draft.record}: staff_notes left out (setting "Staff notes": omit)`);
  }
  const codes = new Set<string>();
  for (const product of products) for (const discount of product.applied_discounts) if (discount.code?.trim()) codes.add(discount.code.trim());
  for (const coupon of order.coupons ?? []) if (coupon.code.trim()) codes.add(coupon.code.trim());
  add('coupon_codes', 'Coupons', [...codes], 'coupons');
  for (const product of products) {
    const wrap = [product.wrapping_name.trim(), product.wrapping_message.trim() ? `message: ${product.wrapping_message.trim()}` : ''].filter(Boolean).join('; ');
    add('gift_wrapping', 'Gift wrapping', wrap, `${lineLabel(product)}.wrapping_message`, product.id);
  }
  const formFields = [
    ...order.billing_address.form_fields.map((field) => ({ field, path: 'billing_address.form_fields' })),
    ...order.consignments.shipping.flatMap((consignment, index) => consignment.form_fields.map((field) => ({ field, path: `consignments.shipping.${index}.form_fields` }))),
  ];
  const poName = options.poFormField.trim().toLowerCase();
  for (const { field, path } of formFields) {
    const name = field.name.trim();
    if (/pass(word)?|secret|pin\b/i.test(name)) {
      draft.warn(`${draft.record}: checkout field "${name}" (${path}) looks like a password and was left out`);
      continue;
    }
    const key = poName !== '' && name.toLowerCase() === poName ? 'po_number' : `form:${name.toLowerCase().replace(/\s+/g, ' ')}`;
    add(key, key === 'po_number' ? 'Buyer PO' : name || 'Checkout field', field.value, `${path}.${name}`);
  }
  if (order.tax_exempt_category.trim()) {
    add('tax_exempt_category', 'Tax exempt category', order.tax_exempt_category, 'tax_exempt_category');
    if (options.tax === 'sage') draft.warn(`${draft.record}: the buyer is tax exempt (${order.tax_exempt_category.trim()}): check that the customer's tax schedule in Sage is exempt`);
  }
  const paidOtherwise = [
    order.store_credit_amount > 0 ? `store credit ${order.store_credit_amount.toFixed(2)}` : '',
    order.gift_certificate_amount > 0 ? `gift certificate ${order.gift_certificate_amount.toFixed(2)}` : '',
  ].filter(Boolean);
  add('other_payments', 'Paid with', paidOtherwise, 'store_credit_amount');
  add('payment_method', 'Payment method', order.payment_method, 'payment_method');
  add('order_id', 'BigCommerce order', order.id, 'id');
  add('channel_id', 'Channel', order.channel_id, 'channel_id');
  add('external_order_id', 'External order', order.external_order_id, 'external_order_id');
  return notes;
}

/** Fields that only go to a UDF when mapped; the header's Comment and PaymentType already carry them. */
export const UDF_ONLY = new Set(['payment_method', 'order_id', 'channel_id', 'external_order_id']);

