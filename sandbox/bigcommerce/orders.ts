/**
 * v2 orders: the records the store keeps and how they render. Money is kept as numbers and rendered as
 * 4-decimal strings (consignment costs as numbers), dates as RFC-2822, exactly as the v2 API sends them.
 */
import type { Catalog } from './catalog';
import { rfc2822 } from './dates';

export const ORDER_STATUSES: ReadonlyArray<{ id: number; name: string; description: string }> = [
  { id: 0, name: 'Incomplete', description: 'An incomplete order happens when a shopper reached the payment page, but did not complete the transaction.' },
  { id: 1, name: 'Pending', description: 'Customer started the checkout process, but did not complete it.' },
  { id: 2, name: 'Shipped', description: 'Order has been shipped, but receipt has not been confirmed; seller has used the Ship Items action.' },
  { id: 3, name: 'Partially Shipped', description: 'Only some items in the order have been shipped, due to some products being pre-order only or other reasons.' },
  { id: 4, name: 'Refunded', description: 'Seller has used the Refund action.' },
  { id: 5, name: 'Cancelled', description: 'Seller has cancelled an order, due to a stock inconsistency or other reasons.' },
  { id: 6, name: 'Declined', description: 'Seller has marked the order as declined for lack of manual payment, or other reasons.' },
  { id: 7, name: 'Awaiting Payment', description: 'Customer has completed checkout process, but payment has yet to be confirmed.' },
  { id: 8, name: 'Awaiting Pickup', description: 'Order has been pulled, and is awaiting customer pickup from a seller-specified location.' },
  { id: 9, name: 'Awaiting Shipment', description: 'Order has been pulled and packaged, and is awaiting collection from a shipping provider.' },
  { id: 10, name: 'Completed', description: 'Client has paid for their digital product and their file(s) are available for download.' },
  { id: 11, name: 'Awaiting Fulfillment', description: 'Customer has completed the checkout process and payment has been confirmed.' },
  { id: 12, name: 'Manual Verification Required', description: 'Order is on hold while some aspect needs to be manually confirmed.' },
  { id: 13, name: 'Disputed', description: 'Customer has initiated a dispute resolution process for the PayPal transaction that paid for the order.' },
  { id: 14, name: 'Partially Refunded', description: 'Seller has partially refunded the order.' },
];

export function statusName(id: number): string {
  return ORDER_STATUSES.find((s) => s.id === id)?.name ?? 'Unknown';
}

export interface AddressInput {
  first_name?: string;
  last_name?: string;
  company?: string;
  street_1?: string;
  street_2?: string;
  city?: string;
  state?: string;
  zip?: string;
  country?: string;
  country_iso2?: string;
  phone?: string;
  email?: string;
}

/** A checkout form field as the order shows it (`formFields`): a custom field such as a PO number. */
export interface FormFieldInput {
  name: string;
  value: string | number | string[];
}

export interface BillingAddressInput extends AddressInput {
  form_fields?: FormFieldInput[];
}

export interface AppliedDiscountInput {
  id: string | number;
  amount: number;
  name?: string;
  code?: string | null;
  target?: 'order' | 'product';
}

/** A pickup consignment: the shopper collects the lines that name it at a store location. */
export interface PickupInput {
  pickup_method_id?: number;
  pickup_method_display_name?: string;
  collection_instructions?: string;
  collection_time_description?: string;
  location?: {
    id?: number;
    name?: string;
    code?: string;
    address_line_1?: string;
    address_line_2?: string;
    city?: string;
    state?: string;
    postal_code?: string;
    country_alpha2?: string;
    email?: string;
    phone?: string;
  };
}

export interface OrderLineInput {
  /** A catalog product; name, SKU and price come from the catalog unless given. */
  product_id?: number;
  variant_id?: number;
  /** Seeding shortcut: the catalog variant with this SKU (or a custom product's SKU when not in the catalog). */
  sku?: string;
  name?: string;
  quantity: number;
  price_ex_tax?: number;
  price_inc_tax?: number;
  product_options?: Array<{ id: number; value: string; display_name?: string; display_value?: string }>;
  /** Which of the order's shipping addresses the line ships to (index, default 0). */
  shipping_address_index?: number;
  /** The line is collected: index into the order's `pickups` (the line then has no shipping address). */
  pickup_index?: number;
  /** A custom product's kind; catalog products take the product's. Digital lines go to the download consignment. */
  type?: 'physical' | 'digital';
  /** Units refunded so far, and the money refunded for the line. */
  quantity_refunded?: number;
  refund_amount?: number;
  /** Default: every unit refunded. */
  is_refunded?: boolean;
  /** Gift wrapping of the line: the wrapping's name, the shopper's message, and its cost for the whole line. */
  wrapping_name?: string;
  wrapping_message?: string;
  wrapping_cost_ex_tax?: number;
  wrapping_cost_inc_tax?: number;
  /** Discounts on the line besides the coupons' share (automatic promotions), shown as `applied_discounts`. */
  applied_discounts?: AppliedDiscountInput[];
}

