import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { parseWith, redact } from '../errors';
import { HttpError, type RequestSummary } from '../http/errors';
import { withRetry, type RetryPolicy } from '../http/retry';
import { createTransport, type ErrorDescription, type HttpRequest } from '../http/transport';
import type { ConnectionReport, CustomerForOrder, EnsuredSalesOrder, ItemPage, ItemQuery, OrderCheck, Sage100Client, StockChangesAnswer, StockChangesQuery, UpsertedCustomer, UpsertedForOrder } from './client';
import { Sage100Error } from './errors';
import { invoiceSchema, type InvoicePage, type InvoiceQuery } from './invoices';
import { limitsFromColumnLengths } from './lengths';
import { UDF_COLUMN, customerSchema, salesOrderLineSchema, salesOrderSchema, type Customer, type SageFieldLimits, type SageItem, type SalesOrder } from './types';
import { withSerializedWrites } from './write-queue';

/**
 * Sage 100 through the HTTPS agent on the Sage server (docs/sage100-agent-api.yaml): full access to sales
 * orders, customers and inventory. One undici transport with the API key and company headers, the retry layer
 * for requests that are safe to repeat, and the agent's error body turned into a Sage100Error.
 */

export const AGENT_SERVICE_NAME = 'Sage 100 agent';

export interface AgentClientOptions {
  /** e.g. https://sage-server:8443 (the contract's paths start with /v1). */
  baseUrl: string;
  apiKey: string;
  /** Sage's three-character company code, sent as X-Sage-Company. */
  companyCode: string;
  /** The config node's pool (createSageAgent), carrying its TLS trust rule. */
  dispatcher: Dispatcher;
  timeoutMs: number;
  /** Overrides of the retry policy for safe requests (tests shorten the waits). */
  retry?: Partial<RetryPolicy>;
}

/** How many item codes one prices or stock request names (the contract's limit). */
const CODES_PER_REQUEST = 100;
const STOCK_PAGE_SIZE = 500;

const agentErrorSchema = z.object({ code: z.string(), message: z.string() });

/** What the agent's own codes usually mean; Sage's codes are explained by Sage100Error itself. */
const AGENT_HINTS: Record<string, string> = {
  Unauthorized: "The agent refused the API key: copy the key from the agent's configuration into the Sage 100 configuration node.",
  UnknownCompany: 'The agent has no Sage company with this code: check the company code in the Sage 100 configuration node.',
  BadRequest: 'The agent did not accept the request; it may be an older version than this package expects (see docs/sage100-agent-api.yaml).',
  NotFound: 'The base URL does not point at the Sage 100 agent (it should be like https://sage-server:8443, without /v1), or the agent is older than this package.',
  Unavailable: 'The agent is busy or its Sage session is down; it is tried again later.',
  RecordLocked: 'Someone has this record open in the Sage desktop; it is tried again later. Ask them to close it if this persists.',
  DuplicateCustomerPO: 'Sage has this PO number on another order or invoice of the customer that the agent cannot read; check in Sage before sending the order again.',
};

function agentError(body: unknown): { code: string; message: string } | undefined {
  const parsed = agentErrorSchema.safeParse(body);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The agent's error body in words. Like a SOAP fault's text, the agent's message is redacted: an agent (or whatever
 * answers at its URL) may quote the request, API key included, and the message travels to msgs and debug output.
 */
function describeAgentError(status: number, body: unknown, request: RequestSummary, secrets: string[]): ErrorDescription {
  const reported = agentError(body);
  if (!reported) {
    return {
      message: `${AGENT_SERVICE_NAME} answered HTTP ${status} to ${request.method} ${request.path}`,
      code: `http.${status}`,
      hint: status === 404 ? AGENT_HINTS.NotFound : 'The answer did not come from the Sage 100 agent; check the base URL and any proxy in between.',
    };
  }
  return { message: redact(`${AGENT_SERVICE_NAME}: ${reported.message}`, secrets), code: `sage100.${reported.code}` };
}

/** The agent's error body as a Sage100Error naming the record (its text redacted); other failures pass through. */
function asSageError(err: unknown, secrets: string[], record?: string): unknown {
  if (!(err instanceof HttpError)) return err;
  const reported = agentError(err.body);
  if (!reported) return err;
  const retryable = err.retryable || reported.code === 'RecordLocked';
  return new Sage100Error(redact(reported.code, secrets), redact(reported.message, secrets), { record, hint: AGENT_HINTS[reported.code], retryable });
}

