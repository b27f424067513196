import { writeOrderMarker, type MarkerWrite } from '../bigcommerce/metafields';
import type { RequestFunction } from '../http/transport';
import type { Sage100Client } from '../sage100/client';
import { createSalesOrderIfAbsent, type SalesOrderResult } from '../sage100/sales-orders';
import { parseSalesOrder } from '../sage100/lengths';
import type { ImportRecord } from './import-record';

/**
 * A web order becomes a Sage sales order once, for ever, in agent and SOAP mode. Three memories answer "was it
 * imported?": Sage itself (create-if-absent: the open file, and through the agent SO and invoice history), the
 * local import record (a state file), and the marker on the BigCommerce order, which the order reader checks so an
 * imported order is recognised after Sage moved it to history, after a restart with empty memory, and on another
 * instance. The marker is written once every part of the order is in Sage.
 */

/** The order metafield that names the Sage sales order(s) a web order became (`/v3/orders/{id}/metafields`). */
export const IMPORT_MARKER = { namespace: 'ml_connector_sage100', key: 'sales_order_no' } as const;

export interface ImportTarget {
  client: Sage100Client;
  record: ImportRecord;
  /** The store to mark the order in; without it only Sage and the local record remember the import. */
  store?: { request: RequestFunction };
}

/** The deposit columns (the mapper fills them for prepaid orders). */
const PAYMENT_COLUMNS = ['PaymentType', 'DepositAmt', 'OtherPaymentTypeRefNo', 'CheckNoForDeposit'] as const;

/**
 * SOAP mode: whether the deposit columns go with the order. The bundled WSDL's SalesOrder declares them, but
 * whether a given server's CreateSalesOrder records a deposit from them is UNCONFIRMED, so it is a setting; left out,
 * the warning names what the order carried.
 */
export function withoutPayment(order: Record<string, unknown>): { order: Record<string, unknown>; warning?: string } {
  const carried = PAYMENT_COLUMNS.filter((column) => order[column] !== undefined);
  if (carried.length === 0) return { order };
  const kept = Object.fromEntries(Object.entries(order).filter(([column]) => !(PAYMENT_COLUMNS as readonly string[]).includes(column)));
  const what = carried.map((column) => `${column} ${String(order[column])}`).join(', ');
  return { order: kept, warning: `sales order ${String(order.SalesOrderNo)}: the payment was not sent to Sage (SOAP mode, payment columns off): ${what}; record the deposit in Sage` };
}

export interface ImportContext {
  /** The BigCommerce order id (msg.orderId). */
  orderId?: number;
  /** With split consignments: this sales order's place among the order's parts; the marker waits for the last. */
  part?: { index: number; count: number };
  /** The order reader found no marker on the order (msg.imported false after *Read import marker*): create it at once. */
  unmarked?: boolean;
}

export interface ImportResult extends Omit<SalesOrderResult, 'foundIn'> {
  foundIn?: SalesOrderResult['foundIn'] | 'import-record';
  marker?: MarkerWrite['action'];
}

export async function importSalesOrder(target: ImportTarget, input: unknown, context: ImportContext = {}): Promise<ImportResult> {
  const number = (input as { SalesOrderNo?: unknown } | undefined)?.SalesOrderNo;
  const wanted = await parseSalesOrder(target.client, input, { what: 'Sales order', record: typeof number === 'string' ? `sales order ${number}` : undefined });
  const recorded = await target.record.find(wanted.SalesOrderNo, wanted.CustomerPONo);
  let result: ImportResult;
  if (recorded) {
    // Sage may have moved it where SOAP cannot look; the record is the answer, without a call to Sage.
    result = { outcome: 'already-posted', salesOrder: wanted, foundIn: 'import-record' };
  } else {
    result = await createSalesOrderIfAbsent(target.client, wanted);
    await target.record.add({ salesOrderNo: result.salesOrder.SalesOrderNo, reference: wanted.CustomerPONo, ...(context.orderId !== undefined && { orderId: context.orderId }) });
  }
  const last = !context.part || context.part.index === context.part.count - 1;
  if (target.store && context.orderId !== undefined && last) {
    const numbers = await target.record.numbersFor(wanted.CustomerPONo);
    const value = (numbers.length > 0 ? numbers : [wanted.SalesOrderNo]).join(',');
    const written = await writeOrderMarker(target.store.request, context.orderId, { ...IMPORT_MARKER, value, description: 'Sage 100 sales order(s) made from this order' }, { assumeAbsent: context.unmarked === true });
    result.marker = written.action;
  }
  return result;
}
