import type { NodeMessage } from '../node-red/types';
import type { HeldOrder, OperatorBoard } from './board';

/**
 * What the alerts node recognises on its input and tells the board: a held order (`msg.hold`, from the mapper's
 * held output), a validation error caught by a Catch node (the order's data must change: needs a person), and a
 * catalog push summary (`bigcommerce-inventory-push` output). Anything else is ignored and says so.
 */

const HOLD_KINDS = new Set<HeldOrder['kind']>(['wait', 'needs-attention', 'invalid']);

/** Validation codes say the order's data must change before it can go to Sage. */
function isValidationCode(code: unknown): boolean {
  return typeof code === 'string' && (code.startsWith('validation.') || code === 'mapper.invalid_order' || code === 'sage100.CI_NOF');
}

interface PushSummaryLike {
  items: number;
  pushed: { stock: number; price: number };
  failed: { stock: number; price: number };
}

function isPushSummary(value: unknown): value is PushSummaryLike {
  const summary = value as Partial<PushSummaryLike> | null;
  return typeof summary === 'object' && summary !== null && typeof summary.items === 'number' && typeof summary.pushed?.stock === 'number' && typeof summary.failed?.stock === 'number';
}

export type Reported = 'held' | 'invalid' | 'catalog-push' | 'ignored';

export function reportTo(board: OperatorBoard, msg: NodeMessage, words: { push(summary: PushSummaryLike): string }): Reported {
  const hold = msg.hold as Partial<HeldOrder> | undefined;
  if (hold && typeof hold === 'object' && hold.orderId !== undefined && HOLD_KINDS.has(hold.kind as HeldOrder['kind'])) {
    board.held({ orderId: String(hold.orderId), kind: hold.kind as HeldOrder['kind'], reason: String(hold.reason ?? ''), ...(hold.field !== undefined && { field: String(hold.field) }) });
    return 'held';
  }
  const details = msg.errorDetails as { code?: unknown; field?: unknown } | undefined;
  const error = msg.error as { message?: unknown } | undefined;
  const orderId = msg.orderId ?? msg.resourceId;
  if (error && details && isValidationCode(details.code) && orderId !== undefined) {
    board.held({ orderId: String(orderId), kind: 'invalid', reason: String(error.message ?? details.code), ...(typeof details.field === 'string' && { field: details.field }) });
    return 'invalid';
  }
  if (isPushSummary(msg.payload)) {
    board.catalogPushed(words.push(msg.payload));
    return 'catalog-push';
  }
  return 'ignored';
}
