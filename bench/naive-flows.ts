import { join } from 'node:path';
import type { FlowNode, SimulatorEndpoints } from '../sandbox/flows';

/**
 * The naive way, as a competent Node-RED user wires it by hand from core nodes (http in/response, http request,
 * function, switch, delay): what the package is measured against. Every BigCommerce call goes through one
 * pattern, a function that sets msg.url/headers/payload from msg.call, an `http request` node with keep-alive,
 * and a retry loop that waits what a 429 announces (X-Retry-After) and sends the same call again. Bulk work
 * passes a delay node in rate-limit mode first, so tens of thousands of msgs do not open as many sockets at once.
 *
 * - Orders: the webhook is answered 200 at once; then GET the order, GET its products, GET its shipping
 *   addresses; make sure the Sage customer exists (GET, POST when 404); POST the sales order.
 * - Backfill: page through GET /v2/orders modified since the cursor; per order GET products and shipping addresses
 *   (the header is already in the list).
 * - Catalog: a SKU → ids table loaded once from GET /v3/catalog/variants; then, per item Sage reports changed,
 *   one PUT of the variant with its stock level and price. Sage is read with the package's sage100-items node,
 *   the same as the package's flow, so the comparison is about the store side only.
 *
 * - Shipments: read every Sage invoice from the agent (no cursor); per invoice whose CustomerPONo carries a store
 *   order id, GET the order's products (to find the order product of each line by SKU), GET its shipping
 *   addresses (for order_address_id), POST one shipment with the first tracking number. Nothing remembers what
 *   was sent: a repeat poll sends every invoice again (the store refuses what is already shipped).
 *
 * The figures come from counting calls at the simulators; the probes (flow.set) only tell the bench a run is over.
 */

export const NAIVE_ORDERS_TAB = 'a0000000000000a0';
export const NAIVE_BACKFILL_TAB = 'a0000000000000b0';
export const NAIVE_CATALOG_TAB = 'a0000000000000c0';
export const NAIVE_SHIPMENTS_TAB = 'a0000000000000f0';
export const NAIVE_WEBHOOK_PATH = '/naive/webhook';

export const NAIVE_IDS = {
  backfillStart: 'a0000000000000b1',
  loadIds: 'a0000000000000c1',
  pushChanges: 'a0000000000000c2',
  sageItems: 'a0000000000000c3',
  shipmentsStart: 'a0000000000000f1',
} as const;

/** Settings of the naive flows the bench varies. */
export interface NaiveSettings {
  /** Messages per second the delay node lets into bulk calls. */
  bulkRate: number;
  /** Sage items per page for the catalog flow's sage100-items node. */
  itemsPageSize: number;
}

const SAGE_CA_FILE = join(__dirname, '..', 'sandbox', 'sage100', 'certs', 'cert.pem');
const SAGE_TLS_ID = 'a000000000000tls';

function fn(id: string, z: string, name: string, func: string, wires: string[][]): FlowNode {
  return { id, type: 'function', z, name, func, outputs: wires.length, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], wires };
}

/** The node a call made by storeCall or sageCall starts at. */
const entry = (prefix: string) => `${prefix}1`;

/**
 * One BigCommerce call: `prepare` copies msg.call into the request (again on every retry), `http request` sends it,
 * a 429 goes through a delay of X-Retry-After seconds back to `prepare`, anything else goes on to `next`.
 */
function storeCall(prefix: string, z: string, method: 'GET' | 'PUT' | 'POST', name: string, next: string): FlowNode[] {
  const ids = { prepare: entry(prefix), request: `${prefix}2`, throttled: `${prefix}3`, wait: `${prefix}4`, delay: `${prefix}5` };
  return [
    fn(
      ids.prepare,
      z,
      `${name}: request`,
      `msg.url = env.get('BC_API') + msg.call.path;
msg.headers = { 'X-Auth-Token': env.get('BC_TOKEN'), Accept: 'application/json' };
msg.payload = msg.call.body;
return msg;`,
      [[ids.request]],
    ),
    { id: ids.request, type: 'http request', z, name, method, ret: 'obj', paytoqs: 'ignore', url: '', tls: '', persist: true, proxy: '', insecureHTTPParser: false, authType: '', senderr: false, headers: [], wires: [[ids.throttled]] },
    { id: ids.throttled, type: 'switch', z, name: '429?', property: 'statusCode', propertyType: 'msg', rules: [{ t: 'eq', v: '429', vt: 'num' }, { t: 'else' }], checkall: 'false', repair: false, outputs: 2, wires: [[ids.wait], [next]] },
    fn(ids.wait, z, 'wait as told', `msg.delay = Math.max(1, Number(msg.headers['x-retry-after']) || 1) * 1000;\nreturn msg;`, [[ids.delay]]),
    { id: ids.delay, type: 'delay', z, name: '', pauseType: 'delayv', timeout: '1', timeoutUnits: 'seconds', rate: '1', nbRateUnits: '1', rateUnits: 'second', randomFirst: '1', randomLast: '5', randomUnits: 'seconds', drop: false, allowrate: false, outputs: 1, wires: [[ids.prepare]] },
  ];
}

