/** `/__sim/*`: the simulator's own routes for tests and the sandbox. No token, no quota. */
import { z } from 'zod';
import { faultRuleSchema, type Faults } from './faults';
import { ORDER_STATUSES, OrderInputError, orderTotals, statusName, type OrderInput } from './orders';
import type { RateLimiter } from './rate-limiter';
import { json, v3Error, type SimResponse } from './responses';
import type { SimStats } from './server';
import { shipmentPostSchema } from './routes/shipments-v2';
import type { SimulatedStore } from './store';

const statusBodySchema = z.strictObject({ status_id: z.number().int().refine((id) => ORDER_STATUSES.some((s) => s.id === id), 'is not an order status id (0…14)') });
const ORDER_STATUS_PATH = /^\/__sim\/orders\/(\d+)\/status$/;
const ORDER_SHIPMENTS_PATH = /^\/__sim\/orders\/(\d+)\/shipments$/;
const ORDER_REFUNDS_PATH = /^\/__sim\/orders\/(\d+)\/refunds$/;
const refundBodySchema = z.strictObject({
  reason: z.string().optional(),
  total_amount: z.number().positive(),
  items: z
    .array(
      z.strictObject({
        item_type: z.enum(['PRODUCT', 'GIFT_WRAPPING', 'SHIPPING', 'HANDLING', 'ORDER', 'FEE']),
        item_id: z.number().int().positive(),
        quantity: z.number().int().positive().optional(),
        requested_amount: z.number().min(0).optional(),
        reason: z.string().optional(),
      }),
    )
    .optional(),
});

const featuresBodySchema = z.strictObject({ priceLists: z.boolean().optional(), customerGroups: z.boolean().optional() });

const faultsBodySchema = z.union([z.array(faultRuleSchema), z.strictObject({ rules: z.array(faultRuleSchema) })]);

export interface SimRouteParts {
  store: SimulatedStore;
  faults: Faults;
  stats: SimStats;
  quota: () => { requests: number; windowMs: number };
  limiter: RateLimiter;
}

/** A compact, read-only picture of the store: what tests and the sandbox UI look at. */
export function stateOf(parts: SimRouteParts): Record<string, unknown> {
  const { store } = parts;
  const { catalog } = store;
  return {
    storeHash: store.storeHash,
    quota: parts.quota(),
    rateLimit: parts.limiter.peek(),
    orders: [...store.orders.values()].map((o) => ({
      id: o.id,
      status_id: o.statusId,
      status: statusName(o.statusId),
      customer_id: o.customerId,
      date_modified: new Date(o.dateModified).toISOString(),
      total_inc_tax: orderTotals(o).totalInc,
      is_deleted: o.isDeleted,
      lines: o.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
    })),
    products: [...catalog.products.values()].map((p) => ({
      id: p.id,
      sku: p.sku,
      name: p.name,
      price: p.price,
      sale_price: p.salePrice,
      inventory_tracking: p.inventoryTracking,
      inventory_level: catalog.productLevel(p),
      variants: p.variantIds.map((id) => {
        const v = catalog.variants.get(id)!;
        const key = catalog.stockKey(v);
        return {
          id: v.id,
          sku: v.sku,
          price: v.price,
          calculated_price: catalog.calculatedPrice(v, p),
          stock: Object.fromEntries(catalog.locationsOf(key).map((l) => [l.id, catalog.level(l.id, key)])),
        };
      }),
    })),
    customers: store.customers.size,
    features: { ...store.pricing.features },
    locations: [...catalog.locations.values()].map((l) => ({ id: l.id, code: l.code, label: l.label, enabled: l.enabled })),
    price_lists: [...store.pricing.priceLists.values()].map((l) => ({ id: l.id, name: l.name, active: l.active, records: store.pricing.recordsOf(l.id).size })),
    customer_groups: [...store.pricing.customerGroups.values()].map((g) => ({ id: g.id, name: g.name, price_list_id: store.pricing.priceListOfGroup(g.id) ?? null })),
    hooks: [...store.hooks.values()].map((h) => ({
      id: h.id,
      scope: h.scope,
      destination: h.destination,
      is_active: h.isActive,
      status: h.deactivated ? 'deactivated' : h.isActive ? 'active' : 'inactive',
    })),
    faults: parts.faults.list(),
    stats: parts.stats,
  };
}

