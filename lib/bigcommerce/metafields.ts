import { z } from 'zod';
import { ConnectorError, ValidationError, parseWith } from '../errors';
import { HttpError } from '../http/errors';
import type { RequestFunction } from '../http/transport';
import { v3Pages } from './pagination';

/**
 * Markers on BigCommerce orders: one order metafield (`/v3/orders/{id}/metafields`, `orders.v3.yml`) per
 * namespace + key, e.g. the Sage sales order number a web order became. The store keeps it with the order for
 * ever, so "was this order imported?" has an answer after Sage moved the order to history, after a restart
 * with empty memory, and from another Node-RED instance. Metafields belong to the API account that wrote
 * them; BigCommerce refuses a second one with the same namespace + key on the order (409).
 */

export const metafieldPermissionSchema = z.enum(['app_only', 'read', 'write', 'read_and_sf_access', 'write_and_sf_access']);

export const markerInputSchema = z.object({
  namespace: z.string().trim().min(1, 'is required').max(64, 'must be at most 64 characters'),
  key: z.string().trim().min(1, 'is required').max(64, 'must be at most 64 characters'),
  value: z.string().min(1, 'must not be empty (BigCommerce refuses empty metafield values)').max(65_535, 'must be at most 65,535 characters'),
  /** Default `app_only`: other apps on the store neither see nor change it. */
  permissionSet: metafieldPermissionSchema.default('app_only'),
  description: z.string().max(255).optional(),
});

export type MarkerInput = z.input<typeof markerInputSchema>;

const metafieldSchema = z.looseObject({
  id: z.number().int().positive(),
  namespace: z.string(),
  key: z.string(),
  value: z.string(),
  permission_set: metafieldPermissionSchema,
  resource_id: z.number().int().optional(),
  description: z.string().optional(),
  date_created: z.string().optional(),
  date_modified: z.string().optional(),
});

const listSchema = z.looseObject({ data: z.array(metafieldSchema) });
const singleSchema = z.looseObject({ data: metafieldSchema });

export interface OrderMarker {
  /** The metafield id. */
  id: number;
  orderId: number;
  namespace: string;
  key: string;
  value: string;
  permissionSet: z.output<typeof metafieldPermissionSchema>;
  dateModified?: string;
}

export interface MarkerWrite {
  /** `unchanged` when the order already carried this exact value: nothing was written. */
  action: 'created' | 'updated' | 'unchanged';
  marker: OrderMarker;
  /** The value the marker had before an `updated`. */
  previousValue?: string;
}

export interface WriteMarkerOptions {
  /**
   * What to do when the order already carries a different value. Default false: refuse with
   * `bigcommerce.marker_conflict`, since a marker that says another Sage order was made from this web order
   * must not be overwritten silently.
   */
  overwrite?: boolean;
  /**
   * The caller read the order's markers a moment ago and found none: create at once, without reading first (one
   * call instead of two). A marker that appeared meanwhile answers 409 and is read and compared as usual.
   */
  assumeAbsent?: boolean;
}

function positiveOrderId(orderId: number): void {
  if (!Number.isSafeInteger(orderId) || orderId <= 0) {
    throw new ValidationError(`Order marker: the order id must be a positive whole number, got ${String(orderId)}`, { code: 'bigcommerce.order_id_invalid', field: 'orderId' });
  }
}

function toMarker(orderId: number, field: z.output<typeof metafieldSchema>): OrderMarker {
  return {
    id: field.id,
    orderId,
    namespace: field.namespace,
    key: field.key,
    value: field.value,
    permissionSet: field.permission_set,
    dateModified: field.date_modified,
  };
}

/**
 * The order's metafield under namespace + key, or undefined. One call; the filter runs in the store
 * (`namespace`, `key`). Should several API accounts have one (each may), the oldest counts.
 */
