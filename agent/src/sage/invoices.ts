import type { SageLogicOptions } from './options';
import { browse, parseColumns, pvxText, readColumns, type SageRecord } from './records';
import type { BoiSession } from './session';
import type { Stamp } from './inventory';

/**
 * Invoices and shipments since a cursor, for the store's shipment updates: open invoices (SO_InvoiceHeader, before
 * the daily sales journal update) and posted ones (AR_InvoiceHistoryHeader), each with its lines (ItemCode,
 * quantity shipped, the sales-order line it ships, UDFs) and its package tracking numbers. An invoice shows up
 * again once posted (its DateUpdated changes); the InvoiceNo identifies it.
 */

export interface Invoice extends Stamp {
  InvoiceNo: string;
  posted: boolean;
  Lines: SageRecord[];
  TrackingNumbers: string[];
  [column: string]: unknown;
}

const compare = (a: Invoice, b: Invoice) =>
  a.DateUpdated !== b.DateUpdated ? (a.DateUpdated < b.DateUpdated ? -1 : 1) : Number.parseFloat(a.TimeUpdated) - Number.parseFloat(b.TimeUpdated) || (a.InvoiceNo < b.InvoiceNo ? -1 : a.InvoiceNo > b.InvoiceNo ? 1 : 0);

export async function listInvoices(session: BoiSession, logic: SageLogicOptions, since?: Stamp): Promise<Invoice[]> {
  const out: Invoice[] = [];
  const sources = [
    { header: logic.objects.invoice, tracking: logic.objects.invoiceTracking, linesTable: 'SO_InvoiceDetail', posted: false },
    { header: logic.objects.invoiceHistory, tracking: logic.objects.invoiceHistoryTracking, linesTable: 'AR_InvoiceHistoryDetail', posted: true },
  ];
  for (const source of sources) {
    const headers = await session.object(source.header);
    const tracking = await session.object(source.tracking);
    const headerColumns = parseColumns(await headers.sGetColumns());
    const lineColumns = parseColumns(await headers.sGetColumns(source.linesTable));
    const found = await browse(headers, since ? `DateUpdated$>=${pvxText(since.DateUpdated)}` : '', async () => {
      const header = await readColumns(headers, headerColumns);
      const stamp = { DateUpdated: String(header.DateUpdated ?? ''), TimeUpdated: String(header.TimeUpdated ?? '0') };
      if (since && stamp.DateUpdated === since.DateUpdated && Number.parseFloat(stamp.TimeUpdated) < Number.parseFloat(since.TimeUpdated)) return undefined;
      const lines = await headers.oLines();
      const rows: SageRecord[] = [];
      for (let more = await lines.nMoveFirst(); more !== 0 && (await lines.nEOF()) === 0; more = await lines.nMoveNext()) rows.push(await readColumns(lines, lineColumns));
      return { ...header, ...stamp, InvoiceNo: String(header.InvoiceNo), posted: source.posted, Lines: rows, TrackingNumbers: [] as string[] } as Invoice;
    });
    for (const invoice of found) {
      invoice.TrackingNumbers = (
        await browse(tracking, `InvoiceNo$=${pvxText(invoice.InvoiceNo)}`, async () => String((await readColumns(tracking, [{ name: 'TrackingID', text: true }])).TrackingID ?? ''))
      ).filter((id) => id !== '');
      out.push(invoice);
    }
  }
  return out.sort(compare);
}
