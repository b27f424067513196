import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ValidationError, parseWith } from '../errors';
import { SAGE_FIELD_LIMITS, customerNoSchema, itemCodeSchema } from '../sage100/types';
import { DEFAULT_UPDATABLE_FIELDS, parseFieldList } from './customer-policy';
import { parseStatusList } from './order-gate';
import { locationMappingSchema, parseLocationTable } from './stock';
import type { WarehouseLocation } from './warehouse-for-line';

/**
 * The conventions of the order mapper, each a node setting with a default. `salesOrderNoFor` and
 * `customerPoNoFor` are shared with reconciliation, which must find the orders the mapper numbered.
 */

const letterFirst = (max: number, extra = '') =>
  z.string().regex(new RegExp(`^[A-Z][A-Z0-9${extra}]{0,${max - 1}}$`), `must be 1–${max} upper-case letters or digits, starting with a letter`);

export const numberingSchema = z.object({
  /** Keeps web orders out of Sage's own zero-padded numeric series. */
  salesOrderPrefix: letterFirst(3).default('W'),
  /** What happens to an order id too large for prefix + zero-padded digits. */
  salesOrderOverflow: z.enum(['extend', 'error']).default('extend'),
  /** CustomerPONo = this prefix + the BigCommerce order id: how a found sales order is recognized as ours. */
  customerPoPrefix: z.string().regex(/^[A-Z0-9#\-_]{0,5}$/, 'must be at most 5 upper-case letters, digits, #, - or _').default('BC'),
});

const miscCode = (fallback: string) => itemCodeSchema.default(fallback);

export const mapperSettingsSchema = numberingSchema.extend({
  arDivisionNo: z.string().regex(/^\d{2}$/, 'must be two digits, e.g. 00').default('00'),
  /** Registered buyers: CustomerNo = prefix + BigCommerce customer id. */
  customerPrefix: letterFirst(10, '\\-_.').default('BC'),
  /** Guests: one cash customer, or one customer per email address. */
  guestCustomers: z.enum(['cash', 'per-email']).default('cash'),
  cashCustomerNo: customerNoSchema.default('WEBCASH'),
  cashCustomerName: z.string().min(1).max(SAGE_FIELD_LIMITS.Name, `at most ${SAGE_FIELD_LIMITS.Name} characters`).default('Web store cash sales'),
  /** Guests per email: CustomerNo = prefix + 12 characters derived from the email address. */
  guestPrefix: letterFirst(8, '\\-_.').default('G'),
  /**
   * What the line amounts include. `auto` and `ex`: amounts excluding tax, derived from the order in stores that
   * price with or without tax, so Sage's tax schedule adds the tax once. `inc`: amounts including tax, for a
   * company whose tax schedule (set below) adds none.
   */
  priceBasis: z.enum(['auto', 'ex', 'inc']).default('auto'),
  /** Blank: each item's default warehouse in Sage. */
  warehouseCode: z.string().max(SAGE_FIELD_LIMITS.WarehouseCode, `at most ${SAGE_FIELD_LIMITS.WarehouseCode} characters`).default(''),
  /**
   * The inventory push's warehouse → location table (`000, 001 = 1`, one location a line), copied here: a line picked
   * up at a location ships from the first warehouse its table line names. Blank: every line takes warehouseCode.
   */
  locationTable: z.string().default(''),
  /** Product-level discounts lower the unit price, or become LineDiscountPercent (held when that is not exact). */
  lineDiscounts: z.enum(['price', 'percent']).default('price'),
  /** Order-level discounts (coupons, manual, promotions): folded into the lines' prices, the header's DiscountAmt, or discount lines. */
  orderDiscounts: z.enum(['fold', 'header', 'line']).default('fold'),
  /** Shipping cost in the header's FreightAmt (where Sage and shipping software expect it), or as a freight line. */
  freight: z.enum(['header', 'line']).default('header'),
  /** Handling and gift-wrapping costs: a charge line each, or added to FreightAmt. */
  handling: z.enum(['line', 'freight']).default('line'),
  wrapping: z.enum(['line', 'freight']).default('line'),
  freightCode: miscCode('/FREIGHT'),
  handlingCode: miscCode('/HANDLING'),
  giftWrapCode: miscCode('/GIFTWRAP'),
  feeCode: miscCode('/FEE'),
  discountCode: miscCode('/DISCOUNT'),
  giftCertificateCode: miscCode('/GIFTCERT'),
  commentCode: miscCode('/C'),
  /** One `BigCommerce shipping method = Sage ShipVia` per line. */
  shipViaTable: z.string().default(''),
  /** ShipVia for methods not in the table; blank leaves the customer's default. */
  defaultShipVia: z.string().max(SAGE_FIELD_LIMITS.ShipVia, `at most ${SAGE_FIELD_LIMITS.ShipVia} characters`).default(''),
  /** The day of date_created in this IANA time zone becomes OrderDate. */
  timeZone: z
    .string()
    .default('UTC')
    .refine((zone) => isTimeZone(zone), 'must be an IANA time zone such as UTC or America/Chicago'),
  /** `sage`: Sage's tax schedule computes tax; `amounts`: BigCommerce's total_tax goes into SalesTaxAmt. */
  tax: z.enum(['sage', 'amounts']).default('sage'),
  /** Blank: the customer's tax schedule. Avalara AvaTax sites use AVATAX. */
  taxSchedule: z.string().max(SAGE_FIELD_LIMITS.TaxSchedule, `at most ${SAGE_FIELD_LIMITS.TaxSchedule} characters`).default(''),
  /** Product options (size, engraving text …) as a comment line under the item. */
  optionComments: z.boolean().default(true),

  /** Status ids that become sales orders: Awaiting Fulfillment, Awaiting Shipment, Awaiting Pickup. */
  importStatuses: z.string().default('11, 9, 8').refine((text) => (parseStatusList(text)?.length ?? 0) > 0, 'must list BigCommerce status ids, e.g. 11, 9, 8'),
  /** An order first seen already Shipped or Completed: a person looks at it, or it is imported. */
  fulfilledFirstSeen: z.enum(['attention', 'import']).default('attention'),

  /** The Sage company's currency (ISO 4217). */
  companyCurrency: z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO currency code, e.g. USD').default('USD'),
  /** An order in another currency: held, or converted at the order's own exchange rate. */
  foreignCurrency: z.enum(['hold', 'convert']).default('hold'),

  /** One `BigCommerce payment method = Sage PaymentType` per line; the PaymentType must be a deposit type in AR. */
  paymentTypeTable: z.string().default(''),
  /**
   * DepositAmt: `transactions`: the captured amount of the transactions on msg.transactions (none given: no
   * deposit, with a warning); `order-total`: the order's total less refunds when BigCommerce says it is captured;
   * `none`: never.
   */
  deposit: z.enum(['transactions', 'order-total', 'none']).default('transactions'),

  /** Text outside Windows-1252: transliterated ('?' where impossible), replaced by '?', kept as it is, or the order held. */
  textPolicy: z.enum(['transliterate', 'replace', 'keep', 'hold']).default('transliterate'),
  /** Field lengths when the company does not report them (msg.lengths): Sage 4.x layouts, or current ones. */
  lengthProfile: z.enum(['older', 'current']).default('older'),

  /** Staff notes: a comment line, or left out (named in the warnings). */
  staffNotes: z.enum(['comment', 'omit']).default('comment'),
  /** The checkout form field holding the buyer's own PO number (its value goes to comments or a UDF as po_number). */
  poFormField: z.string().default('PO Number'),
  /** One `BigCommerce field = UDF_COLUMN` per line; see docs/field-placement.md for the field names. */
  udfTable: z.string().default(''),
  /**
   * A line UDF that names the BigCommerce line each Sage product line came from (`<order_product_id>@<order_address_id>`),
   * so shipments name the right items with one read. Blank: off (the UDF must exist in Sage first).
   */
  lineLinkColumn: z.union([z.literal(''), z.string().regex(/^UDF_[A-Z0-9_]{1,26}$/, 'must be a UDF column: UDF_ and upper-case letters, digits or _')]).default(''),

  /** Several ship-to addresses: one order with the others in comments, or one sales order per address. */
  consignments: z.enum(['comments', 'split']).default('comments'),
  /** Digital-only orders (no shipping address): ship to the billing address, or leave ship-to to Sage. */
  digitalShipTo: z.enum(['billing', 'none']).default('billing'),

  /** Customer columns an order may change on an existing customer (comma separated). */
  customerUpdateFields: z.string().default(DEFAULT_UPDATABLE_FIELDS.join(', ')),
  /** New customers: copied from this template customer in Sage, and/or given these defaults. */
  templateCustomerNo: z.union([z.literal(''), customerNoSchema]).default(''),
  newCustomerTerms: z.string().max(SAGE_FIELD_LIMITS.TermsCode, `at most ${SAGE_FIELD_LIMITS.TermsCode} characters`).default(''),
  newCustomerSalesperson: z.string().regex(/^(\d{2}-[A-Z0-9]{1,4})?$/, 'must be division-salesperson, e.g. 00-0100').default(''),
  newCustomerTaxSchedule: z.string().max(SAGE_FIELD_LIMITS.TaxSchedule, `at most ${SAGE_FIELD_LIMITS.TaxSchedule} characters`).default(''),
  newCustomerPriceLevel: z.string().max(1, 'at most 1 character').default(''),
  newCustomerType: z.string().max(4, 'at most 4 characters').default(''),
});

export type NumberingSettings = z.input<typeof numberingSchema>;
export type Numbering = z.output<typeof numberingSchema>;
export type MapperSettings = z.input<typeof mapperSettingsSchema>;
export type MapperOptions = z.output<typeof mapperSettingsSchema> & {
  /** The ship-via table, keyed by the normalized BigCommerce method name. */
  shipVia: ReadonlyMap<string, string>;
  /** The payment type table, keyed by the normalized BigCommerce payment method. */
  paymentTypes: ReadonlyMap<string, string>;
  /** BigCommerce field name -> UDF column. */
  udfs: ReadonlyMap<string, string>;
  /** The location table, parsed. */
  locations: readonly WarehouseLocation[];
  statuses: readonly number[];
  updatableFields: readonly string[];
};

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** How shipping method names are compared: case and repeated spaces do not matter. */
export function shippingMethodKey(method: string): string {
  return method.trim().replace(/\s+/g, ' ').toLowerCase();
}

interface TableRules {
  setting: string;
  what: string;
  /** Checks the right-hand side; a message when it is wrong. */
  check: (value: string) => string | undefined;
}

/** `name = value` lines (`,`, tab or `=` separate; the last separator counts, so names may contain commas). */
function parseTable(table: string, rules: TableRules, key: (name: string) => string = shippingMethodKey): Map<string, string> {
  const entries = new Map<string, string>();
  table.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const where = `${rules.what} line ${index + 1}`;
    const match = /^(.+)\s*[,\t=]\s*([^,\t=]+)$/.exec(line);
    if (!match) throw new ValidationError(`${where}: expected "name = value", got "${line}"`, { code: 'mapper.settings', field: rules.setting, record: where });
    const [, name, code] = match as unknown as [string, string, string];
    const value = code.trim();
    const problem = rules.check(value);
    if (problem) throw new ValidationError(`${where}: ${problem}`, { code: 'mapper.settings', field: rules.setting, record: where });
    entries.set(key(name.trim()), value);
  });
  return entries;
}