export async function readOrderMarker(request: RequestFunction, orderId: number, namespace: string, key: string): Promise<OrderMarker | undefined> {
  positiveOrderId(orderId);
  const response = await request({ method: 'GET', path: `/v3/orders/${orderId}/metafields`, query: { namespace, key, limit: 250 }, priority: 'interactive' });
  if (response.status === 204 || response.body === undefined) return undefined;
  const record = `order ${orderId}`;
  const { data } = parseWith(listSchema, response.body, { what: 'BigCommerce order metafields', record, code: 'bigcommerce.metafield_invalid' });
  const matching = data.filter((field) => field.namespace === namespace && field.key === key).sort((a, b) => a.id - b.id);
  return matching[0] && toMarker(orderId, matching[0]);
}

/**
 * Every order's marker under namespace + key, by order id, from the store-wide list (`GET /v3/orders/metafields`,
 * 250 a page): for a backfill of many orders, one read per 250 marked orders instead of one per order.
 */
export async function listOrderMarkers(request: RequestFunction, namespace: string, key: string): Promise<Map<number, OrderMarker>> {
  const markers = new Map<number, OrderMarker>();
  for await (const rows of v3Pages(request, '/v3/orders/metafields', { namespace, key }, { priority: 'bulk' })) {
    for (const field of parseWith(z.array(metafieldSchema), rows, { what: 'BigCommerce order metafields', code: 'bigcommerce.metafield_invalid' })) {
      if (field.namespace !== namespace || field.key !== key || field.resource_id === undefined) continue;
      const existing = markers.get(field.resource_id);
      // As in readOrderMarker: the oldest metafield of an order counts.
      if (!existing || field.id < existing.id) markers.set(field.resource_id, toMarker(field.resource_id, field));
    }
  }
  return markers;
}

/**
 * Puts `value` on the order under namespace + key: creates the metafield, or updates it (only with
 * `overwrite`), or leaves it when it already holds the value. Safe to repeat and to race: when another
 * instance created it between the read and the write (409), the marker is read again and compared.
 */
export async function writeOrderMarker(request: RequestFunction, orderId: number, input: MarkerInput, options: WriteMarkerOptions = {}): Promise<MarkerWrite> {
  positiveOrderId(orderId);
  const record = `order ${orderId}`;
  const wanted = parseWith(markerInputSchema, input, { what: 'Order marker', record, code: 'bigcommerce.marker_invalid' });
  const body = {
    permission_set: wanted.permissionSet,
    namespace: wanted.namespace,
    key: wanted.key,
    value: wanted.value,
    ...(wanted.description !== undefined && { description: wanted.description }),
  };

  const settle = async (existing: OrderMarker): Promise<MarkerWrite> => {
    if (existing.value === wanted.value) return { action: 'unchanged', marker: existing };
    if (!options.overwrite) {
      throw new ConnectorError(
        `BigCommerce ${record} already carries ${wanted.namespace}/${wanted.key} = "${existing.value}", not "${wanted.value}"; left as it is`,
        {
          code: 'bigcommerce.marker_conflict',
          record,
          field: `${wanted.namespace}/${wanted.key}`,
          hint: 'The order was already processed under another value (e.g. imported as another Sage sales order). Check both before changing anything.',
        },
      );
    }
    const response = await request({ method: 'PUT', path: `/v3/orders/${orderId}/metafields/${existing.id}`, body, idempotent: true, priority: 'interactive' });
    const updated = parseWith(singleSchema, response.body, { what: 'BigCommerce order metafield', record, code: 'bigcommerce.metafield_invalid' }).data;
    return { action: 'updated', marker: toMarker(orderId, updated), previousValue: existing.value };
  };

  const existing = options.assumeAbsent ? undefined : await readOrderMarker(request, orderId, wanted.namespace, wanted.key);
  if (existing) return settle(existing);
  try {
    // A create is safe to retry: if the first attempt landed, the retry gets the 409 handled below.
    const response = await request({ method: 'POST', path: `/v3/orders/${orderId}/metafields`, body, idempotent: true, priority: 'interactive' });
    const created = parseWith(singleSchema, response.body, { what: 'BigCommerce order metafield', record, code: 'bigcommerce.metafield_invalid' }).data;
    return { action: 'created', marker: toMarker(orderId, created) };
  } catch (err) {
    if (!(err instanceof HttpError) || err.status !== 409) throw err;
    const raced = await readOrderMarker(request, orderId, wanted.namespace, wanted.key);
    if (!raced) throw err;
    return settle(raced);
  }
}
