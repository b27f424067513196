/**
 * Which BigCommerce orders become Sage sales orders, decided from the status alone (pure). Whether the order
 * was imported before is not the gate's knowledge: the flow says so (see `sync-order-mapper`'s inputs).
 */

/** BigCommerce's order statuses (`GET /v2/order_statuses`). */
export const ORDER_STATUS = {
  Incomplete: 0,
  Pending: 1,
  Shipped: 2,
  PartiallyShipped: 3,
  Refunded: 4,
  Cancelled: 5,
  Declined: 6,
  AwaitingPayment: 7,
  AwaitingPickup: 8,
  AwaitingShipment: 9,
  Completed: 10,
  AwaitingFulfillment: 11,
  ManualVerificationRequired: 12,
  Disputed: 13,
  PartiallyRefunded: 14,
} as const;

const STATUS_NAMES = new Map<number, string>(Object.entries({
  0: 'Incomplete', 1: 'Pending', 2: 'Shipped', 3: 'Partially Shipped', 4: 'Refunded', 5: 'Cancelled', 6: 'Declined',
  7: 'Awaiting Payment', 8: 'Awaiting Pickup', 9: 'Awaiting Shipment', 10: 'Completed', 11: 'Awaiting Fulfillment',
  12: 'Manual Verification Required', 13: 'Disputed', 14: 'Partially Refunded',
}).map(([id, name]) => [Number(id), name]));

/** Ready to fulfil: paid and waiting for the warehouse. */
export const DEFAULT_IMPORT_STATUSES: readonly number[] = [ORDER_STATUS.AwaitingFulfillment, ORDER_STATUS.AwaitingShipment, ORDER_STATUS.AwaitingPickup];

/** Fulfilled outside Sage before the connector saw the order. */
const FULFILLED: ReadonlySet<number> = new Set([ORDER_STATUS.Shipped, ORDER_STATUS.Completed]);
/**
 * The order will not be paid or was paid back (in part: its sales order still holds the refunded goods): a sales
 * order for it must be looked at, never changed or deleted by us.
 */
const UNDONE: ReadonlySet<number> = new Set([ORDER_STATUS.Refunded, ORDER_STATUS.Cancelled, ORDER_STATUS.Declined, ORDER_STATUS.PartiallyRefunded]);

export interface GatePolicy {
  /** Status ids that become sales orders. */
  importStatuses: readonly number[];
  /** An order first seen already Shipped or Completed: looked at by a person, or imported like the others. */
  fulfilledFirstSeen: 'attention' | 'import';
}

export type HoldKind = 'wait' | 'needs-attention' | 'invalid' | 'imported';

export type GateDecision =
  | { action: 'import' }
  | { action: 'hold'; kind: Exclude<HoldKind, 'invalid'>; reason: string };

export function statusName(statusId: number): string {
  return STATUS_NAMES.get(statusId) ?? `status ${statusId}`;
}

/**
 * `wait`: not (yet) eligible; a later status change may make it so. `needs-attention`: a person decides
 * (fulfilled before import, or undone after import). `imported`: already a sales order, nothing to do.
 */
export function orderGate(order: { id: number; status_id: number }, imported: boolean, policy: GatePolicy): GateDecision {
  const status = `${statusName(order.status_id)} (${order.status_id})`;
  const record = `order ${order.id}`;
  if (imported) {
    if (UNDONE.has(order.status_id)) {
      return { action: 'hold', kind: 'needs-attention', reason: `${record} was imported to Sage and is now ${status} in BigCommerce: review its sales order (nothing in Sage was changed or deleted)` };
    }
    return { action: 'hold', kind: 'imported', reason: `${record} is already a Sage sales order; status ${status} needs no new one` };
  }
  if (policy.importStatuses.includes(order.status_id)) return { action: 'import' };
  if (FULFILLED.has(order.status_id)) {
    if (policy.fulfilledFirstSeen === 'import') return { action: 'import' };
    return { action: 'hold', kind: 'needs-attention', reason: `${record} was first seen already ${status}: it was fulfilled outside Sage; import it by hand or allow "import fulfilled orders"` };
  }
  return { action: 'hold', kind: 'wait', reason: `${record} is ${status}, not one of the statuses imported (${policy.importStatuses.join(', ')}): it waits for a status change` };
}

/** The editor's "11, 9, 8" as status ids; an unknown id is kept (custom flows), a non-number is an error. */
export function parseStatusList(text: string): number[] | undefined {
  const parts = text.split(/[\s,]+/).filter((part) => part !== '');
  const ids = parts.map((part) => Number(part));
  if (ids.some((id) => !Number.isInteger(id) || id < 0 || id > 99)) return undefined;
  return [...new Set(ids)];
}
