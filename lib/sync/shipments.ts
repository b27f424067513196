import { z } from 'zod';
import { ConnectorError, ValidationError, asError, parseWith } from '../errors';
import { HttpError } from '../http/errors';
import type { RequestFunction } from '../http/transport';
import { v2Pages } from '../bigcommerce/pagination';
import { SHIPPING_PROVIDERS, createShipment, deleteShipment, listShipments, type Shipment, type ShipmentRequest } from '../bigcommerce/shipments';
import type { SageInvoice, SageInvoiceLine } from '../sage100/invoices';
import type { SkuMap } from './sku-map';

/**
 * Sage 100 invoices to BigCommerce shipments. Per invoice: which store order it belongs to (CustomerPONo =
 * prefix + order id, as the mapper writes it), which order products its lines ship (the line UDF, else the SKU
 * map and quantities, never a guess), which carrier its ShipVia means, and which shipments the store still
 * lacks. The order's shipments are read before any write: our own carry `Sage 100 invoice <no>` in their
 * comments, so a repeat, a restart with empty memory or a second instance never ships an invoice twice.
 */

export const INVOICE_MARKER = 'Sage 100 invoice';
const MARKER_PATTERN = /Sage 100 invoice (\S+)/;

export type PackagesMode = 'one-shipment' | 'per-package';

export const shipmentSettingsSchema = z.object({
  /** The Sage order line column (a UDF the mapper fills) naming the BigCommerce order product: `<order_product_id>@<order_address_id>` or `<order_product_id>`. */
  lineColumn: z.string().regex(/^(UDF_[A-Z0-9_]{1,26})?$/, 'must be a UDF column name such as UDF_BC_LINE, or empty').default('UDF_BC_LINE'),
  /** `one-shipment`: the first tracking number on the shipment, the others in its comments. `per-package`: one shipment per tracking number, items split by `packageColumn`. */
  packages: z.enum(['one-shipment', 'per-package']).default('one-shipment'),
  /** The invoice line column naming the package (its number, 1 …, or its tracking number); only for `per-package`. */
  packageColumn: z.string().default(''),
  /** The mapper's CustomerPONo prefix: the invoice's CustomerPONo is this + the BigCommerce order id. */
  customerPoPrefix: z.string().regex(/^[A-Z0-9#\-_]{0,5}$/, 'must be at most 5 upper-case letters, digits, #, - or _').default('BC'),
  /** One `Sage ShipVia = provider or AfterShip slug` per line. */
  carrierTable: z.string().default(''),
  /**
   * Several Node-RED instances poll the same Sage company: read the shipments again after writing, and undo our
   * shipment when another instance wrote the same one at the same moment (the older one stays). One more read.
   */
  checkAfterWrite: z.boolean().default(false),
});

export type ShipmentSettings = z.output<typeof shipmentSettingsSchema>;

// ---- carriers --------------------------------------------------------------------------------------------------

export interface Carrier {
  shippingProvider?: string;
  trackingCarrier?: string;
}

const AFTERSHIP_SLUG = /^[a-z0-9-]+$/;
const isProvider = (value: string) => (SHIPPING_PROVIDERS as readonly string[]).includes(value) || /^carrier_[A-Za-z0-9_-]+$/.test(value);

/** `UPS GROUND = ups`, `DHL = dhl` …: a store shipping provider, else an AfterShip courier slug. ShipVia is matched without regard to case. */
export function parseCarrierTable(table: string): Map<string, Carrier> {
  const carriers = new Map<string, Carrier>();
  table.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const where = `carrier table line ${index + 1}`;
    const match = /^(.+?)\s*[=,\t]\s*(\S+)$/.exec(line);
    const value = match?.[2] ?? '';
    if (!match || !(isProvider(value) || AFTERSHIP_SLUG.test(value))) {
      throw new ValidationError(`${where}: expected "ShipVia = provider", e.g. "UPS GROUND = ups", got "${line}"`, {
        code: 'shipments.carrier_table',
        field: 'carrierTable',
        record: where,
        hint: `The provider is one of ${SHIPPING_PROVIDERS.join(', ')}, carrier_{id}, or an AfterShip courier slug such as dhl.`,
      });
    }
    carriers.set(match[1]!.trim().toUpperCase(), isProvider(value) ? { shippingProvider: value } : { trackingCarrier: value });
  });
  return carriers;
}

