import { z } from 'zod';
import { OrderInputError, type OrderRecord } from '../orders';
import { json, noContent, v2Error, type SimResponse } from '../responses';
import type { Route, RouteContext } from '../router';
import { isKnownProvider, renderShipment, type ShipmentRecord } from '../shipments';
import { invalidBody, v2Page } from './orders-v2';
import { rejectUnsupported } from './common';

const notFound = (): SimResponse => v2Error(404, 'The requested resource was not found.');

const provider = z.string().refine(isKnownProvider, {
  message: 'is not a shipping provider: use auspost, canadapost, endicia, usps, fedex, ups, upsready, upsonline, shipperhq, royalmail, carrier_{id} or ""',
});
// AfterShip courier slugs: lower-case letters, digits and dashes.
const trackingCarrier = z.string().regex(/^[a-z0-9-]*$/, 'is not a tracking carrier slug such as usps, fedex or dhl');
const decimal = z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal amount such as "1.0000"');

const shipmentFields = {
  order_address_id: z.number().int().positive(),
  tracking_number: z.string().max(50),
  tracking_link: z.string().max(500),
  merchant_shipping_cost: decimal,
  shipping_method: z.string(),
  shipping_provider: provider,
  tracking_carrier: trackingCarrier,
  comments: z.string().max(65_535),
};

export const shipmentPostSchema = z.strictObject({
  ...shipmentFields,
  tracking_number: shipmentFields.tracking_number.optional(),
  tracking_link: shipmentFields.tracking_link.optional(),
  merchant_shipping_cost: shipmentFields.merchant_shipping_cost.optional(),
  shipping_method: shipmentFields.shipping_method.optional(),
  shipping_provider: shipmentFields.shipping_provider.optional(),
  tracking_carrier: shipmentFields.tracking_carrier.optional(),
  comments: shipmentFields.comments.optional(),
  items: z.array(z.strictObject({ order_product_id: z.number().int().positive(), quantity: z.number().int().positive() })).min(1),
});

const shipmentPutSchema = z.strictObject(shipmentFields).partial();

function orderOf(context: RouteContext): OrderRecord | undefined {
  const order = context.store.orders.get(context.params.order_id!);
  return order && !order.isDeleted ? order : undefined;
}

function shipmentOf(context: RouteContext, order: OrderRecord): ShipmentRecord | undefined {
  const shipment = context.store.shipments.get(context.params.shipment_id!);
  return shipment?.orderId === order.id ? shipment : undefined;
}

function refused(err: unknown): SimResponse {
  if (err instanceof OrderInputError) return v2Error(400, `The shipment is invalid: ${err.message}`);
  throw err;
}

export const shipmentsV2Routes: Route[] = [
  {
    method: 'GET', api: 'v2', path: '/orders/{order_id}/shipments/count', scopes: ['orders'],
    handle(context) {
      rejectUnsupported(context.query, []);
      const order = orderOf(context);
      return order ? json({ count: context.store.shipmentsOf(order.id).length }) : notFound();
    },
  },
  {
    method: 'GET', api: 'v2', path: '/orders/{order_id}/shipments', scopes: ['orders'],
    handle(context) {
      rejectUnsupported(context.query, ['page', 'limit']);
      const order = orderOf(context);
      return order ? v2Page(context.store.shipmentsOf(order.id), context.query, (s) => renderShipment(order, s)) : notFound();
    },
  },
  {
    method: 'POST', api: 'v2', path: '/orders/{order_id}/shipments', scopes: ['orders'],
    handle(context) {
      const order = orderOf(context);
      if (!order) return notFound();
      const parsed = shipmentPostSchema.safeParse(context.body);
      if (!parsed.success) return invalidBody(parsed.error);
      try {
        return json(renderShipment(order, context.store.createShipment(order.id, parsed.data)), 201);
      } catch (err) {
        return refused(err);
      }
    },
  },
  {
    method: 'DELETE', api: 'v2', path: '/orders/{order_id}/shipments', scopes: ['orders'],
    handle(context) {
      const order = orderOf(context);
      if (!order) return notFound();
      for (const shipment of context.store.shipmentsOf(order.id)) context.store.deleteShipment(shipment);
      return noContent;
    },
  },
  {
    method: 'GET', api: 'v2', path: '/orders/{order_id}/shipments/{shipment_id}', scopes: ['orders'],
    handle(context) {
      rejectUnsupported(context.query, []);
      const order = orderOf(context);
      const shipment = order && shipmentOf(context, order);
      return order && shipment ? json(renderShipment(order, shipment)) : notFound();
    },
  },
  {
    method: 'PUT', api: 'v2', path: '/orders/{order_id}/shipments/{shipment_id}', scopes: ['orders'],
    handle(context) {
      const order = orderOf(context);
      const shipment = order && shipmentOf(context, order);
      if (!order || !shipment) return notFound();
      const parsed = shipmentPutSchema.safeParse(context.body);
      if (!parsed.success) return invalidBody(parsed.error);
      try {
        context.store.updateShipment(shipment, parsed.data);
      } catch (err) {
        return refused(err);
      }
      return json(renderShipment(order, shipment));
    },
  },
  {
    method: 'DELETE', api: 'v2', path: '/orders/{order_id}/shipments/{shipment_id}', scopes: ['orders'],
    handle(context) {
      const order = orderOf(context);
      const shipment = order && shipmentOf(context, order);
      if (!order || !shipment) return notFound();
      context.store.deleteShipment(shipment);
      return noContent;
    },
  },
];
