import { z } from 'zod';
import { parseWith } from '../errors';
import { SAGE_FIELD_LIMITS, customerSchema, salesOrderSchema, type Customer, type SageFieldLimits, type SalesOrder } from './types';

/**
 * Field lengths differ between Sage companies: 4.x layouts (names and address lines 30) and current ones (50/40).
 * The agent's `health` reports the company's own (`columnLengths`, by table and column); SOAP mode has the
 * mapper's version profile. The records are checked at those lengths, never at one fixed set.
 */

/** Field lengths of Sage 4.x layouts (the conservative SAGE_FIELD_LIMITS) and of current versions. */
export const LENGTH_PROFILES: Record<'older' | 'current', SageFieldLimits> = {
  older: { ...SAGE_FIELD_LIMITS },
  current: { ...SAGE_FIELD_LIMITS, Name: 50, AddressLine: 40, City: 30, CustomerPONo: 30 },
};

/** Which company columns each limit stands for: the shortest of them counts. */
const COLUMNS_OF: Partial<Record<keyof SageFieldLimits, string[]>> = {
  Name: ['SO_SalesOrderHeader.BillToName', 'SO_SalesOrderHeader.ShipToName', 'AR_Customer.CustomerName'],
  AddressLine: ['BillToAddress1', 'BillToAddress2', 'BillToAddress3', 'ShipToAddress1', 'ShipToAddress2', 'ShipToAddress3'].map((c) => `SO_SalesOrderHeader.${c}`).concat(['AddressLine1', 'AddressLine2', 'AddressLine3'].map((c) => `AR_Customer.${c}`)),
  City: ['SO_SalesOrderHeader.BillToCity', 'SO_SalesOrderHeader.ShipToCity', 'AR_Customer.City'],
  State: ['SO_SalesOrderHeader.BillToState', 'SO_SalesOrderHeader.ShipToState', 'AR_Customer.State'],
  ZipCode: ['SO_SalesOrderHeader.BillToZipCode', 'SO_SalesOrderHeader.ShipToZipCode', 'AR_Customer.ZipCode'],
  CustomerPONo: ['SO_SalesOrderHeader.CustomerPONo'],
  ShipVia: ['SO_SalesOrderHeader.ShipVia'],
  Comment: ['SO_SalesOrderHeader.Comment'],
  EmailAddress: ['SO_SalesOrderHeader.EmailAddress', 'AR_Customer.EmailAddress'],
  ItemCode: ['SO_SalesOrderDetail.ItemCode'],
  ItemCodeDesc: ['SO_SalesOrderDetail.ItemCodeDesc'],
  CommentText: ['SO_SalesOrderDetail.CommentText'],
  CustomerNo: ['AR_Customer.CustomerNo'],
  TelephoneNo: ['AR_Customer.TelephoneNo'],
};

const columnLengthsSchema = z.record(z.string(), z.record(z.string(), z.number().int().positive()));

/** The agent's `health.columnLengths` (by table and column) as limits by SAGE_FIELD_LIMITS name; unknown shapes give {}. */
export function limitsFromColumnLengths(raw: unknown): Partial<SageFieldLimits> {
  const parsed = columnLengthsSchema.safeParse(raw);
  if (!parsed.success) return {};
  const out: Partial<SageFieldLimits> = {};
  for (const [limit, columns] of Object.entries(COLUMNS_OF) as Array<[keyof SageFieldLimits, string[]]>) {
    const lengths = columns
      .map((qualified) => {
        const [table, column] = qualified.split('.') as [string, string];
        return parsed.data[table]?.[column];
      })
      .filter((length): length is number => length !== undefined);
    if (lengths.length > 0) out[limit] = Math.min(...lengths);
  }
  return out;
}

/** The sales order and customer schemas at these lengths (the static ones hold the conservative lengths). */
export function schemasAtLengths(limits: SageFieldLimits) {
  const upto = (n: number) => z.string().max(n, `at most ${n} characters`).optional();
  const named = (prefix: string) => ({
    [`${prefix}Name`]: upto(limits.Name),
    [`${prefix}Address1`]: upto(limits.AddressLine),
    [`${prefix}Address2`]: upto(limits.AddressLine),
    [`${prefix}Address3`]: upto(limits.AddressLine),
    [`${prefix}City`]: upto(limits.City),
  });
  return {
    salesOrder: salesOrderSchema.safeExtend({ ...named('BillTo'), ...named('ShipTo'), CustomerPONo: z.string().max(limits.CustomerPONo, `at most ${limits.CustomerPONo} characters`) }),
    customer: customerSchema.extend({
      CustomerName: z.string().min(1).max(limits.Name, `at most ${limits.Name} characters`),
      AddressLine1: upto(limits.AddressLine),
      AddressLine2: upto(limits.AddressLine),
      AddressLine3: upto(limits.AddressLine),
      City: upto(limits.City),
    }),
  };
}

type ParseContext = Parameters<typeof parseWith>[2];
type KnowsLengths = { fieldLimits?(): Promise<Partial<SageFieldLimits> | undefined> };

/**
 * A record checked at the company's lengths when the client knows them (agent), else at the longest a supported
 * version has (Sage's own check, and the dry run before the first write, catch the rest). The shape is checked
 * first, without a call, so a malformed record fails the same whether Sage answers or not.
 */
async function parseAtCompanyLengths(client: KnowsLengths, kind: 'salesOrder' | 'customer', input: unknown, context: ParseContext): Promise<unknown> {
  const schema = (limits: SageFieldLimits): z.ZodType<unknown> => schemasAtLengths(limits)[kind];
  const parsed = parseWith(schema(LENGTH_PROFILES.current), input, context);
  const reported = await client.fieldLimits?.();
  if (!reported || Object.keys(reported).length === 0) return parsed;
  return parseWith(schema({ ...LENGTH_PROFILES.current, ...reported }), input, context);
}

export async function parseSalesOrder(client: KnowsLengths, input: unknown, context: ParseContext): Promise<SalesOrder> {
  return (await parseAtCompanyLengths(client, 'salesOrder', input, context)) as SalesOrder;
}

export async function parseCustomer(client: KnowsLengths, input: unknown, context: ParseContext): Promise<Customer> {
  return (await parseAtCompanyLengths(client, 'customer', input, context)) as Customer;
}
