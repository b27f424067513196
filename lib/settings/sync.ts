import { SAGE_FIELD_LIMITS as L } from '../sage100/types';
import { DEFAULT_UPDATABLE_FIELDS } from '../sync/customer-policy';
import { locationTableProblem } from '../sync/stock';
import { defineSettings, type Migration } from './definition';

/** The settings of the sync group's nodes (see ./definition.ts). */

const letterFirst = (max: number, extra = '') => ({
  kind: 'text',
  required: true,
  pattern: `^[A-Z][A-Z0-9${extra}]{0,${max - 1}}$`,
  message: `must be 1–${max} upper-case letters or digits, starting with a letter`,
}) as const;
const upTo = (max: number) => ({ kind: 'text', default: '', maxLength: max, message: `at most ${max} characters` }) as const;
const itemCode = (fallback: string) => ({ kind: 'text', default: fallback, required: true, maxLength: L.ItemCode, message: `at most ${L.ItemCode} characters` }) as const;
const CUSTOMER_NO = '[A-Z0-9\\-_.&/ ]{1,20}';
const UDF_COLUMN = 'UDF_[A-Z0-9_]{1,26}';

/** Sales order and PO numbering: the mapper numbers the orders, reconciliation must find them by the same rules. */
export const numberingFields = {
  /** Keeps web orders out of Sage's own zero-padded numeric series. */
  salesOrderPrefix: { ...letterFirst(3), default: 'W' },
  /** What happens to an order id too large for prefix + zero-padded digits. */
  salesOrderOverflow: { kind: 'choice', values: ['extend', 'error'], default: 'extend' },
  /** CustomerPONo = this prefix + the BigCommerce order id: how a found sales order is recognized as ours. */
  customerPoPrefix: { kind: 'text', default: 'BC', pattern: '^[A-Z0-9#\\-_]{0,5}$', message: 'must be at most 5 upper-case letters, digits, #, - or _' },
} as const;

export const orderNumberingSettings = defineSettings({ type: 'sync-order-numbering', version: 1, fields: numberingFields, migrations: [], code: 'mapper.settings' });

/**
 * Version 2 of the mapper and reconciliation (and of the shipment node, whose customerPoPrefix recognizes the
 * mapper's orders): the numbering may come from a shared sync-order-numbering node. A node saved before keeps its
 * own numbering fields, which apply while it names no such node.
 */
export const sharedNumbering: Migration = {
  version: 2,
  up(settings) {
    return Object.assign({}, settings, { numbering: typeof settings.numbering === 'string' ? settings.numbering : '' });
  },
};
export const numberingReference = { kind: 'config', type: 'sync-order-numbering', required: false } as const;

/**
 * The warehouse → store location table (`000, 001 = 1`, one location a line; lib/sync/stock.ts): the inventory push
 * sets each location's stock from its warehouses, the mapper ships a picked-up line from the first warehouse of its
 * location's line. One sync-warehouse-locations node holds it for both.
 */
export const locationTableField = { kind: 'text', default: '', check: locationTableProblem } as const;

export const warehouseLocationsSettings = defineSettings({
  type: 'sync-warehouse-locations',
  version: 1,
  migrations: [],
  fields: { locationTable: locationTableField },
});

/**
 * The version that lets the inventory push and the mapper take the table from a shared sync-warehouse-locations node
 * (the push's 2, the mapper's 3). A node saved before keeps its own table, which applies while it names no such node.
 */