export interface ShippingAddressInput extends AddressInput {
  shipping_method?: string;
  cost_ex_tax?: number;
  cost_inc_tax?: number;
}

export interface CouponInput {
  code: string;
  /** The coupon's configured value (e.g. 5 for 5 % or $5). */
  amount?: number;
  /** 0 per-item, 1 percentage, 2 per-total, 3 shipping, 4 free shipping, 5 promotion. */
  type?: number;
  /** The money the coupon took off this order. */
  discount: number;
}

/** An order to seed, or the body of `POST /v2/orders` (which takes the same fields, minus the seeding extras). */
export interface OrderInput {
  id?: number;
  customer_id?: number;
  status_id?: number;
  /** Epoch ms or any date string `Date.parse` reads; seeding only. */
  date_created?: number | string;
  date_modified?: number | string;
  billing_address?: BillingAddressInput;
  shipping_addresses?: ShippingAddressInput[];
  /** Pickup consignments; lines name them with `pickup_index`. */
  pickups?: PickupInput[];
  /** Digital lines are delivered by e-mail to this address (default: the billing e-mail). */
  download_recipient_email?: string;
  products: OrderLineInput[];
  coupons?: CouponInput[];
  shipping_cost_ex_tax?: number;
  shipping_cost_inc_tax?: number;
  handling_cost_ex_tax?: number;
  handling_cost_inc_tax?: number;
  /** The order-level discount; default the sum of the lines' own `applied_discounts`. */
  discount_amount?: number;
  /** Prices were entered with tax included (`base_*` amounts are then tax-inclusive). Default false. */
  is_tax_inclusive_pricing?: boolean;
  payment_method?: string;
  payment_status?: string;
  customer_message?: string;
  staff_notes?: string;
  channel_id?: number;
  /** The currency the shopper saw (display currency). */
  currency_code?: string;
  /** Display currency per unit of the transactional currency; default 1. */
  currency_exchange_rate?: number;
  /** The transactional currency the amounts are in; default `currency_code`. */
  default_currency_code?: string;
  /** The store's default currency; default `currency_code`. */
  store_default_currency_code?: string;
  /** Default `currency_exchange_rate`. */
  store_default_to_transactional_exchange_rate?: number;
  external_source?: string | null;
  external_id?: string | null;
  external_order_id?: string;
  customer_locale?: string;
  cart_id?: string;
  ip_address?: string;
}

interface Address {
  first_name: string;
  last_name: string;
  company: string;
  street_1: string;
  street_2: string;
  city: string;
  state: string;
  zip: string;
  country: string;
  country_iso2: string;
  phone: string;
  email: string;
}

export interface OrderLine {
  id: number;
  productId: number;
  variantId: number;
  addressId: number;
  name: string;
  sku: string;
  type: 'physical' | 'digital';
  /** The pickup consignment collecting the line, 0 when it ships or is downloaded. */
  pickupId: number;
  quantity: number;
  quantityRefunded: number;
  refundAmount: number;
  isRefunded: boolean;
  wrappingName: string;
  wrappingMessage: string;
  wrappingExTax: number;
  wrappingIncTax: number;
  /** Units already in shipments (`quantity_shipped`). */
  quantityShipped: number;
  basePrice: number;
  priceExTax: number;
  priceIncTax: number;
  weight: number;
  discounts: Array<{ id: string; amount: number; name: string; code: string | null; target: 'order' | 'product' }>;
  options: Array<{ id: number; value: string; display_name: string; display_value: string }>;
}

export interface ShippingAddress extends Address {
  id: number;
  shippingMethod: string;
  costExTax: number;
  costIncTax: number;
}

export interface PickupConsignment {
  id: number;
  pickupMethodId: number;
  displayName: string;
  collectionInstructions: string;
  collectionTimeDescription: string;
  location: Required<NonNullable<PickupInput['location']>>;
}

export interface OrderCoupon {
  id: number;
  couponId: number;
  code: string;
  amount: number;
  type: number;
  discount: number;
}