/**
 * The shipment's carrier fields for a ShipVia. An unknown ShipVia sends neither a provider nor a courier slug
 * (BigCommerce would refuse a made-up one): the tracking number still goes, and ShipVia as the shipping method.
 */
export function carrierFor(shipVia: string, carriers: ReadonlyMap<string, Carrier>): Carrier & { shippingMethod?: string; known: boolean } {
  const carrier = carriers.get(shipVia.trim().toUpperCase());
  return { ...carrier, ...(shipVia.trim() !== '' && { shippingMethod: shipVia.trim() }), known: carrier !== undefined };
}

// ---- the store order an invoice belongs to -------------------------------------------------------------------

export function orderIdOfInvoice(invoice: Pick<SageInvoice, 'CustomerPONo'>, customerPoPrefix: string): number | undefined {
  const po = invoice.CustomerPONo.trim();
  if (!po.startsWith(customerPoPrefix)) return undefined;
  const digits = po.slice(customerPoPrefix.length);
  if (!/^\d{1,15}$/.test(digits)) return undefined;
  const id = Number(digits);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

// ---- line linkage ----------------------------------------------------------------------------------------------

const orderProductSchema = z.looseObject({
  id: z.number().int(),
  order_address_id: z.number().int(),
  sku: z.string().default(''),
  quantity: z.number(),
  quantity_shipped: z.number().default(0),
  type: z.string().default('physical'),
});
export type OrderProduct = z.output<typeof orderProductSchema>;

export interface ShipItem {
  orderProductId: number;
  /** Unknown until the order's products are read, when the UDF names only the product. */
  orderAddressId?: number;
  quantity: number;
  /** The invoice line it came from (for reports and per-package splitting). */
  line: SageInvoiceLine;
}

/** Lines that ship goods: not charges, comments or misc items (`/FREIGHT` …), and something shipped. */
export function shippedLines(invoice: SageInvoice): SageInvoiceLine[] {
  return invoice.Lines.filter((line) => line.QuantityShipped > 0 && !['3', '4', '5'].includes(line.ItemType ?? '1') && !line.ItemCode.startsWith('/'));
}

/** The UDF value: `<order_product_id>@<order_address_id>` or `<order_product_id>`; undefined when blank or not in that form. */
export function parseLineLink(value: unknown): { orderProductId: number; orderAddressId?: number } | undefined {
  const match = /^\s*(\d{1,12})(?:@(\d{1,12}))?\s*$/.exec(String(value ?? ''));
  if (!match) return undefined;
  return { orderProductId: Number(match[1]), ...(match[2] !== undefined && { orderAddressId: Number(match[2]) }) };
}

export type Linkage = { items: ShipItem[] } | { ambiguous: string };

/** Whole units only: BigCommerce ships whole units. */
function wholeQuantity(line: SageInvoiceLine): number | undefined {
  return Number.isInteger(line.QuantityShipped) ? line.QuantityShipped : undefined;
}

/**
 * Links every shipped line to an order product. With the UDF: directly. Without it (orders made before the
 * mapper wrote it): by SKU through the shared SKU map (none: SKU = item code), and only when that is certain — one order product
 * carries the item, or the lines carrying it ship exactly everything left of them. Otherwise the reason.
 */
export function linkLines(lines: readonly SageInvoiceLine[], lineColumn: string, products: readonly OrderProduct[] | undefined, skuMap: Pick<SkuMap, 'itemCodeFor'> | undefined): Linkage {
  const items: ShipItem[] = [];
  const planned = new Map<number, number>();
  const left = (product: OrderProduct) => product.quantity - product.quantity_shipped - (planned.get(product.id) ?? 0);
  const unlinked = new Map<string, SageInvoiceLine[]>();
  for (const line of lines) {
    const quantity = wholeQuantity(line);
    if (quantity === undefined) return { ambiguous: `item ${line.ItemCode}: ${line.QuantityShipped} shipped is not a whole number of units` };
    const link = lineColumn ? parseLineLink(line[lineColumn]) : undefined;
    if (link) {
      const product = products?.find((candidate) => candidate.id === link.orderProductId);
      if (products && !product) return { ambiguous: `item ${line.ItemCode}: ${lineColumn} names order product ${link.orderProductId}, which the order does not have` };
      items.push({ orderProductId: link.orderProductId, orderAddressId: link.orderAddressId ?? product?.order_address_id, quantity, line });
      planned.set(link.orderProductId, (planned.get(link.orderProductId) ?? 0) + quantity);
    } else {
      unlinked.set(line.ItemCode, [...(unlinked.get(line.ItemCode) ?? []), line]);
    }
  }
  if (unlinked.size === 0) return { items };
  if (!products) throw new Error('linkLines: the order products are needed for lines without the UDF');
  for (const [itemCode, itemLines] of unlinked) {
    const shipped = itemLines.reduce((sum, line) => sum + line.QuantityShipped, 0);
    const candidates = products.filter((product) => product.type !== 'digital' && left(product) > 0 && product.sku !== '' && (skuMap ? skuMap.itemCodeFor(product.sku) : product.sku) === itemCode);
    const open = candidates.reduce((sum, product) => sum + left(product), 0);
    if (candidates.length === 0) return { ambiguous: `item ${itemCode}: no order product with a SKU mapped to it has anything left to ship` };
    if (shipped > open) return { ambiguous: `item ${itemCode}: ${shipped} shipped, but the order products mapped to it have only ${open} left to ship` };
    if (candidates.length > 1 && shipped !== open) {
      return { ambiguous: `item ${itemCode}: ${candidates.length} order products (${candidates.map((c) => c.id).join(', ')}) carry it and ${shipped} of their ${open} shipped; which ones is not recorded (set ${lineColumn || 'the line UDF'} on the Sage order lines)` };
    }
    // Certain: one product, or all of them in full. Units go to the products in order, each line's in turn.
    let lineIndex = 0;
    let lineLeft = itemLines[0]!.QuantityShipped;
    for (const product of candidates) {
      let productLeft = Math.min(left(product), shipped);
      while (productLeft > 0 && lineIndex < itemLines.length) {
        const take = Math.min(productLeft, lineLeft);
        items.push({ orderProductId: product.id, orderAddressId: product.order_address_id, quantity: take, line: itemLines[lineIndex]! });
        planned.set(product.id, (planned.get(product.id) ?? 0) + take);
        productLeft -= take;
        lineLeft -= take;
        if (lineLeft === 0 && ++lineIndex < itemLines.length) lineLeft = itemLines[lineIndex]!.QuantityShipped;
      }
    }
  }
  return { items };
}

// ---- the shipments an invoice needs -----------------------------------------------------------------------------

export interface PlannedShipment {
  orderAddressId: number;
  trackingNumber: string;
  items: Array<{ orderProductId: number; quantity: number }>;
  comments: string;
}

function merged(items: readonly ShipItem[]): Array<{ orderProductId: number; quantity: number }> {
  const quantities = new Map<number, number>();
  for (const item of items) quantities.set(item.orderProductId, (quantities.get(item.orderProductId) ?? 0) + item.quantity);
  return [...quantities].map(([orderProductId, quantity]) => ({ orderProductId, quantity }));
}

function packageOf(line: SageInvoiceLine, column: string, trackingNumbers: readonly string[]): string | undefined {
  const value = String(line[column] ?? '').trim();
  if (value === '') return undefined;
  if (trackingNumbers.includes(value)) return value;
  const index = /^\d+$/.test(value) ? Number(value) - 1 : -1;
  return trackingNumbers[index];
}

/**
 * The shipments for linked items: one per shipping address (BigCommerce ships each address separately). Its
 * tracking: `one-shipment` puts the first number on it and lists every number in the comments; `per-package`
 * makes one shipment per tracking number when every line names its package (`packageColumn`), since a shipment
 * must carry items and Sage records no items per package otherwise — then it falls back to `one-shipment`.
 */
export function planShipments(invoice: SageInvoice, items: readonly ShipItem[], settings: Pick<ShipmentSettings, 'packages' | 'packageColumn'>): { shipments: PlannedShipment[]; note?: string } {
  const tracking = invoice.TrackingNumbers;
  const marker = `${INVOICE_MARKER} ${invoice.InvoiceNo} (sales order ${invoice.SalesOrderNo})`;
  const byAddress = new Map<number, ShipItem[]>();
  for (const item of items) byAddress.set(item.orderAddressId!, [...(byAddress.get(item.orderAddressId!) ?? []), item]);
  const split = settings.packages === 'per-package' && tracking.length > 1 && settings.packageColumn !== '' && items.every((item) => packageOf(item.line, settings.packageColumn, tracking) !== undefined);
  const shipments: PlannedShipment[] = [];
  for (const [orderAddressId, addressItems] of byAddress) {
    if (split) {
      for (const trackingNumber of tracking) {
        const packed = addressItems.filter((item) => packageOf(item.line, settings.packageColumn, tracking) === trackingNumber);
        if (packed.length > 0) shipments.push({ orderAddressId, trackingNumber, items: merged(packed), comments: `${marker}, package ${trackingNumber}` });
      }
    } else {
      const more = tracking.length > 1 ? `. Packages: ${tracking.join(', ')}` : '';
      shipments.push({ orderAddressId, trackingNumber: tracking[0] ?? '', items: merged(addressItems), comments: `${marker}${more}` });
    }
  }
  const note = settings.packages === 'per-package' && tracking.length > 1 && !split ? `the lines do not say which of the ${tracking.length} packages holds them (${settings.packageColumn || 'no package column set'}): one shipment, every tracking number in its comments` : undefined;
  return { shipments, ...(note && { note }) };
}

/** The invoice number our marker names in a shipment's comments. */
export function invoiceOfShipment(shipment: Pick<Shipment, 'comments'>): string | undefined {
  return MARKER_PATTERN.exec(shipment.comments)?.[1];
}

/** The planned shipments the store does not have yet: ours for this invoice are matched by address and tracking number. */
export function missingShipments(invoiceNo: string, planned: readonly PlannedShipment[], existing: readonly Shipment[]): PlannedShipment[] {
  const ours = existing.filter((shipment) => invoiceOfShipment(shipment) === invoiceNo);
  return planned.filter((plan) => !ours.some((shipment) => shipment.order_address_id === plan.orderAddressId && shipment.tracking_number === plan.trackingNumber));
}

// ---- running it against the store -------------------------------------------------------------------------------

export type InvoiceOutcome =
  | 'shipped'
  | 'already-shipped'
  | 'not-a-web-order'
  | 'nothing-to-ship'
  | 'shipped-by-hand'
  | 'ambiguous'
  | 'rejected'
  | 'failed';

export interface InvoiceResult {
  invoiceNo: string;
  salesOrderNo: string;
  orderId?: number;
  outcome: InvoiceOutcome;
  /** True when the invoice needs nothing more from this node: the invoices node stops sending it. False only for `failed`. */
  accepted: boolean;
  shipmentIds: number[];
  trackingNumbers: string[];
  message?: string;
}

/** What the node remembers between runs and restarts: invoices fully in the store, per store. */
export interface SentLedger {
  store: string;
  /** InvoiceNo → order id and shipment ids. */
  sent: Record<string, { orderId: number; shipmentIds: number[]; at: number }>;
}

/** Entries older than this are forgotten: the invoice is long posted and the store's shipments still say it was sent. */
const LEDGER_DAYS = 120;

export function prunedLedger(ledger: SentLedger, now: number): SentLedger {
  const oldest = now - LEDGER_DAYS * 86_400_000;
  return { store: ledger.store, sent: Object.fromEntries(Object.entries(ledger.sent).filter(([, entry]) => entry.at >= oldest)) };
}

export interface ShipInvoicesOptions {
  request: RequestFunction;
  settings: ShipmentSettings;
  carriers: ReadonlyMap<string, Carrier>;
  skuMap?: Pick<SkuMap, 'itemCodeFor'>;
  ledger: SentLedger;
  /** Called after a shipment was created, before the next request: the status change that follows is ours. */
  onShipped(orderId: number): void;
  now?: () => number;
}

/** Store answers about the record itself (bad address, too many units, no such order): another try would not help. */
function isRejection(err: unknown): boolean {
  return (err instanceof HttpError && [400, 404, 409, 422].includes(err.status)) || err instanceof ValidationError;
}

/** The products as they were before `shipments`: this invoice's own shipments, so a repeat plans what it planned then. */
function withoutShipments(products: readonly OrderProduct[], shipments: readonly Shipment[]): OrderProduct[] {
  const shipped = new Map<number, number>();
  for (const item of shipments.flatMap((shipment) => shipment.items)) shipped.set(item.order_product_id, (shipped.get(item.order_product_id) ?? 0) + item.quantity);
  return products.map((product) => ({ ...product, quantity_shipped: product.quantity_shipped - (shipped.get(product.id) ?? 0) }));
}

async function orderProducts(request: RequestFunction, orderId: number): Promise<OrderProduct[]> {
  const rows: unknown[] = [];
  for await (const page of v2Pages(request, `/v2/orders/${orderId}/products`, {}, { priority: 'interactive' })) rows.push(...page);
  return parseWith(z.array(orderProductSchema), rows, { what: 'BigCommerce order products', record: `order ${orderId}`, code: 'bigcommerce.order_invalid' });
}

/**
 * One invoice: at least one read (the order's shipments) and one write per missing shipment; plus the order's
 * products when a line has no complete UDF link. Nothing is written for an order that has shipments we did
 * not make (shipped by hand) or for lines that cannot be linked for certain.
 */
export async function shipInvoice(invoice: SageInvoice, options: ShipInvoicesOptions): Promise<InvoiceResult> {
  const { settings } = options;
  const base = { invoiceNo: invoice.InvoiceNo, salesOrderNo: invoice.SalesOrderNo, shipmentIds: [] as number[], trackingNumbers: invoice.TrackingNumbers };
  const orderId = orderIdOfInvoice(invoice, settings.customerPoPrefix);
  if (orderId === undefined) {
    return { ...base, outcome: 'not-a-web-order', accepted: true, message: `CustomerPONo "${invoice.CustomerPONo}" does not start with "${settings.customerPoPrefix}" and an order id` };
  }
  const found = { ...base, orderId };
  const remembered = options.ledger.sent[invoice.InvoiceNo];
  if (remembered?.orderId === orderId) return { ...found, outcome: 'already-shipped', accepted: true, shipmentIds: remembered.shipmentIds };
  const lines = shippedLines(invoice);
  if (lines.length === 0) return { ...found, outcome: 'nothing-to-ship', accepted: true, message: 'no line of the invoice ships goods' };

  const existing = await listShipments(options.request, orderId);
  const ours = existing.filter((shipment) => invoiceOfShipment(shipment) === invoice.InvoiceNo);
  const foreign = existing.filter((shipment) => invoiceOfShipment(shipment) === undefined);
  if (foreign.length > 0) {
    return { ...found, outcome: 'shipped-by-hand', accepted: true, shipmentIds: foreign.map((s) => s.id), message: `order ${orderId} has ${foreign.length} shipment(s) made in the store (${foreign.map((s) => s.tracking_number || `#${s.id}`).join(', ')}); left alone` };
  }
  const needsProducts = lines.some((line) => !parseLineLink(settings.lineColumn ? line[settings.lineColumn] : undefined)?.orderAddressId);
  const products = needsProducts ? await orderProducts(options.request, orderId) : undefined;
  if (products && ours.length === 0) {
    const physical = products.filter((product) => product.type !== 'digital');
    if (physical.length > 0 && physical.every((product) => product.quantity_shipped >= product.quantity)) {
      return { ...found, outcome: 'shipped-by-hand', accepted: true, message: `every item of order ${orderId} is already shipped in the store; left alone` };
    }
  }
  const linkage = linkLines(lines, settings.lineColumn, products && withoutShipments(products, ours), options.skuMap);
  if ('ambiguous' in linkage) return { ...found, outcome: 'ambiguous', accepted: true, message: `not shipped, a person must decide: ${linkage.ambiguous}` };

  const { shipments: planned, note } = planShipments(invoice, linkage.items, settings);
  const missing = missingShipments(invoice.InvoiceNo, planned, existing);
  const carrier = carrierFor(invoice.ShipVia, options.carriers);
  const created: number[] = ours.map((shipment) => shipment.id);
  const mine: Array<{ plan: PlannedShipment; id: number }> = [];
  for (const plan of missing) {
    const request: ShipmentRequest = {
      orderAddressId: plan.orderAddressId,
      items: plan.items,
      ...(plan.trackingNumber !== '' && { trackingNumber: plan.trackingNumber }),
      ...(carrier.shippingProvider !== undefined && { shippingProvider: carrier.shippingProvider }),
      ...(carrier.trackingCarrier !== undefined && { trackingCarrier: carrier.trackingCarrier }),
      ...(carrier.shippingMethod !== undefined && { shippingMethod: carrier.shippingMethod }),
      comments: plan.comments,
    };
    try {
      const shipment = await createShipment(options.request, orderId, request);
      created.push(shipment.id);
      mine.push({ plan, id: shipment.id });
      options.onShipped(orderId);
    } catch (err) {
      if (!isRejection(err)) throw err;
      return { ...found, shipmentIds: created, outcome: 'rejected', accepted: true, message: `the store refused the shipment: ${asError(err).message}` };
    }
  }
  const undone = settings.checkAfterWrite && mine.length > 0 ? await undoRacedDuplicates(options.request, orderId, invoice.InvoiceNo, mine) : [];
  const kept = created.filter((id) => !undone.includes(id));
  const notes = [note, undone.length > 0 && `another instance wrote the same shipment at the same moment: ours (${undone.join(', ')}) undone`, !carrier.known && invoice.ShipVia !== '' && `ShipVia "${invoice.ShipVia}" is not in the carrier table: sent as the shipping method, without a carrier`].filter(Boolean);
  return {
    ...found,
    outcome: missing.length === undone.length ? 'already-shipped' : 'shipped',
    accepted: true,
    shipmentIds: kept,
    ...(notes.length > 0 && { message: notes.join('; ') }),
  };
}

/**
 * After writing: when the store holds two of our shipments for the same invoice, address and tracking number (two
 * instances read "missing" at the same moment and both wrote), the newer one goes; each instance deletes only its
 * own, so whichever order they check in, one stays. Returns the ids deleted.
 */
async function undoRacedDuplicates(request: RequestFunction, orderId: number, invoiceNo: string, mine: ReadonlyArray<{ plan: PlannedShipment; id: number }>): Promise<number[]> {
  const ours = (await listShipments(request, orderId)).filter((shipment) => invoiceOfShipment(shipment) === invoiceNo);
  const undone: number[] = [];
  for (const { plan, id } of mine) {
    const same = ours.filter((shipment) => shipment.order_address_id === plan.orderAddressId && shipment.tracking_number === plan.trackingNumber);
    if (same.some((other) => other.id < id)) {
      await deleteShipment(request, orderId, id);
      undone.push(id);
    }
  }
  return undone;
}

/**
 * Every invoice in turn. A failure that another try may cure (network, 5xx, 429, credentials) marks that invoice
 * `failed`, not accepted, so it is sent again; the others go on. The ledger gains every invoice now in the store.
 */
export async function shipInvoices(invoices: readonly SageInvoice[], options: ShipInvoicesOptions): Promise<{ results: InvoiceResult[]; ledger: SentLedger; errors: ConnectorError[] }> {
  const now = (options.now ?? Date.now)();
  const ledger = prunedLedger(options.ledger, now);
  const results: InvoiceResult[] = [];
  const errors: ConnectorError[] = [];
  for (const invoice of invoices) {
    try {
      const result = await shipInvoice(invoice, { ...options, ledger });
      if ((result.outcome === 'shipped' || result.outcome === 'already-shipped') && result.orderId !== undefined) {
        ledger.sent[invoice.InvoiceNo] = { orderId: result.orderId, shipmentIds: result.shipmentIds, at: now };
      }
      results.push(result);
    } catch (err) {
      const error = asError(err);
      errors.push(error instanceof ConnectorError ? error : new ConnectorError(error.message, { code: 'shipments.failed', record: `invoice ${invoice.InvoiceNo}` }, { cause: err }));
      results.push({ invoiceNo: invoice.InvoiceNo, salesOrderNo: invoice.SalesOrderNo, orderId: orderIdOfInvoice(invoice, options.settings.customerPoPrefix), outcome: 'failed', accepted: false, shipmentIds: [], trackingNumbers: invoice.TrackingNumbers, message: error.message });
    }
  }
  return { results, ledger, errors };
}
