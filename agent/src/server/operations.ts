import type OpenAPIBackend from 'openapi-backend';
import type { Context } from 'openapi-backend';
import type { AgentLog } from '../runtime-options';
import { createCustomer, findCustomersByEmail, getCustomer, updateCustomer, upsertCustomer, type CustomerKey, type UpsertRequest } from '../sage/customers';
import { CODES, SageAnswerError } from '../sage/errors';
import { sageFacts } from '../sage/health';
import { getItemPrices, listItemSummaries, listStock, type Stamp, type StockRow } from '../sage/inventory';
import { listInvoices } from '../sage/invoices';
import { StockSnapshots } from '../sage/stock-changes';
import type { SageLogicOptions } from '../sage/options';
import { createSalesOrder, ensureSalesOrder, getSalesOrder, type SalesOrderInput } from '../sage/sales-orders';
import { validateSalesOrder, type ValidateInput } from '../sage/validate';
import type { BoiSession, SessionPool } from '../sage/session';
import { decodeToken, encodeToken, ListingCache, page } from './paging';

/** One HTTP answer: a status and a JSON body. */
export interface Reply {
  status: number;
  body: unknown;
}

/** The contract's apiVersion: the Node-RED side checks it before using the operations added in it. */
export const API_VERSION = '1.3';

interface OperationContext {
  logic: SageLogicOptions;
  poolOf: (company: string) => SessionPool;
  now: () => Stamp;
  agentVersion: string;
  log: AgentLog;
  /** The agent's data folder (stock generations per client); undefined keeps them in memory. */
  dataDir?: string;
}

/** Query values arrive as a string or, when repeated, an array. */
function list(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value]).map(String);
}

const companyOf = (c: Context) => String(c.request.headers['x-sage-company']).toUpperCase();
const pageSizeOf = (c: Context) => Number(c.request.query.pageSize ?? 100);
const customerKeyOf = (c: Context): CustomerKey => ({ ARDivisionNo: String(c.request.params.arDivisionNo), CustomerNo: decodeURIComponent(String(c.request.params.customerNo)) });
const stampQuery = (c: Context): Stamp | undefined =>
  c.request.query.changedSinceDate === undefined ? undefined : { DateUpdated: String(c.request.query.changedSinceDate), TimeUpdated: String(c.request.query.changedSinceTime ?? '0') };

