import type { ZodType } from 'zod';
import { ConnectorError, ValidationError, parseWith } from '../errors';
import { orderLines, orderSchema, type BigCommerceOrder, type OrderAddress, type OrderProduct } from '../bigcommerce/order';
import {
  SAGE_FIELD_LIMITS as L,
  customerSchema,
  salesOrderSchema,
  type Customer,
  type MappedOrder,
  type SalesOrder,
  type SalesOrderLine,
} from '../sage100/types';
import { SkuMap } from './sku-map';
import { sageCountryCode, sageStateCode } from './mapper-places';
import {
  customerPoNoFor,
  guestCustomerNo,
  registeredCustomerNo,
  salesOrderNoFor,
  shippingMethodKey,
  type MapperOptions,
} from './mapper-options';

export { customerPoNoFor, mapperOptions, salesOrderNoFor, type MapperOptions, type MapperSettings } from './mapper-options';

/**
 * BigCommerce order -> Sage 100 sales order + AR customer. Pure: no I/O, the same order and options always
 * give the same result. Where each field lands, and the setting that changes it, is in docs/field-placement.md.
 */

export type ItemCodeLookup = Pick<SkuMap, 'itemCodeFor'>;

/** Without an item map every SKU is its own Sage item code. */
export const SKUS_AS_ITEM_CODES: ItemCodeLookup = new SkuMap({ table: '', unmapped: 'same' });

const COMMENT_ITEM_TYPE = '4';
const MISC_ITEM_TYPE = '5';
/** Sage rounds each line's extension to cents; totals are compared the same way. */
const CENT = 0.01;
/** Sage's amount columns hold 9 digits before the decimal point (15,6 and 11,2). */
const LARGEST_AMOUNT = 999_999_999;

const round = (value: number, places: number): number => Math.round(value * 10 ** places) / 10 ** places;

/** One line of text as Sage stores it: no line breaks or control characters, single spaces. */
function singleLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Comment text keeps its line breaks (Sage's comment lines are multi-line); other control characters go. */
function commentText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0009\u000b-\u001f\u007f]+/g, ' ').trim();
}

/** The longest start of `text` within `limit` UTF-16 units (what the length checks count), never splitting a character. */
function cut(text: string, limit: number): string {
  let out = '';
  for (const character of text) {
    if (out.length + character.length > limit) break;
    out += character;
  }
  return out;
}

function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > 0) {
    const piece = cut(rest, size);
    out.push(piece);
    rest = rest.slice(piece.length);
  }
  return out;
}

/** Drops undefined members so the records carry only what the mapper decided to send. */
function compact<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

/** Collects what did not fit Sage's fields, so it reaches `warnings` and a comment line instead of vanishing. */
class Draft {
  readonly warnings: string[] = [];
  readonly keptInFull: string[] = [];

  constructor(readonly record: string) {}

  /** `value` on one line, cut to `limit`; undefined when blank. */
  fit(value: string, limit: number, label: string): string | undefined {
    const clean = singleLine(value);
    if (clean === '') return undefined;
    if (clean.length <= limit) return clean;
    this.keep(label, clean, `${label} is longer than Sage's ${limit} characters: truncated, the full text is in a comment line`);
    return cut(clean, limit).trimEnd() || undefined;
  }

  keep(label: string, text: string, warning: string): void {
    this.warnings.push(warning);
    this.keptInFull.push(`${label}: ${text}`);
  }

  warn(warning: string): void {
    this.warnings.push(warning);
  }

  /** An amount Sage can hold; money parsed from text can be anything, including Infinity. */
  amount(value: number, field: string, where = field): number {
    if (!Number.isFinite(value) || Math.abs(value) > LARGEST_AMOUNT) {
      throw this.invalid(`${where}: ${value} is outside the amounts Sage can hold (±${LARGEST_AMOUNT})`, 'mapper.amount', field);
    }
    return value;
  }