export interface OrderRecord {
  id: number;
  customerId: number;
  statusId: number;
  dateCreated: number;
  dateModified: number;
  dateShipped: number | null;
  billing: Address;
  formFields: FormFieldInput[];
  shipping: ShippingAddress[];
  pickups: PickupConsignment[];
  downloadRecipient: string;
  taxInclusive: boolean;
  currencyExchangeRate: number;
  defaultCurrencyCode: string;
  storeDefaultCurrencyCode: string;
  storeDefaultToTransactionalRate: number;
  lines: OrderLine[];
  coupons: OrderCoupon[];
  handlingExTax: number;
  handlingIncTax: number;
  discountAmount: number;
  refundedAmount: number;
  paymentMethod: string;
  paymentStatus: string;
  customerMessage: string;
  staffNotes: string;
  channelId: number;
  currencyCode: string;
  externalSource: string | null;
  externalId: string | null;
  externalOrderId: string;
  customerLocale: string;
  cartId: string;
  ipAddress: string;
  isDeleted: boolean;
  /** The lines' units were taken from stock when the order was placed and have not been given back since. */
  stockTaken: boolean;
}

const round4 = (n: number): number => Math.round(n * 10_000) / 10_000;
export const money = (n: number): string => round4(n).toFixed(4);

function address(input: AddressInput | undefined): Address {
  return {
    first_name: input?.first_name ?? '',
    last_name: input?.last_name ?? '',
    company: input?.company ?? '',
    street_1: input?.street_1 ?? '',
    street_2: input?.street_2 ?? '',
    city: input?.city ?? '',
    state: input?.state ?? '',
    zip: input?.zip ?? '',
    country: input?.country ?? '',
    country_iso2: input?.country_iso2 ?? '',
    phone: input?.phone ?? '',
    email: input?.email ?? '',
  };
}

/** Raised for order input the store cannot accept; the route turns it into a 400 with this message. */
export class OrderInputError extends Error {}

export interface IdSource {
  nextLineId(): number;
  /** Shipping addresses and pickup consignments share one sequence, as consignment ids do. */
  nextAddressId(): number;
  nextCouponId(): number;
}