export function registerOperations(api: OpenAPIBackend, context: OperationContext): void {
  const { logic } = context;
  const listings = new ListingCache();
  const stockSnapshots = new StockSnapshots(context.dataDir);
  const read = <T>(c: Context, work: (session: BoiSession) => Promise<T>) => context.poolOf(companyOf(c)).use('read', work);
  const write = <T>(c: Context, work: (session: BoiSession) => Promise<T>) => context.poolOf(companyOf(c)).use('write', work);

  api.register({
    getHealth: async (c: Context): Promise<Reply> => {
      const facts = await read(c, (session) => sageFacts(session, logic));
      return {
        status: 200,
        body: {
          status: 'ok',
          apiVersion: API_VERSION,
          agentVersion: context.agentVersion,
          sageVersion: facts.sageVersion,
          company: { code: companyOf(c), name: facts.companyName },
          serverTime: context.now(),
          columnLengths: facts.columnLengths,
        },
      };
    },

    getSalesOrder: async (c: Context): Promise<Reply> => {
      const salesOrderNo = String(c.request.params.salesOrderNo);
      const order = await read(c, (session) => getSalesOrder(session, logic, salesOrderNo));
      if (!order) throw new SageAnswerError(CODES.noKey, `Sales order ${salesOrderNo} does not exist.`, { status: 404, object: logic.objects.salesOrder.className });
      return { status: 200, body: order };
    },

    createSalesOrder: async (c: Context): Promise<Reply> => {
      const input = c.request.requestBody as SalesOrderInput;
      const { order, warnings } = await write(c, (session) => createSalesOrder(session, logic, input));
      if (warnings.length > 0) context.log('warn', 'Sage warnings on a new sales order', { salesOrderNo: input.SalesOrderNo, warnings });
      return { status: 201, body: order };
    },

    ensureSalesOrder: async (c: Context): Promise<Reply> => {
      const input = c.request.requestBody as SalesOrderInput;
      const result = await write(c, (session) => ensureSalesOrder(session, logic, input));
      return { status: result.outcome === 'created' ? 201 : 200, body: result };
    },

    validateSalesOrder: async (c: Context): Promise<Reply> => {
      const input = c.request.requestBody as ValidateInput;
      // The write lane: it sets columns on the objects a create uses, so it must not interleave with a create.
      return { status: 200, body: await write(c, (session) => validateSalesOrder(session, logic, input)) };
    },

    getCustomer: async (c: Context): Promise<Reply> => {
      const key = customerKeyOf(c);
      const customer = await read(c, (session) => getCustomer(session, logic, key));
      if (!customer) throw new SageAnswerError(CODES.noKey, `Customer ${key.ARDivisionNo}-${key.CustomerNo} does not exist.`, { status: 404, object: logic.objects.customer.className });
      return { status: 200, body: customer };
    },

    findCustomers: async (c: Context): Promise<Reply> => {
      const email = String(c.request.query.email);
      return { status: 200, body: { customers: await read(c, (session) => findCustomersByEmail(session, logic, email)) } };
    },

    createCustomer: async (c: Context): Promise<Reply> => {
      const input = c.request.requestBody as CustomerKey & Record<string, unknown>;
      return { status: 201, body: await write(c, (session) => createCustomer(session, logic, input)) };
    },

    updateCustomer: async (c: Context): Promise<Reply> => {
      const key = customerKeyOf(c);
      const body = c.request.requestBody as Record<string, unknown>;
      for (const [name, value] of Object.entries(key)) {
        if (body[name] !== undefined && body[name] !== value) {
          throw new SageAnswerError('BadRequest', `${name} in the body (${String(body[name])}) does not match the path (${value}).`, { status: 400 });
        }
      }
      return { status: 200, body: await write(c, (session) => updateCustomer(session, logic, key, body)) };
    },

    upsertCustomer: async (c: Context): Promise<Reply> => {
      type Body = Omit<UpsertRequest, 'updatable'> & { customer: CustomerKey & Record<string, unknown>; updatableFields: string[]; keepFields?: string[] };
      const { customer, updatableFields, keepFields, ...rest } = c.request.requestBody as Body;
      const result = await write(c, (session) => upsertCustomer(session, logic, customer, { ...rest, updatable: updatableFields, keep: keepFields }));
      if ('problems' in result) {
        const what = `Sage 100 would refuse sales order ${String(rest.salesOrder?.SalesOrderNo)}; nothing was written`;
        return { status: 422, body: { code: 'OrderRefused', message: `${what}: ${result.problems.map((problem) => `${problem.record} ${problem.column}: ${problem.message}`).join('; ')}`, problems: result.problems } };
      }
      return { status: result.outcome === 'created' ? 201 : 200, body: result };
    },

    listItems: async (c: Context): Promise<Reply> => {
      type Query = { changedSince?: Stamp; itemTypes?: string[] };
      const token = decodeToken<Query>(c.request.query.pageToken);
      const query: Query = token?.query ?? { changedSince: stampQuery(c), itemTypes: list(c.request.query.itemType) };
      const asOf = token?.asOf ?? context.now();
      const key = JSON.stringify(['items', companyOf(c), query, asOf]);
      const rows = await listings.get(key, () => read(c, (session) => listItemSummaries(session, logic, query)));
      const total = token?.total ?? rows.length;
      const { slice, last } = page(rows, (row) => row.ItemCode, token?.after, pageSizeOf(c));
      return { status: 200, body: { items: slice, ...(last !== undefined && { nextPageToken: encodeToken({ after: last, total, asOf, query }) }), total, asOf } };
    },

    getItemPrices: async (c: Context): Promise<Reply> => {
      const codes = list(c.request.query.itemCode) ?? [];
      return { status: 200, body: { prices: await read(c, (session) => getItemPrices(session, logic, codes)) } };
    },

    listStock: async (c: Context): Promise<Reply> => {
      type Query = { itemCodes?: string[]; warehouses?: string[] };
      const token = decodeToken<Query>(c.request.query.pageToken);
      const query: Query = token?.query ?? { itemCodes: list(c.request.query.itemCode), warehouses: list(c.request.query.warehouseCode) };
      const key = JSON.stringify(['stock', companyOf(c), query, token?.total ?? 'first']);
      const make = () => read(c, (session) => listStock(session, logic, query));
      const rows = token ? await listings.get(key, make) : await make();
      const total = token?.total ?? rows.length;
      const keyOf = (row: { ItemCode: string; WarehouseCode: string }) => `${row.ItemCode}\u0000${row.WarehouseCode}`;
      const { slice, last } = page(rows, keyOf, token?.after, pageSizeOf(c));
      return {
        status: 200,
        body: { rows: slice.map(({ DateUpdated, TimeUpdated, ...row }) => ({ ...row, DateUpdated, TimeUpdated })), ...(last !== undefined && { nextPageToken: encodeToken({ after: last, total, query }) }), total },
      };
    },

    listStockChanges: async (c: Context): Promise<Reply> => {
      type Query = { token: string; baseline: boolean; resync: boolean; scanned: number };
      const company = companyOf(c);
      const clientId = String(c.request.query.clientId);
      const keyOf = (row: { ItemCode: string; WarehouseCode: string }) => `${row.ItemCode}\u0000${row.WarehouseCode}`;
      const pageToken = decodeToken<Query>(c.request.query.pageToken);
      let answer: Query & { rows: readonly StockRow[] };
      if (pageToken?.query) {
        const rows = await stockSnapshots.changedRows(company, clientId, pageToken.query.token);
        if (!rows) throw new SageAnswerError('BadRequest', 'This answer is no longer held (the agent restarted); ask again with the same since.', { status: 400 });
        answer = { ...pageToken.query, rows };
      } else {
        const warehouses = list(c.request.query.warehouseCode)?.map((code) => code.toUpperCase());
        const scope = [...new Set(warehouses ?? [])].sort().join(',');
        const since = c.request.query.since === undefined ? undefined : String(c.request.query.since);
        const scan = await read(c, (session) => listStock(session, logic, { warehouses }));
        answer = await stockSnapshots.changesSince(company, clientId, since, scope, scan, context.now());
      }
      const { rows, ...query } = answer;
      const { slice, last } = page(rows, keyOf, pageToken?.after, pageSizeOf(c));
      const next = last !== undefined && encodeToken({ after: last, total: rows.length, query: { token: query.token, baseline: query.baseline, resync: query.resync, scanned: query.scanned } });
      return { status: 200, body: { rows: slice, ...(next && { nextPageToken: next }), total: rows.length, ...query } };
    },

    listInvoices: async (c: Context): Promise<Reply> => {
      type Query = { changedSince?: Stamp };
      const token = decodeToken<Query>(c.request.query.pageToken);
      const query: Query = token?.query ?? { changedSince: stampQuery(c) };
      const asOf = token?.asOf ?? context.now();
      const key = JSON.stringify(['invoices', companyOf(c), query, asOf]);
      const rows = await listings.get(key, () => read(c, (session) => listInvoices(session, logic, query.changedSince)));
      const keyOf = (row: { DateUpdated: string; TimeUpdated: string; InvoiceNo: string }) => `${row.DateUpdated}${Number.parseFloat(row.TimeUpdated).toFixed(5).padStart(8, '0')}${row.InvoiceNo}`;
      const total = token?.total ?? rows.length;
      const { slice, last } = page(rows, keyOf, token?.after, pageSizeOf(c));
      return { status: 200, body: { invoices: slice, ...(last !== undefined && { nextPageToken: encodeToken({ after: last, total, asOf, query }) }), total, asOf } };
    },
  });
}