  invalid(message: string, code: string, field: string, hint?: string): ValidationError {
    return new ValidationError(`${this.record}: ${message}`, { code, field, record: this.record, ...(hint && { hint }) });
  }
}

interface SageAddress {
  Name?: string;
  Address1?: string;
  Address2?: string;
  Address3?: string;
  City?: string;
  State?: string;
  ZipCode?: string;
  CountryCode?: string;
}

function countryCode(address: OrderAddress, path: string, draft: Draft): string | undefined {
  const iso2 = address.country_iso2.trim();
  if (iso2 === '' && address.country.trim() === '') return undefined;
  const code = sageCountryCode(iso2);
  if (code === undefined) {
    throw draft.invalid(
      `${path}.country_iso2: unknown country "${iso2 || address.country}"`,
      'mapper.country',
      `${path}.country_iso2`,
      'BigCommerce should send an ISO 3166 two-letter code (US, CA, GB …); fix the address in the order.',
    );
  }
  return code;
}

function stateCode(address: OrderAddress, label: string, draft: Draft): string | undefined {
  const state = singleLine(address.state);
  const code = sageStateCode(state, address.country_iso2);
  if (code === undefined) {
    draft.keep(`${label} state`, state, `${label} state "${state}" has no 2-letter code: left blank, the full text is in a comment line`);
    return undefined;
  }
  return code || undefined;
}

/** Name: the company, else the person; when both exist the person goes to the third address line. */
function mapAddress(address: OrderAddress, label: string, path: string, draft: Draft): SageAddress {
  const person = singleLine(`${address.first_name} ${address.last_name}`);
  const company = singleLine(address.company);
  return compact({
    Name: draft.fit(company || person, L.Name, `${label} name`),
    Address1: draft.fit(address.street_1, L.AddressLine, `${label} address line 1`),
    Address2: draft.fit(address.street_2, L.AddressLine, `${label} address line 2`),
    Address3: company && person ? draft.fit(person, L.AddressLine, `${label} contact`) : undefined,
    City: draft.fit(address.city, L.City, `${label} city`),
    State: stateCode(address, label, draft),
    ZipCode: draft.fit(address.zip, L.ZipCode, `${label} ZIP code`),
    CountryCode: countryCode(address, path, draft),
  });
}

function describeAddress(address: OrderAddress): string {
  const person = singleLine(`${address.first_name} ${address.last_name}`);
  return [address.company, person, address.street_1, address.street_2, address.city, `${address.state} ${address.zip}`, address.country_iso2]
    .map(singleLine)
    .filter((part) => part !== '')
    .join(', ');
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** date_created (RFC 2822 from v2, or ISO 8601) as Sage's YYYYMMDD, on the calendar of `timeZone`. */
function sageDate(dateCreated: string, timeZone: string, draft: Draft): string {
  const time = Date.parse(dateCreated);
  const invalid = () => draft.invalid(`date_created: "${dateCreated}" is not a date between 1900 and 9999`, 'mapper.date', 'date_created');
  if (!Number.isFinite(time)) throw invalid();
  let format = dateFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, era: 'short', year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(time)).map((part) => [part.type, part.value]));
  const year = Number(parts.year);
  if (parts.era !== 'AD' || !(year >= 1900 && year <= 9999)) throw invalid();
  return `${year}${parts.month}${parts.day}`;
}

function commentLines(text: string, options: MapperOptions): SalesOrderLine[] {
  return pieces(text, L.CommentText).map((piece) => ({ ItemCode: options.commentCode, ItemType: COMMENT_ITEM_TYPE, CommentText: piece }));
}

type PriceBasis = 'ex' | 'inc';

function priceBasis(order: BigCommerceOrder, options: MapperOptions): PriceBasis {
  if (options.priceBasis !== 'auto') return options.priceBasis;
  return order.is_tax_inclusive_pricing === true ? 'inc' : 'ex';
}

