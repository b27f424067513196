import { createHash } from 'node:crypto';
import { ValidationError, parseWith } from '../errors';
import { SAGE_FIELD_LIMITS } from '../sage100/types';
import { settingsSchema, type SavedSettingsOf, type SettingsOf } from '../settings/definition';
import { mapperSettings, numberingFields, orderNumberingSettings } from '../settings/sync';
import { parseFieldList } from './customer-policy';
import { parseStatusList } from './order-gate';
import { parseLocationTable } from './stock';
import type { WarehouseLocation } from './warehouse-for-line';

/**
 * The conventions of the order mapper, each a node setting with a default (defined once, for the editor too, in
 * lib/settings/sync.ts). `salesOrderNoFor` and `customerPoNoFor` are shared with reconciliation, which must find
 * the orders the mapper numbered.
 */

export const numberingSchema = settingsSchema(orderNumberingSettings);
export const mapperSettingsSchema = settingsSchema(mapperSettings);

export type NumberingSettings = SavedSettingsOf<typeof numberingFields>;
export type Numbering = SettingsOf<typeof numberingFields>;
export type MapperSettings = SavedSettingsOf<(typeof mapperSettings)['fields']>;
export type MapperOptions = SettingsOf<(typeof mapperSettings)['fields']> & {
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
    // Checked by the settings schema with the push's rules (locationTableField), so one table means the same to both.
    locations: parseLocationTable(parsed.locationTable),
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