export function sharedWarehouseLocations(version: number): Migration {
  return {
    version,
    up(settings) {
      return Object.assign({}, settings, { warehouseLocations: typeof settings.warehouseLocations === 'string' ? settings.warehouseLocations : '' });
    },
  };
}
export const warehouseLocationsReference = { kind: 'config', type: 'sync-warehouse-locations', required: false } as const;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const mapperSettings = defineSettings({
  type: 'sync-order-mapper',
  version: 3,
  code: 'mapper.settings',
  migrations: [sharedNumbering, sharedWarehouseLocations(3)],
  fields: {
    itemMap: { kind: 'config', type: 'sync-item-map', required: false },
    sage100: { kind: 'config', type: 'sage100-config', required: false },
    numbering: numberingReference,
    ...numberingFields,
    arDivisionNo: { kind: 'text', default: '00', required: true, pattern: '^\\d{2}$', message: 'must be two digits, e.g. 00' },
    /** Registered buyers: CustomerNo = prefix + BigCommerce customer id. */
    customerPrefix: { ...letterFirst(10, '\\-_.'), default: 'BC' },
    /** Guests: one cash customer, or one customer per email address. */
    guestCustomers: { kind: 'choice', values: ['cash', 'per-email'], default: 'cash' },
    cashCustomerNo: { kind: 'text', default: 'WEBCASH', required: true, pattern: `^${CUSTOMER_NO}$`, message: 'must be 1–20 upper-case characters' },
    cashCustomerName: { kind: 'text', default: 'Web store cash sales', required: true, maxLength: L.Name, message: `at most ${L.Name} characters` },
    /** Guests per email: CustomerNo = prefix + 12 characters derived from the email address. */
    guestPrefix: { ...letterFirst(8, '\\-_.'), default: 'G' },
    /**
     * What the line amounts include. `auto` and `ex`: amounts excluding tax, derived from the order in stores that
     * price with or without tax, so Sage's tax schedule adds the tax once. `inc`: amounts including tax, for a
     * company whose tax schedule (set below) adds none.
     */
    priceBasis: { kind: 'choice', values: ['auto', 'ex', 'inc'], default: 'auto' },
    /** Blank: each item's default warehouse in Sage. */
    warehouseCode: upTo(L.WarehouseCode),
    /** A line picked up at a store location ships from the first warehouse of its location's line in this table. */
    warehouseLocations: warehouseLocationsReference,
    /**
     * The table the node kept itself (a flow saved before the shared node): counts while it names none. Blank: every
     * line takes warehouseCode.
     */
    locationTable: locationTableField,
    /** Product-level discounts lower the unit price, or become LineDiscountPercent (held when that is not exact). */
    lineDiscounts: { kind: 'choice', values: ['price', 'percent'], default: 'price' },
    /** Order-level discounts (coupons, manual, promotions): folded into the lines' prices, the header's DiscountAmt, or discount lines. */
    orderDiscounts: { kind: 'choice', values: ['fold', 'header', 'line'], default: 'fold' },
    /** Shipping cost in the header's FreightAmt (where Sage and shipping software expect it), or as a freight line. */
    freight: { kind: 'choice', values: ['header', 'line'], default: 'header' },
    /** Handling and gift-wrapping costs: a charge line each, or added to FreightAmt. */
    handling: { kind: 'choice', values: ['line', 'freight'], default: 'line' },
    wrapping: { kind: 'choice', values: ['line', 'freight'], default: 'line' },
    freightCode: itemCode('/FREIGHT'),
    handlingCode: itemCode('/HANDLING'),
    giftWrapCode: itemCode('/GIFTWRAP'),
    feeCode: itemCode('/FEE'),
    discountCode: itemCode('/DISCOUNT'),
    giftCertificateCode: itemCode('/GIFTCERT'),
    commentCode: itemCode('/C'),
    /** One `BigCommerce shipping method = Sage ShipVia` per line. */
    shipViaTable: { kind: 'text', default: '' },
    /** ShipVia for methods not in the table; blank leaves the customer's default. */
    defaultShipVia: upTo(L.ShipVia),
    /** The day of date_created in this IANA time zone becomes OrderDate. */
    timeZone: {
      kind: 'text',
      default: 'UTC',
      required: true,
      check: (zone) => (isTimeZone(zone) ? undefined : 'must be an IANA time zone such as UTC or America/Chicago'),
    },
    /** `sage`: Sage's tax schedule computes tax; `amounts`: BigCommerce's total_tax goes into SalesTaxAmt. */
    tax: { kind: 'choice', values: ['sage', 'amounts'], default: 'sage' },
    /** Blank: the customer's tax schedule. Avalara AvaTax sites use AVATAX. */
    taxSchedule: upTo(L.TaxSchedule),
    /** Product options (size, engraving text …) as a comment line under the item. */
    optionComments: { kind: 'flag', default: true },

    /** Status ids that become sales orders: Awaiting Fulfillment, Awaiting Shipment, Awaiting Pickup. */
    importStatuses: { kind: 'text', default: '11, 9, 8', pattern: '^[\\s,]*\\d{1,2}([\\s,]+\\d{1,2})*[\\s,]*$', message: 'must list BigCommerce status ids, e.g. 11, 9, 8' },
    /** An order first seen already Shipped or Completed: a person looks at it, or it is imported. */
    fulfilledFirstSeen: { kind: 'choice', values: ['attention', 'import'], default: 'attention' },

    /** The Sage company's currency (ISO 4217). */
    companyCurrency: { kind: 'text', default: 'USD', pattern: '^[A-Z]{3}$', message: 'must be a 3-letter ISO currency code, e.g. USD' },
    /** An order in another currency: held, or converted at the order's own exchange rate. */
    foreignCurrency: { kind: 'choice', values: ['hold', 'convert'], default: 'hold' },

    /** One `BigCommerce payment method = Sage PaymentType` per line; the PaymentType must be a deposit type in AR. */
    paymentTypeTable: { kind: 'text', default: '' },
    /**
     * DepositAmt: `transactions`: the captured amount of the transactions on msg.transactions (none given: no
     * deposit, with a warning); `order-total`: the order's total less refunds when BigCommerce says it is captured;
     * `none`: never.
     */
    deposit: { kind: 'choice', values: ['transactions', 'order-total', 'none'], default: 'transactions' },

    /** Text outside Windows-1252: transliterated ('?' where impossible), replaced by '?', kept as it is, or the order held. */
    textPolicy: { kind: 'choice', values: ['transliterate', 'replace', 'keep', 'hold'], default: 'transliterate' },
    /** Field lengths when the company does not report them (msg.lengths): Sage 4.x layouts, or current ones. */
    lengthProfile: { kind: 'choice', values: ['older', 'current'], default: 'older' },

    /** Staff notes: a comment line, or left out (named in the warnings). */
    staffNotes: { kind: 'choice', values: ['comment', 'omit'], default: 'comment' },
    /** The checkout form field holding the buyer's own PO number (its value goes to comments or a UDF as po_number). */
    poFormField: { kind: 'text', default: 'PO Number' },
    /** One `BigCommerce field = UDF_COLUMN` per line; see docs/field-placement.md for the field names. */
    udfTable: { kind: 'text', default: '' },
    /**
     * A line UDF that names the BigCommerce line each Sage product line came from (`<order_product_id>@<order_address_id>`),
     * so shipments name the right items with one read. Blank: off (the UDF must exist in Sage first).
     */
    lineLinkColumn: { kind: 'text', default: '', pattern: `^(${UDF_COLUMN})?$`, message: 'must be a UDF column: UDF_ and upper-case letters, digits or _' },

    /** Several ship-to addresses: one order with the others in comments, or one sales order per address. */
    consignments: { kind: 'choice', values: ['comments', 'split'], default: 'comments' },
    /** Digital-only orders (no shipping address): ship to the billing address, or leave ship-to to Sage. */
    digitalShipTo: { kind: 'choice', values: ['billing', 'none'], default: 'billing' },

    /** Customer columns an order may change on an existing customer (comma separated). */
    customerUpdateFields: { kind: 'text', default: DEFAULT_UPDATABLE_FIELDS.join(', ') },
    /** New customers: copied from this template customer in Sage, and/or given these defaults. */
    templateCustomerNo: { kind: 'text', default: '', pattern: `^(${CUSTOMER_NO})?$`, message: 'must be 1–20 upper-case characters' },
    newCustomerTerms: upTo(L.TermsCode),
    newCustomerSalesperson: { kind: 'text', default: '', pattern: '^(\\d{2}-[A-Z0-9]{1,4})?$', message: 'must be division-salesperson, e.g. 00-0100' },
    newCustomerTaxSchedule: upTo(L.TaxSchedule),
    newCustomerPriceLevel: upTo(1),
    newCustomerType: upTo(4),
  },
});