class LineBuilder {
  readonly lines: SalesOrderLine[] = [];

  constructor(
    private readonly options: MapperOptions,
    private readonly draft: Draft,
  ) {}

  misc(itemCode: string, description: string, unitPrice: number, quantity = 1): void {
    this.lines.push(compact({
      ItemCode: itemCode,
      ItemType: MISC_ITEM_TYPE,
      ItemCodeDesc: this.draft.fit(description, L.ItemCodeDesc, `Description of ${itemCode}`),
      QuantityOrdered: quantity,
      UnitPrice: round(unitPrice, 4),
    }) as SalesOrderLine);
  }

  /** A charge from the order (shipping, handling, wrapping): a misc line when non-zero. */
  charge(itemCode: string, description: string, amount: number, field: string): void {
    this.draft.amount(amount, field);
    if (amount < 0) throw this.draft.invalid(`${field}: a charge cannot be negative (${amount})`, 'mapper.amount', field);
    if (amount > 0) this.misc(itemCode, description, amount);
  }

  comment(text: string): void {
    this.lines.push(...commentLines(text, this.options));
  }
}

function productLine(product: OrderProduct, basis: PriceBasis, itemCodes: ItemCodeLookup, options: MapperOptions, draft: Draft, builder: LineBuilder): void {
  const name = singleLine(product.name);
  const where = `line ${product.id}${name ? ` "${name}"` : ''}`;
  if (product.quantity < 1) throw draft.invalid(`${where}: quantity must be at least 1, got ${product.quantity}`, 'mapper.quantity', 'quantity');
  const price = draft.amount(basis === 'inc' ? product.price_inc_tax : product.price_ex_tax, `price_${basis}_tax`, `${where}: price_${basis}_tax`);
  draft.amount(product.quantity, 'quantity', `${where}: quantity`);
  draft.amount(price * product.quantity, 'quantity', `${where}: quantity x price`);
  if (product.type === 'giftcertificate') {
    builder.misc(options.giftCertificateCode, name || 'Gift certificate', price, product.quantity);
    return;
  }
  const sku = product.sku.trim();
  if (sku === '') {
    throw draft.invalid(`${where} has no SKU`, 'mapper.sku_missing', 'sku', 'Give the product (or its variant) a SKU in BigCommerce that matches a Sage item.');
  }
  const itemCode = itemCodes.itemCodeFor(sku);
  if (itemCode === undefined) {
    throw draft.invalid(`${where}: SKU "${sku}" is not in the item map`, 'mapper.sku_unmapped', 'sku', 'Add the SKU to the sync-item-map table, or let other SKUs map to themselves.');
  }
  if (itemCode === '' || itemCode.length > L.ItemCode) {
    throw draft.invalid(`${where}: SKU "${sku}" gives item code "${itemCode}", longer than Sage's ${L.ItemCode} characters`, 'mapper.item_code', 'sku', 'Map the SKU to the Sage item code in the sync-item-map table.');
  }
  const line: SalesOrderLine = compact({
    ItemCode: itemCode,
    QuantityOrdered: product.quantity,
    UnitPrice: price,
    WarehouseCode: options.warehouseCode || undefined,
  });
  applyLineDiscount(line, product, price, options, draft, where);
  builder.lines.push(line);
  if (options.optionComments) {
    const chosen = product.product_options
      .map((option) => `${singleLine(option.display_name)}: ${singleLine(option.display_value)}`)
      .filter((text) => text !== ': ');
    if (chosen.length > 0) builder.comment(chosen.join('; '));
  }
}

