import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { MAX_INVENTORY_LEVEL, type Catalog, type VariantRecord } from '../catalog';
import { idListParam, listParam, pagingParams } from '../query';
import { json, pageOf, paginationMeta, problem, type SimResponse } from '../responses';
import type { Route, RouteContext } from '../router';
import { rejectUnsupported } from './common';

export const MAX_ADJUSTMENT_ITEMS = 2000;

function renderItem(catalog: Catalog, variant: VariantRecord, locationFilter: (id: number, code: string) => boolean) {
  const key = catalog.stockKey(variant);
  return {
    identity: { sku: variant.sku, variant_id: variant.id, product_id: variant.productId, sku_id: variant.skuId },
    locations: catalog
      .locationsOf(key)
      .filter((l) => locationFilter(l.id, l.code))
      .map((l) => {
        const onHand = catalog.level(l.id, key);
        return {
          location_id: l.id,
          location_code: l.code,
          location_name: l.label,
          available_to_sell: Math.max(0, onHand),
          total_inventory_onhand: onHand,
          location_enabled: l.enabled,
          settings: { safety_stock: 0, is_in_stock: onHand > 0, warning_level: variant.inventoryWarningLevel, bin_picking_number: '' },
        };
      }),
  };
}

function listItems({ store, query }: RouteContext): SimResponse {
  rejectUnsupported(query, ['sku:in', 'variant_id:in', 'product_id:in', 'location_id:in', 'location_code:in', 'page', 'limit']);
  const { catalog } = store;
  const { page, limit } = pagingParams(query, 50, 1000);
  const skus = listParam(query, 'sku:in');
  const variantIds = idListParam(query, 'variant_id:in');
  const productIds = idListParam(query, 'product_id:in');
  const locationIds = idListParam(query, 'location_id:in');
  const locationCodes = listParam(query, 'location_code:in');
  let candidates: VariantRecord[];
  if (skus) candidates = skus.map((s) => catalog.variants.get(catalog.variantBySku.get(s) ?? -1)).filter((v): v is VariantRecord => !!v);
  else if (variantIds) candidates = variantIds.map((id) => catalog.variants.get(id)).filter((v): v is VariantRecord => !!v);
  else if (productIds) candidates = productIds.flatMap((id) => catalog.products.get(id)?.variantIds ?? []).map((id) => catalog.variants.get(id)!);
  else candidates = [...catalog.variants.values()];
  const matching = [...new Set(candidates)].filter(
    (v) => (!variantIds || variantIds.includes(v.id)) && (!productIds || productIds.includes(v.productId)),
  );
  matching.sort((a, b) => a.id - b.id);
  const locationFilter = (id: number, code: string) => (!locationIds || locationIds.includes(id)) && (!locationCodes || locationCodes.includes(code));
  const slice = pageOf(matching, page, limit);
  return json({ data: slice.items.map((v) => renderItem(catalog, v, locationFilter)), meta: { pagination: paginationMeta(slice) } });
}

const quantity = z.number().int().min(0).max(MAX_INVENTORY_LEVEL);
const adjustmentItemSchema = z.strictObject({
  location_id: z.number().int().positive(),
  sku: z.string().min(1).optional(),
  variant_id: z.number().int().positive().optional(),
  product_id: z.number().int().positive().optional(),
  quantity,
});
const absoluteSchema = z.looseObject({ reason: z.string().optional(), items: z.array(z.unknown()) });

interface ResolvedAdjustment {
  locationId: number;
  stockKey: number;
  quantity: number;
}

/** Where an adjustment item's stock lives, or the reason BigCommerce refuses it. */
function resolveItem(catalog: Catalog, item: z.infer<typeof adjustmentItemSchema>): number | string {
  const identities = [item.sku, item.variant_id, item.product_id].filter((v) => v !== undefined).length;
  if (identities !== 1) return 'exactly one of sku, variant_id or product_id must be given';
  if (!catalog.locations.has(item.location_id)) return `Location with id ${item.location_id} does not exist`;
  if (item.product_id !== undefined) {
    const product = catalog.products.get(item.product_id);
    if (!product) return `Item with product_id ${item.product_id} not found`;
    if (product.inventoryTracking === 'variant') return `Item with product_id ${item.product_id} is tracked by variant, please update stock by variant id or sku`;
    return -product.id;
  }
  const variant = item.variant_id !== undefined ? catalog.variants.get(item.variant_id) : catalog.variants.get(catalog.variantBySku.get(item.sku!) ?? -1);
  if (!variant) return item.variant_id !== undefined ? `Item with variant_id ${item.variant_id} not found` : `Item with sku ${item.sku} not found`;
  const product = catalog.products.get(variant.productId)!;
  if (item.variant_id !== undefined && product.inventoryTracking !== 'variant') {
    return `Item with variant_id ${item.variant_id} is tracked by product, please update stock by product id`;
  }
  return catalog.stockKey(variant);
}

function absoluteAdjustment(context: RouteContext): SimResponse {
  const parsed = absoluteSchema.safeParse(context.body);
  if (!parsed.success) return problem(422, 'Payload contains invalid fields', { items: 'items must be an array of adjustments' });
  const { items } = parsed.data;
  if (items.length > MAX_ADJUSTMENT_ITEMS) {
    return problem(413, `The request payload is too large. The maximum items allowed in the array is ${MAX_ADJUSTMENT_ITEMS}.`);
  }
  const { catalog } = context.store;
  const resolved: ResolvedAdjustment[] = [];
  const errors: Record<string, string> = {};
  const titles: string[] = [];
  items.forEach((raw, index) => {
    const item = adjustmentItemSchema.safeParse(raw);
    if (!item.success) {
      const issue = item.error.issues[0]!;
      errors[`items.${index}.${issue.path.join('.') || 'item'}`] = issue.message;
      return;
    }
    const where = resolveItem(catalog, item.data);
    if (typeof where === 'string') {
      errors[`items.${index}`] = where;
      titles.push(where);
      return;
    }
    resolved.push({ locationId: item.data.location_id, stockKey: where, quantity: item.data.quantity });
  });
  // Nothing is applied when any item is refused, so a retry after fixing the payload cannot double-apply.
  if (Object.keys(errors).length > 0) return problem(422, titles.length > 0 ? `[${titles.join(', ')}]` : 'Payload contains invalid fields', errors);
  const { store } = context;
  context.defer(() => {
    for (const adjustment of resolved) store.setStock(adjustment.locationId, adjustment.stockKey, adjustment.quantity, 'absolute');
  });
  return json({ transaction_id: randomUUID() });
}

export const inventoryV3Routes: Route[] = [
  { method: 'GET', api: 'v3', path: '/inventory/items', scopes: ['inventory'], handle: listItems },
  { method: 'PUT', api: 'v3', path: '/inventory/adjustments/absolute', scopes: ['inventory'], handle: absoluteAdjustment },
];
