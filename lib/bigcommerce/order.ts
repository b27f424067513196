import { z } from 'zod';

/**
 * The fields of a BigCommerce v2 order that the integration reads, as `bigcommerce-order` emits it
 * (`include=consignments.line_items&consignment_structure=object`, plus `coupons` when the order has a
 * coupon discount). Unknown fields pass through untouched. Money arrives as decimal strings ("336.3200")
 * and sometimes as JSON numbers (consignment costs); both parse to numbers rounded to 4 places.
 */

const toMoney = (value: string | number): number => {
  const parsed = typeof value === 'number' ? value : Number.parseFloat(value);
  return Math.round(parsed * 10_000) / 10_000;
};

export const money = z
  .union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal amount')])
  .transform(toMoney);
const optionalMoney = money.optional().default(0);
const text = z.string().nullish().transform((v) => v ?? '');
/** Exchange rates carry 10 decimals ("0.9200000000"): parsed without rounding. */
const rate = z
  .union([z.number(), z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal rate')])
  .transform((value) => (typeof value === 'number' ? value : Number.parseFloat(value)))
  .optional();

/** A checkout form field (`formFields`): the value is text, a number, or a list (checkboxes). */
export const formFieldSchema = z.looseObject({
  name: text,
  value: z.union([z.string(), z.number(), z.boolean(), z.array(z.unknown())]).nullish(),
});
const formFields = z.array(formFieldSchema).optional().default([]);

export const orderAddressSchema = z.looseObject({
  first_name: text,
  last_name: text,
  company: text,
  street_1: text,
  street_2: text,
  city: text,
  state: text,
  zip: text,
  country: text,
  country_iso2: text,
  phone: text,
  email: text,
  form_fields: formFields,
});

export const appliedDiscountSchema = z.looseObject({
  id: z.union([z.string(), z.number()]),
  amount: money,
  name: text,
  code: z.string().nullish(),
  target: z.string().nullish(),
});

export const orderProductSchema = z.looseObject({
  id: z.number().int(),
  order_id: z.number().int().optional(),
  product_id: z.number().int(),
  variant_id: z.number().int().nullish(),
  order_address_id: z.number().int().nullish(),
  name: text,
  sku: text,
  type: z.string().optional(),
  quantity: z.number().int(),
  base_price: optionalMoney,
  price_ex_tax: money,
  price_inc_tax: money,
  price_tax: optionalMoney,
  total_ex_tax: optionalMoney,
  total_inc_tax: optionalMoney,
  total_tax: optionalMoney,
  /** The line after every discount, tax included: what the shopper paid for it. Absent on older orders. */
  discounted_total_inc_tax: money.optional(),
  is_refunded: z.boolean().optional(),
  quantity_refunded: z.number().optional(),
  wrapping_name: text,
  wrapping_message: text,
  base_wrapping_cost: optionalMoney,
  wrapping_cost_ex_tax: optionalMoney,
  wrapping_cost_inc_tax: optionalMoney,
  parent_order_product_id: z.number().int().nullish(),
  is_bundled_product: z.boolean().optional(),
  applied_discounts: z.array(appliedDiscountSchema).optional().default([]),
  product_options: z
    .array(z.looseObject({ display_name: text, display_value: text }))
    .optional()
    .default([]),
});

export const shippingConsignmentSchema = orderAddressSchema.extend({
  id: z.number().int(),
  shipping_method: text,
  line_items: z.array(orderProductSchema).default([]),
  base_cost: optionalMoney,
  cost_ex_tax: optionalMoney,
  cost_inc_tax: optionalMoney,
  cost_tax: optionalMoney,
  base_handling_cost: optionalMoney,
  handling_cost_ex_tax: optionalMoney,
  handling_cost_inc_tax: optionalMoney,
});

const lineItemsOnly = z.looseObject({ line_items: z.array(orderProductSchema).default([]) });

export const pickupConsignmentSchema = lineItemsOnly.extend({
  id: z.number().int().optional(),
  pickup_method_display_name: text,
  collection_instructions: text,
  location: z
    .looseObject({ id: z.number().int().optional(), name: text, code: text, address_line_1: text, address_line_2: text, city: text, state: text, postal_code: text, country_alpha2: text })
    .optional(),
});

export const consignmentsSchema = z.looseObject({
  shipping: z.array(shippingConsignmentSchema).default([]),
  pickups: z.array(pickupConsignmentSchema).default([]),
  downloads: z.array(lineItemsOnly).default([]),
  email: z.looseObject({ gift_certificates: z.array(lineItemsOnly).default([]) }).optional(),
});

export const orderCouponSchema = z.looseObject({
  id: z.number().int(),
  coupon_id: z.number().int().optional(),
  code: text,
  amount: money,
  discount: optionalMoney,
  type: z.number().int().optional(),
});

/** A sub-resource BigCommerce links to instead of embedding, e.g. `{"url": "…/orders/100/coupons", "resource": "/orders/100/coupons"}`. */
const resourceLinkSchema = z.looseObject({ url: z.string(), resource: z.string() });

/** An order fee (`include=fees`); the spec's own example spells `cost_exc_tax` once, so both are read. */
export const orderFeeSchema = z.looseObject({
  id: z.number().int(),
  display_name_customer: text,
  display_name_merchant: text,
  cost_ex_tax: money.optional(),
  cost_exc_tax: money.optional(),
  cost_inc_tax: optionalMoney,
  cost_tax: optionalMoney,
});

export const orderSchema = z.looseObject({
  id: z.number().int().positive(),
  customer_id: z.number().int().min(0),
  status_id: z.number().int(),
  status: text,
  date_created: z.string(),
  date_modified: z.string(),
  subtotal_ex_tax: money,
  subtotal_inc_tax: money,
  total_ex_tax: money,
  total_inc_tax: money,
  total_tax: optionalMoney,
  base_shipping_cost: optionalMoney,
  shipping_cost_ex_tax: optionalMoney,
  shipping_cost_inc_tax: optionalMoney,
  base_handling_cost: optionalMoney,
  handling_cost_ex_tax: optionalMoney,
  handling_cost_inc_tax: optionalMoney,
  base_wrapping_cost: optionalMoney,
  wrapping_cost_ex_tax: optionalMoney,
  wrapping_cost_inc_tax: optionalMoney,
  discount_amount: optionalMoney,
  coupon_discount: optionalMoney,
  is_tax_inclusive_pricing: z.boolean().optional(),
  refunded_amount: optionalMoney,
  store_credit_amount: optionalMoney,
  gift_certificate_amount: optionalMoney,
  currency_code: z.string().optional(),
  currency_exchange_rate: rate,
  default_currency_code: z.string().optional(),
  store_default_currency_code: z.string().nullish(),
  store_default_to_transactional_exchange_rate: rate,
  payment_method: text,
  payment_status: text,
  payment_provider_id: z.union([z.string(), z.number()]).nullish(),
  order_is_digital: z.boolean().optional(),
  external_order_id: z.union([z.string(), z.number()]).nullish(),
  /** Not on BigCommerce's order: a flow may copy the buyer's customer tax_exempt_category here. */
  tax_exempt_category: text,
  customer_message: text,
  staff_notes: text,
  channel_id: z.number().int().optional(),
  billing_address: orderAddressSchema,
  consignments: consignmentsSchema,
  /**
   * The order's coupons, fetched from /v2/orders/{id}/coupons when it has a coupon discount. BigCommerce itself
   * sends only a link here (`{url, resource}`), which parses to undefined.
   */
  coupons: z.union([z.array(orderCouponSchema), resourceLinkSchema.transform(() => undefined)]).optional(),
  /** The order's fees with `include=fees`; a link (undefined) otherwise. */
  fees: z.union([z.array(orderFeeSchema), resourceLinkSchema.transform(() => undefined)]).optional(),
});

/** The raw order as BigCommerce sends it (what `bigcommerce-order` puts in msg.payload). */
export type BigCommerceOrderInput = z.input<typeof orderSchema>;
/** The order with money parsed to numbers and optional collections defaulted (what the mapper works on). */
export type BigCommerceOrder = z.output<typeof orderSchema>;
export type OrderProduct = z.output<typeof orderProductSchema>;
export type ShippingConsignment = z.output<typeof shippingConsignmentSchema>;
export type OrderAddress = z.output<typeof orderAddressSchema>;
export type OrderFee = z.output<typeof orderFeeSchema>;
export type FormField = z.output<typeof formFieldSchema>;
export type PickupConsignment = z.output<typeof pickupConsignmentSchema>;

/** Every product line of the order, from all consignment kinds, in order-line id order. */
export function orderLines(order: BigCommerceOrder): OrderProduct[] {
  const { shipping, pickups, downloads, email } = order.consignments;
  const lines = [
    ...shipping.flatMap((c) => c.line_items),
    ...pickups.flatMap((c) => c.line_items),
    ...downloads.flatMap((c) => c.line_items),
    ...(email?.gift_certificates ?? []).flatMap((c) => c.line_items),
  ];
  return lines.sort((a, b) => a.id - b.id);
}