/** Discounts BigCommerce put on this product (target `product`); order-wide ones become discount lines instead. */
function applyLineDiscount(line: SalesOrderLine, product: OrderProduct, price: number, options: MapperOptions, draft: Draft, where: string): void {
  const own = product.applied_discounts.filter((discount) => discount.target !== 'order');
  for (const discount of own) {
    if (discount.amount < 0) draft.warn(`${where}: discount "${discount.name || discount.id}" of ${discount.amount} is negative and was ignored`);
  }
  const amount = draft.amount(round(own.reduce((sum, discount) => sum + Math.max(0, discount.amount), 0), 4), 'applied_discounts', `${where}: applied_discounts`);
  if (amount === 0) return;
  const gross = price * product.quantity;
  if (amount > gross) draft.warn(`${where}: discount ${amount} is more than the line's ${round(gross, 2)}: the line is free`);
  if (options.lineDiscounts === 'percent' && gross > 0) {
    line.LineDiscountPercent = Math.min(100, round((amount / gross) * 100, 4));
  } else {
    line.UnitPrice = Math.max(0, round(price - amount / product.quantity, 6));
  }
}

/** Order-level discounts (coupons, manual, promotions): one discount line each, from the shares BigCommerce put on the lines. */
function discountLines(order: BigCommerceOrder, products: OrderProduct[], options: MapperOptions, draft: Draft, builder: LineBuilder): void {
  const discounts = new Map<string, { description: string; amount: number }>();
  for (const discount of products.flatMap((product) => product.applied_discounts)) {
    if (discount.target !== 'order' || discount.amount <= 0) continue;
    const key = String(discount.id);
    const entry = discounts.get(key) ?? { description: discount.code ? `Coupon ${discount.code}` : discount.name || 'Order discount', amount: 0 };
    entry.amount += discount.amount;
    discounts.set(key, entry);
  }
  const anyShares = products.some((product) => product.applied_discounts.length > 0);
  if (!anyShares) {
    // Orders without per-line shares (older orders, some apps) only carry the order's totals.
    const total = Math.max(order.discount_amount, order.coupon_discount);
    const codes = (order.coupons ?? []).map((coupon) => coupon.code).filter((code) => code !== '');
    if (total > 0) discounts.set('order', { description: codes.length > 0 ? `Coupon ${codes.join(', ')}` : 'Order discount', amount: total });
  }
  for (const { description, amount } of discounts.values()) builder.misc(options.discountCode, description, -draft.amount(round(amount, 4), 'discount_amount', `discount "${description}"`));
}

function extensionTotal(lines: SalesOrderLine[]): number {
  return lines
    .filter((line) => line.ItemType !== COMMENT_ITEM_TYPE)
    .reduce((sum, line) => {
      const gross = (line.QuantityOrdered ?? 0) * (line.UnitPrice ?? 0);
      return sum + round(gross * (1 - (line.LineDiscountPercent ?? 0) / 100), 2);
    }, 0);
}

/** An output that breaks Sage's rules is the mapper's fault, never the order's: it fails loudly as a bug. */
function checked<T>(schema: ZodType<T>, value: unknown, what: string, record: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') || '(root)';
  throw new ConnectorError(`${record}: the mapped ${what} breaks Sage's rules at ${field}: ${issue?.message ?? 'invalid'}`, {
    code: 'mapper.bug',
    field,
    record,
    hint: 'This is a bug in sync-order-mapper; please report it together with the order.',
  });
}

function recordOf(input: unknown): string {
  const id = typeof input === 'object' && input !== null ? (input as { id?: unknown }).id : undefined;
  return typeof id === 'number' || (typeof id === 'string' && id !== '') ? `order ${id}` : 'order (without an id)';
}

/**
 * Maps a BigCommerce order (as `bigcommerce-order` emits it) to the Sage sales order and AR customer.
 * Bad input is a ValidationError that names the field and the order; text too long for Sage is cut, kept
 * in full in a comment line, and listed in `warnings`.
 */
