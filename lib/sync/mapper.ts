import { z, type ZodType } from 'zod';
import { ConnectorError, ValidationError, parseWith } from '../errors';
import { transactionSchema, type Transaction } from '../bigcommerce/payments';
import {
  orderLines,
  orderSchema,
  type BigCommerceOrder,
  type OrderAddress,
  type OrderProduct,
  type PickupConsignment,
  type ShippingConsignment,
} from '../bigcommerce/order';
import {
  SAGE_FIELD_LIMITS,
  customerSchema,
  salesOrderSchema,
  type Customer,
  type MappedOrder,
  type OrderTieOut,
  type SageFieldLimits,
  type SalesOrder,
  type SalesOrderLine,
} from '../sage100/types';
import { SkuMap } from './sku-map';
import { sageCountryCode, sageStateCode } from './mapper-places';
import {
  customerPoNoFor,
  guestCustomerNo,
  numbering,
  registeredCustomerNo,
  salesOrderNoFor,
  shippingMethodKey,
  type MapperOptions,
} from './mapper-options';
import { centsToAmount, convertUnits, extensionCents, formatCents, microsToAmount, toUnits, unitPriceMicros, unitsToCents } from './money';
import { orderGate } from './order-gate';
import { OrderHeldError, holdError, type OrderHold } from './order-hold';
import { planMoney, type MoneyPlan, type Placement } from './order-money';
import { fitWindows1252 } from './text-policy';
import type { CustomerPolicyOutput } from './customer-policy';

export { customerPoNoFor, mapperOptions, salesOrderNoFor, type MapperOptions, type MapperSettings } from './mapper-options';
export { OrderHeldError, type OrderHold } from './order-hold';

/**
 * BigCommerce order -> Sage 100 sales order(s) + AR customer, or a hold with its reason. Pure: no I/O, the same
 * order, options and context always give the same result. Where each field lands, and the setting that
 * changes it, is in docs/field-placement.md.
 */

export type ItemCodeLookup = Pick<SkuMap, 'itemCodeFor'>;

/** Without an item map every SKU is its own Sage item code. */
export const SKUS_AS_ITEM_CODES: ItemCodeLookup = new SkuMap({ table: '', unmapped: 'same' });

/** What the flow knows about the order that the order itself does not say. */
export interface MapContext {
  /** The order already has a sales order in Sage (msg.imported, or msg.sage100.salesOrderNo set). */
  imported?: boolean;
  /** The order's v3 transactions (msg.transactions), for the deposit. */
  transactions?: unknown;
  /** The company's field lengths (msg.lengths, e.g. from the agent's health), by SAGE_FIELD_LIMITS name. */
  lengths?: unknown;
}

export type OrderDecision = { action: 'post'; orders: MappedOrder[] } | { action: 'hold'; hold: OrderHold };

const COMMENT_ITEM_TYPE = '4';
/** Sage's amount columns hold 9 digits before the decimal point (15,6 and 11,2). */
const LARGEST_AMOUNT = 999_999_999;

/** Field lengths of Sage 4.x layouts (the conservative SAGE_FIELD_LIMITS) and of current versions. */
export const LENGTH_PROFILES: Record<'older' | 'current', SageFieldLimits> = {
  older: { ...SAGE_FIELD_LIMITS },
  current: { ...SAGE_FIELD_LIMITS, Name: 50, AddressLine: 40, City: 30, CustomerPONo: 30 },
};