const parseShipViaTable = (table: string) =>
  parseTable(table, {
    setting: 'shipViaTable',
    what: 'ship-via table',
    check: (code) => (code.length > SAGE_FIELD_LIMITS.ShipVia ? `ShipVia "${code}" is longer than ${SAGE_FIELD_LIMITS.ShipVia} characters` : undefined),
  });

const PAYMENT_TYPE_LENGTH = 5;
const parsePaymentTypeTable = (table: string) =>
  parseTable(table, {
    setting: 'paymentTypeTable',
    what: 'payment type table',
    check: (code) => (/^[A-Z0-9]{1,5}$/.test(code) ? undefined : `PaymentType "${code}" must be 1–${PAYMENT_TYPE_LENGTH} upper-case letters or digits`),
  });

const parseUdfTable = (table: string) =>
  parseTable(
    table,
    { setting: 'udfTable', what: 'UDF table', check: (column) => (/^UDF_[A-Z0-9_]{1,26}$/.test(column) ? undefined : `"${column}" is not a UDF column (UDF_ and upper-case letters, digits or _)`) },
    (name) => name.toLowerCase().replace(/\s+/g, ' '),
  );

/** The push node's table syntax and rules, so one text pasted into both nodes means the same. */
function parseLocations(table: string): WarehouseLocation[] {
  return parseLocationTable(table).map((row, index) => {
    const result = locationMappingSchema.safeParse(row);
    if (result.success) return result.data;
    const where = `location table entry ${index + 1}`;
    const issue = result.error.issues[0];
    throw new ValidationError(`${where}: ${issue?.path.join('.') || 'line'} ${issue?.message ?? 'is invalid'}`, { code: 'mapper.settings', field: 'locationTable', record: where });
  });
}