export function mapOrder(input: unknown, options: MapperOptions, itemCodes: ItemCodeLookup = SKUS_AS_ITEM_CODES): MappedOrder {
  const record = recordOf(input);
  const order = parseWith(orderSchema, input, { what: 'BigCommerce data', record, code: 'mapper.invalid_order' });
  const draft = new Draft(`order ${order.id}`);
  const salesOrderNo = salesOrderNoFor(order.id, options);
  const customerPoNo = customerPoNoFor(order.id, options);
  const orderDate = sageDate(order.date_created, options.timeZone, draft);
  const basis = priceBasis(order, options);

  const products = orderLines(order);
  if (products.length === 0) throw draft.invalid('the order has no product lines', 'mapper.no_lines', 'consignments');

  const billing = mapAddress(order.billing_address, 'Billing', 'billing_address', draft);
  const phone = draft.fit(order.billing_address.phone, L.TelephoneNo, 'Billing phone');
  const email = draft.fit(order.billing_address.email, L.EmailAddress, 'Billing email');
  const customer = mapCustomer(order, billing, phone, email, options, draft);

  const [firstConsignment, ...otherConsignments] = order.consignments.shipping;
  const shipTo = firstConsignment ? mapAddress(firstConsignment, 'Shipping', 'consignments.shipping.0', draft) : billing;
  const shipVia = firstConsignment ? mapShipVia(firstConsignment.shipping_method, options, draft) : undefined;

  const builder = new LineBuilder(options, draft);
  for (const product of products) productLine(product, basis, itemCodes, options, draft, builder);

  const shipping = basis === 'inc' ? order.shipping_cost_inc_tax : order.shipping_cost_ex_tax;
  if (options.freight === 'line') builder.charge(options.freightCode, firstConsignment?.shipping_method || 'Freight', shipping, `shipping_cost_${basis}_tax`);
  else if (draft.amount(shipping, `shipping_cost_${basis}_tax`) < 0) throw draft.invalid(`shipping_cost_${basis}_tax: a charge cannot be negative (${shipping})`, 'mapper.amount', `shipping_cost_${basis}_tax`);
  builder.charge(options.handlingCode, 'Handling', basis === 'inc' ? order.handling_cost_inc_tax : order.handling_cost_ex_tax, `handling_cost_${basis}_tax`);
  builder.charge(options.giftWrapCode, 'Gift wrapping', basis === 'inc' ? order.wrapping_cost_inc_tax : order.wrapping_cost_ex_tax, `wrapping_cost_${basis}_tax`);
  discountLines(order, products, options, draft, builder);

  const salesTax = mapSalesTax(order, basis, options, draft);

  if (otherConsignments.length > 0) {
    draft.warn(`the order ships to ${order.consignments.shipping.length} addresses; Sage's ship-to holds the first, the others are in comment lines`);
    otherConsignments.forEach((consignment, index) => {
      const method = singleLine(consignment.shipping_method);
      const items = consignment.line_items.map((item) => `${item.quantity} x ${singleLine(item.sku) || singleLine(item.name)}`).join(', ');
      builder.comment(`Also ship to (address ${index + 2}${method ? `, ${method}` : ''}): ${describeAddress(consignment)}${items ? `; items: ${items}` : ''}`);
    });
  }
  const message = commentText(order.customer_message);
  if (message) builder.comment(`Customer message: ${message}`);
  for (const text of draft.keptInFull) builder.comment(text);

  const freightAmt = options.freight === 'header' && shipping > 0 ? shipping : undefined;
  const expected = basis === 'inc' || salesTax !== undefined ? order.total_inc_tax : order.total_ex_tax;
  const mappedTotal = extensionTotal(builder.lines) + (freightAmt ?? 0) + (salesTax ?? 0);
  if (Math.abs(mappedTotal - expected) > CENT + 1e-9) {
    draft.warn(`the mapped lines total ${mappedTotal.toFixed(2)} but the BigCommerce order totals ${expected.toFixed(2)}: check the order's discounts, fees and charges`);
  }

  const salesOrder = compact({
    SalesOrderNo: salesOrderNo,
    OrderDate: orderDate,
    ARDivisionNo: options.arDivisionNo,
    CustomerNo: customer.CustomerNo,
    CustomerPONo: customerPoNo,
    BillToName: billing.Name,
    BillToAddress1: billing.Address1,
    BillToAddress2: billing.Address2,
    BillToAddress3: billing.Address3,
    BillToCity: billing.City,
    BillToState: billing.State,
    BillToZipCode: billing.ZipCode,
    BillToCountryCode: billing.CountryCode,
    ShipToName: shipTo.Name,
    ShipToAddress1: shipTo.Address1,
    ShipToAddress2: shipTo.Address2,
    ShipToAddress3: shipTo.Address3,
    ShipToCity: shipTo.City,
    ShipToState: shipTo.State,
    ShipToZipCode: shipTo.ZipCode,
    ShipToCountryCode: shipTo.CountryCode,
    ShipVia: shipVia,
    EmailAddress: email,
    Comment: `BigCommerce order ${order.id}`,
    WarehouseCode: options.warehouseCode || undefined,
    TaxSchedule: options.taxSchedule || undefined,
    FreightAmt: freightAmt,
    SalesTaxAmt: salesTax,
    Lines: builder.lines,
  });

  return {
    salesOrder: checked<SalesOrder>(salesOrderSchema, salesOrder, 'sales order', draft.record),
    customer: checked<Customer>(customerSchema, customer, 'customer', draft.record),
    warnings: draft.warnings,
  };
}