export const reconcileSettings = defineSettings({
  type: 'sync-reconcile',
  version: 2,
  code: 'reconcile.settings',
  migrations: [sharedNumbering],
  fields: {
    sage100: { kind: 'config', type: 'sage100-config', required: true },
    numbering: numberingReference,
    ...numberingFields,
    /** Differences up to this amount (rounding) are not reported. */
    tolerance: { kind: 'number', default: 0.01, min: 0 },
    /** Orders in these statuses are not expected in Sage: 0 Incomplete, 5 Cancelled, 6 Declined. */
    skipStatuses: { kind: 'text', default: '0,5,6', pattern: '^[\\d,\\s]*$', message: 'must list BigCommerce status ids, e.g. 0, 5, 6' },
    /** Report orders whose captured payments do not cover the total. */
    checkCapture: { kind: 'flag', default: true },
  },
});

export const itemMapSettings = defineSettings({
  type: 'sync-item-map',
  version: 1,
  migrations: [],
  fields: {
    table: { kind: 'text', default: '' },
    unmapped: { kind: 'choice', values: ['same', 'upper', 'reject'], default: 'same' },
  },
});

export const queueSettings = defineSettings({
  type: 'sync-queue',
  version: 1,
  migrations: [],
  fields: {
    queueName: { kind: 'text', default: 'orders', required: true, pattern: '^[A-Za-z0-9_.-]{1,64}$', message: 'must be 1–64 letters, digits, _, . or -' },
    backend: { kind: 'choice', values: ['memory', 'bullmq'], default: 'memory' },
    redis: { kind: 'config', type: 'sync-redis', required: true, when: { field: 'backend', is: ['bullmq'] } },
    idProperty: { kind: 'text', default: '' },
    idPrefix: { kind: 'text', default: 'order:' },
    concurrency: { kind: 'number', default: 2 },
    attempts: { kind: 'number', default: 5 },
    /** Seconds. */
    backoff: { kind: 'number', default: 10 },
    maxBackoff: { kind: 'number', default: 600 },
    ackTimeout: { kind: 'number', default: 120 },
    /** Hours. */
    retryFor: { kind: 'number', default: 24 },
  },
});

export const redisSettings = defineSettings({
  type: 'sync-redis',
  version: 1,
  migrations: [],
  fields: {
    url: { kind: 'text', default: 'redis://127.0.0.1:6379', required: true, pattern: '^rediss?://\\S+$', message: 'must look like redis://host:6379 or rediss://host:6380' },
    tls: { kind: 'flag', default: false },
    rejectUnauthorized: { kind: 'flag', default: true },
    keyPrefix: { kind: 'text', default: 'ml-connector', required: true },
  },
});

export const alertsSettings = defineSettings({
  type: 'sync-alerts',
  version: 1,
  migrations: [],
  fields: {
    /** Seconds. */
    quiet: { kind: 'number', default: 60 },
    /** Minutes. */
    maxWait: { kind: 'number', default: 15 },
  },
});