/** One Sage agent call from msg.sage = { path, body } (the agent has no rate limit, so no retry loop). */
function sageCall(id: string, z: string, method: 'GET' | 'POST', name: string, next: string[]): FlowNode[] {
  return [
    fn(
      entry(id),
      z,
      `${name}: request`,
      `msg.url = env.get('SAGE_API') + msg.sage.path;
msg.headers = { 'X-API-Key': env.get('SAGE_KEY'), 'X-Sage-Company': env.get('SAGE_COMPANY'), Accept: 'application/json' };
msg.payload = msg.sage.body;
return msg;`,
      [[`${id}2`]],
    ),
    { id: `${id}2`, type: 'http request', z, name, method, ret: 'obj', paytoqs: 'ignore', url: '', tls: SAGE_TLS_ID, persist: true, proxy: '', insecureHTTPParser: false, authType: '', senderr: false, headers: [], wires: [next] },
  ];
}

function bulkGate(id: string, z: string, rate: number, next: string): FlowNode {
  return { id, type: 'delay', z, name: 'rate limit', pauseType: 'rate', timeout: '5', timeoutUnits: 'seconds', rate: String(rate), nbRateUnits: '1', rateUnits: 'second', randomFirst: '1', randomLast: '5', randomUnits: 'seconds', drop: false, allowrate: false, outputs: 1, wires: [[next]] };
}

function tab(id: string, label: string, endpoints: SimulatorEndpoints, extraEnv: Array<{ name: string; value: string }> = []): FlowNode {
  const { bigcommerce, sage100 } = endpoints;
  return {
    id,
    type: 'tab',
    label,
    disabled: false,
    info: 'The naive way, for the benchmarks (bench/naive-flows.ts).',
    env: [
      { name: 'BC_API', value: `${bigcommerce.apiUrl}/stores/${bigcommerce.storeHash}`, type: 'str' },
      { name: 'BC_TOKEN', value: bigcommerce.accessToken, type: 'str' },
      { name: 'SAGE_API', value: sage100.agentUrl, type: 'str' },
      { name: 'SAGE_KEY', value: sage100.apiKey, type: 'str' },
      { name: 'SAGE_COMPANY', value: sage100.companyCode, type: 'str' },
      ...extraEnv.map((variable) => ({ ...variable, type: 'str' })),
    ],
  };
}

const sageTls: FlowNode = { id: SAGE_TLS_ID, type: 'tls-config', name: 'Sage agent certificate', cert: '', key: '', ca: SAGE_CA_FILE, certname: '', keyname: '', caname: 'cert.pem', servername: '', verifyservercert: true, alpnprotocol: '' };

/** A counter in flow context: how the bench learns that a naive run is over. */
const count = (key: string) => `flow.set('${key}', (flow.get('${key}') || 0) + 1);\nreturn null;`;

