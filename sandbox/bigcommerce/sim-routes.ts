/** `/__sim/*`: the simulator's own routes for tests and the sandbox. No token, no quota. */
import { z } from 'zod';
import { faultRuleSchema, type Faults } from './faults';
import { orderTotals, statusName } from './orders';
import type { RateLimiter } from './rate-limiter';
import { json, v3Error, type SimResponse } from './responses';
import type { SimStats } from './server';
import type { SimulatedStore } from './store';

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
  return undefined;
}
