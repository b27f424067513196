import { z } from 'zod';
import { ConnectorError, ValidationError, parseWith } from '../errors';
import type { RequestFunction } from '../http/transport';

/** BigCommerce's fixed order status ids (`GET /v2/order_statuses`); stores may relabel them, never renumber. */
export const ORDER_STATUS = {
  incomplete: 0,
  pending: 1,
  shipped: 2,
  partiallyShipped: 3,
  refunded: 4,
  cancelled: 5,
  declined: 6,
  awaitingPayment: 7,
  awaitingPickup: 8,
  awaitingShipment: 9,
  completed: 10,
  awaitingFulfillment: 11,
  manualVerificationRequired: 12,
  disputed: 13,
  partiallyRefunded: 14,
} as const;

export type OrderStatusId = (typeof ORDER_STATUS)[keyof typeof ORDER_STATUS];

const statusIds = new Set<number>(Object.values(ORDER_STATUS));

const updatedOrderSchema = z.looseObject({
  id: z.number().int().positive(),
  status_id: z.number().int(),
  status: z.string(),
  custom_status: z.string().optional(),
  date_modified: z.string(),
});

export interface OrderStatusChange {
  orderId: number;
  statusId: number;
  /** The system name, e.g. `Awaiting Fulfillment`. */
  status: string;
  /** The store's own label for the status, when it has one. */
  customStatus?: string;
  /** RFC-2822, as BigCommerce sends it. */
  dateModified: string;
}

/**
 * Sets an order's status with `PUT /v2/orders/{id}` (only `status_id` in the body, so nothing else on the
 * order changes). BigCommerce then fires `store/order/updated` and, when the status really changed,
 * `store/order/statusUpdated`. Repeating it is harmless: the same status again changes nothing but
 * `date_modified`.
 */
export async function updateOrderStatus(request: RequestFunction, orderId: number, statusId: number): Promise<OrderStatusChange> {
  const record = `order ${orderId}`;
  if (!Number.isSafeInteger(orderId) || orderId <= 0) {
    throw new ValidationError(`Order status change: the order id must be a positive whole number, got ${String(orderId)}`, { code: 'bigcommerce.order_id_invalid', field: 'orderId' });
  }
  if (!statusIds.has(statusId)) {
    throw new ValidationError(`Order status change in ${record}: ${String(statusId)} is not a BigCommerce status id (0…14)`, {
      code: 'bigcommerce.status_invalid',
      field: 'statusId',
      record,
      hint: 'Use one of ORDER_STATUS, e.g. 2 for Shipped or 11 for Awaiting Fulfillment.',
    });
  }
  const response = await request({ method: 'PUT', path: `/v2/orders/${orderId}`, body: { status_id: statusId }, idempotent: true, priority: 'interactive' });
  const order = parseWith(updatedOrderSchema, response.body, { what: 'BigCommerce order', record, code: 'bigcommerce.order_invalid' });
  if (order.status_id !== statusId) {
    throw new ConnectorError(`BigCommerce kept ${record} in status ${order.status_id} (${order.status}) instead of ${statusId}`, {
      code: 'bigcommerce.status_not_applied',
      field: 'status_id',
      record,
      hint: 'Another app or a store rule may hold the order in its status; check the order in the control panel.',
    });
  }
  return { orderId: order.id, statusId: order.status_id, status: order.status, customStatus: order.custom_status, dateModified: order.date_modified };
}