const healthSchema = z.object({
  apiVersion: z.string().optional(),
  agentVersion: z.string(),
  sageVersion: z.string(),
  company: z.object({ code: z.string(), name: z.string() }),
  columnLengths: z.unknown().optional(),
});

const stampSchema = z.object({ DateUpdated: z.string(), TimeUpdated: z.string() });
const itemPageSchema = z.object({
  items: z.array(z.object({ ItemCode: z.string(), ItemCodeDesc: z.string().optional(), DateUpdated: z.string(), TimeUpdated: z.string() })),
  nextPageToken: z.string().optional(),
  total: z.number(),
  asOf: stampSchema,
});
const pricesSchema = z.object({
  prices: z.array(
    z.object({
      ItemCode: z.string(),
      StandardUnitPrice: z.number(),
      SuggestedRetailPrice: z.number(),
      SalesPromotionPrice: z.number(),
      // Agent 1.1 and later.
      SaleStartingDate: z.string().optional(),
      SaleEndingDate: z.string().optional(),
      SaleMethod: z.string().optional(),
      InactiveItem: z.boolean().optional(),
      Discontinued: z.boolean().optional(),
      priceCodes: z
        .array(z.object({ PriceCode: z.string(), CustomerPriceLevel: z.string(), PricingMethod: z.string(), breaks: z.array(z.object({ BreakQuantity: z.number(), DiscountMarkup: z.number() })) }))
        .optional(),
    }),
  ),
});
const stockPageSchema = z.object({
  rows: z.array(z.object({ ItemCode: z.string(), WarehouseCode: z.string(), QuantityOnHand: z.number(), QuantityOnSalesOrder: z.number(), QuantityOnBackOrder: z.number() })),
  nextPageToken: z.string().optional(),
});
const stockChangesSchema = stockPageSchema.extend({ token: z.string(), baseline: z.boolean(), resync: z.boolean(), scanned: z.number() });
const invoicePageSchema = z.object({ invoices: z.array(invoiceSchema), nextPageToken: z.string().optional(), total: z.number(), asOf: stampSchema });
const recordSchema = z.record(z.string(), z.unknown());
const salesOrderRecordSchema = z.looseObject({ SalesOrderNo: z.string(), Lines: z.array(recordSchema) });
const customerRecordSchema = z.looseObject({ ARDivisionNo: z.string(), CustomerNo: z.string() });
const ensureSchema = z.object({
  outcome: z.enum(['created', 'existing']),
  foundIn: z.enum(['open', 'history', 'invoice-history']).optional(),
  salesOrder: salesOrderRecordSchema,
});
const checkSchema = z.object({ problems: z.array(z.object({ record: z.string(), column: z.string(), code: z.string(), message: z.string() })) });
const upsertSchema = z.object({ outcome: z.enum(['created', 'updated', 'unchanged']), changedFields: z.array(z.string()), customer: customerRecordSchema });
const upsertForOrderSchema = upsertSchema.extend({
  skipped: z.array(z.object({ field: z.string(), reason: z.enum(['emptier', 'shortened', 'truncated']) })).default([]),
  templateFound: z.boolean().optional(),
  // Contract 1.3: the agent checked the order; without it the agent did not, and its answer cannot be trusted as checked.
  orderChecked: z.literal(true),
});
const refusedSchema = z.object({ code: z.literal('OrderRefused'), problems: checkSchema.shape.problems.min(1) });

/** True when the agent's contract (health `apiVersion`, e.g. "1.3") is at least `wanted`. */
function contractAtLeast(apiVersion: string | undefined, wanted: string): boolean {
  const [major = 0, minor = 0] = (apiVersion ?? '1.0').split('.').map(Number);
  const [wantedMajor = 0, wantedMinor = 0] = wanted.split('.').map(Number);
  return major > wantedMajor || (major === wantedMajor && minor >= wantedMinor);
}