/** Builds an order record from input, taking names, SKUs and prices of catalog products from the catalog. */
export function buildOrder(id: number, input: OrderInput, catalog: Catalog, ids: IdSource, now: number): OrderRecord {
  if (input.products.length === 0) throw new OrderInputError('products: an order needs at least one product');
  const billing = address(input.billing_address);
  const shipsAnything = input.products.some((p) => p.pickup_index === undefined && lineType(p, catalog) === 'physical');
  // An order with nothing to ship (digital or collected only) has no shipping address unless one is given.
  const defaultShipping: ShippingAddressInput[] = shipsAnything ? [{ ...input.billing_address, shipping_method: 'Flat Rate' }] : [];
  const shippingInputs: ShippingAddressInput[] = input.shipping_addresses?.length ? input.shipping_addresses : defaultShipping;
  const shippingCostEx = input.shipping_cost_ex_tax ?? 0;
  const shippingCostInc = input.shipping_cost_inc_tax ?? shippingCostEx;
  const shipping: ShippingAddress[] = shippingInputs.map((s, index) => ({
    ...address(s),
    id: ids.nextAddressId(),
    shippingMethod: s.shipping_method ?? 'Flat Rate',
    // The order's shipping cost sits on the first consignment unless each address states its own.
    costExTax: s.cost_ex_tax ?? (index === 0 ? shippingCostEx : 0),
    costIncTax: s.cost_inc_tax ?? s.cost_ex_tax ?? (index === 0 ? shippingCostInc : 0),
  }));
  const pickups: PickupConsignment[] = (input.pickups ?? []).map((p, index) => ({
    id: ids.nextAddressId(),
    pickupMethodId: p.pickup_method_id ?? index + 1,
    displayName: p.pickup_method_display_name ?? 'Pick Up',
    collectionInstructions: p.collection_instructions ?? '',
    collectionTimeDescription: p.collection_time_description ?? '',
    location: {
      id: p.location?.id ?? 1,
      name: p.location?.name ?? 'Default location',
      code: p.location?.code ?? 'BC-LOCATION-1',
      address_line_1: p.location?.address_line_1 ?? '',
      address_line_2: p.location?.address_line_2 ?? '',
      city: p.location?.city ?? '',
      state: p.location?.state ?? '',
      postal_code: p.location?.postal_code ?? '',
      country_alpha2: p.location?.country_alpha2 ?? 'US',
      email: p.location?.email ?? '',
      phone: p.location?.phone ?? '',
    },
  }));
  const lines = input.products.map((line, index) => buildLine(line, index, catalog, ids, shipping, pickups));
  const coupons = (input.coupons ?? []).map((c, index) => ({
    id: ids.nextCouponId(),
    couponId: index + 1,
    code: c.code,
    amount: c.amount ?? c.discount,
    type: c.type ?? 2,
    discount: c.discount,
  }));
  spreadDiscounts(lines, coupons);
  const created = toMs(input.date_created, now);
  return {
    id,
    customerId: input.customer_id ?? 0,
    statusId: input.status_id ?? 1,
    dateCreated: created,
    dateModified: Math.max(created, toMs(input.date_modified, created)),
    dateShipped: null,
    billing,
    formFields: input.billing_address?.form_fields ?? [],
    shipping,
    pickups,
    downloadRecipient: input.download_recipient_email ?? billing.email,
    taxInclusive: input.is_tax_inclusive_pricing ?? false,
    currencyExchangeRate: input.currency_exchange_rate ?? 1,
    defaultCurrencyCode: input.default_currency_code ?? input.currency_code ?? 'USD',
    storeDefaultCurrencyCode: input.store_default_currency_code ?? input.currency_code ?? 'USD',
    storeDefaultToTransactionalRate: input.store_default_to_transactional_exchange_rate ?? input.currency_exchange_rate ?? 1,
    lines,
    coupons,
    handlingExTax: input.handling_cost_ex_tax ?? 0,
    handlingIncTax: input.handling_cost_inc_tax ?? input.handling_cost_ex_tax ?? 0,
    discountAmount: input.discount_amount ?? round4(input.products.flatMap((p) => p.applied_discounts ?? []).reduce((sum, d) => sum + d.amount, 0)),
    refundedAmount: round4(lines.reduce((sum, l) => sum + l.refundAmount, 0)),
    paymentMethod: input.payment_method ?? 'Manual',
    paymentStatus: input.payment_status ?? '',
    customerMessage: input.customer_message ?? '',
    staffNotes: input.staff_notes ?? '',
    channelId: input.channel_id ?? 1,
    currencyCode: input.currency_code ?? 'USD',
    externalSource: input.external_source ?? null,
    externalId: input.external_id ?? null,
    externalOrderId: input.external_order_id ?? '',
    customerLocale: input.customer_locale ?? 'en',
    cartId: input.cart_id ?? '',
    ipAddress: input.ip_address ?? '',
    isDeleted: false,
    stockTaken: false,
  };
}

/** v2 dates have whole-second precision. */
export function toSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

function toMs(value: number | string | undefined, fallback: number): number {
  if (value === undefined) return toSecond(fallback);
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (Number.isNaN(ms)) throw new OrderInputError(`date: ${String(value)} is not a date`);
  return toSecond(ms);
}

/** Whether the line is a physical or a digital product: the catalog product's kind, else the input's. */
function lineType(input: OrderLineInput, catalog: Catalog): 'physical' | 'digital' {
  const variant = input.variant_id ?? (input.sku !== undefined ? catalog.variantBySku.get(input.sku) : undefined);
  const productId = input.product_id ?? (variant !== undefined ? catalog.variants.get(variant)?.productId : undefined);
  return (productId !== undefined ? catalog.products.get(productId)?.type : undefined) ?? input.type ?? 'physical';
}