/** The webhook path: answer, fetch the order in three calls, customer, sales order. */
export function naiveOrdersFlow(endpoints: SimulatorEndpoints): FlowNode[] {
  const z = NAIVE_ORDERS_TAB;
  const ids = { in: 'a0000000000000a1', answer: 'a0000000000000a2', start: 'a0000000000000a3', products: 'a0000000000000a4', shipping: 'a0000000000000a5', map: 'a0000000000000a6', found: 'a0000000000000a7', newCustomer: 'a0000000000000a8', order: 'a0000000000000a9' };
  const calls = { order: 'a0000000000000d1', products: 'a0000000000000d2', shipping: 'a0000000000000d3', customer: 'a0000000000000e1', newCustomer: 'a0000000000000e2', salesOrder: 'a0000000000000e3' };
  return [
    tab(z, 'Naive orders (bench)', endpoints),
    sageTls,
    { id: ids.in, type: 'http in', z, name: 'webhook', url: NAIVE_WEBHOOK_PATH, method: 'post', upload: false, swaggerDoc: '', wires: [[ids.answer, ids.start]] },
    { id: ids.answer, type: 'http response', z, name: '200', statusCode: '200', headers: {}, wires: [] },
    fn(
      ids.start,
      z,
      'order id',
      `if (!msg.payload || msg.payload.scope !== 'store/order/created') return null;
msg.orderId = msg.payload.data.id;
msg.call = { path: '/v2/orders/' + msg.orderId };
return msg;`,
      [[entry(calls.order)]],
    ),
    ...storeCall(calls.order, z, 'GET', 'GET order', ids.products),
    fn(ids.products, z, 'keep order', `msg.order = msg.payload;\nmsg.call = { path: '/v2/orders/' + msg.orderId + '/products' };\nreturn msg;`, [[entry(calls.products)]]),
    ...storeCall(calls.products, z, 'GET', 'GET products', ids.shipping),
    fn(ids.shipping, z, 'keep products', `msg.products = msg.payload;\nmsg.call = { path: '/v2/orders/' + msg.orderId + '/shipping_addresses' };\nreturn msg;`, [[entry(calls.shipping)]]),
    ...storeCall(calls.shipping, z, 'GET', 'GET shipping addresses', ids.map),
    fn(
      ids.map,
      z,
      'to Sage',
      `const o = msg.order;
const b = o.billing_address || {};
const s = (Array.isArray(msg.payload) && msg.payload[0]) || b;
const cut = (v, n) => String(v == null ? '' : v).slice(0, n);
const country = (iso) => (iso === 'US' ? 'USA' : cut(iso, 3));
const customerNo = o.customer_id > 0 ? 'WEB' + o.customer_id : 'WEBCASH';
const d = new Date(o.date_created);
const date = d.getUTCFullYear() + String(d.getUTCMonth() + 1).padStart(2, '0') + String(d.getUTCDate()).padStart(2, '0');
msg.customer = {
  ARDivisionNo: '00', CustomerNo: customerNo, CustomerName: cut(b.first_name + ' ' + b.last_name, 30),
  AddressLine1: cut(b.street_1, 30), City: cut(b.city, 20), State: cut(b.state, 2), ZipCode: cut(b.zip, 10),
  CountryCode: country(b.country_iso2), EmailAddress: cut(b.email, 250),
};
msg.salesOrder = {
  SalesOrderNo: 'N' + String(o.id).padStart(6, '0'), OrderDate: date, ARDivisionNo: '00', CustomerNo: customerNo,
  CustomerPONo: 'BC' + o.id, ShipToName: cut(s.first_name + ' ' + s.last_name, 30), ShipToAddress1: cut(s.street_1, 30),
  ShipToCity: cut(s.city, 20), ShipToState: cut(s.state, 2), ShipToZipCode: cut(s.zip, 10), ShipToCountryCode: country(s.country_iso2),
  FreightAmt: Number(o.shipping_cost_ex_tax) || 0,
  Lines: msg.products.map((p) => ({ ItemCode: p.sku, QuantityOrdered: p.quantity, UnitPrice: Number(p.price_ex_tax) })),
};
msg.sage = { path: '/v1/customers/00/' + encodeURIComponent(customerNo) };
return msg;`,
      [[entry(calls.customer)]],
    ),
    ...sageCall(calls.customer, z, 'GET', 'GET customer', [ids.found]),
    { id: ids.found, type: 'switch', z, name: 'customer on file?', property: 'statusCode', propertyType: 'msg', rules: [{ t: 'eq', v: '404', vt: 'num' }, { t: 'else' }], checkall: 'false', repair: false, outputs: 2, wires: [[ids.newCustomer], [ids.order]] },
    fn(ids.newCustomer, z, 'new customer', `msg.sage = { path: '/v1/customers', body: msg.customer };\nreturn msg;`, [[entry(calls.newCustomer)]]),
    ...sageCall(calls.newCustomer, z, 'POST', 'POST customer', [ids.order]),
    fn(ids.order, z, 'sales order', `msg.sage = { path: '/v1/sales-orders', body: msg.salesOrder };\nreturn msg;`, [[entry(calls.salesOrder)]]),
    ...sageCall(calls.salesOrder, z, 'POST', 'POST sales order', []),
  ];
}