/** The price members of an item, with the promotion's dates and InactiveItem when the agent sends them (trimmed). */
function priceColumns(price: z.infer<typeof pricesSchema>['prices'][number]): Partial<SageItem> {
  const { ItemCode: _code, ...columns } = price;
  const trimmed: Partial<SageItem> = { ...columns };
  for (const key of ['SaleStartingDate', 'SaleEndingDate', 'SaleMethod'] as const) {
    const value = columns[key]?.trim();
    if (value) trimmed[key] = value;
    else delete trimmed[key];
  }
  if (columns.priceCodes) {
    trimmed.priceCodes = columns.priceCodes.map((code) => ({ ...code, PriceCode: code.PriceCode.trim(), CustomerPriceLevel: code.CustomerPriceLevel.trim(), PricingMethod: code.PricingMethod.trim() }));
    if (trimmed.priceCodes.length === 0) delete trimmed.priceCodes;
  }
  return trimmed;
}

const ORDER_KEYS = Object.keys(salesOrderSchema.shape).filter((key) => key !== 'Lines');
const LINE_KEYS = Object.keys(salesOrderLineSchema.shape);
const CUSTOMER_KEYS = Object.keys(customerSchema.shape);

/**
 * The members our record types know, trimmed (ProvideX pads with spaces) and without blanks: the same record
 * whichever way Sage is reached, without the audit columns and totals Sage computes.
 */
function known(keys: readonly string[], raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = raw[key];
    if (typeof value === 'string' && value.trim() !== '') out[key] = value.trim();
    else if (typeof value === 'number') out[key] = value;
  }
  return out;
}

/** The members our record type knows, as given: an empty string is sent, so a write can clear a member. */
function writable(keys: readonly string[], record: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([key, value]) => keys.includes(key) && value !== undefined));
}