function buildLine(input: OrderLineInput, index: number, catalog: Catalog, ids: IdSource, shipping: ShippingAddress[], pickups: PickupConsignment[]): OrderLine {
  if (!Number.isInteger(input.quantity) || input.quantity < 1) throw new OrderInputError(`products.${index}.quantity: must be a whole number of at least 1`);
  const refunded = input.quantity_refunded ?? 0;
  if (!Number.isInteger(refunded) || refunded < 0 || refunded > input.quantity) {
    throw new OrderInputError(`products.${index}.quantity_refunded: must be a whole number from 0 to the quantity (${input.quantity})`);
  }
  const variantId = input.variant_id ?? (input.sku !== undefined ? catalog.variantBySku.get(input.sku) : undefined);
  const variant = variantId !== undefined ? catalog.variants.get(variantId) : undefined;
  if (input.variant_id !== undefined && !variant) throw new OrderInputError(`products.${index}.variant_id: variant ${input.variant_id} does not exist`);
  const productId = input.product_id ?? variant?.productId;
  const product = productId !== undefined ? catalog.products.get(productId) : undefined;
  if (input.product_id !== undefined && !product) throw new OrderInputError(`products.${index}.product_id: product ${input.product_id} does not exist`);
  if (variant && product && variant.productId !== product.id) throw new OrderInputError(`products.${index}.variant_id: variant ${variant.id} belongs to product ${variant.productId}`);
  const chosen = variant ?? (product ? catalog.variants.get(product.baseVariantId || product.variantIds[0]!) : undefined);
  if (!product && !input.name) throw new OrderInputError(`products.${index}.name: a custom product needs a name`);
  const catalogPrice = chosen && product ? catalog.calculatedPrice(chosen, product) : 0;
  const priceEx = input.price_ex_tax ?? input.price_inc_tax ?? catalogPrice;
  const type = lineType(input, catalog);
  let addressId = 0;
  let pickupId = 0;
  if (input.pickup_index !== undefined) {
    const pickup = pickups[input.pickup_index];
    if (!pickup) throw new OrderInputError(`products.${index}.pickup_index: the order has no pickup ${input.pickup_index}`);
    pickupId = pickup.id;
  } else if (type === 'physical') {
    const addressIndex = input.shipping_address_index ?? 0;
    const shipTo = shipping[addressIndex];
    if (!shipTo) throw new OrderInputError(`products.${index}.shipping_address_index: the order has no shipping address ${addressIndex}`);
    addressId = shipTo.id;
  }
  const lineId = ids.nextLineId();
  const wrappingEx = input.wrapping_cost_ex_tax ?? 0;
  return {
    id: lineId,
    productId: product?.id ?? 0,
    variantId: chosen?.id ?? 0,
    addressId,
    pickupId,
    name: input.name ?? product?.name ?? '',
    sku: chosen?.sku ?? input.sku ?? '',
    type,
    quantity: input.quantity,
    quantityRefunded: refunded,
    refundAmount: input.refund_amount ?? 0,
    isRefunded: input.is_refunded ?? (refunded > 0 && refunded === input.quantity),
    wrappingName: input.wrapping_name ?? '',
    wrappingMessage: input.wrapping_message ?? '',
    wrappingExTax: wrappingEx,
    wrappingIncTax: input.wrapping_cost_inc_tax ?? wrappingEx,
    quantityShipped: 0,
    basePrice: priceEx,
    priceExTax: priceEx,
    priceIncTax: input.price_inc_tax ?? priceEx,
    weight: chosen && product ? (chosen.weight ?? product.weight) : 0,
    discounts: (input.applied_discounts ?? []).map((d) => ({ id: String(d.id), amount: d.amount, name: d.name ?? String(d.id), code: d.code ?? null, target: d.target ?? 'product' })),
    options: (input.product_options ?? []).map((o, optionIndex) => ({
      id: lineId * 100 + optionIndex,
      value: String(o.value),
      display_name: o.display_name ?? `Option ${o.id}`,
      display_value: o.display_value ?? String(o.value),
    })),
  };
}

/** Spreads each coupon's discount over the lines in proportion to their totals, as BigCommerce does. */
function spreadDiscounts(lines: OrderLine[], coupons: OrderCoupon[]): void {
  const subtotal = lines.reduce((sum, line) => sum + line.priceExTax * line.quantity, 0);
  if (subtotal <= 0) return;
  let undiscounted = subtotal;
  for (const coupon of coupons) {
    // A fixed-amount coupon never takes more than what is left of the subtotal: an order never totals below zero.
    coupon.discount = Math.min(coupon.discount, round4(undiscounted));
    undiscounted -= coupon.discount;
    let left = coupon.discount;
    lines.forEach((line, index) => {
      const share = index === lines.length - 1 ? left : round4((coupon.discount * line.priceExTax * line.quantity) / subtotal);
      left = round4(left - share);
      line.discounts.push({ id: coupon.code, amount: share, name: coupon.code, code: coupon.code, target: 'order' });
    });
  }
}

export interface OrderTotals {
  subtotalEx: number;
  subtotalInc: number;
  shippingEx: number;
  shippingInc: number;
  couponDiscount: number;
  wrappingEx: number;
  wrappingInc: number;
  totalEx: number;
  totalInc: number;
  itemsTotal: number;
}

