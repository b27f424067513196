import { z, type ZodType } from 'zod';
import { ConnectorError, parseWith, ValidationError } from '../errors';
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
  type Customer,
  type MappedOrder,
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
import { Draft, LARGEST_AMOUNT, commentText, compact, cut, lineLabel, pieces, singleLine } from './mapper-draft';
import { centsToAmount, extensionCents, formatCents, microsToAmount, toUnits, unitPriceMicros, unitsToCents } from './money';
import { orderGate } from './order-gate';
import { LENGTH_PROFILES, schemasAtLengths } from '../sage100/lengths';
import { OrderHeldError, holdError, type OrderHold } from './order-hold';
import { planMoney, tieOutOf, type MoneyPlan, type Placement } from './order-money';
import { UDF_ONLY, orderNotes, type Note } from './order-notes';
import { mapPayment, type PaymentFields } from './order-payment';
import { pickupLocationsOfLines, warehouseForLine } from './warehouse-for-line';
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

/** Field lengths of Sage 4.x layouts and of current versions (lib/sage100/lengths.ts). */
export { LENGTH_PROFILES };

const lengthsSchema = z.record(z.string(), z.number().int().positive()).optional();

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
function productLine(placement: Placement, itemCode: string, warehouseCode: string, options: MapperOptions, draft: Draft): SalesOrderLine {
  const product = placement.product as OrderProduct;
  const quantity = placement.quantity as number;
  const where = lineLabel(product);
  if (placement.cents < 0) throw holdError(draft.orderId, `${where}.applied_discounts`, `${where}: its discounts are more than the line (${formatCents(placement.cents)})`);
  const base = compact({
    ItemCode: itemCode,
    ItemCodeDesc: product.type === 'giftcertificate' ? draft.fit(product.name || 'Gift certificate', draft.limits.ItemCodeDesc, `Description of ${itemCode}`, `${where}.name`) : undefined,
    QuantityOrdered: quantity,
    WarehouseCode: warehouseCode || undefined,
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
  const payment = mapPayment(order, options, context.transactions, plan, draft);
  const tieOut = tieOutOf(order, plan, options);

  const orders = parts.map((part) => {
    const partNo = split ? splitSalesOrderNo(order.id, part.index, options) : salesOrderNoFor(order.id, numbers);
    return buildSalesOrder({ order, part, split, partCount: parts.length, salesOrderNo: partNo, customerPoNo, orderDate, billing, email, customer, plan, products, itemCodeById, notes, payment, options, draft });
  });

  const schemas = schemasAtLengths(limits);
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
    storeCustomerId: order.customer_id > 0 ? order.customer_id : undefined,
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

  const addressOfLine = new Map(order.consignments.shipping.flatMap((consignment) => consignment.line_items.map((item) => [item.id, consignment.id] as const)));
  const locationOfLine = pickupLocationsOfLines(order.consignments);
  for (const placement of placements.filter((p) => p.kind === 'product')) {
    const product = placement.product as OrderProduct;
    const warehouse = warehouseForLine(locationOfLine.get(product.id), options.locations, options.warehouseCode);
    const line = productLine(placement, input.itemCodeById.get(product.id) as string, warehouse, options, draft);
    if (options.lineLinkColumn) {
      const address = addressOfLine.get(product.id);
      (line as Record<string, unknown>)[options.lineLinkColumn] = address === undefined ? String(product.id) : `${product.id}@${address}`;
    }
    lines.push(line);
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