function chunks<T>(values: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

export function createAgentClient(options: AgentClientOptions): Sage100Client {
  const base = new URL(options.baseUrl);
  const companyCode = options.companyCode.toUpperCase();
  const companyKey = `${base.host}/${companyCode}`;
  const secrets = [options.apiKey];
  const send = withRetry(
    withSerializedWrites(
      createTransport({
        baseUrl: options.baseUrl,
        dispatcher: options.dispatcher,
        timeoutMs: options.timeoutMs,
        service: AGENT_SERVICE_NAME,
        defaultHeaders: { 'x-api-key': options.apiKey, 'x-sage-company': companyCode },
        describeError: (status, body, request) => describeAgentError(status, body, request, secrets),
      }),
      companyKey,
      (request) => request.method !== 'GET',
    ),
    { retries: 2, baseDelayMs: 500, maxDelayMs: 4000, ...options.retry },
  );

  async function call<T>(request: HttpRequest, schema: z.ZodType<T>, record?: string): Promise<T> {
    try {
      const response = await send(request);
      return parseWith(schema, response.body, { what: `${AGENT_SERVICE_NAME} answer to ${request.method} ${request.path}`, record, code: 'sage100.agent_response' });
    } catch (err) {
      throw asSageError(err, secrets, record);
    }
  }

  /** A read that answers undefined for Sage's "no such key" (CI_NoKey), not for a wrong URL or company. */
  async function find<T>(request: HttpRequest, schema: z.ZodType<T>, record: string): Promise<T | undefined> {
    try {
      return await call(request, schema, record);
    } catch (err) {
      if (err instanceof Sage100Error && err.sageCode === 'CI_NoKey') return undefined;
      throw err;
    }
  }

  /**
   * An agent older than contract 1.1 answers an operation it lacks with 404 NotFound: the caller falls back, and
   * this client does not ask that agent for it again.
   */
  const lacking = new Set<string>();
  async function newerOperation<T>(request: HttpRequest, schema: z.ZodType<T>, record: string): Promise<T | undefined> {
    if (lacking.has(request.path)) return undefined;
    try {
      return await call(request, schema, record);
    } catch (err) {
      if (!(err instanceof Sage100Error && err.sageCode === 'NotFound')) throw err;
      lacking.add(request.path);
      return undefined;
    }
  }

  // UDF_ columns come back too: what was sent in them must be seen to have arrived.
  const toSalesOrder = (raw: z.infer<typeof salesOrderRecordSchema>) =>
    ({ CustomerPONo: '', ...known(ORDER_KEYS, raw), ...known(Object.keys(raw).filter((key) => UDF_COLUMN.test(key)), raw), Lines: raw.Lines.map((line) => known([...LINE_KEYS, ...Object.keys(line).filter((key) => UDF_COLUMN.test(key))], line)) }) as SalesOrder;

  const customerPath = (arDivisionNo: string, customerNo: string) => `/v1/customers/${encodeURIComponent(arDivisionNo)}/${encodeURIComponent(customerNo)}`;
  const customerRecord = (customer: { ARDivisionNo: string; CustomerNo: string }) => `customer ${customer.ARDivisionNo}-${customer.CustomerNo}`;
  const toCustomer = (raw: Record<string, unknown>) => known(CUSTOMER_KEYS, raw) as Customer;

  async function pricesOf(codes: string[]) {
    const prices = new Map<string, z.infer<typeof pricesSchema>['prices'][number]>();
    for (const batch of chunks(codes, CODES_PER_REQUEST)) {
      const answer = await call({ method: 'GET', path: '/v1/items/prices', query: { itemCode: batch }, idempotent: true, priority: 'bulk' }, pricesSchema);
      for (const price of answer.prices) prices.set(price.ItemCode, price);
    }
    return prices;
  }

  async function stockOf(codes: string[], warehouses: string[] | undefined) {
    const stock = new Map<string, SageItem['warehouses']>();
    for (const batch of chunks(codes, CODES_PER_REQUEST)) {
      let pageToken: string | undefined;
      do {
        const query = { itemCode: batch, warehouseCode: warehouses?.length ? warehouses : undefined, pageToken, pageSize: STOCK_PAGE_SIZE };
        const answer = await call({ method: 'GET', path: '/v1/stock', query, idempotent: true, priority: 'bulk' }, stockPageSchema);
        for (const { ItemCode, ...row } of answer.rows) stock.set(ItemCode, [...(stock.get(ItemCode) ?? []), row]);
        pageToken = answer.nextPageToken;
      } while (pageToken);
    }
    return stock;
  }

  // The company's lengths and the agent's contract do not change while it runs: health is read once per client
  // (a failed read is tried again on the next call).
  let health: Promise<z.infer<typeof healthSchema>> | undefined;
  const facts = () => {
    health ??= call({ method: 'GET', path: '/v1/health', idempotent: true }, healthSchema).catch((err: unknown) => {
      health = undefined;
      throw err;
    });
    return health;
  };

  return {
    mode: 'agent',

    async fieldLimits(): Promise<Partial<SageFieldLimits>> {
      return limitsFromColumnLengths((await facts()).columnLengths);
    },

    async checkConnection(): Promise<ConnectionReport> {
      const health = await call({ method: 'GET', path: '/v1/health', idempotent: true }, healthSchema);
      return {
        mode: 'agent',
        server: `${health.sageVersion} (agent ${health.agentVersion})`,
        company: `${health.company.code} (${health.company.name})`,
        checks: [
          `reached the agent at ${base.host}`,
          'API key accepted',
          `company ${health.company.code} open in ${health.sageVersion} (read only, nothing written)`,
        ],
      };
    },

    async getSalesOrder(salesOrderNo: string): Promise<SalesOrder | undefined> {
      const record = `sales order ${salesOrderNo}`;
      const raw = await find({ method: 'GET', path: `/v1/sales-orders/${encodeURIComponent(salesOrderNo)}`, idempotent: true }, salesOrderRecordSchema, record);
      return raw && toSalesOrder(raw);
    },

    async ensureSalesOrder(order: SalesOrder): Promise<EnsuredSalesOrder | undefined> {
      // Safe to repeat: a repeat finds the order the first attempt created.
      const request: HttpRequest = { method: 'POST', path: '/v1/sales-orders/create-if-absent', body: order, idempotent: true, priority: 'interactive' };
      const answer = await newerOperation(request, ensureSchema, `sales order ${order.SalesOrderNo}`);
      return answer && { outcome: answer.outcome, ...(answer.foundIn && { foundIn: answer.foundIn }), salesOrder: toSalesOrder(answer.salesOrder) };
    },

    async checkSalesOrder(order: SalesOrder, customer?: Customer): Promise<OrderCheck | undefined> {
      // Writes nothing: safe to repeat.
      const body = { salesOrder: order, ...(customer && { customer: writable(CUSTOMER_KEYS, customer) }) };
      const request: HttpRequest = { method: 'POST', path: '/v1/sales-orders/validate', body, idempotent: true, priority: 'interactive' };
      return newerOperation(request, checkSchema, `sales order ${order.SalesOrderNo}`);
    },

    async upsertCustomer(customer: Customer, updatable: readonly string[]): Promise<UpsertedCustomer | undefined> {
      // An absolute write (create, or set members to the values sent): safe to repeat.
      const request: HttpRequest = { method: 'POST', path: '/v1/customers/upsert', body: { customer: writable(CUSTOMER_KEYS, customer), updatableFields: updatable }, idempotent: true, priority: 'interactive' };
      const answer = await newerOperation(request, upsertSchema, customerRecord(customer));
      return answer && { outcome: answer.outcome, changedFields: answer.changedFields, customer: toCustomer(answer.customer) };
    },

    async upsertCustomerForOrder(request: CustomerForOrder): Promise<UpsertedForOrder | OrderCheck | undefined> {
      // An older agent would ignore the order and write the customer unchecked: it is asked only when it says 1.3.
      if (!contractAtLeast((await facts()).apiVersion, '1.3')) return undefined;
      const { customer, salesOrder, updatable, keep, fullerOnly, newCustomer } = request;
      const body = {
        customer: writable(CUSTOMER_KEYS, customer),
        updatableFields: updatable,
        salesOrder,
        ...(keep && { keepFields: keep }),
        ...(fullerOnly && { fullerOnly }),
        ...(newCustomer && { newCustomer }),
      };
      const record = customerRecord(customer);
      // Absolute, and nothing is written when Sage would refuse the order: safe to repeat.
      const http: HttpRequest = { method: 'POST', path: '/v1/customers/upsert', body, idempotent: true, priority: 'interactive' };
      let answer: unknown;
      try {
        answer = (await send(http)).body;
      } catch (err) {
        const refused = err instanceof HttpError && err.status === 422 ? refusedSchema.safeParse(err.body) : undefined;
        if (refused?.success) return { problems: refused.data.problems };
        throw asSageError(err, secrets, record);
      }
      const upserted = parseWith(upsertForOrderSchema, answer, { what: `${AGENT_SERVICE_NAME} answer to POST ${http.path}`, record, code: 'sage100.agent_response' });
      const { outcome, changedFields, skipped, templateFound } = upserted;
      return { outcome, changedFields, customer: toCustomer(upserted.customer), skipped, ...(templateFound !== undefined && { templateFound }) };
    },

    async createSalesOrder(order: SalesOrder): Promise<void> {
      // Create-only on a stable number: a repeat after an unknown outcome answers 409 (WS_AlreadyExists) and changes nothing.
      const request: HttpRequest = { method: 'POST', path: '/v1/sales-orders', body: order, idempotent: true, priority: 'interactive' };
      await call(request, recordSchema, `sales order ${order.SalesOrderNo}`);
    },

    async getCustomer(arDivisionNo: string, customerNo: string): Promise<Customer | undefined> {
      const record = customerRecord({ ARDivisionNo: arDivisionNo, CustomerNo: customerNo });
      const raw = await find({ method: 'GET', path: customerPath(arDivisionNo, customerNo), idempotent: true }, customerRecordSchema, record);
      return raw && toCustomer(raw);
    },

    async createCustomer(customer: Customer): Promise<void> {
      const request: HttpRequest = { method: 'POST', path: '/v1/customers', body: writable(CUSTOMER_KEYS, customer), idempotent: true };
      await call(request, recordSchema, customerRecord(customer));
    },

    async updateCustomer(customer: Customer): Promise<void> {
      // The agent sets only the columns sent, so a full record (as read and merged) is an absolute write: safe to repeat.
      const request: HttpRequest = { method: 'PUT', path: customerPath(customer.ARDivisionNo, customer.CustomerNo), body: writable(CUSTOMER_KEYS, customer), idempotent: true };
      await call(request, recordSchema, customerRecord(customer));
    },

    async findCustomersByEmail(email: string): Promise<Customer[]> {
      const schema = z.object({ customers: z.array(customerRecordSchema) });
      const answer = await call({ method: 'GET', path: '/v1/customers', query: { email }, idempotent: true }, schema, `customers with email ${email}`);
      return answer.customers.map(toCustomer);
    },

    /**
     * One page of regular (stocked) items with their prices and quantities in the chosen warehouses. The page's
     * `highWater` is the agent's clock when the listing began, carried through the page tokens: once every page
     * is read it is the next cursor, and anything changed while the pages were read is at or after it.
     */
    async listItems(query: ItemQuery): Promise<ItemPage> {
      const page = await call(
        {
          method: 'GET',
          path: '/v1/items',
          query: {
            changedSinceDate: query.changedSince?.DateUpdated,
            changedSinceTime: query.changedSince?.TimeUpdated,
            itemType: '1',
            pageToken: query.pageToken,
            pageSize: query.pageSize,
          },
          idempotent: true,
          priority: 'bulk',
        },
        itemPageSchema,
      );
      const codes = page.items.map((item) => item.ItemCode);
      const [prices, stock] = codes.length > 0 ? [await pricesOf(codes), await stockOf(codes, query.warehouses)] : [new Map(), new Map()];
      const items: SageItem[] = page.items.map((item) => {
        const price = prices.get(item.ItemCode);
        return {
          ItemCode: item.ItemCode.trim(),
          ...(item.ItemCodeDesc?.trim() && { ItemCodeDesc: item.ItemCodeDesc.trim() }),
          ...(price && priceColumns(price)),
          DateUpdated: item.DateUpdated,
          TimeUpdated: item.TimeUpdated,
          warehouses: (stock.get(item.ItemCode) ?? []).map((row: SageItem['warehouses'][number]) => ({ ...row, WarehouseCode: row.WarehouseCode.trim() })),
        };
      });
      return { items, nextPageToken: page.nextPageToken, highWater: page.asOf, total: page.total };
    },

    async stockChanges(query: StockChangesQuery): Promise<StockChangesAnswer | undefined> {
      const itemCodes: string[] = [];
      let pageToken: string | undefined;
      let calls = 0;
      let first: z.infer<typeof stockChangesSchema> | undefined;
      do {
        const request: HttpRequest = {
          method: 'GET',
          path: '/v1/stock/changes',
          query: { clientId: query.clientId, since: query.since, warehouseCode: query.warehouses?.length ? query.warehouses : undefined, pageToken, pageSize: STOCK_PAGE_SIZE },
          idempotent: true,
          priority: 'bulk',
        };
        const answer = await newerOperation(request, stockChangesSchema, `stock changes of ${query.clientId}`);
        if (!answer) return undefined;
        calls++;
        first ??= answer;
        for (const row of answer.rows) if (itemCodes[itemCodes.length - 1] !== row.ItemCode) itemCodes.push(row.ItemCode);
        pageToken = answer.nextPageToken;
      } while (pageToken);
      return { itemCodes: [...new Set(itemCodes)], token: first.token, baseline: first.baseline, resync: first.resync, scanned: first.scanned, calls };
    },

    async getItems(itemCodes: readonly string[], warehouses?: string[]): Promise<SageItem[]> {
      const codes = [...new Set(itemCodes)];
      if (codes.length === 0) return [];
      const [prices, stock] = [await pricesOf(codes), await stockOf(codes, warehouses)];
      return codes.flatMap((code) => {
        const price = prices.get(code);
        if (!price) return [];
        return [
          {
            ItemCode: code.trim(),
            ...priceColumns(price),
            warehouses: (stock.get(code) ?? []).map((row) => ({ ...row, WarehouseCode: row.WarehouseCode.trim() })),
          },
        ];
      });
    },

    async listInvoices(query: InvoiceQuery): Promise<InvoicePage> {
      const page = await call(
        {
          method: 'GET',
          path: '/v1/invoices',
          query: { changedSinceDate: query.changedSince?.DateUpdated, changedSinceTime: query.changedSince?.TimeUpdated, pageToken: query.pageToken, pageSize: query.pageSize },
          idempotent: true,
          priority: 'bulk',
        },
        invoicePageSchema,
        'invoices',
      );
      return { invoices: page.invoices, nextPageToken: page.nextPageToken, highWater: page.asOf, total: page.total };
    },

    async close(): Promise<void> {
      // Nothing of its own to release: the dispatcher belongs to the config node, which closes it.
    },
  };
}