/** The backfill: list pages of orders modified since the cursor, then products and shipping addresses per order. */
export function naiveBackfillFlow(endpoints: SimulatorEndpoints, cursor: string, settings: NaiveSettings): FlowNode[] {
  const z = NAIVE_BACKFILL_TAB;
  const ids = { page: 'a0000000000000b2', rows: 'a0000000000000b3', gate: 'a0000000000000b4', shipping: 'a0000000000000b5', done: 'a0000000000000b6' };
  const calls = { page: 'a0000000000000f1', products: 'a0000000000000f2', shipping: 'a0000000000000f3' };
  return [
    tab(z, 'Naive backfill (bench)', endpoints, [{ name: 'CURSOR', value: cursor }]),
    { id: NAIVE_IDS.backfillStart, type: 'inject', z, name: 'backfill', props: [{ p: 'payload' }], repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '', payload: '', payloadType: 'date', wires: [[ids.page]] },
    fn(
      ids.page,
      z,
      'page 1',
      `msg.page = 1;
msg.call = { path: '/v2/orders?sort=date_modified:asc&limit=250&page=1&min_date_modified=' + encodeURIComponent(env.get('CURSOR')) };
return msg;`,
      [[entry(calls.page)]],
    ),
    ...storeCall(calls.page, z, 'GET', 'GET orders page', ids.rows),
    fn(
      ids.rows,
      z,
      'orders of the page',
      `const rows = Array.isArray(msg.payload) ? msg.payload : [];
let next = null;
if (rows.length === 250) {
  next = { page: msg.page + 1, call: { path: msg.call.path.replace(/page=\\d+/, 'page=' + (msg.page + 1)) } };
}
const orders = rows.map((o) => ({ orderId: o.id, order: o, call: { path: '/v2/orders/' + o.id + '/products' } }));
return [next, orders];`,
      [[entry(calls.page)], [ids.gate]],
    ),
    bulkGate(ids.gate, z, settings.bulkRate, entry(calls.products)),
    ...storeCall(calls.products, z, 'GET', 'GET products', ids.shipping),
    fn(ids.shipping, z, 'keep products', `msg.products = msg.payload;\nmsg.call = { path: '/v2/orders/' + msg.orderId + '/shipping_addresses' };\nreturn msg;`, [[entry(calls.shipping)]]),
    ...storeCall(calls.shipping, z, 'GET', 'GET shipping addresses', ids.done),
    fn(ids.done, z, 'count', count('backfillDone'), []),
  ];
}

/** The catalog: the SKU → ids table, then one PUT per item Sage reports changed (stock and price together). */
export function naiveCatalogFlow(endpoints: SimulatorEndpoints, sage100ConfigId: string, settings: NaiveSettings): FlowNode[] {
  const z = NAIVE_CATALOG_TAB;
  const ids = { firstPage: 'a0000000000000c4', keep: 'a0000000000000c5', perSku: 'a0000000000000c6', gate: 'a0000000000000c7', done: 'a0000000000000c8' };
  const calls = { variantsPage: 'a0000000000000g1', putVariant: 'a0000000000000h1' };
  return [
    tab(z, 'Naive catalog (bench)', endpoints),
    { id: NAIVE_IDS.loadIds, type: 'inject', z, name: 'load SKU ids', props: [{ p: 'payload' }], repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '', payload: '', payloadType: 'date', wires: [[ids.firstPage]] },
    fn(ids.firstPage, z, 'page 1', `flow.set('ids', {});\nmsg.call = { path: '/v3/catalog/variants?include_fields=sku,product_id&limit=250&page=1' };\nreturn msg;`, [[entry(calls.variantsPage)]]),
    ...storeCall(calls.variantsPage, z, 'GET', 'GET variants page', ids.keep),
    fn(
      ids.keep,
      z,
      'keep ids',
      `const table = flow.get('ids') || {};
for (const v of msg.payload.data || []) table[v.sku] = [v.product_id, v.id];
flow.set('ids', table);
const p = (msg.payload.meta && msg.payload.meta.pagination) || {};
if (p.current_page < p.total_pages) {
  msg.call = { path: msg.call.path.replace(/page=\\d+/, 'page=' + (p.current_page + 1)) };
  return msg;
}
flow.set('idsLoads', (flow.get('idsLoads') || 0) + 1);
return null;`,
      [[entry(calls.variantsPage)]],
    ),
    { id: NAIVE_IDS.pushChanges, type: 'inject', z, name: 'push changes', props: [{ p: 'payload' }], repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '', payload: '', payloadType: 'date', wires: [[NAIVE_IDS.sageItems]] },
    { id: NAIVE_IDS.sageItems, type: 'sage100-items', z, name: 'items changed', mode: 'changes', warehouses: '', pageSize: settings.itemsPageSize, sage100: sage100ConfigId, wires: [[ids.perSku]] },
    fn(
      ids.perSku,
      z,
      'one PUT per SKU',
      `const table = flow.get('ids') || {};
const out = [];
for (const item of msg.payload) {
  const found = table[item.ItemCode];
  if (!found) continue;
  let available = 0;
  for (const w of item.warehouses) available += w.QuantityOnHand - w.QuantityOnSalesOrder;
  const body = { inventory_level: Math.max(0, Math.floor(available)) };
  if (item.StandardUnitPrice > 0) body.price = item.StandardUnitPrice;
  out.push({ call: { path: '/v3/catalog/products/' + found[0] + '/variants/' + found[1], body } });
}
flow.set('catalogQueued', (flow.get('catalogQueued') || 0) + out.length);
flow.set('catalogRuns', (flow.get('catalogRuns') || 0) + 1);
return [out];`,
      [[ids.gate]],
    ),
    bulkGate(ids.gate, z, settings.bulkRate, entry(calls.putVariant)),
    ...storeCall(calls.putVariant, z, 'PUT', 'PUT variant', ids.done),
    fn(ids.done, z, 'count', count('catalogDone'), []),
  ];
}

