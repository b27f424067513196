/**
 * The order status changes this package caused itself. Creating a shipment makes BigCommerce move the order to
 * Partially Shipped or Shipped and send `store/order/statusUpdated` (and `store/order/updated`) back to the
 * webhook endpoint; those deliveries are our own echo and must not start order work. The shipment node records
 * each order it shipped for a short while; the echo filter (the same node with role "drop own status echoes",
 * placed after the webhook verify node) asks `isOwnStatusEcho`. Memory of one Node-RED process: a delivery that
 * reaches another instance is not recognised and costs one harmless order-sync job there.
 */

/** Long enough for BigCommerce's delivery and its retries, short enough that a merchant's later change is not swallowed. */
export const ECHO_WINDOW_MS = 10 * 60_000;

/** Order id → until when (epoch ms) its status changes are ours. */
export type EchoRecords = Map<number, number>;

const SHIPPED_STATUSES = new Set([2, 3]);
const ECHO_SCOPES = new Set(['store/order/statusUpdated', 'store/order/updated']);

export interface OrderEvent {
  /** The webhook scope, e.g. `store/order/statusUpdated` (msg.topic after the verify node). */
  scope: string;
  orderId: number | undefined;
  /** `data.status.new_status_id` of a statusUpdated delivery. */
  newStatusId?: number;
}

/**
 * True for an order webhook caused by our own shipment: an order we shipped within the window, and for
 * statusUpdated a move to Shipped (2) or Partially Shipped (3). Any other change (cancelled, refunded …) is the
 * merchant's and passes.
 */
export function isOwnStatusEcho(records: ReadonlyMap<number, number>, event: OrderEvent, now: number): boolean {
  if (!ECHO_SCOPES.has(event.scope) || event.orderId === undefined) return false;
  const until = records.get(event.orderId);
  if (until === undefined || until < now) return false;
  if (event.scope === 'store/order/statusUpdated') return event.newStatusId !== undefined && SHIPPED_STATUSES.has(event.newStatusId);
  return true;
}

export function recordOwnStatusChange(records: EchoRecords, orderId: number, now: number, windowMs = ECHO_WINDOW_MS): void {
  for (const [id, until] of records) if (until < now) records.delete(id);
  records.set(orderId, now + windowMs);
}

/** The echo records of each store (by store hash), shared by the shipment nodes and echo filters of this process. */
const byStore = new Map<string, EchoRecords>();

export function echoRecordsFor(store: string): EchoRecords {
  let records = byStore.get(store);
  if (!records) byStore.set(store, (records = new Map()));
  return records;
}

/** The event a verified webhook msg carries (topic = scope, event.data = `{ type, id, status }`). */
export function orderEventOf(topic: unknown, event: unknown): OrderEvent {
  const data = (event as { data?: { id?: unknown; status?: { new_status_id?: unknown } } } | undefined)?.data;
  const id = typeof data?.id === 'number' && Number.isSafeInteger(data.id) ? data.id : undefined;
  const status = data?.status?.new_status_id;
  return { scope: String(topic ?? ''), orderId: id, ...(typeof status === 'number' && { newStatusId: status }) };
}
