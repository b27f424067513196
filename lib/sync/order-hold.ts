import { ValidationError } from '../errors';
import type { HoldKind } from './order-gate';

/**
 * An order the mapper does not turn into a sales order now, and why: `msg.hold` on the mapper node's second
 * output. The reason names the web order and the BigCommerce field at fault.
 */
export interface OrderHold {
  orderId: number;
  kind: HoldKind;
  reason: string;
  /** The BigCommerce field (dotted path) the hold is about, e.g. `refunded_amount` or `status_id`. */
  field: string;
}

/** A held order as an error, for callers that want one sales order or an exception (`mapOrder`). */
export class OrderHeldError extends ValidationError {
  readonly hold: OrderHold;

  constructor(hold: OrderHold) {
    super(hold.reason, { code: `mapper.hold.${hold.kind}`, field: hold.field, record: `order ${hold.orderId}` });
    this.hold = hold;
  }
}

export function holdError(orderId: number, field: string, reason: string, kind: HoldKind = 'invalid'): OrderHeldError {
  return new OrderHeldError({ orderId, kind, field, reason: `order ${orderId}: ${reason}` });
}