/** The settings a node's editor saved (strings and booleans, keyed as above); absent ones take their defaults. */
function pickSettings<T extends z.ZodObject>(schema: T, config: Record<string, unknown>): z.input<T> {
  return Object.fromEntries(Object.keys(schema.shape).filter((key) => config[key] !== undefined && config[key] !== null).map((key) => [key, config[key]])) as z.input<T>;
}

export const mapperSettingsFrom = (config: Record<string, unknown>): MapperSettings => pickSettings(mapperSettingsSchema, config);
export const numberingSettingsFrom = (config: Record<string, unknown>): NumberingSettings => pickSettings(numberingSchema, config);

/** Validated mapper options with defaults filled in; an invalid setting is a ValidationError naming it. */
export function mapperOptions(settings: MapperSettings = {}): MapperOptions {
  const parsed = parseWith(mapperSettingsSchema, settings, { what: 'sync-order-mapper settings', code: 'mapper.settings' });
  if (parsed.priceBasis === 'inc' && parsed.taxSchedule === '') {
    throw new ValidationError('sync-order-mapper settings: priceBasis: amounts including tax need a tax schedule that adds no tax in Sage (Tax schedule)', {
      code: 'mapper.settings',
      field: 'priceBasis',
      hint: 'Choose "excluding tax" so Sage computes the tax once, or set a non-taxable tax schedule.',
    });
  }
  return {
    ...parsed,
    shipVia: parseShipViaTable(parsed.shipViaTable),
    paymentTypes: parsePaymentTypeTable(parsed.paymentTypeTable),
    udfs: parseUdfTable(parsed.udfTable),
    locations: parseLocations(parsed.locationTable),
    statuses: parseStatusList(parsed.importStatuses) ?? [],
    updatableFields: parseFieldList(parsed.customerUpdateFields),
  };
}

