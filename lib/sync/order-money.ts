import type { BigCommerceOrder, OrderProduct } from '../bigcommerce/order';
import type { OrderTieOut } from '../sage100/types';
import { compact, lineLabel } from './mapper-draft';
import type { MapperOptions } from './mapper-options';
import { apportion, centsToAmount, convertUnits, divideRounded, formatCents, formatUnits, toUnits, unitsToCents } from './money';
import { holdError } from './order-hold';

/**
 * The money of one order, placed where Sage takes it, to the cent (pure). Every amount is first taken exactly
 * from the order (4 decimals, as units), refunded quantities are taken out, the amounts are converted when
 * the order is in another currency, and then rounded to cents so that they add up to the order's total for
 * the chosen basis. When the order's own parts do not add up to its total, or a part cannot be placed
 * exactly, the order is held (`OrderHeldError`) naming the field — never posted with a different total.
 */

export type Basis = 'ex' | 'inc';

export type PlacementKind = 'product' | 'charge' | 'discount' | 'freight' | 'header-discount' | 'tax';

export interface Placement {
  kind: PlacementKind;
  /** Exact amount in the company's currency, units (4 decimals); discounts are negative. */
  units: number;
  /** After rounding: what is sent, in cents. */
  cents: number;
  /** The BigCommerce field it comes from, for reasons. */
  field: string;
  /** Which sales order it belongs to when consignments are split (0 otherwise). */
  part: number;
  /** Charge and discount lines: the Sage item code and the line's description. */
  itemCode?: string;
  description?: string;
  /** Product lines. */
  product?: OrderProduct;
  quantity?: number;
  /** Product lines: the line's amount before discounts, when LineDiscountPercent is wanted. */
  grossUnits?: number;
}

export interface Refunded {
  product: OrderProduct;
  quantity: number;
}

export interface MoneyPlan {
  basis: Basis;
  placements: Placement[];
  refunded: Refunded[];
  /** Expected total in cents and BigCommerce's tax on what was placed (units), both in the company's currency. */
  expectedCents: number;
  taxUnits: number;
  currency: string;
  orderCurrency: string;
  exchangeRate?: number;
  warnings: string[];
}

interface ProductMoney {
  product: OrderProduct;
  quantity: number;
  refunded: number;
  gross: number;
  net: number;
  /** Order-level discounts by id, when the order tells them apart on this line. */
  orderDiscounts: Map<string, { label: string; units: number }>;
  /** False when only the line's total after all discounts is known (tax-inclusive store with discounts). */
  split: boolean;
  netInc: number;
  tax: number;
  part: number;
}

const discountLabel = (discount: { code?: string | null; name: string; id: string | number }) =>
  discount.code ? `Coupon ${discount.code}` : discount.name || `Discount ${discount.id}`;

/** The quantity BigCommerce refunded on a line: `quantity_refunded`, or the whole line when only `is_refunded` says so. */
export function refundedQuantity(product: OrderProduct): number {
  const stated = product.quantity_refunded ?? 0;
  if (stated > 0) return Math.min(product.quantity, Math.round(stated));
  return product.is_refunded === true ? product.quantity : 0;
}

function productMoney(order: BigCommerceOrder, product: OrderProduct, basis: Basis, part: number): ProductMoney {
  const inclusiveStore = order.is_tax_inclusive_pricing === true;
  const quantity = product.quantity;
  const unitPrice = toUnits(basis === 'inc' ? product.price_inc_tax : product.price_ex_tax);
  const gross = unitPrice * quantity;
  const discounts = product.applied_discounts;
  const productDiscount = discounts.filter((discount) => discount.target !== 'order').reduce((sum, discount) => sum + toUnits(discount.amount), 0);
  const orderDiscounts = new Map<string, { label: string; units: number }>();
  for (const discount of discounts.filter((d) => d.target === 'order')) {
    const key = String(discount.id);
    const entry = orderDiscounts.get(key) ?? { label: discountLabel(discount), units: 0 };
    entry.units += toUnits(discount.amount);
    orderDiscounts.set(key, entry);
  }
  const allDiscounts = productDiscount + [...orderDiscounts.values()].reduce((sum, entry) => sum + entry.units, 0);
  const tax = toUnits(product.total_tax);
  const paid = product.discounted_total_inc_tax === undefined ? undefined : toUnits(product.discounted_total_inc_tax);
  const record = lineLabel(product);
  // The discounts' amounts are in the store's pricing basis; BigCommerce documents the line's tax as computed
  // after discounts, so the line's paid total less its tax is its amount excluding tax.
  const storeBasis: Basis = inclusiveStore ? 'inc' : 'ex';
  let net: number;
  let split = true;
  if (allDiscounts === 0) net = gross;
  else if (basis === storeBasis) net = gross - allDiscounts;
  else if (paid !== undefined && paid > 0) {
    net = basis === 'ex' ? paid - tax : paid;
    split = false;
  } else {
    throw holdError(order.id, 'applied_discounts', `${record}: its discounts are in the store's ${storeBasis === 'inc' ? 'tax-inclusive' : 'tax-exclusive'} prices and the line has no discounted_total_inc_tax, so its amount ${basis === 'ex' ? 'excluding' : 'including'} tax is not known exactly`);
  }
  const netInc = paid !== undefined && paid > 0
    ? paid
    : storeBasis === 'inc'
      ? toUnits(product.price_inc_tax) * quantity - allDiscounts
      : toUnits(product.price_ex_tax) * quantity - allDiscounts + tax;
  return { product, quantity, refunded: refundedQuantity(product), gross, net, orderDiscounts, split, netInc, tax, part };
}

