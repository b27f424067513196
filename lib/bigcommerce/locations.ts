import { z } from 'zod';
import { parseWith } from '../errors';
import type { RequestFunction } from '../http/transport';
import { v3All, v3Pages } from './pagination';

/**
 * Store locations (`/v3/inventory/locations`, `locations.v3.yml`) and the stock at each
 * (`/v3/inventory/locations/{id}/items`, `inventory.v3.yml`): a Sage warehouse maps to a location, whose level
 * is set with absolute adjustments naming its `location_id` (CatalogCalls.setStock). Location 1 is the store's
 * default, present in every store.
 */

export const DEFAULT_LOCATION_ID = 1;
/** "Limit of 1000 items for payload length" on the location items list. */
const MAX_ITEMS_PER_PAGE = 1000;
/** SKUs per `sku:in` read, keeping the query short. */
const SKUS_PER_READ = 100;

export const locationSchema = z.looseObject({
  id: z.number().int().positive(),
  code: z.string(),
  label: z.string(),
  enabled: z.boolean().default(true),
  type_id: z.string().optional(),
});

export type Location = z.output<typeof locationSchema>;

export const newLocationSchema = z.object({
  code: z.string().trim().min(1).max(50),
  label: z.string().trim().min(1).max(255),
  timeZone: z.string().default('Etc/UTC'),
  typeId: z.enum(['PHYSICAL', 'VIRTUAL']).default('PHYSICAL'),
  /** The ERP holds the stock: BigCommerce then blocks editing it by hand in the control panel. */
  managedByExternalSource: z.boolean().default(true),
  /** A warehouse is not a store shoppers visit: hidden from the storefront by default. */
  storefrontVisibility: z.boolean().default(false),
  address: z.object({
    address1: z.string().min(1),
    address2: z.string().optional(),
    city: z.string().min(1),
    state: z.string().min(1),
    zip: z.string().min(1),
    email: z.email(),
    phone: z.string().optional(),
    countryCode: z.string().regex(/^[A-Z]{2}$/, 'must be a 2-letter country code such as US'),
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
  }),
});

export type NewLocation = z.input<typeof newLocationSchema>;

const itemSchema = z.looseObject({
  identity: z.looseObject({ sku: z.string(), variant_id: z.number().int().nullish(), product_id: z.number().int() }),
  available_to_sell: z.number().int(),
  total_inventory_onhand: z.number().int(),
});

export interface LocationLevel {
  sku: string;
  variantId?: number;
  productId: number;
  onHand: number;
  availableToSell: number;
}

/** Every location of the store, default first. */
export async function listLocations(request: RequestFunction): Promise<Location[]> {
  const rows = await v3All(request, '/v3/inventory/locations', {}, { priority: 'bulk' });
  return parseWith(z.array(locationSchema), rows, { what: 'BigCommerce locations', code: 'bigcommerce.location_invalid' });
}

/**
 * The locations with these codes, creating the missing ones in one call. Returns them by code. Safe to repeat:
 * a code that exists is never created again.
 */
export async function ensureLocations(request: RequestFunction, wanted: readonly NewLocation[]): Promise<Map<string, Location>> {
  const parsed = parseWith(z.array(newLocationSchema), wanted, { what: 'Store locations', code: 'bigcommerce.location_invalid' });
  const byCode = new Map((await listLocations(request)).map((location) => [location.code, location]));
  const missing = parsed.filter((location) => !byCode.has(location.code));
  if (missing.length > 0) {
    await request({
      method: 'POST',
      path: '/v3/inventory/locations',
      body: missing.map((l) => ({
        code: l.code,
        label: l.label,
        managed_by_external_source: l.managedByExternalSource,
        type_id: l.typeId,
        enabled: true,
        time_zone: l.timeZone,
        storefront_visibility: l.storefrontVisibility,
        address: {
          address1: l.address.address1,
          ...(l.address.address2 !== undefined && { address2: l.address.address2 }),
          city: l.address.city,
          state: l.address.state,
          zip: l.address.zip,
          email: l.address.email,
          ...(l.address.phone !== undefined && { phone: l.address.phone }),
          geo_coordinates: { latitude: l.address.latitude, longitude: l.address.longitude },
          country_code: l.address.countryCode,
        },
      })),
      priority: 'bulk',
    });
    for (const location of await listLocations(request)) byCode.set(location.code, location);
  }
  const result = new Map<string, Location>();
  for (const location of parsed) {
    const found = byCode.get(location.code);
    if (found) result.set(location.code, found);
  }
  return result;
}

/** The stock a location holds, for the given SKUs (default every item it holds). */
export async function locationLevels(request: RequestFunction, locationId: number, skus?: readonly string[]): Promise<LocationLevel[]> {
  const record = `location ${locationId}`;
  const queries = skus === undefined ? [{}] : chunk(skus, SKUS_PER_READ).map((batch) => ({ 'sku:in': batch.join(',') }));
  const levels: LocationLevel[] = [];
  for (const query of queries) {
    for await (const rows of v3Pages(request, `/v3/inventory/locations/${locationId}/items`, query, { limit: MAX_ITEMS_PER_PAGE, priority: 'bulk' })) {
      for (const item of parseWith(z.array(itemSchema), rows, { what: 'BigCommerce location items', record, code: 'bigcommerce.location_invalid' })) {
        levels.push({
          sku: item.identity.sku,
          variantId: item.identity.variant_id ?? undefined,
          productId: item.identity.product_id,
          onHand: item.total_inventory_onhand,
          availableToSell: item.available_to_sell,
        });
      }
    }
  }
  return levels;
}

function chunk<T>(values: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < values.length; start += size) out.push(values.slice(start, start + size));
  return out;
}
