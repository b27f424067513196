import { defineSettings } from './definition';
import { locationTableField, numberingFields, numberingReference, sharedNumbering, sharedWarehouseLocations, warehouseLocationsReference } from './sync';

/** The settings of the BigCommerce group's nodes (see ./definition.ts). */

const bigcommerce = { kind: 'config', type: 'bigcommerce-config', required: true } as const;
const itemMap = { kind: 'config', type: 'sync-item-map', required: false } as const;

export const bigcommerceConfigSettings = defineSettings({
  type: 'bigcommerce-config',
  version: 1,
  migrations: [],
  fields: {
    storeHash: { kind: 'text', default: '', required: true, pattern: '^[A-Za-z0-9]+$', message: 'must be the store hash (letters and digits)' },
    apiUrl: { kind: 'text', default: 'https://api.bigcommerce.com', required: true, pattern: '^https?://\\S+$', message: 'must be an http(s):// URL' },
    /** Seconds, like the Sage 100 configuration's timeout. */
    timeout: { kind: 'number', default: 30 },
    webhookUrl: { kind: 'text', default: '' },
    webhookHeaderName: { kind: 'text', default: '', pattern: '^([A-Za-z0-9-]{1,64})?$', message: 'must be a header name (letters, digits and -)' },
  },
});

export const inventoryPushSettings = defineSettings({
  type: 'bigcommerce-inventory-push',
  version: 2,
  migrations: [sharedWarehouseLocations(2)],
  fields: {
    bigcommerce,
    itemMap,
    warehouses: { kind: 'text', default: '' },
    subtractBackOrders: { kind: 'flag', default: false },
    safetyStock: { kind: 'number', default: 0 },
    priceColumn: { kind: 'choice', values: ['StandardUnitPrice', 'SuggestedRetailPrice', 'SalesPromotionPrice', ''], default: 'StandardUnitPrice' },
    locationId: { kind: 'number', default: 1, integer: true, min: 1, message: 'must be a BigCommerce location id (1 is the default location)' },
    /** Several store locations, each fed by its own warehouses; none: the warehouses above into locationId. */
    warehouseLocations: warehouseLocationsReference,
    /** Counts while no shared table is chosen (a flow saved before it could be shared). */
    locationTable: locationTableField,
    salePromotions: { kind: 'flag', default: false },
    inactiveItems: { kind: 'choice', values: ['sell', 'zero', 'hide'], default: 'sell' },
    priceLevels: { kind: 'text', default: '' },
    currency: { kind: 'text', default: 'USD', pattern: '^[A-Za-z]{3}$', message: 'must be a 3-letter ISO currency code, e.g. USD' },
    fullResync: { kind: 'flag', default: false },
    /** Off gives the units of orders waiting at the mapper's status gate back to the store: it oversells. */
    holdWaitingOrders: { kind: 'flag', default: true },
    holdDays: { kind: 'number', default: 30, integer: true, min: 1, message: 'must be a whole number of days, 1 or more' },
  },
});

/** The price levels whose groups the customer step keeps buyers in: the inventory push's syntax ("2, 3"); blank: none. */
export const customerGroupSettings = defineSettings({
  type: 'bigcommerce-customer-group',
  version: 1,
  migrations: [],
  fields: {
    bigcommerce,
    priceLevels: { kind: 'text', default: '' },
  },
});

export const orderSettings = defineSettings({
  type: 'bigcommerce-order',
  version: 1,
  migrations: [],
  fields: {
    bigcommerce,
    mode: { kind: 'choice', values: ['get', 'poll'], default: 'get' },
    /** Blank: every status. */
    statusId: { kind: 'text', default: '', pattern: '^(\\d{1,2})?$', message: 'must be a BigCommerce status id' },
    overlap: { kind: 'number', default: 300 },
    lookback: { kind: 'number', default: 24 },
    pageSize: { kind: 'number', default: 250 },
    readMarker: { kind: 'flag', default: false },
  },
});

export const paymentsSettings = defineSettings({
  type: 'bigcommerce-payments',
  version: 1,
  migrations: [],
  fields: {
    bigcommerce,
    mode: { kind: 'choice', values: ['order', 'range'], default: 'order' },
    days: { kind: 'number', default: 7 },
  },
});

export const shipmentSettings = defineSettings({
  type: 'bigcommerce-shipment',
  version: 2,
  migrations: [sharedNumbering],
  fields: {
    bigcommerce,
    role: { kind: 'choice', values: ['ship', 'echo-filter'], default: 'ship' },
    itemMap,
    lineColumn: { kind: 'text', default: 'UDF_BC_LINE', pattern: '^(UDF_[A-Z0-9_]{1,26})?$', message: 'must be a UDF column: UDF_ and upper-case letters, digits or _' },
    packages: { kind: 'choice', values: ['one-shipment', 'per-package'], default: 'one-shipment' },
    packageColumn: { kind: 'text', default: '' },
    /** The mapper's numbering: a shipped invoice's CustomerPONo names its order by the same prefix. */
    numbering: numberingReference,
    /** Counts while no numbering node is chosen (a flow saved before shipments could share it). */
    customerPoPrefix: numberingFields.customerPoPrefix,
    carrierTable: { kind: 'text', default: '' },
    checkAfterWrite: { kind: 'flag', default: false },
  },
});

export const webhookVerifySettings = defineSettings({
  type: 'bigcommerce-webhook-verify',
  version: 1,
  migrations: [],
  fields: {
    bigcommerce,
    signature: { kind: 'choice', values: ['required', 'if-present', 'off'], default: 'required' },
    tolerance: { kind: 'number', default: 300 },
    dedupeWindow: { kind: 'number', default: 3600 },
    dedupeByHash: { kind: 'flag', default: true },
    maxBodyKb: { kind: 'number', default: 256 },
  },
});