/** `units` for `quantity` of the line's `full` units. */
const share = (full: number, kept: number, quantity: number) => divideRounded(full * kept, quantity);

interface CurrencyDecision {
  currency: string;
  orderCurrency: string;
  rate?: number;
}

function currencyOf(order: BigCommerceOrder, options: MapperOptions): CurrencyDecision {
  const orderCurrency = (order.default_currency_code || order.currency_code || options.companyCurrency).trim().toUpperCase();
  const currency = options.companyCurrency;
  if (orderCurrency === currency) return { currency, orderCurrency };
  const field = order.default_currency_code ? 'default_currency_code' : 'currency_code';
  if (options.foreignCurrency === 'hold') {
    throw holdError(order.id, field, `the order is in ${orderCurrency}, the company in ${currency}: held (choose "convert at the order's rate" to import it converted)`);
  }
  const storeCurrency = (order.store_default_currency_code ?? '').trim().toUpperCase();
  const rate = order.store_default_to_transactional_exchange_rate;
  if (storeCurrency !== currency || rate === undefined || !(rate > 0)) {
    throw holdError(order.id, 'store_default_to_transactional_exchange_rate', `the order is in ${orderCurrency} and carries no exchange rate from ${currency} (store default currency "${storeCurrency || 'not given'}"): it cannot be converted`);
  }
  return { currency, orderCurrency, rate };
}

export interface PlanInput {
  order: BigCommerceOrder;
  products: OrderProduct[];
  /** Part (sales order) of each product line id when consignments are split. */
  partOf: (product: OrderProduct) => number;
  /** Shipping per part when split and the consignments' costs add up to the order's; else everything on part 0. */
  shippingParts: Array<{ part: number; units: number; description: string }>;
  options: MapperOptions;
}