const lengthsSchema = z.record(z.string(), z.number().int().positive()).optional();

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
  /** Customer columns that had to be shortened: never written over an existing customer's value. */
  readonly truncated = new Set<string>();

  constructor(
    readonly orderId: number,
    readonly limits: SageFieldLimits,
    private readonly options: MapperOptions,
  ) {}

  get record(): string {
    return `order ${this.orderId}`;
  }

  /** Text as Windows-1252 under the text policy, with a warning naming the order and the field. */
  text(value: string, label: string, field: string): string {
    const fitted = fitWindows1252(value, this.options.textPolicy);
    if (fitted.unmappable.length === 0 && fitted.changed.length === 0) return value;
    const characters = [...fitted.changed, ...fitted.unmappable.filter((c) => !fitted.changed.includes(c))].join(' ');
    if (this.options.textPolicy === 'hold') {
      throw holdError(this.orderId, field, `${label} has characters Sage cannot store (Windows-1252): ${characters}`);
    }
    if (this.options.textPolicy === 'keep') {
      this.warn(`${this.record}: ${label} (${field}) has characters outside Windows-1252, sent as they are: ${characters}`);
      return value;
    }
    const lost = fitted.unmappable.length > 0 ? `; '?' for ${fitted.unmappable.join(' ')}` : '';
    this.warn(`${this.record}: ${label} (${field}) written as "${fitted.text}" for Windows-1252${lost}`);
    return fitted.text;
  }

  /** `value` on one line, in Windows-1252, cut to `limit`; undefined when blank. */
  fit(value: string, limit: number, label: string, field: string, column?: string): string | undefined {
    const clean = this.text(singleLine(value), label, field);
    if (clean === '') return undefined;
    if (clean.length <= limit) return clean;
    if (column) this.truncated.add(column);
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

function countryCode(iso2Raw: string, countryName: string, path: string, draft: Draft): string | undefined {
  const iso2 = iso2Raw.trim();
  if (iso2 === '' && countryName.trim() === '') return undefined;
  const code = sageCountryCode(iso2);
  if (code === undefined) {
    throw draft.invalid(
      `${path}.country_iso2: unknown country "${iso2 || countryName}"`,
      'mapper.country',
      `${path}.country_iso2`,
      'BigCommerce should send an ISO 3166 two-letter code (US, CA, GB …); fix the address in the order.',
    );
  }
  return code;
}

function stateCode(stateRaw: string, iso2: string, label: string, field: string, draft: Draft): string | undefined {
  const state = singleLine(stateRaw);
  const code = sageStateCode(state, iso2);
  if (code === undefined) {
    const text = draft.text(state, `${label} state`, field);
    draft.keep(`${label} state`, text, `${label} state "${text}" has no 2-letter code: left blank, the full text is in a comment line`);
    return undefined;
  }
  return code ? draft.text(code, `${label} state`, field) || undefined : undefined;
}

/** Name: the company, else the person; when both exist the person goes to the third address line. */
function mapAddress(address: OrderAddress, label: string, path: string, draft: Draft, columns?: Partial<Record<keyof SageAddress, string>>): SageAddress {
  const L = draft.limits;
  const person = singleLine(`${address.first_name} ${address.last_name}`);
  const company = singleLine(address.company);
  return compact({
    Name: draft.fit(company || person, L.Name, `${label} name`, `${path}.${company ? 'company' : 'first_name'}`, columns?.Name),
    Address1: draft.fit(address.street_1, L.AddressLine, `${label} address line 1`, `${path}.street_1`, columns?.Address1),
    Address2: draft.fit(address.street_2, L.AddressLine, `${label} address line 2`, `${path}.street_2`, columns?.Address2),
    Address3: company && person ? draft.fit(person, L.AddressLine, `${label} contact`, `${path}.first_name`, columns?.Address3) : undefined,
    City: draft.fit(address.city, L.City, `${label} city`, `${path}.city`, columns?.City),
    State: stateCode(address.state, address.country_iso2, label, `${path}.state`, draft),
    ZipCode: draft.fit(address.zip, L.ZipCode, `${label} ZIP code`, `${path}.zip`, columns?.ZipCode),
    CountryCode: countryCode(address.country_iso2, address.country, path, draft),
  });
}

function pickupAddress(pickup: PickupConsignment, draft: Draft): SageAddress | undefined {
  const location = pickup.location;
  if (!location) return undefined;
  const L = draft.limits;
  const path = 'consignments.pickups.0.location';
  return compact({
    Name: draft.fit(location.name || pickup.pickup_method_display_name, L.Name, 'Pickup location name', `${path}.name`),
    Address1: draft.fit(location.address_line_1, L.AddressLine, 'Pickup address line 1', `${path}.address_line_1`),
    Address2: draft.fit(location.address_line_2, L.AddressLine, 'Pickup address line 2', `${path}.address_line_2`),
    City: draft.fit(location.city, L.City, 'Pickup city', `${path}.city`),
    State: stateCode(location.state, location.country_alpha2, 'Pickup', `${path}.state`, draft),
    ZipCode: draft.fit(location.postal_code, L.ZipCode, 'Pickup ZIP code', `${path}.postal_code`),
    CountryCode: countryCode(location.country_alpha2, '', path, draft),
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

/** Comment lines; the text goes through the text policy first. */
function commentLines(text: string, label: string, field: string, options: MapperOptions, draft: Draft): SalesOrderLine[] {
  const clean = draft.text(commentText(text), label, field);
  return pieces(clean, draft.limits.CommentText).map((piece) => ({ ItemCode: options.commentCode, ItemType: COMMENT_ITEM_TYPE, CommentText: piece }));
}

function lineLabel(product: OrderProduct): string {
  const name = singleLine(product.name);
  return `line ${product.id}${name ? ` "${name}"` : ''}`;
}

/** The Sage item code of a product line, or a ValidationError naming the line. */
function itemCodeOf(product: OrderProduct, itemCodes: ItemCodeLookup, options: MapperOptions, draft: Draft): string {
  if (product.type === 'giftcertificate') return options.giftCertificateCode;
  const where = lineLabel(product);
  const sku = product.sku.trim();
  if (sku === '') {
    throw draft.invalid(`${where} has no SKU`, 'mapper.sku_missing', 'sku', 'Give the product (or its variant) a SKU in BigCommerce that matches a Sage item.');
  }
  const itemCode = itemCodes.itemCodeFor(sku);
  if (itemCode === undefined) {
    throw draft.invalid(`${where}: SKU "${sku}" is not in the item map`, 'mapper.sku_unmapped', 'sku', 'Add the SKU to the sync-item-map table, or let other SKUs map to themselves.');
  }
  if (itemCode === '' || itemCode.length > draft.limits.ItemCode) {
    throw draft.invalid(`${where}: SKU "${sku}" gives item code "${itemCode}", longer than Sage's ${draft.limits.ItemCode} characters`, 'mapper.item_code', 'sku', 'Map the SKU to the Sage item code in the sync-item-map table.');
  }
  return itemCode;
}

function checkProduct(product: OrderProduct, draft: Draft): void {
  const where = lineLabel(product);
  if (product.quantity < 1) throw draft.invalid(`${where}: quantity must be at least 1, got ${product.quantity}`, 'mapper.quantity', 'quantity');
  draft.amount(product.quantity, 'quantity', `${where}: quantity`);
  for (const field of ['price_ex_tax', 'price_inc_tax'] as const) {
    const price = draft.amount(product[field], field, `${where}: ${field}`);
    draft.amount(price * product.quantity, 'quantity', `${where}: quantity x price`);
    if (price < 0) throw draft.invalid(`${where}: ${field} cannot be negative (${price})`, 'mapper.amount', field);
  }
  for (const discount of product.applied_discounts) draft.amount(discount.amount, 'applied_discounts', `${where}: applied_discounts`);
}

/** The product line as Sage takes it: a unit price whose extension is exactly the placed cents. */
function productLine(placement: Placement, itemCode: string, options: MapperOptions, draft: Draft): SalesOrderLine {
  const product = placement.product as OrderProduct;
  const quantity = placement.quantity as number;
  const where = lineLabel(product);
  if (placement.cents < 0) throw holdError(draft.orderId, `${where}.applied_discounts`, `${where}: its discounts are more than the line (${formatCents(placement.cents)})`);
  const base = compact({
    ItemCode: itemCode,
    ItemCodeDesc: product.type === 'giftcertificate' ? draft.fit(product.name || 'Gift certificate', draft.limits.ItemCodeDesc, `Description of ${itemCode}`, `${where}.name`) : undefined,
    QuantityOrdered: quantity,
    WarehouseCode: options.warehouseCode || undefined,
  });
  const grossCents = unitsToCents(placement.grossUnits ?? placement.units);
  if (options.lineDiscounts === 'percent' && placement.cents < grossCents) {
    const unitMicros = unitPriceMicros(grossCents, quantity);
    const percent = Math.round((1 - placement.cents / grossCents) * 1_000_000) / 10_000;
    if (unitMicros !== undefined && percentExtension(unitMicros, quantity, percent) === placement.cents) {
      return { ...base, UnitPrice: microsToAmount(unitMicros), LineDiscountPercent: percent };
    }
    throw holdError(draft.orderId, `${where}.applied_discounts`, `${where}: no LineDiscountPercent with 4 decimals gives the line's ${formatCents(placement.cents)}; choose item discounts "lower the unit price"`);
  }
  const unitMicros = unitPriceMicros(placement.cents, quantity);
  if (unitMicros === undefined) {
    throw holdError(draft.orderId, `${where}.quantity`, `${where}: no unit price with 6 decimals gives ${formatCents(placement.cents)} for quantity ${quantity}`);
  }
  return { ...base, UnitPrice: microsToAmount(unitMicros) };
}

/** Sage's extension with a line discount: quantity × price × (1 − percent/100), rounded to cents. */
function percentExtension(unitMicros: number, quantity: number, percent: number): number {
  const kept = 1_000_000n - BigInt(Math.round(percent * 10_000));
  const scaled = BigInt(unitMicros) * BigInt(quantity) * kept;
  const divisor = 10_000n * 1_000_000n;
  const quotient = scaled / divisor;
  return Number((scaled % divisor) * 2n >= divisor ? quotient + 1n : quotient);
}

function chargeLine(placement: Placement, draft: Draft): SalesOrderLine {
  const itemCode = placement.itemCode as string;
  return compact({
    ItemCode: itemCode,
    ItemCodeDesc: draft.fit(placement.description ?? itemCode, draft.limits.ItemCodeDesc, `Description of ${itemCode}`, placement.field),
    QuantityOrdered: 1,
    UnitPrice: centsToAmount(placement.cents),
  });
}

/** A mapped record that breaks Sage's rules is the mapper's fault, never the order's: it fails loudly as a bug. */
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

/** The sales order and customer schemas at the company's lengths (the static ones hold the conservative lengths). */
function schemasFor(limits: SageFieldLimits) {
  const upto = (n: number) => z.string().max(n, `at most ${n} characters`).optional();
  const named = (prefix: string) => ({
    [`${prefix}Name`]: upto(limits.Name),
    [`${prefix}Address1`]: upto(limits.AddressLine),
    [`${prefix}Address2`]: upto(limits.AddressLine),
    [`${prefix}Address3`]: upto(limits.AddressLine),
    [`${prefix}City`]: upto(limits.City),
  });
  return {
    salesOrder: salesOrderSchema.safeExtend({ ...named('BillTo'), ...named('ShipTo'), CustomerPONo: z.string().max(limits.CustomerPONo) }),
    customer: customerSchema.extend({
      CustomerName: z.string().min(1).max(limits.Name),
      AddressLine1: upto(limits.AddressLine),
      AddressLine2: upto(limits.AddressLine),
      AddressLine3: upto(limits.AddressLine),
      City: upto(limits.City),
    }),
  };
}

function recordOf(input: unknown): string {
  const id = typeof input === 'object' && input !== null ? (input as { id?: unknown }).id : undefined;
  return typeof id === 'number' || (typeof id === 'string' && id !== '') ? `order ${id}` : 'order (without an id)';
}

function limitsFor(options: MapperOptions, context: MapContext): SageFieldLimits {
  const reported = lengthsSchema.safeParse(context.lengths);
  const limits = { ...LENGTH_PROFILES[options.lengthProfile] };
  if (reported.success && reported.data) {
    for (const [key, value] of Object.entries(reported.data)) {
      if (!Object.hasOwn(limits, key)) continue;
      const column = key as keyof SageFieldLimits;
      // No Sage version has text columns shorter than 4.x's; customer numbers are 7 unless expanded.
      if (column === 'CustomerNo' || value >= LENGTH_PROFILES.older[column]) limits[column] = value;
    }
  }
  return limits;
}

/**
 * Decides what becomes of a BigCommerce order: its sales order(s) to post, or a hold (wait, needs attention,
 * invalid) with the reason. An order that does not have BigCommerce's shape, or whose SKU, country, quantity
 * or date Sage cannot take, is a ValidationError naming the field and the order (the node sends it to Catch).
 */
export function decideOrder(input: unknown, options: MapperOptions, itemCodes: ItemCodeLookup = SKUS_AS_ITEM_CODES, context: MapContext = {}): OrderDecision {
  const record = recordOf(input);
  const order = parseWith(orderSchema, input, { what: 'BigCommerce data', record, code: 'mapper.invalid_order' });
  const gate = orderGate(order, context.imported === true, { importStatuses: options.statuses, fulfilledFirstSeen: options.fulfilledFirstSeen });
  if (gate.action === 'hold') return { action: 'hold', hold: { orderId: order.id, kind: gate.kind, reason: gate.reason, field: 'status_id' } };
  try {
    return { action: 'post', orders: mapParsed(order, options, itemCodes, context) };
  } catch (err) {
    if (err instanceof OrderHeldError) return { action: 'hold', hold: err.hold };
    throw err;
  }
}

/**
 * One BigCommerce order as one Sage sales order and customer. A held order (status, money that does not tie
 * out, currency, text policy …) is an OrderHeldError; bad input a ValidationError; both name the field and the order.
 */
export function mapOrder(input: unknown, options: MapperOptions, itemCodes: ItemCodeLookup = SKUS_AS_ITEM_CODES, context: MapContext = {}): MappedOrder {
  const decision = decideOrder(input, options, itemCodes, context);
  if (decision.action === 'hold') throw new OrderHeldError(decision.hold);
  const [first, ...others] = decision.orders;
  if (!first || others.length > 0) {
    const record = recordOf(input);
    throw new ValidationError(`${record}: the order splits into ${decision.orders.length} sales orders: use decideOrder`, { code: 'mapper.split', field: 'consignments', record });
  }
  return first;
}

interface Part {
  index: number;
  consignment?: ShippingConsignment;
}

function mapParsed(order: BigCommerceOrder, options: MapperOptions, itemCodes: ItemCodeLookup, context: MapContext): MappedOrder[] {
  const limits = limitsFor(options, context);
  const draft = new Draft(order.id, limits, options);
  const numbers = numbering(options);
  const customerPoNo = customerPoNoFor(order.id, numbers);
  if (customerPoNo.length > limits.CustomerPONo) throw holdError(order.id, 'id', `CustomerPONo "${customerPoNo}" is longer than the company's ${limits.CustomerPONo} characters, and keys are never cut`);
  const orderDate = sageDate(order.date_created, options.timeZone, draft);

  const products = orderLines(order);
  if (products.length === 0) throw draft.invalid('the order has no product lines', 'mapper.no_lines', 'consignments');
  for (const product of products) checkProduct(product, draft);
  for (const field of ['shipping_cost_ex_tax', 'shipping_cost_inc_tax', 'handling_cost_ex_tax', 'handling_cost_inc_tax', 'wrapping_cost_ex_tax', 'wrapping_cost_inc_tax', 'total_tax', 'total_ex_tax', 'total_inc_tax', 'discount_amount', 'coupon_discount', 'refunded_amount'] as const) {
    if (draft.amount(order[field], field) < 0) throw draft.invalid(`${field}: ${field.includes('cost') ? 'a charge' : 'an amount'} cannot be negative (${order[field]})`, 'mapper.amount', field);
  }
  const itemCodeById = new Map(products.map((product) => [product.id, itemCodeOf(product, itemCodes, options, draft)]));

  const shipments = [...order.consignments.shipping];
  const split = options.consignments === 'split' && shipments.length > 1;
  const parts: Part[] = split ? shipments.map((consignment, index) => ({ index, consignment })) : [{ index: 0, consignment: shipments[0] }];
  if (split && parts.length > 26) throw holdError(order.id, 'consignments.shipping', `the order ships to ${parts.length} addresses; split orders take at most 26`);
  const partByLine = new Map<number, number>();
  if (split) shipments.forEach((consignment, index) => consignment.line_items.forEach((item) => partByLine.set(item.id, index)));

  const basis = options.priceBasis === 'inc' ? 'inc' : 'ex';
  const shipping = toUnits(basis === 'inc' ? order.shipping_cost_inc_tax : order.shipping_cost_ex_tax);
  const perConsignment = shipments.map((consignment) => toUnits(basis === 'inc' ? consignment.cost_inc_tax : consignment.cost_ex_tax));
  const byConsignment = split && perConsignment.reduce((sum, units) => sum + units, 0) === shipping;
  if (split && !byConsignment && shipping !== 0) draft.warn(`${draft.record}: the consignments' shipping costs do not add up to the order's shipping: all shipping is on the first sales order`);
  const shippingParts = byConsignment
    ? shipments.map((consignment, index) => ({ part: index, units: perConsignment[index] as number, description: singleLine(consignment.shipping_method) || 'Freight' }))
    : [{ part: 0, units: shipping, description: singleLine(shipments[0]?.shipping_method ?? '') || 'Freight' }];

  const plan = planMoney({ order, products, partOf: (product) => partByLine.get(product.id) ?? 0, shippingParts, options });
  for (const warning of plan.warnings) draft.warn(warning);

  const billing = mapAddress(order.billing_address, 'Billing', 'billing_address', draft, {
    Name: 'CustomerName', Address1: 'AddressLine1', Address2: 'AddressLine2', Address3: 'AddressLine3', City: 'City', ZipCode: 'ZipCode',
  });
  const phone = draft.fit(order.billing_address.phone, limits.TelephoneNo, 'Billing phone', 'billing_address.phone', 'TelephoneNo');
  const email = draft.fit(order.billing_address.email, limits.EmailAddress, 'Billing email', 'billing_address.email', 'EmailAddress');
  const { customer, isCash } = mapCustomer(order, billing, phone, email, options, draft);
  if (customer.CustomerNo.length > limits.CustomerNo) {
    throw holdError(order.id, 'customer_id', `CustomerNo "${customer.CustomerNo}" is longer than the company's ${limits.CustomerNo} characters, and keys are never cut (turn on expanded customer numbers in Sage, or shorten the customer prefix)`);
  }

  const notes = orderNotes(order, products, options, draft);
  const payment = mapPayment(order, options, context, plan, draft);
  const tieOut = tieOutOf(order, plan, options);

  const orders = parts.map((part) => {
    const partNo = split ? splitSalesOrderNo(order.id, part.index, options) : salesOrderNoFor(order.id, numbers);
    return buildSalesOrder({ order, part, split, partCount: parts.length, salesOrderNo: partNo, customerPoNo, orderDate, billing, email, customer, plan, products, itemCodeById, notes, payment, options, draft });
  });

  const schemas = schemasFor(limits);
  const customerPolicy: CustomerPolicyOutput = {
    cashCustomerNo: options.cashCustomerNo,
    isCashCustomer: isCash,
    updatableFields: options.updatableFields,
    truncatedFields: [...draft.truncated],
    newCustomer: {
      defaults: compact({
        TermsCode: options.newCustomerTerms || undefined,
        SalespersonDivisionNo: options.newCustomerSalesperson.split('-')[0] || undefined,
        SalespersonNo: options.newCustomerSalesperson.split('-')[1] || undefined,
        TaxSchedule: options.newCustomerTaxSchedule || undefined,
        PriceLevel: options.newCustomerPriceLevel || undefined,
        CustomerType: options.newCustomerType || undefined,
      }),
      ...(options.templateCustomerNo && { templateCustomerNo: options.templateCustomerNo }),
    },
  };
  const checkedCustomer = checked<Customer>(schemas.customer, customer, 'customer', draft.record);
  return orders.map((salesOrder, index) => compact({
    salesOrder: checked<SalesOrder>(schemas.salesOrder as unknown as ZodType<SalesOrder>, salesOrder, 'sales order', draft.record),
    customer: checkedCustomer,
    warnings: draft.warnings,
    tieOut,
    customerPolicy,
    part: split ? { index, count: parts.length } : undefined,
  }));
}

/**
 * Split orders: the prefix, the order id zero-padded to one digit less than usual, and a letter per address in
 * consignment order (W00123A, W00123B …). The letter at the end keeps them apart from the plain numbers (a digit
 * at the end) and from the extended ones (a letter right after the prefix).
 */
export function splitSalesOrderNo(orderId: number, index: number, options: Pick<MapperOptions, 'salesOrderPrefix'>): string {
  const prefix = options.salesOrderPrefix;
  const width = SAGE_FIELD_LIMITS.SalesOrderNo - prefix.length - 1;
  if (orderId >= 10 ** width) throw holdError(orderId, 'id', `the order id is past the split sales order numbers the prefix "${prefix}" allows (${10 ** width - 1})`);
  return `${prefix}${String(orderId).padStart(width, '0')}${String.fromCharCode(65 + index)}`;
}

interface Note {
  key: string;
  label: string;
  text: string;
  field: string;
  /** Product line id the note belongs under. */
  under?: number;
}

/** Every human-meaningful field of the order, as comment lines or UDF values (settings), or named in warnings. */
function orderNotes(order: BigCommerceOrder, products: OrderProduct[], options: MapperOptions, draft: Draft): Note[] {
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
const UDF_ONLY = new Set(['payment_method', 'order_id', 'channel_id', 'external_order_id']);

interface PaymentFields {
  PaymentType?: string;
  DepositAmt?: number;
  OtherPaymentTypeRefNo?: string;
}

const captureEvents = new Set(['capture', 'purchase']);

function mapPayment(order: BigCommerceOrder, options: MapperOptions, context: MapContext, plan: MoneyPlan, draft: Draft): PaymentFields {
  const method = singleLine(order.payment_method);
  const paymentType = method ? options.paymentTypes.get(shippingMethodKey(method)) : undefined;
  if (method && options.paymentTypes.size > 0 && paymentType === undefined) draft.warn(`${draft.record}: payment method "${method}" is not in the payment type table: no PaymentType or deposit`);
  if (options.deposit === 'none') return compact({ PaymentType: paymentType });
  const toCompany = (units: number) => unitsToCents(plan.exchangeRate === undefined ? units : convertUnits(units, plan.exchangeRate));
  let depositCents: number | undefined;
  let reference: string | undefined;
  if (options.deposit === 'transactions') {
    const parsed = z.array(transactionSchema).safeParse(context.transactions);
    if (context.transactions === undefined || !parsed.success) {
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

function tieOutOf(order: BigCommerceOrder, plan: MoneyPlan, options: MapperOptions): OrderTieOut {
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

interface SalesOrderInput {
  order: BigCommerceOrder;
  part: Part;
  split: boolean;
  partCount: number;
  salesOrderNo: string;
  customerPoNo: string;
  orderDate: string;
  billing: SageAddress;
  email: string | undefined;
  customer: Customer;
  plan: MoneyPlan;
  products: OrderProduct[];
  itemCodeById: Map<number, string>;
  notes: Note[];
  payment: PaymentFields;
  options: MapperOptions;
  draft: Draft;
}

function buildSalesOrder(input: SalesOrderInput): SalesOrder {
  const { order, part, split, plan, options, draft, notes } = input;
  const first = part.index === 0;
  const placements = plan.placements.filter((placement) => placement.part === part.index);
  // The ship-to first: text it cuts must reach the comment lines below.
  const pickupNotes: string[] = [];
  const { shipTo, shipVia } = shipToOf(order, part, input.billing, options, draft, (text) => pickupNotes.push(text));
  const lines: SalesOrderLine[] = [];
  const comment = (text: string, label: string, field: string) => lines.push(...commentLines(text, label, field, options, draft));
  const udfs = new Map<string, string[]>();
  const note = (item: Note) => {
    const column = options.udfs.get(item.key) ?? (item.key.startsWith('form:') ? options.udfs.get(item.label.toLowerCase()) : undefined);
    if (column) {
      const values = udfs.get(column) ?? [];
      values.push(draft.text(singleLine(item.text), item.label, item.field));
      udfs.set(column, values);
    } else if (!UDF_ONLY.has(item.key)) comment(`${item.label}: ${item.text}`, item.label, item.field);
  };

  for (const placement of placements.filter((p) => p.kind === 'product')) {
    const product = placement.product as OrderProduct;
    lines.push(productLine(placement, input.itemCodeById.get(product.id) as string, options, draft));
    if (options.optionComments) {
      const chosen = product.product_options
        .map((option) => `${singleLine(option.display_name)}: ${singleLine(option.display_value)}`)
        .filter((text) => text !== ': ');
      if (chosen.length > 0) comment(chosen.join('; '), `Options of ${lineLabel(product)}`, `${lineLabel(product)}.product_options`);
    }
    for (const item of notes.filter((n) => n.under === product.id)) note(item);
  }
  for (const placement of placements) if (placement.kind === 'charge' || placement.kind === 'discount') lines.push(chargeLine(placement, draft));

  if (first) {
    const refunded = plan.refunded.map(({ product, quantity }) => `${quantity} x ${singleLine(product.sku) || singleLine(product.name)}`);
    if (refunded.length > 0) comment(`Refunded in BigCommerce, not ordered: ${refunded.join(', ')}`, 'Refunded lines', 'quantity_refunded');
  }
  const shipments = order.consignments.shipping;
  if (!split && shipments.length > 1) {
    draft.warn(`the order ships to ${shipments.length} addresses; Sage's ship-to holds the first, the others are in comment lines`);
    shipments.slice(1).forEach((consignment, index) => {
      const method = singleLine(consignment.shipping_method);
      const items = consignment.line_items.map((item) => `${item.quantity} x ${singleLine(item.sku) || singleLine(item.name)}`).join(', ');
      comment(`Also ship to (address ${index + 2}${method ? `, ${method}` : ''}): ${describeAddress(consignment)}${items ? `; items: ${items}` : ''}`, 'Other address', `consignments.shipping.${index + 1}`);
    });
  }
  if (split) comment(`BigCommerce order ${order.id}, part ${part.index + 1} of ${input.partCount} (one sales order per ship-to address)`, 'Split order', 'consignments.shipping');
  if (first) {
    for (const text of pickupNotes) comment(text, 'Pickup', 'consignments.pickups');
    for (const item of notes.filter((n) => n.under === undefined)) note(item);
    for (const text of draft.keptInFull) comment(text, 'Full text', 'text');
  }

  const freight = placements.filter((p) => p.kind === 'freight').reduce((sum, p) => sum + p.cents, 0);
  const discount = -placements.filter((p) => p.kind === 'header-discount').reduce((sum, p) => sum + p.cents, 0);
  const tax = placements.filter((p) => p.kind === 'tax').reduce((sum, p) => sum + p.cents, 0);
  if (freight < 0 || discount < 0 || tax < 0) throw holdError(order.id, 'total_tax', 'a header amount (freight, discount or tax) would be negative');
  for (const line of lines) if (line.UnitPrice !== undefined && line.QuantityOrdered !== undefined) checkExtension(line, draft);

  const salesOrder: SalesOrder = compact({
    SalesOrderNo: input.salesOrderNo,
    OrderDate: input.orderDate,
    ARDivisionNo: options.arDivisionNo,
    CustomerNo: input.customer.CustomerNo,
    CustomerPONo: input.customerPoNo,
    BillToName: input.billing.Name,
    BillToAddress1: input.billing.Address1,
    BillToAddress2: input.billing.Address2,
    BillToAddress3: input.billing.Address3,
    BillToCity: input.billing.City,
    BillToState: input.billing.State,
    BillToZipCode: input.billing.ZipCode,
    BillToCountryCode: input.billing.CountryCode,
    ShipToName: shipTo?.Name,
    ShipToAddress1: shipTo?.Address1,
    ShipToAddress2: shipTo?.Address2,
    ShipToAddress3: shipTo?.Address3,
    ShipToCity: shipTo?.City,
    ShipToState: shipTo?.State,
    ShipToZipCode: shipTo?.ZipCode,
    ShipToCountryCode: shipTo?.CountryCode,
    ShipVia: shipVia,
    EmailAddress: input.email,
    Comment: split ? `BigCommerce order ${order.id} ${String.fromCharCode(65 + part.index)}` : `BigCommerce order ${order.id}`,
    WarehouseCode: options.warehouseCode || undefined,
    TaxSchedule: options.taxSchedule || undefined,
    FreightAmt: freight > 0 ? centsToAmount(freight) : undefined,
    SalesTaxAmt: tax > 0 ? centsToAmount(tax) : undefined,
    DiscountAmt: discount > 0 ? centsToAmount(discount) : undefined,
    ...(first ? input.payment : {}),
    Lines: lines,
  });
  for (const [column, values] of udfs) (salesOrder as Record<string, unknown>)[column] = values.join('; ');
  return salesOrder;
}

/** What Sage will compute for the line must be what was placed; anything else is a bug here. */
function checkExtension(line: SalesOrderLine, draft: Draft): void {
  const micros = Math.round((line.UnitPrice as number) * 1_000_000);
  const cents = line.LineDiscountPercent === undefined ? extensionCents(micros, line.QuantityOrdered as number) : percentExtension(micros, line.QuantityOrdered as number, line.LineDiscountPercent);
  if (!Number.isSafeInteger(cents) || Math.abs(cents) > LARGEST_AMOUNT * 100) throw draft.invalid(`line ${line.ItemCode}: its amount is outside what Sage can hold`, 'mapper.amount', 'quantity');
}

function shipToOf(order: BigCommerceOrder, part: Part, billing: SageAddress, options: MapperOptions, draft: Draft, comment: (text: string) => void) {
  if (part.consignment) {
    const path = `consignments.shipping.${part.index}`;
    return { shipTo: mapAddress(part.consignment, 'Shipping', path, draft), shipVia: mapShipVia(part.consignment.shipping_method, options, draft) };
  }
  const pickup = order.consignments.pickups[0];
  if (pickup) {
    const where = [pickup.pickup_method_display_name, pickup.location?.name, pickup.collection_instructions].map((text) => singleLine(text ?? '')).filter(Boolean).join('; ');
    comment(`Pickup: ${where || 'in store'}`);
    return { shipTo: pickupAddress(pickup, draft) ?? billing, shipVia: mapShipVia(pickup.pickup_method_display_name || 'Pickup', options, draft) };
  }
  return { shipTo: options.digitalShipTo === 'billing' ? billing : undefined, shipVia: undefined };
}

function mapCustomer(order: BigCommerceOrder, billing: SageAddress, phone: string | undefined, email: string | undefined, options: MapperOptions, draft: Draft): { customer: Customer; isCash: boolean } {
  const withBuyer = (customerNo: string): Customer =>
    compact({
      ARDivisionNo: options.arDivisionNo,
      CustomerNo: customerNo,
      CustomerName: billing.Name ?? cut(email ?? `Web customer ${customerNo}`, draft.limits.Name),
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
  if (order.customer_id > 0) return { customer: withBuyer(registeredCustomerNo(order.customer_id, options)), isCash: false };
  if (options.guestCustomers === 'per-email') {
    const address = order.billing_address.email.trim();
    if (address) return { customer: withBuyer(guestCustomerNo(address, options)), isCash: false };
    draft.warn(`the guest order has no email address: it goes to the cash customer ${options.cashCustomerNo}`);
  }
  return { customer: { ARDivisionNo: options.arDivisionNo, CustomerNo: options.cashCustomerNo, CustomerName: options.cashCustomerName }, isCash: true };
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