function mapCustomer(order: BigCommerceOrder, billing: SageAddress, phone: string | undefined, email: string | undefined, options: MapperOptions, draft: Draft): Customer {
  const withBuyer = (customerNo: string): Customer =>
    compact({
      ARDivisionNo: options.arDivisionNo,
      CustomerNo: customerNo,
      CustomerName: billing.Name ?? cut(email ?? `Web customer ${customerNo}`, L.Name),
      AddressLine1: billing.Address1,
      AddressLine2: billing.Address2,
      AddressLine3: billing.Address3,
      City: billing.City,
      State: billing.State,
      ZipCode: billing.ZipCode,
      CountryCode: billing.CountryCode,
      TelephoneNo: phone,
      EmailAddress: email,
    });
  if (order.customer_id > 0) return withBuyer(registeredCustomerNo(order.customer_id, options));
  if (options.guestCustomers === 'per-email') {
    const address = order.billing_address.email.trim();
    if (address) return withBuyer(guestCustomerNo(address, options));
    draft.warn(`the guest order has no email address: it goes to the cash customer ${options.cashCustomerNo}`);
  }
  return { ARDivisionNo: options.arDivisionNo, CustomerNo: options.cashCustomerNo, CustomerName: options.cashCustomerName };
}

function mapShipVia(method: string, options: MapperOptions, draft: Draft): string | undefined {
  const name = singleLine(method);
  const mapped = name ? options.shipVia.get(shippingMethodKey(name)) : undefined;
  if (mapped !== undefined) return mapped;
  if (name && options.shipVia.size > 0) {
    draft.warn(`shipping method "${name}" is not in the ship-via table: ${options.defaultShipVia ? `ShipVia ${options.defaultShipVia}` : "the customer's default ShipVia"} is used`);
  }
  return options.defaultShipVia || undefined;
}

/** Tax as an amount only when prices exclude it; with tax-inclusive prices the tax is already in the lines. */
function mapSalesTax(order: BigCommerceOrder, basis: PriceBasis, options: MapperOptions, draft: Draft): number | undefined {
  if (options.tax !== 'amounts') return undefined;
  if (basis === 'inc') {
    draft.warn('prices include tax, so the tax is not sent again as SalesTaxAmt');
    return undefined;
  }
  if (draft.amount(order.total_tax, 'total_tax') < 0) throw draft.invalid(`total_tax: tax cannot be negative (${order.total_tax})`, 'mapper.amount', 'total_tax');
  return order.total_tax;
}
