import { ConnectorError, ValidationError, parseWith } from '../errors';
import { HttpError, NetworkError, TimeoutError } from '../http/errors';
import type { Sage100Client } from './client';
import { SAGE_CODES, Sage100Error } from './errors';
import { parseSalesOrder } from './lengths';
import { salesOrderNoSchema, type SalesOrder } from './types';

/**
 * Exactly-once sales orders, the same in agent and SOAP mode. Each web order has a stable SalesOrderNo and
 * carries its reference in CustomerPONo; the order is read before it is created, created create-only, and any
 * doubt about a create (another worker won the race, or the answer was lost) is settled by reading it back.
 */

export type SalesOrderOutcome = 'created' | 'already-posted';

export interface SalesOrderResult {
  /** `created`: this call's create was acknowledged. `already-posted`: Sage has the order with this reference
   * and this call's create was not acknowledged (an earlier run, another worker, or an answer that was lost). */
  outcome: SalesOrderOutcome;
  /** The order as Sage holds it. */
  salesOrder: SalesOrder;
  /** For `already-posted` through the agent: where Sage holds it (open file, SO history, AR invoice history). */
  foundIn?: 'open' | 'history' | 'invoice-history';
}

/** The number is taken by an order for something else; nothing was written. */
export class SalesOrderCollisionError extends ConnectorError {
  readonly salesOrderNo: string;
  readonly reference: string;
  readonly existingReference: string;

  constructor(existing: SalesOrder, wanted: SalesOrder) {
    const record = `sales order ${wanted.SalesOrderNo}`;
    super(
      `${record}: Sage 100 already has sales order ${existing.SalesOrderNo} for customer ${existing.ARDivisionNo}-${existing.CustomerNo} with CustomerPONo "${existing.CustomerPONo}", not for "${wanted.CustomerPONo}"; it was left unchanged`,
      {
        code: 'sage100.collision',
        record,
        field: 'SalesOrderNo',
        hint: 'Two different orders map to the same Sage sales order number. Give the order mapper a number prefix that nothing else in Sage uses, then send the order again.',
        retryable: false,
      },
    );
    this.salesOrderNo = wanted.SalesOrderNo;
    this.reference = wanted.CustomerPONo;
    this.existingReference = existing.CustomerPONo;
  }
}

function recordOf(input: unknown): string | undefined {
  const number = (input as { SalesOrderNo?: unknown } | undefined)?.SalesOrderNo;
  return typeof number === 'string' ? `sales order ${number}` : undefined;
}

/** Sage pads with spaces and may upper-case a PO number; the reference is the same either way. */
function sameReference(a: string, b: string): boolean {
  return a.trim().toUpperCase() === b.trim().toUpperCase();
}

/** An error after which the create may or may not have been committed. */
function outcomeUnknown(err: unknown): boolean {
  if (err instanceof TimeoutError) return true;
  if (err instanceof NetworkError) return err.reachedServer;
  if (err instanceof Sage100Error) return err.retryable;
  if (err instanceof HttpError) return err.status >= 500;
  return false;
}

function settle(existing: SalesOrder, wanted: SalesOrder): SalesOrderResult {
  if (!sameReference(existing.CustomerPONo ?? '', wanted.CustomerPONo)) throw new SalesOrderCollisionError(existing, wanted);
  return { outcome: 'already-posted', salesOrder: existing };
}

/** The order with this number, or undefined; the number is checked first so a typo fails clearly. */
export async function getSalesOrder(client: Sage100Client, salesOrderNo: unknown): Promise<SalesOrder | undefined> {
  const number = parseWith(salesOrderNoSchema, salesOrderNo, { what: 'Sales order number', record: typeof salesOrderNo === 'string' ? `sales order ${salesOrderNo}` : undefined });
  return client.getSalesOrder(number);
}

/**
 * Creates the order unless Sage already has it: through the agent in one call (open orders, SO history and invoice
 * history are searched there), otherwise by reading before creating. Found with the same CustomerPONo: already posted. Found with
 * another: a collision error, nothing written. A create that fails WS_AlreadyExists or with an unknown outcome is
 * read back and settled the same way; if it is not there, the create's own error is raised (retryable when
 * trying again later is safe, which it is: the next attempt reads first).
 */
export async function createSalesOrderIfAbsent(client: Sage100Client, input: unknown): Promise<SalesOrderResult> {
  const record = recordOf(input);
  // Before anything is asked of Sage (even its lengths): without the reference a repeat cannot be recognized.
  const reference = (input as { CustomerPONo?: unknown } | undefined)?.CustomerPONo;
  if (typeof reference === 'string' && !reference.trim()) {
    throw new ValidationError(`${record}: CustomerPONo is empty; it must carry the web order reference so a repeat is recognized`, {
      code: 'validation.invalid',
      field: 'CustomerPONo',
      record,
      hint: 'Map the BigCommerce order id into CustomerPONo (the order mapper does this).',
    });
  }
  const wanted = await parseSalesOrder(client, input, { what: 'Sales order', record });

  // The agent looks in the open file and in Sage's history, and creates, in one call; after an unknown outcome
  // the same call again finds the order the first one may have created.
  const ensured = await client.ensureSalesOrder?.(wanted).catch((err: unknown) => {
    if (outcomeUnknown(err)) return client.ensureSalesOrder?.(wanted);
    throw err;
  });
  if (ensured?.outcome === 'created') return { outcome: 'created', salesOrder: ensured.salesOrder };
  if (ensured) return { ...settle(ensured.salesOrder, wanted), ...(ensured.foundIn && { foundIn: ensured.foundIn }) };

  const existing = await client.getSalesOrder(wanted.SalesOrderNo);
  if (existing) return settle(existing, wanted);

  try {
    await client.createSalesOrder(wanted);
  } catch (err) {
    const raced = err instanceof Sage100Error && err.sageCode === SAGE_CODES.alreadyExists;
    if (!raced && !outcomeUnknown(err)) throw err;
    const readBack = await client.getSalesOrder(wanted.SalesOrderNo);
    if (!readBack) throw err;
    return settle(readBack, wanted);
  }
  const stored = await client.getSalesOrder(wanted.SalesOrderNo);
  return { outcome: 'created', salesOrder: stored ?? wanted };
}