export function numbering(settings: NumberingSettings = {}): Numbering {
  return parseWith(numberingSchema, settings, { what: 'sales order numbering settings', code: 'mapper.settings' });
}

const SALES_ORDER_NO_LENGTH = SAGE_FIELD_LIMITS.SalesOrderNo;
const BASE36 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function base36(value: number, width: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < width; i++) {
    out = BASE36.charAt(rest % 36) + out;
    rest = Math.floor(rest / 36);
  }
  return out;
}

/**
 * The Sage sales order number of a BigCommerce order: the prefix, then the order id zero-padded to fill 7
 * characters (W000123). Ids past that range (999,999 with a 1-letter prefix) either fail with a clear error,
 * or (`extend`, the default) continue as prefix + a letter + base-36 digits: W + A0000 … Z + ZZZZ, counted
 * from the first id past the range. The letter after the prefix keeps the two series apart, so every id
 * still has exactly one number and no two ids share one.
 */
export function salesOrderNoFor(orderId: number, settings: NumberingSettings | Numbering = {}): string {
  const { salesOrderPrefix: prefix, salesOrderOverflow } = numbering(settings);
  const record = `order ${orderId}`;
  if (!Number.isSafeInteger(orderId) || orderId < 1) {
    throw new ValidationError(`${record}: the order id must be a positive whole number`, { code: 'mapper.order_id', field: 'id', record });
  }
  const width = SALES_ORDER_NO_LENGTH - prefix.length;
  const decimalRange = 10 ** width - 1;
  if (orderId <= decimalRange) return `${prefix}${String(orderId).padStart(width, '0')}`;
  const step = 36 ** (width - 1);
  const extended = orderId - decimalRange - 1;
  const extendedRange = 26 * step;
  if (salesOrderOverflow === 'error' || extended >= extendedRange) {
    const limit = salesOrderOverflow === 'error' ? decimalRange : decimalRange + extendedRange;
    throw new ValidationError(
      `${record}: the id is past the last sales order number the prefix "${prefix}" allows (order ${limit})`,
      {
        code: 'mapper.sales_order_range',
        field: 'id',
        record,
        hint: salesOrderOverflow === 'error'
          ? 'Choose "continue with letters" for numbers past the range, or a shorter prefix.'
          : 'Choose a shorter sales order prefix.',
      },
    );
  }
  return `${prefix}${BASE36.charAt(10 + Math.floor(extended / step))}${base36(extended % step, width - 1)}`;
}

/** What the mapper writes into CustomerPONo, and what marks a found sales order as ours. */
export function customerPoNoFor(orderId: number, settings: NumberingSettings | Numbering = {}): string {
  const poNo = `${numbering(settings).customerPoPrefix}${orderId}`;
  if (poNo.length > SAGE_FIELD_LIMITS.CustomerPONo) {
    const record = `order ${orderId}`;
    throw new ValidationError(`${record}: CustomerPONo "${poNo}" is longer than ${SAGE_FIELD_LIMITS.CustomerPONo} characters`, {
      code: 'mapper.order_id', field: 'id', record, hint: 'Choose a shorter CustomerPONo prefix.',
    });
  }
  return poNo;
}

/** A registered buyer's CustomerNo: stable for the BigCommerce customer id. */
export function registeredCustomerNo(customerId: number, options: Pick<MapperOptions, 'customerPrefix'>): string {
  return `${options.customerPrefix}${customerId}`;
}

const GUEST_HASH_LENGTH = 12;

/**
 * A guest's CustomerNo when each email gets its own customer: the prefix and 12 base-36 characters of the
 * SHA-256 of the trimmed, lower-cased address, so the same buyer always lands on the same customer.
 */
export function guestCustomerNo(email: string, options: Pick<MapperOptions, 'guestPrefix'>): string {
  const digest = createHash('sha256').update(email.trim().toLowerCase()).digest();
  const value = digest.readBigUInt64BE(0);
  return `${options.guestPrefix}${value.toString(36).toUpperCase().padStart(GUEST_HASH_LENGTH, '0').slice(-GUEST_HASH_LENGTH)}`;
}