export function planMoney({ order, products, partOf, shippingParts, options }: PlanInput): MoneyPlan {
  const basis: Basis = options.priceBasis === 'inc' ? 'inc' : 'ex';
  const warnings: string[] = [];
  const { currency, orderCurrency, rate } = currencyOf(order, options);
  const convert = (units: number) => (rate === undefined ? units : convertUnits(units, rate));
  const placements: Placement[] = [];
  const place = (placement: Omit<Placement, 'cents' | 'units'> & { units: number }) => placements.push({ ...placement, units: convert(placement.units), cents: 0 });

  if (products.every((product) => refundedQuantity(product) === product.quantity)) {
    throw holdError(order.id, 'quantity_refunded', 'every line of the order is refunded: nothing is left to order', 'needs-attention');
  }
  const lines = products.map((product) => productMoney(order, product, basis, partOf(product)));
  const refunded: Refunded[] = [];
  let refundedNet = 0;
  let refundedInc = 0;
  let refundedTax = 0;
  const discountLines = new Map<string, { label: string; units: number }>();
  for (const line of lines) {
    const kept = line.quantity - line.refunded;
    if (line.refunded > 0) {
      refunded.push({ product: line.product, quantity: line.refunded });
      refundedNet += line.net - share(line.net, kept, line.quantity);
      refundedInc += line.netInc - share(line.netInc, kept, line.quantity);
      refundedTax += line.tax - share(line.tax, kept, line.quantity);
    }
    if (kept === 0) continue;
    const orderLevel = [...line.orderDiscounts.values()].reduce((sum, entry) => sum + entry.units, 0);
    const separate = options.orderDiscounts !== 'fold';
    let lineUnits = line.net;
    if (separate && line.split) {
      lineUnits = line.net + orderLevel;
      for (const [key, entry] of line.orderDiscounts) {
        const total = discountLines.get(key) ?? { label: entry.label, units: 0 };
        total.units += share(entry.units, kept, line.quantity);
        discountLines.set(key, total);
      }
    } else if (separate && line.net !== line.gross) {
      lineUnits = line.gross;
      const total = discountLines.get('discounts') ?? { label: 'Discounts', units: 0 };
      total.units += share(line.gross - line.net, kept, line.quantity);
      discountLines.set('discounts', total);
    }
    place({
      kind: 'product',
      units: share(lineUnits, kept, line.quantity),
      field: lineLabel(line.product),
      part: line.part,
      product: line.product,
      quantity: kept,
      grossUnits: convert(share(line.gross, kept, line.quantity)),
    });
  }

  const anyShares = products.some((product) => product.applied_discounts.length > 0);
  const orderDiscountFields = toUnits(order.discount_amount) + toUnits(order.coupon_discount);
  if (!anyShares && orderDiscountFields !== 0) {
    // Older orders and some apps carry the order's discount only in its totals.
    if (basis === 'ex' && order.is_tax_inclusive_pricing === true) {
      throw holdError(order.id, 'discount_amount', `the order's discount (${formatUnits(orderDiscountFields)}) is not shared out on its lines, and in a tax-inclusive store its tax part is not known`);
    }
    const codes = (order.coupons ?? []).map((coupon) => coupon.code.trim()).filter((code) => code !== '');
    discountLines.set('order', { label: codes.length > 0 ? `Coupon ${codes.join(', ')}` : 'Order discount', units: orderDiscountFields });
    if (options.orderDiscounts === 'fold') warnings.push(`order ${order.id}: the order's discount has no per-line shares, so it is a discount line rather than folded into the prices`);
  }
  for (const { label, units } of discountLines.values()) {
    if (units === 0) continue;
    if (options.orderDiscounts === 'header') place({ kind: 'header-discount', units: -units, field: 'discount_amount', part: 0, description: label });
    else place({ kind: 'discount', units: -units, field: 'discount_amount', part: 0, itemCode: options.discountCode, description: label });
  }

  const charge = (units: number, field: string, how: 'line' | 'freight', itemCode: string, description: string, part = 0) => {
    if (units === 0) return;
    if (how === 'freight') place({ kind: 'freight', units, field, part, description });
    else place({ kind: 'charge', units, field, part, itemCode, description });
  };
  for (const shipping of shippingParts) charge(shipping.units, `shipping_cost_${basis}_tax`, options.freight === 'header' ? 'freight' : 'line', options.freightCode, shipping.description, shipping.part);
  charge(toUnits(basis === 'inc' ? order.handling_cost_inc_tax : order.handling_cost_ex_tax), `handling_cost_${basis}_tax`, options.handling, options.handlingCode, 'Handling');
  charge(toUnits(basis === 'inc' ? order.wrapping_cost_inc_tax : order.wrapping_cost_ex_tax), `wrapping_cost_${basis}_tax`, options.wrapping, options.giftWrapCode, 'Gift wrapping');
  for (const fee of order.fees ?? []) {
    const amount = basis === 'inc' ? fee.cost_inc_tax : (fee.cost_ex_tax ?? fee.cost_exc_tax ?? 0);
    charge(toUnits(amount), `fees.${fee.id}`, 'line', options.feeCode, fee.display_name_merchant || fee.display_name_customer || 'Fee');
  }

  const salesTax = options.tax === 'amounts' && basis === 'ex';
  const taxUnits = toUnits(order.total_tax) - refundedTax;
  if (salesTax && taxUnits !== 0) place({ kind: 'tax', units: taxUnits, field: 'total_tax', part: 0 });

  checkRefunds(order, refunded, refundedInc, warnings);

  const totalField = basis === 'ex' && !salesTax ? 'total_ex_tax' : 'total_inc_tax';
  const orderTotal = toUnits(totalField === 'total_ex_tax' ? order.total_ex_tax : order.total_inc_tax);
  const expectedUnits = convert(orderTotal - (totalField === 'total_ex_tax' ? refundedNet : refundedInc));
  const placedUnits = placements.reduce((sum, placement) => sum + placement.units, 0);
  const gap = placedUnits - expectedUnits;
  // BigCommerce keeps 4 decimals per amount: its own rounding may leave one unit per amount between parts and total.
  if (Math.abs(gap) > Math.max(1, placements.length)) {
    const fees = order.fees === undefined ? '; the order\'s fees were not fetched (include=fees)' : '';
    throw holdError(order.id, totalField, `the order's parts add up to ${formatUnits(placedUnits)} ${currency} but ${totalField}${refunded.length > 0 ? ' less refunded lines' : ''} is ${formatUnits(expectedUnits)} ${currency}: ${formatUnits(-gap)} is not placed (a fee, store credit or discount the mapper cannot see${fees})`);
  }
  const expectedCents = unitsToCents(expectedUnits);
  const cents = apportion(placements.map((placement) => placement.units), expectedCents);
  if (cents === undefined) {
    throw holdError(order.id, totalField, `the order's parts cannot be rounded to cents that add up to ${formatCents(expectedCents)} ${currency}`);
  }
  placements.forEach((placement, index) => {
    placement.cents = cents[index] as number;
  });
  return { basis, placements, refunded, expectedCents, taxUnits: convert(taxUnits), currency, orderCurrency, exchangeRate: rate, warnings };
}