export function handleSimRoute(parts: SimRouteParts, method: string, path: string, body: unknown): SimResponse | undefined {
  if (path === '/__sim/state' && method === 'GET') return json(stateOf(parts));
  if (path === '/__sim/faults' && method === 'GET') return json({ rules: parts.faults.list() });
  if (path === '/__sim/faults' && method === 'POST') {
    const parsed = faultsBodySchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return v3Error(422, `Invalid fault rules: ${issue.path.join('.') || '(body)'}: ${issue.message}`);
    }
    parts.faults.set(Array.isArray(parsed.data) ? parsed.data : parsed.data.rules);
    return json({ rules: parts.faults.list() });
  }
  if (path === '/__sim/features' && method === 'POST') {
    const parsed = featuresBodySchema.safeParse(body);
    if (!parsed.success) return v3Error(422, `Invalid features: ${parsed.error.issues[0]!.path.join('.') || '(body)'}: ${parsed.error.issues[0]!.message}`);
    Object.assign(parts.store.pricing.features, parsed.data);
    return json({ ...parts.store.pricing.features });
  }
  if (path === '/__sim/orders' && method === 'POST') return createOrder(parts.store, body);
  const statusPath = ORDER_STATUS_PATH.exec(path);
  if (statusPath && method === 'POST') return changeStatus(parts.store, Number(statusPath[1]), body);
  const shipmentsPath = ORDER_SHIPMENTS_PATH.exec(path);
  if (shipmentsPath && method === 'POST') return shipByHand(parts.store, Number(shipmentsPath[1]), body);
  const refundsPath = ORDER_REFUNDS_PATH.exec(path);
  if (refundsPath && method === 'POST') return refundByHand(parts.store, Number(refundsPath[1]), body);
  return undefined;
}

/**
 * An order with every field under the test's control (`OrderInput`: tax-inclusive pricing, currencies,
 * refunded quantities, gift wrapping, pickups …). `notify: false` seeds it silently, as `addOrder` does;
 * otherwise it is placed like a checkout (stock taken, `store/order/created`).
 */
function createOrder(store: SimulatedStore, body: unknown): SimResponse {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return v3Error(422, 'The body must be an order object (OrderInput)');
  const { notify = true, ...input } = body as OrderInput & { notify?: boolean };
  if (!Array.isArray(input.products)) return v3Error(422, 'Invalid order: products must be an array of order lines');
  try {
    const order = notify ? store.placeOrder(input) : store.addOrder(input);
    return json(
      {
        id: order.id,
        status_id: order.statusId,
        total_inc_tax: orderTotals(order).totalInc,
        order_address_ids: order.shipping.map((s) => s.id),
        lines: order.lines.map((l) => ({ id: l.id, sku: l.sku, quantity: l.quantity, order_address_id: l.addressId })),
      },
      201,
    );
  } catch (err) {
    if (err instanceof OrderInputError) return v3Error(422, `Invalid order: ${err.message}`);
    throw err;
  }
}

/** Changes an order's status as a merchant does in the control panel (webhooks fire as they would). */
function changeStatus(store: SimulatedStore, orderId: number, body: unknown): SimResponse {
  const order = store.orders.get(orderId);
  if (!order) return v3Error(404, `Order ${orderId} does not exist`);
  const parsed = statusBodySchema.safeParse(body);
  if (!parsed.success) return v3Error(422, `Invalid status change: ${parsed.error.issues[0]!.path.join('.') || '(body)'}: ${parsed.error.issues[0]!.message}`);
  const previous = order.statusId;
  store.setOrderStatus(orderId, parsed.data.status_id);
  return json({ id: orderId, previous_status_id: previous, status_id: order.statusId, status: statusName(order.statusId) });
}

/** The merchant ships items in the control panel (Ship Items): same checks and webhooks as the API. */
function shipByHand(store: SimulatedStore, orderId: number, body: unknown): SimResponse {
  if (!store.orders.has(orderId)) return v3Error(404, `Order ${orderId} does not exist`);
  const parsed = shipmentPostSchema.safeParse(body);
  if (!parsed.success) return v3Error(422, `Invalid shipment: ${parsed.error.issues[0]!.path.join('.') || '(body)'}: ${parsed.error.issues[0]!.message}`);
  try {
    const shipment = store.createShipment(orderId, parsed.data);
    const order = store.orders.get(orderId)!;
    return json({ id: shipment.id, order_id: orderId, status_id: order.statusId, status: statusName(order.statusId) }, 201);
  } catch (err) {
    if (err instanceof OrderInputError) return v3Error(422, `Invalid shipment: ${err.message}`);
    throw err;
  }
}

/** The merchant refunds in the control panel: lines and amounts refunded, status to (Partially) Refunded, webhooks. */
function refundByHand(store: SimulatedStore, orderId: number, body: unknown): SimResponse {
  if (!store.orders.has(orderId)) return v3Error(404, `Order ${orderId} does not exist`);
  const parsed = refundBodySchema.safeParse(body);
  if (!parsed.success) return v3Error(422, `Invalid refund: ${parsed.error.issues[0]!.path.join('.') || '(body)'}: ${parsed.error.issues[0]!.message}`);
  try {
    const refund = store.addRefund(orderId, parsed.data, { updateStatus: true });
    const order = store.orders.get(orderId)!;
    return json({ id: refund.id, order_id: orderId, status_id: order.statusId, status: statusName(order.statusId), refunded_amount: order.refundedAmount }, 201);
  } catch (err) {
    if (err instanceof OrderInputError) return v3Error(422, `Invalid refund: ${err.message}`);
    throw err;
  }
}