export function orderTotals(order: OrderRecord): OrderTotals {
  let subtotalEx = 0;
  let subtotalInc = 0;
  let itemsTotal = 0;
  let wrappingEx = 0;
  let wrappingInc = 0;
  for (const line of order.lines) {
    subtotalEx += line.priceExTax * line.quantity;
    subtotalInc += line.priceIncTax * line.quantity;
    wrappingEx += line.wrappingExTax;
    wrappingInc += line.wrappingIncTax;
    itemsTotal += line.quantity;
  }
  const shippingEx = order.shipping.reduce((sum, s) => sum + s.costExTax, 0);
  const shippingInc = order.shipping.reduce((sum, s) => sum + s.costIncTax, 0);
  const couponDiscount = order.coupons.reduce((sum, c) => sum + c.discount, 0);
  const off = couponDiscount + order.discountAmount;
  return {
    subtotalEx: round4(subtotalEx),
    subtotalInc: round4(subtotalInc),
    shippingEx: round4(shippingEx),
    shippingInc: round4(shippingInc),
    couponDiscount: round4(couponDiscount),
    wrappingEx: round4(wrappingEx),
    wrappingInc: round4(wrappingInc),
    totalEx: round4(Math.max(0, subtotalEx + shippingEx + order.handlingExTax + wrappingEx - off)),
    totalInc: round4(Math.max(0, subtotalInc + shippingInc + order.handlingIncTax + wrappingInc - off)),
    itemsTotal,
  };
}

export interface RenderContext {
  /** `https://…/stores/{hash}/v2`, for the `{url, resource}` links. */
  v2Base: string;
}

function link(context: RenderContext, resource: string) {
  return { url: `${context.v2Base}${resource}`, resource };
}

export function renderLine(order: OrderRecord, line: OrderLine): Record<string, unknown> {
  const totalEx = line.priceExTax * line.quantity;
  const totalInc = line.priceIncTax * line.quantity;
  const discounted = totalInc - line.discounts.reduce((sum, d) => sum + d.amount, 0);
  return {
    id: line.id,
    order_id: order.id,
    product_id: line.productId,
    variant_id: line.variantId,
    order_pickup_method_id: line.pickupId,
    order_address_id: line.addressId,
    name: line.name,
    name_customer: line.name,
    name_merchant: line.name,
    sku: line.sku,
    upc: '',
    type: line.type,
    // In a store that enters prices with tax, the base amounts are the tax-inclusive ones.
    base_price: money(order.taxInclusive ? line.priceIncTax : line.basePrice),
    price_ex_tax: money(line.priceExTax),
    price_inc_tax: money(line.priceIncTax),
    price_tax: money(line.priceIncTax - line.priceExTax),
    base_total: money((order.taxInclusive ? line.priceIncTax : line.basePrice) * line.quantity),
    total_ex_tax: money(totalEx),
    total_inc_tax: money(totalInc),
    total_tax: money(totalInc - totalEx),
    weight: money(line.weight),
    width: '0.0000',
    height: '0.0000',
    depth: '0.0000',
    quantity: line.quantity,
    base_cost_price: '0.0000',
    cost_price_inc_tax: '0.0000',
    cost_price_ex_tax: '0.0000',
    cost_price_tax: '0.0000',
    is_refunded: line.isRefunded,
    quantity_refunded: line.quantityRefunded,
    refund_amount: money(line.refundAmount),
    return_id: 0,
    wrapping_id: line.wrappingName ? 1 : 0,
    wrapping_name: line.wrappingName,
    base_wrapping_cost: money(order.taxInclusive ? line.wrappingIncTax : line.wrappingExTax),
    wrapping_cost_ex_tax: money(line.wrappingExTax),
    wrapping_cost_inc_tax: money(line.wrappingIncTax),
    wrapping_cost_tax: money(line.wrappingIncTax - line.wrappingExTax),
    wrapping_message: line.wrappingMessage,
    quantity_shipped: line.quantityShipped,
    event_name: null,
    event_date: null,
    fixed_shipping_cost: '0.0000',
    ebay_item_id: '',
    ebay_transaction_id: '',
    option_set_id: null,
    parent_order_product_id: null,
    is_bundled_product: false,
    bin_picking_number: '',
    external_id: null,
    brand: '',
    applied_discounts: line.discounts.map((d) => ({ ...d, amount: money(d.amount) })),
    product_options: line.options.map((o, index) => ({
      id: o.id,
      option_id: index + 1,
      order_product_id: line.id,
      product_option_id: index + 1,
      display_name: o.display_name,
      display_name_customer: o.display_name,
      display_name_merchant: o.display_name,
      display_value: o.display_value,
      display_value_customer: o.display_value,
      display_value_merchant: o.display_value,
      value: o.value,
      type: 'Multiple choice',
      name: o.display_name,
      display_style: 'Dropdown',
    })),
    configurable_fields: [],
    gift_certificate_id: null,
    discounted_total_inc_tax: money(discounted),
  };
}

