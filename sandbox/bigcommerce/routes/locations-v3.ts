/**
 * Inventory locations (`locations.v3.yml`) and the stock held at one (`GET /inventory/locations/{id}/items`,
 * `inventory.v3.yml`). Location 1 is the store's default and shipping origin: it cannot be deleted. Codes are
 * unique; at most 100 locations are active. Writes answer `{transaction_id}`; refusals are
 * `application/problem+json`, as the files document.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { DEFAULT_LOCATION_ID, type Catalog, type LocationRecord, type VariantRecord } from '../catalog';
import { rfc3339 } from '../dates';
import { boolParam, idListParam, listParam, pagingParams } from '../query';
import { json, pageOf, paginationMeta, problem, type SimResponse } from '../responses';
import type { Route, RouteContext } from '../router';
import { rejectUnsupported } from './common';

export const MAX_ACTIVE_LOCATIONS = 100;

function render(location: LocationRecord) {
  return {
    id: location.id,
    code: location.code,
    label: location.label,
    description: location.description ?? '',
    managed_by_external_source: location.managedByExternalSource ?? false,
    type_id: location.typeId ?? 'PHYSICAL',
    enabled: location.enabled,
    time_zone: location.timeZone ?? 'Etc/UTC',
    ...(location.createdAt !== undefined && { created_at: rfc3339(location.createdAt) }),
    ...(location.updatedAt !== undefined && { updated_at: rfc3339(location.updatedAt) }),
    ...(location.address && { address: location.address }),
    storefront_visibility: location.storefrontVisibility ?? true,
    special_hours: [],
  };
}

const addressSchema = z.strictObject({
  address1: z.string().min(1),
  address2: z.string().optional(),
  city: z.string().min(1),
  state: z.string().min(1),
  zip: z.string().min(1),
  email: z.email(),
  phone: z.string().optional(),
  geo_coordinates: z.strictObject({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) }),
  country_code: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code'),
});

const locationFields = {
  code: z.string().min(1).max(50),
  label: z.string().min(1).max(255),
  description: z.string().optional(),
  managed_by_external_source: z.boolean(),
  type_id: z.enum(['PHYSICAL', 'VIRTUAL']),
  enabled: z.boolean().optional(),
  time_zone: z.string().min(1),
  address: addressSchema,
  storefront_visibility: z.boolean().optional(),
};

const createSchema = z.strictObject({ ...locationFields, code: locationFields.code.optional() });
const updateSchema = z.strictObject({ id: z.number().int().positive(), ...locationFields }).partial().required({ id: true });

type LocationChange = Partial<z.output<typeof createSchema>>;

function refusal(title: string, errors: Record<string, string> = {}): SimResponse {
  return problem(422, title, errors);
}

function apply(location: LocationRecord, change: LocationChange, now: number): void {
  if (change.code !== undefined) location.code = change.code;
  if (change.label !== undefined) location.label = change.label;
  if (change.description !== undefined) location.description = change.description;
  if (change.managed_by_external_source !== undefined) location.managedByExternalSource = change.managed_by_external_source;
  if (change.type_id !== undefined) location.typeId = change.type_id;
  if (change.enabled !== undefined) location.enabled = change.enabled;
  if (change.time_zone !== undefined) location.timeZone = change.time_zone;
  if (change.address !== undefined) location.address = change.address;
  if (change.storefront_visibility !== undefined) location.storefrontVisibility = change.storefront_visibility;
  location.updatedAt = now;
}

function issuesOf(error: z.ZodError, index: number): Record<string, string> {
  return Object.fromEntries(error.issues.map((issue) => [`${index}.${issue.path.join('.')}`, issue.message]));
}

function activeCount(catalog: Catalog): number {
  return [...catalog.locations.values()].filter((l) => l.enabled).length;
}

function createLocations(context: RouteContext): SimResponse {
  const { catalog } = context.store;
  if (!Array.isArray(context.body) || context.body.length === 0) return refusal('The body must be a non-empty array of locations.');
  const parsed: Array<z.output<typeof createSchema>> = [];
  const errors: Record<string, string> = {};
  const codes = new Set([...catalog.locations.values()].map((l) => l.code));
  context.body.forEach((raw, index) => {
    const item = createSchema.safeParse(raw);
    if (!item.success) return Object.assign(errors, issuesOf(item.error, index));
    if (item.data.code !== undefined && codes.has(item.data.code)) return (errors[`${index}.code`] = `a location with code ${item.data.code} already exists`);
    if (item.data.code !== undefined) codes.add(item.data.code);
    parsed.push(item.data);
  });
  if (Object.keys(errors).length > 0) return refusal('Locations were not valid; none were created.', errors);
  const enabling = parsed.filter((l) => l.enabled ?? true).length;
  if (activeCount(catalog) + enabling > MAX_ACTIVE_LOCATIONS) return refusal(`A store can have at most ${MAX_ACTIVE_LOCATIONS} active locations.`);
  const now = context.store.now();
  for (const item of parsed) {
    const location = catalog.addLocation({ label: item.label, code: item.code, enabled: item.enabled ?? true });
    apply(location, item, now);
  }
  return json({ transaction_id: randomUUID() });
}

function updateLocations(context: RouteContext): SimResponse {
  const { catalog } = context.store;
  if (!Array.isArray(context.body) || context.body.length === 0) return refusal('The body must be a non-empty array of locations.');
  const changes: Array<{ location: LocationRecord; change: z.output<typeof updateSchema> }> = [];
  const errors: Record<string, string> = {};
  context.body.forEach((raw, index) => {
    const item = updateSchema.safeParse(raw);
    if (!item.success) return Object.assign(errors, issuesOf(item.error, index));
    const location = catalog.locations.get(item.data.id);
    if (!location) return (errors[`${index}.id`] = `location ${item.data.id} does not exist`);
    const clash = item.data.code !== undefined && [...catalog.locations.values()].some((l) => l.code === item.data.code && l.id !== location.id);
    if (clash) return (errors[`${index}.code`] = `a location with code ${item.data.code} already exists`);
    if (location.id === DEFAULT_LOCATION_ID && item.data.enabled === false) return (errors[`${index}.enabled`] = 'the default location cannot be disabled');
    changes.push({ location, change: item.data });
  });
  if (Object.keys(errors).length > 0) return refusal('Locations were not valid; none were updated.', errors);
  const now = context.store.now();
  for (const { location, change } of changes) apply(location, change, now);
  return json({ transaction_id: randomUUID() });
}

function deleteLocations(context: RouteContext): SimResponse {
  const { catalog } = context.store;
  rejectUnsupported(context.query, ['location_id:in']);
  const ids = idListParam(context.query, 'location_id:in');
  if (!ids || ids.length === 0) return refusal('location_id:in is required.', { 'location_id:in': 'required' });
  if (ids.includes(DEFAULT_LOCATION_ID)) {
    return refusal(`Location can't be deleted. ${catalog.locations.get(DEFAULT_LOCATION_ID)!.label} is set as a shipping origin for this store and can't be deleted.`);
  }
  const missing = ids.filter((id) => !catalog.locations.has(id));
  if (missing.length > 0) return problem(404, `Location ${missing.join(', ')} was not found.`);
  for (const id of ids) catalog.removeLocation(id);
  return json({ transaction_id: randomUUID() });
}

function listLocations({ store, query }: RouteContext): SimResponse {
  rejectUnsupported(query, ['location_id:in', 'location_code:in', 'is_default', 'is_active', 'page', 'limit']);
  const { page, limit } = pagingParams(query, 50, 1000);
  const ids = idListParam(query, 'location_id:in');
  const codes = listParam(query, 'location_code:in');
  const isDefault = boolParam(query, 'is_default');
  const isActive = boolParam(query, 'is_active');
  const matching = [...store.catalog.locations.values()]
    .filter((l) => (!ids || ids.includes(l.id)) && (!codes || codes.includes(l.code)))
    .filter((l) => (isDefault === undefined || (l.id === DEFAULT_LOCATION_ID) === isDefault) && (isActive === undefined || l.enabled === isActive))
    .sort((a, b) => a.id - b.id);
  const slice = pageOf(matching, page, limit);
  return json({ data: slice.items.map(render), meta: { pagination: paginationMeta(slice) } });
}

function renderItem(catalog: Catalog, locationId: number, variant: VariantRecord) {
  const onHand = catalog.level(locationId, catalog.stockKey(variant));
  return {
    identity: { sku: variant.sku, variant_id: variant.id, product_id: variant.productId },
    available_to_sell: Math.max(0, onHand),
    total_inventory_onhand: onHand,
    settings: { safety_stock: 0, is_in_stock: onHand > 0, warning_level: variant.inventoryWarningLevel, bin_picking_number: '' },
  };
}

/** The items a location holds stock for (every item at location 1), one per variant. */
function locationItems(context: RouteContext): SimResponse {
  const { catalog } = context.store;
  const { query } = context;
  rejectUnsupported(query, ['variant_id:in', 'product_id:in', 'sku:in', 'page', 'limit']);
  const locationId = context.params.location_id!;
  if (!catalog.locations.has(locationId)) return problem(404, `Location ${locationId} was not found.`);
  const { page, limit } = pagingParams(query, 50, 1000);
  const variants = idListParam(query, 'variant_id:in');
  const products = idListParam(query, 'product_id:in');
  const skus = listParam(query, 'sku:in');
  const matching = [...catalog.variants.values()]
    .filter((v) => (!variants || variants.includes(v.id)) && (!products || products.includes(v.productId)) && (!skus || skus.includes(v.sku)))
    .filter((v) => catalog.holds(locationId, catalog.stockKey(v)))
    .sort((a, b) => a.id - b.id);
  const slice = pageOf(matching, page, limit);
  return json({ data: slice.items.map((v) => renderItem(catalog, locationId, v)), meta: { pagination: paginationMeta(slice) } });
}

export const locationsV3Routes: Route[] = [
  { method: 'GET', api: 'v3', path: '/inventory/locations', scopes: ['locations'], handle: listLocations },
  { method: 'POST', api: 'v3', path: '/inventory/locations', scopes: ['locations'], handle: createLocations },
  { method: 'PUT', api: 'v3', path: '/inventory/locations', scopes: ['locations'], handle: updateLocations },
  { method: 'DELETE', api: 'v3', path: '/inventory/locations', scopes: ['locations'], handle: deleteLocations },
  { method: 'GET', api: 'v3', path: '/inventory/locations/{location_id}/items', scopes: ['inventory'], handle: locationItems },
];
