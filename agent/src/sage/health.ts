import type { BoiRecordSet } from '../boi/types';
import type { SageLogicOptions } from './options';
import type { BoiSession } from './session';

/**
 * What `health` reports about Sage: its version, the company, and the real lengths of the columns the order
 * mapper writes, read from the company's dictionary, so the Node-RED side cuts text to this company's lengths.
 */

export const MAPPED_COLUMNS = {
  SO_SalesOrderHeader: ['CustomerPONo', 'BillToName', 'BillToAddress1', 'BillToAddress2', 'BillToAddress3', 'BillToCity', 'BillToState', 'BillToZipCode', 'ShipToName', 'ShipToAddress1', 'ShipToAddress2', 'ShipToAddress3', 'ShipToCity', 'ShipToState', 'ShipToZipCode', 'ShipVia', 'Comment', 'EmailAddress'],
  SO_SalesOrderDetail: ['ItemCode', 'ItemCodeDesc', 'CommentText'],
  AR_Customer: ['CustomerNo', 'CustomerName', 'AddressLine1', 'AddressLine2', 'AddressLine3', 'City', 'State', 'ZipCode', 'TelephoneNo', 'EmailAddress'],
} as const;

export type ColumnLengths = Record<keyof typeof MAPPED_COLUMNS, Record<string, number>>;

async function lengthsOf(record: BoiRecordSet, columns: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const column of columns) {
    try {
      const length = await record.nGetColumnLength(`${column}$`);
      if (length > 0) out[column] = length;
    } catch {
      // UNCONFIRMED call on a live Sage: a length Sage cannot give is left out, and the mapper keeps its own.
    }
  }
  return out;
}

export async function sageFacts(session: BoiSession, logic: SageLogicOptions): Promise<{ sageVersion: string; companyName: string; columnLengths: ColumnLengths }> {
  const orders = await session.object(logic.objects.salesOrder);
  const customers = await session.object(logic.objects.customer);
  return {
    sageVersion: await session.sageVersion(),
    companyName: await session.companyName(),
    columnLengths: {
      SO_SalesOrderHeader: await lengthsOf(orders, MAPPED_COLUMNS.SO_SalesOrderHeader),
      SO_SalesOrderDetail: await lengthsOf(await orders.oLines(), MAPPED_COLUMNS.SO_SalesOrderDetail),
      AR_Customer: await lengthsOf(customers, MAPPED_COLUMNS.AR_Customer),
    },
  };
}