/** Sage invoices to shipments, by hand; `poNoPrefix` marks the store orders it is meant for. */
export function naiveShipmentsFlow(endpoints: SimulatorEndpoints, poNoPrefix: string): FlowNode[] {
  const z = NAIVE_SHIPMENTS_TAB;
  const ids = { start: NAIVE_IDS.shipmentsStart, split: 'a0000000000000f2', addresses: 'a0000000000000f3', body: 'a0000000000000f4', done: 'a0000000000000f5' };
  const calls = { invoices: 'a0000000000000g1', products: 'a0000000000000g2', addresses: 'a0000000000000g3', shipment: 'a0000000000000g4' };
  return [
    tab(z, 'Naive shipments (bench)', endpoints, [{ name: 'PO_PREFIX', value: poNoPrefix }]),
    { id: ids.start, type: 'inject', z, name: 'poll invoices', props: [{ p: 'sage', v: '{"path":"/v1/invoices?pageSize=500"}', vt: 'json' }], repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '', wires: [[entry(calls.invoices)]] },
    ...sageCall(calls.invoices, z, 'GET', 'GET invoices', [ids.split]),
    fn(
      ids.split,
      z,
      'each web invoice',
      `const prefix = env.get('PO_PREFIX');
for (const invoice of msg.payload.invoices || []) {
  const po = String(invoice.CustomerPONo).trim();
  if (!po.startsWith(prefix)) continue;
  const orderId = Number(po.slice(prefix.length));
  node.send({ invoice, orderId, call: { path: '/v2/orders/' + orderId + '/products' } });
}
return null;`,
      [[entry(calls.products)]],
    ),
    ...storeCall(calls.products, z, 'GET', 'GET order products', ids.addresses),
    fn(ids.addresses, z, 'then addresses', `msg.products = msg.payload;
msg.call = { path: '/v2/orders/' + msg.orderId + '/shipping_addresses' };
return msg;`, [[entry(calls.addresses)]]),
    ...storeCall(calls.addresses, z, 'GET', 'GET shipping addresses', ids.body),
    fn(
      ids.body,
      z,
      'shipment body',
      `const items = [];
for (const line of msg.invoice.Lines) {
  const product = msg.products.find((p) => p.sku === String(line.ItemCode).trim());
  if (product) items.push({ order_product_id: product.id, quantity: line.QuantityShipped });
}
msg.call = { path: '/v2/orders/' + msg.orderId + '/shipments', body: { order_address_id: msg.payload[0].id, items, tracking_number: msg.invoice.TrackingNumbers[0] || '' } };
return msg;`,
      [[entry(calls.shipment)]],
    ),
    ...storeCall(calls.shipment, z, 'POST', 'POST shipment', ids.done),
    fn(ids.done, z, 'count', count('shipmentCalls'), [[]]),
    sageTls,
  ];
}
