import { z } from 'zod';
import { ConnectorError } from '../errors';
import type { ItemCursor, Sage100Client } from './client';

/**
 * Invoices and their package tracking numbers for `sage100-invoices` (agent contract 1.1, `GET /v1/invoices`).
 * Sage has no events, so invoices are found by polling DateUpdated/TimeUpdated from a cursor. An invoice is read
 * again when the daily sales journal posts it (same InvoiceNo, `posted` true): the shipment side recognises it.
 */

export const invoiceLineSchema = z.looseObject({
  ItemCode: z.string().transform((code) => code.trim()),
  QuantityShipped: z.number(),
  ItemType: z.string().optional(),
  SalesOrderLineKey: z.string().optional(),
});

export const invoiceSchema = z.looseObject({
  InvoiceNo: z.string().transform((no) => no.trim()),
  posted: z.boolean(),
  SalesOrderNo: z.string().transform((no) => no.trim()),
  CustomerPONo: z.string().transform((no) => no.trim()),
  ShipVia: z.string().transform((via) => via.trim()),
  ShipDate: z.string(),
  DateUpdated: z.string(),
  TimeUpdated: z.string(),
  Lines: z.array(invoiceLineSchema),
  TrackingNumbers: z.array(z.string().transform((id) => id.trim())).transform((ids) => ids.filter((id) => id !== '')),
});

export type SageInvoice = z.output<typeof invoiceSchema>;
export type SageInvoiceLine = SageInvoice['Lines'][number];

export interface InvoiceQuery {
  changedSince?: ItemCursor;
  pageToken?: string;
  pageSize?: number;
}

export interface InvoicePage {
  invoices: SageInvoice[];
  nextPageToken?: string;
  /** The agent's clock when the listing began, the same on every page: the next cursor once every page is read. */
  highWater: ItemCursor;
  total: number;
}

export class InvoicesNeedAgentError extends ConnectorError {
  constructor() {
    super('Sage 100 invoices need the Sage 100 agent: eBusiness Web Services (SOAP) has no invoice or shipment operations', {
      code: 'sage100.invoices_need_agent',
      hint: 'Point this node at a Sage 100 configuration in agent mode (the HTTPS agent on the Sage server, contract 1.1 or later).',
      retryable: false,
    });
  }
}

const MAX_PAGES = 10_000;

/** Every invoice changed at or after the cursor (all of them when there is none), every page, and the next cursor. */
export async function collectInvoices(client: Sage100Client, cursor: ItemCursor | undefined, pageSize?: number): Promise<{ invoices: SageInvoice[]; nextCursor?: ItemCursor }> {
  if (client.mode !== 'agent' || !client.listInvoices) throw new InvoicesNeedAgentError();
  const invoices: SageInvoice[] = [];
  let nextCursor: ItemCursor | undefined;
  let pageToken: string | undefined;
  let pages = 0;
  do {
    if (pages++ >= MAX_PAGES) {
      throw new ConnectorError(`Sage 100 agent: the invoice listing did not end after ${MAX_PAGES} pages`, {
        code: 'sage100.invoices_paging',
        hint: 'The agent keeps handing out page tokens; check the agent version against docs/sage100-agent-api.yaml.',
      });
    }
    const page = await client.listInvoices({ changedSince: cursor, pageToken, pageSize });
    invoices.push(...page.invoices);
    nextCursor = page.highWater;
    pageToken = page.nextPageToken;
  } while (pageToken);
  return { invoices, nextCursor: nextCursor ?? cursor };
}

/**
 * Invoices still to be accepted by the store, earlier ones first; an invoice in both lists is taken from `fresh`
 * (Sage's newer state, e.g. posted since).
 */
export function mergePending(pending: readonly SageInvoice[], fresh: readonly SageInvoice[]): SageInvoice[] {
  const freshNos = new Set(fresh.map((invoice) => invoice.InvoiceNo));
  const unique = new Map<string, SageInvoice>();
  for (const invoice of [...pending.filter((old) => !freshNos.has(old.InvoiceNo)), ...fresh]) unique.set(invoice.InvoiceNo, invoice);
  return [...unique.values()];
}