/** A refund is placed only when the refunded quantities explain it; a refund of shipping or an amount alone is held. */
function checkRefunds(order: BigCommerceOrder, refunded: Refunded[], refundedInc: number, warnings: string[]): void {
  const amount = toUnits(order.refunded_amount);
  if (amount === 0 && refunded.length === 0) return;
  const record = `order ${order.id}`;
  const lines = refunded.map(({ product, quantity }) => `${quantity} x ${product.sku.trim() || product.name.trim()} (${lineLabel(product)})`).join(', ');
  if (refunded.length > 0) warnings.push(`${record}: refunded quantities are not ordered again: ${lines}`);
  if (amount === 0) {
    warnings.push(`${record}: lines are refunded but refunded_amount is 0; the refunded quantities were left out`);
    return;
  }
  // A cent per refunded line: BigCommerce rounds each refunded line's amount.
  const tolerance = Math.max(1, refunded.length) * 100;
  if (Math.abs(amount - refundedInc) > tolerance) {
    throw holdError(order.id, 'refunded_amount', `refunded_amount is ${formatUnits(amount)} but the refunded quantities account for ${formatUnits(refundedInc)}: a refund of shipping, tax or an amount alone cannot be placed on a sales order; review it`);
  }
}

/** BigCommerce's totals against what was placed, for the mapped order. */
export function tieOutOf(order: BigCommerceOrder, plan: MoneyPlan, options: MapperOptions): OrderTieOut {
  const sum = (kinds: Placement['kind'][]) => plan.placements.filter((p) => kinds.includes(p.kind)).reduce((total, p) => total + p.cents, 0);
  const lines = sum(['product', 'charge', 'discount']);
  const freight = sum(['freight']);
  const discount = -sum(['header-discount']);
  const salesTax = sum(['tax']);
  const total = lines + freight - discount + salesTax;
  const amount = (value: number) => centsToAmount(unitsToCents(toUnits(value)));
  const taxBy = plan.basis === 'inc' ? 'included' : options.tax === 'amounts' ? 'sales-tax-amount' : 'sage';
  const fees = (order.fees ?? []).reduce((all, fee) => all + (fee.cost_ex_tax ?? fee.cost_exc_tax ?? 0), 0);
  return compact({
    basis: plan.basis === 'inc' ? 'inc-tax' : 'ex-tax',
    currency: plan.currency,
    orderCurrency: plan.orderCurrency,
    exchangeRate: plan.exchangeRate,
    bigcommerce: {
      subtotal: amount(plan.basis === 'inc' ? order.subtotal_inc_tax : order.subtotal_ex_tax),
      shipping: amount(plan.basis === 'inc' ? order.shipping_cost_inc_tax : order.shipping_cost_ex_tax),
      handling: amount(plan.basis === 'inc' ? order.handling_cost_inc_tax : order.handling_cost_ex_tax),
      wrapping: amount(plan.basis === 'inc' ? order.wrapping_cost_inc_tax : order.wrapping_cost_ex_tax),
      fees: amount(fees),
      discount: amount(order.discount_amount),
      coupon: amount(order.coupon_discount),
      refunded: amount(order.refunded_amount),
      tax: amount(order.total_tax),
      totalExTax: amount(order.total_ex_tax),
      totalIncTax: amount(order.total_inc_tax),
    },
    expected: centsToAmount(plan.expectedCents),
    placed: { lines: centsToAmount(lines), freight: centsToAmount(freight), discount: centsToAmount(discount), salesTax: centsToAmount(salesTax), total: centsToAmount(total) },
    difference: centsToAmount(total - plan.expectedCents),
    tax: compact({ bigcommerce: centsToAmount(unitsToCents(plan.taxUnits)), computedBy: taxBy, schedule: taxBy === 'sage' ? options.taxSchedule || undefined : undefined }),
  }) as OrderTieOut;
}