export function addressFields(a: Address) {
  return {
    first_name: a.first_name,
    last_name: a.last_name,
    company: a.company,
    street_1: a.street_1,
    street_2: a.street_2,
    city: a.city,
    state: a.state,
    zip: a.zip,
    country: a.country,
    country_iso2: a.country_iso2,
    phone: a.phone,
    email: a.email,
  };
}

function itemsOf(order: OrderRecord, shippingAddress: ShippingAddress): number {
  return order.lines.filter((l) => l.addressId === shippingAddress.id).reduce((sum, l) => sum + l.quantity, 0);
}

function shippedOf(order: OrderRecord, shippingAddress?: ShippingAddress): number {
  return order.lines.filter((l) => !shippingAddress || l.addressId === shippingAddress.id).reduce((sum, l) => sum + l.quantityShipped, 0);
}

/** `GET /v2/orders/{id}/shipping_addresses` items: costs as strings. */
export function renderShippingAddress(order: OrderRecord, s: ShippingAddress, context: RenderContext): Record<string, unknown> {
  return {
    id: s.id,
    order_id: order.id,
    ...addressFields(s),
    form_fields: [],
    items_total: itemsOf(order, s),
    items_shipped: shippedOf(order, s),
    shipping_method: s.shippingMethod,
    base_cost: money(s.costExTax),
    cost_ex_tax: money(s.costExTax),
    cost_inc_tax: money(s.costIncTax),
    cost_tax: money(s.costIncTax - s.costExTax),
    cost_tax_class_id: 0,
    base_handling_cost: '0.0000',
    handling_cost_ex_tax: '0.0000',
    handling_cost_inc_tax: '0.0000',
    handling_cost_tax: '0.0000',
    handling_cost_tax_class_id: 0,
    shipping_zone_id: 1,
    shipping_zone_name: 'United States',
    shipping_quotes: link(context, `/orders/${order.id}/shipping_addresses/${s.id}/shipping_quotes`),
  };
}

/** The `consignments` object of `include=consignments[.line_items]&consignment_structure=object`: costs as numbers. */
function renderConsignments(order: OrderRecord, withLines: boolean, context: RenderContext) {
  const lineItems = (lines: OrderLine[]) => lines.map((l) => (withLines ? renderLine(order, l) : link(context, `/orders/${order.id}/products/${l.id}`)));
  const digital = order.lines.filter((l) => l.type === 'digital' && l.pickupId === 0);
  return {
    pickups: order.pickups.map((p) => ({
      id: p.id,
      pickup_method_id: p.pickupMethodId,
      pickup_method_display_name: p.displayName,
      collection_instructions: p.collectionInstructions,
      collection_time_description: p.collectionTimeDescription,
      location: p.location,
      line_items: lineItems(order.lines.filter((l) => l.pickupId === p.id)),
    })),
    shipping: order.shipping.map((s) => ({
      id: s.id,
      ...addressFields(s),
      form_fields: [],
      shipping_method: s.shippingMethod,
      line_items: order.lines
        .filter((l) => l.addressId === s.id)
        .map((l) => (withLines ? renderLine(order, l) : link(context, `/orders/${order.id}/products/${l.id}`))),
      items_total: itemsOf(order, s),
      items_shipped: shippedOf(order, s),
      base_cost: round4(s.costExTax),
      cost_ex_tax: round4(s.costExTax),
      cost_inc_tax: round4(s.costIncTax),
      cost_tax: round4(s.costIncTax - s.costExTax),
      cost_tax_class_id: 0,
      base_handling_cost: 0,
      handling_cost_ex_tax: 0,
      handling_cost_inc_tax: 0,
      handling_cost_tax: 0,
      handling_cost_tax_class_id: 0,
      shipping_zone_id: 1,
      shipping_zone_name: 'United States',
      shipping_quotes: link(context, `/orders/${order.id}/consignments/shipping/${s.id}/shipping_quotes`),
    })),
    downloads: digital.length > 0 ? [{ recipient_email: order.downloadRecipient, line_items: lineItems(digital) }] : [],
    email: { gift_certificates: [] },
  };
}

