import { z } from 'zod';
import { ValidationError, parseWith } from '../errors';
import type { RequestFunction } from '../http/transport';
import { v2Pages } from './pagination';

/**
 * Order shipments (`/v2/orders/{id}/shipments`, `orders.v2.oas2.yml`). Creating one is how the store learns
 * what left the warehouse: BigCommerce counts the units as shipped and moves the order to Partially Shipped
 * or Shipped itself (firing `store/order/statusUpdated`).
 */

/** `shipping_provider` values BigCommerce lists; `carrier_{id}` names a third-party shipping provider app. */
export const SHIPPING_PROVIDERS = ['auspost', 'canadapost', 'endicia', 'usps', 'fedex', 'ups', 'upsready', 'upsonline', 'shipperhq', 'royalmail'] as const;

const providerSchema = z
  .string()
  .refine((value) => value === '' || (SHIPPING_PROVIDERS as readonly string[]).includes(value) || /^carrier_[A-Za-z0-9_-]+$/.test(value), {
    message: `must be one of ${SHIPPING_PROVIDERS.join(', ')}, carrier_{id} or empty; for any other carrier leave it empty and set trackingCarrier`,
  });

export const shipmentRequestSchema = z.object({
  /** The order's shipping address (consignment) the items go to: `id` from `/shipping_addresses` or `consignments.shipping`. */
  orderAddressId: z.number().int().positive(),
  items: z
    .array(z.object({ orderProductId: z.number().int().positive(), quantity: z.number().int().positive() }))
    .min(1, 'a shipment needs at least one item'),
  trackingNumber: z.string().max(50, 'must be at most 50 characters').optional(),
  shippingProvider: providerSchema.optional(),
  /** An AfterShip courier slug (`dhl`, `usps` …), for carriers that are not shipping providers in the store. */
  trackingCarrier: z.string().regex(/^[a-z0-9-]*$/, 'must be an AfterShip courier slug such as dhl or usps').optional(),
  trackingLink: z.string().max(500).optional(),
  shippingMethod: z.string().optional(),
  comments: z.string().max(65_535).optional(),
});

export type ShipmentRequest = z.input<typeof shipmentRequestSchema>;

export const shipmentSchema = z.looseObject({
  id: z.number().int().positive(),
  order_id: z.number().int().positive(),
  order_address_id: z.number().int(),
  date_created: z.string(),
  tracking_number: z.string().default(''),
  tracking_carrier: z.string().default(''),
  tracking_link: z.string().default(''),
  shipping_provider: z.string().default(''),
  shipping_method: z.string().default(''),
  comments: z.string().default(''),
  generated_tracking_link: z.string().optional(),
  items: z.array(z.looseObject({ order_product_id: z.number().int(), product_id: z.number().int().optional(), quantity: z.number().int() })),
});

export type Shipment = z.output<typeof shipmentSchema>;

function orderRecord(orderId: number): string {
  if (!Number.isSafeInteger(orderId) || orderId <= 0) {
    throw new ValidationError(`Shipment: the order id must be a positive whole number, got ${String(orderId)}`, { code: 'bigcommerce.order_id_invalid', field: 'orderId' });
  }
  return `order ${orderId}`;
}

/** Every shipment of the order, oldest first (an order without shipments answers 204: an empty list). */
export async function listShipments(request: RequestFunction, orderId: number): Promise<Shipment[]> {
  const record = orderRecord(orderId);
  const rows: unknown[] = [];
  for await (const page of v2Pages(request, `/v2/orders/${orderId}/shipments`, {}, { priority: 'interactive' })) rows.push(...page);
  return parseWith(z.array(shipmentSchema), rows, { what: 'BigCommerce shipments', record, code: 'bigcommerce.shipment_invalid' });
}

/**
 * Creates one shipment. Not retried after an error whose outcome is unknown (a second shipment would count the
 * units twice): the caller reads `listShipments` first and after a failure, and writes only what is missing.
 */
export async function createShipment(request: RequestFunction, orderId: number, input: ShipmentRequest): Promise<Shipment> {
  const record = orderRecord(orderId);
  const shipment = parseWith(shipmentRequestSchema, input, { what: 'Shipment', record, code: 'bigcommerce.shipment_request_invalid' });
  const body = {
    order_address_id: shipment.orderAddressId,
    items: shipment.items.map((item) => ({ order_product_id: item.orderProductId, quantity: item.quantity })),
    ...(shipment.trackingNumber !== undefined && { tracking_number: shipment.trackingNumber }),
    ...(shipment.shippingProvider !== undefined && { shipping_provider: shipment.shippingProvider }),
    ...(shipment.trackingCarrier !== undefined && { tracking_carrier: shipment.trackingCarrier }),
    ...(shipment.trackingLink !== undefined && { tracking_link: shipment.trackingLink }),
    ...(shipment.shippingMethod !== undefined && { shipping_method: shipment.shippingMethod }),
    ...(shipment.comments !== undefined && { comments: shipment.comments }),
  };
  const response = await request({ method: 'POST', path: `/v2/orders/${orderId}/shipments`, body, idempotent: false, priority: 'interactive' });
  return parseWith(shipmentSchema, response.body, { what: 'BigCommerce shipment', record, code: 'bigcommerce.shipment_invalid' });
}

/**
 * Deletes one shipment; BigCommerce gives its units back as unshipped. Used only to undo a duplicate this package
 * itself just created (two instances writing the same shipment at once). Repeating it answers 404: done already.
 */
export async function deleteShipment(request: RequestFunction, orderId: number, shipmentId: number): Promise<void> {
  orderRecord(orderId);
  await request({ method: 'DELETE', path: `/v2/orders/${orderId}/shipments/${shipmentId}`, idempotent: true, priority: 'interactive' });
}