export interface OrderIncludes {
  consignments: boolean;
  lineItems: boolean;
  fees: boolean;
}

export function renderOrder(order: OrderRecord, includes: OrderIncludes, context: RenderContext): Record<string, unknown> {
  const t = orderTotals(order);
  const status = statusName(order.statusId);
  const paid = order.refundedAmount;
  return {
    id: order.id,
    customer_id: order.customerId,
    date_created: rfc2822(order.dateCreated),
    date_modified: rfc2822(order.dateModified),
    date_shipped: order.dateShipped === null ? '' : rfc2822(order.dateShipped),
    status_id: order.statusId,
    status,
    subtotal_ex_tax: money(t.subtotalEx),
    subtotal_inc_tax: money(t.subtotalInc),
    subtotal_tax: money(t.subtotalInc - t.subtotalEx),
    base_shipping_cost: money(order.taxInclusive ? t.shippingInc : t.shippingEx),
    shipping_cost_ex_tax: money(t.shippingEx),
    shipping_cost_inc_tax: money(t.shippingInc),
    shipping_cost_tax: money(t.shippingInc - t.shippingEx),
    shipping_cost_tax_class_id: 0,
    base_handling_cost: money(order.taxInclusive ? order.handlingIncTax : order.handlingExTax),
    handling_cost_ex_tax: money(order.handlingExTax),
    handling_cost_inc_tax: money(order.handlingIncTax),
    handling_cost_tax: money(order.handlingIncTax - order.handlingExTax),
    handling_cost_tax_class_id: 0,
    base_wrapping_cost: money(order.taxInclusive ? t.wrappingInc : t.wrappingEx),
    wrapping_cost_ex_tax: money(t.wrappingEx),
    wrapping_cost_inc_tax: money(t.wrappingInc),
    wrapping_cost_tax: money(t.wrappingInc - t.wrappingEx),
    wrapping_cost_tax_class_id: 0,
    total_ex_tax: money(t.totalEx),
    total_inc_tax: money(t.totalInc),
    total_tax: money(t.totalInc - t.totalEx),
    is_tax_inclusive_pricing: order.taxInclusive,
    items_total: t.itemsTotal,
    items_shipped: shippedOf(order),
    payment_method: order.paymentMethod,
    payment_provider_id: '',
    payment_status: order.paymentStatus,
    refunded_amount: money(paid),
    order_is_digital: order.lines.every((l) => l.type === 'digital'),
    store_credit_amount: '0.0000',
    gift_certificate_amount: '0.0000',
    ip_address: order.ipAddress,
    ip_address_v6: '',
    geoip_country: '',
    geoip_country_iso2: '',
    currency_id: 1,
    currency_code: order.currencyCode,
    currency_exchange_rate: order.currencyExchangeRate.toFixed(10),
    default_currency_id: order.defaultCurrencyCode === order.currencyCode ? 1 : 2,
    default_currency_code: order.defaultCurrencyCode,
    store_default_currency_code: order.storeDefaultCurrencyCode,
    store_default_to_transactional_exchange_rate: order.storeDefaultToTransactionalRate.toFixed(10),
    staff_notes: order.staffNotes,
    customer_message: order.customerMessage,
    discount_amount: money(order.discountAmount),
    coupon_discount: money(t.couponDiscount),
    shipping_address_count: order.shipping.length,
    is_deleted: order.isDeleted,
    ebay_order_id: '0',
    cart_id: order.cartId,
    billing_address: { ...addressFields(order.billing), form_fields: order.formFields },
    is_email_opt_in: false,
    credit_card_type: null,
    order_source: 'external',
    channel_id: order.channelId,
    external_source: order.externalSource,
    products: link(context, `/orders/${order.id}/products`),
    shipping_addresses: link(context, `/orders/${order.id}/shipping_addresses`),
    coupons: link(context, `/orders/${order.id}/coupons`),
    external_id: order.externalId,
    external_merchant_id: null,
    tax_provider_id: '',
    customer_locale: order.customerLocale,
    external_order_id: order.externalOrderId,
    custom_status: status,
    consignments: includes.consignments ? renderConsignments(order, includes.lineItems, context) : link(context, `/orders/${order.id}/consignments`),
    fees: includes.fees ? [] : link(context, `/orders/${order.id}/fees`),
  };
}

export function renderCoupon(order: OrderRecord, c: OrderCoupon): Record<string, unknown> {
  return { id: c.id, coupon_id: c.couponId, order_id: order.id, code: c.code, amount: c.amount, type: c.type, discount: c.discount };
}
