import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import OpenAPIBackend, { type Context, type Document } from 'openapi-backend';
import { parse } from 'yaml';
import { FAULT_CODES, SageFault, type FaultRule, type SageCompany, type SageStamp } from './company';

/**
 * The Sage 100 agent simulator: docs/sage100-agent-api.yaml served over HTTPS from a SageCompany. Routing,
 * the API-key check and request validation come from the contract itself (openapi-backend), so the simulator
 * cannot drift from the document the Windows agent implements. Besides the contract it serves the test
 * hooks `GET /__sim/state` and `POST /__sim/faults`, which need no API key.
 */

export const AGENT_API_PATH = join(__dirname, '..', '..', 'docs', 'sage100-agent-api.yaml');
export const SIMULATED_AGENT_VERSION = '1.0.0-sim';

export interface AgentServerOptions {
  company: SageCompany;
  apiKey: string;
  tls: { key: string; cert: string };
  host?: string;
  port?: number;
}

export interface AgentServer {
  /** Base URL, e.g. https://127.0.0.1:50123 (the contract's paths start with /v1). */
  url: string;
  port: number;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body: unknown;
  /** Set by a "commit then time out" fault: the work is done, the answer comes this much later. */
  holdMs?: number;
}

/** Sage's codes as HTTP statuses; anything else Sage refused is 422 (nothing was stored). */
function statusOf(fault: SageFault): number {
  if (fault.status) return fault.status;
  if (fault.code === FAULT_CODES.noKey) return 404;
  if (fault.code === FAULT_CODES.alreadyExists) return 409;
  if (fault.code === FAULT_CODES.exception) return 500;
  return 422;
}

const error = (status: number, code: string, message: string): Reply => ({ status, body: { code, message } });

/** Query values arrive as a string or, when repeated, an array. */
function list(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value]).map(String);
}

interface PageToken {
  after: string;
  total: number;
  asOf?: SageStamp;
}

function encodeToken(token: PageToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeToken(value: unknown): PageToken | undefined {
  if (value === undefined) return undefined;
  try {
    const token = JSON.parse(Buffer.from(String(value), 'base64url').toString('utf8')) as PageToken;
    if (typeof token.after === 'string' && typeof token.total === 'number') return token;
  } catch {
    // fall through: not one of ours
  }
  throw new SageFault('BadRequest', 'pageToken is not a token this agent handed out; start again without it.', { status: 400 });
}

/** One page of `rows` (ordered by `keyOf`) after the token's position. */
function page<T>(rows: T[], keyOf: (row: T) => string, token: PageToken | undefined, pageSize: number) {
  const start = token ? rows.findIndex((row) => keyOf(row) > token.after) : 0;
  const slice = start < 0 ? [] : rows.slice(start, start + pageSize);
  const last = slice[slice.length - 1];
  const more = start >= 0 && start + pageSize < rows.length && last !== undefined;
  return { slice, after: more ? keyOf(last) : undefined };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

let contract: Document | undefined;

/**
 * The contract, read once per process. Checking the document itself is the contract test's job
 * (test/unit/sage100-agent.test.ts), so the simulator starts in openapi-backend's quick mode.
 */
function loadContract(): Document {
  contract ??= parse(readFileSync(AGENT_API_PATH, 'utf8')) as Document;
  return structuredClone(contract);
}

export async function startAgentServer(options: AgentServerOptions): Promise<AgentServer> {
  const { company } = options;
  const api = new OpenAPIBackend({ definition: loadContract(), strict: true, coerceTypes: true, quick: true });

  /** Runs a company operation under the fault plan and turns its SageFault into the contract's error body. */
  async function run(operation: string, status: number, work: () => unknown): Promise<Reply> {
    try {
      const { result, holdMs } = await company.faults.apply(operation, work);
      return { status, body: result, holdMs };
    } catch (err) {
      if (err instanceof SageFault) return error(statusOf(err), err.code, err.message);
      throw err;
    }
  }

  const pageSizeOf = (c: Context) => Number(c.request.query.pageSize ?? 100);

  api.register({
    getHealth: () =>
      run('getHealth', 200, () => ({
        status: 'ok',
        apiVersion: '1',
        agentVersion: SIMULATED_AGENT_VERSION,
        sageVersion: company.sageVersion,
        company: { code: company.companyCode, name: company.companyName },
        serverTime: company.currentStamp(),
      })),
    getSalesOrder: (c: Context) => run('getSalesOrder', 200, () => company.getSalesOrder(c.request.params.salesOrderNo)),
    createSalesOrder: (c: Context) => run('createSalesOrder', 201, () => company.createSalesOrder(c.request.requestBody as Record<string, unknown>)),
    getCustomer: (c: Context) =>
      run('getCustomer', 200, () => company.getCustomer(String(c.request.params.arDivisionNo), decodeURIComponent(String(c.request.params.customerNo)))),
    findCustomers: (c: Context) => run('findCustomers', 200, () => ({ customers: company.findCustomersByEmail(String(c.request.query.email)) })),
    createCustomer: (c: Context) => run('createCustomer', 201, () => company.createCustomer(c.request.requestBody as Record<string, unknown>)),
    updateCustomer: (c: Context) =>
      run('updateCustomer', 200, () => {
        const keys = { ARDivisionNo: String(c.request.params.arDivisionNo), CustomerNo: decodeURIComponent(String(c.request.params.customerNo)) };
        const body = c.request.requestBody as Record<string, unknown>;
        for (const [name, value] of Object.entries(keys)) {
          if (body[name] !== undefined && body[name] !== value) {
            throw new SageFault('BadRequest', `${name} in the body (${String(body[name])}) does not match the path (${value}).`, { status: 400 });
          }
        }
        return company.updateCustomer({ ...body, ...keys });
      }),
    listItems: (c: Context) =>
      run('listItems', 200, () => {
        const token = decodeToken(c.request.query.pageToken);
        const date = c.request.query.changedSinceDate;
        const changedSince = date === undefined ? undefined : { DateUpdated: String(date), TimeUpdated: String(c.request.query.changedSinceTime ?? '0') };
        const rows = company.listItems({ changedSince, itemTypes: list(c.request.query.itemType) });
        const asOf = token?.asOf ?? company.currentStamp();
        const total = token?.total ?? rows.length;
        const { slice, after } = page(rows, (row) => row.ItemCode, token, pageSizeOf(c));
        return {
          items: slice.map(({ ItemCode, ItemCodeDesc, ItemType, DateUpdated, TimeUpdated }) => ({ ItemCode, ItemCodeDesc, ItemType, DateUpdated, TimeUpdated })),
          ...(after !== undefined && { nextPageToken: encodeToken({ after, total, asOf }) }),
          total,
          asOf,
        };
      }),
    getItemPrices: (c: Context) =>
      run('getItemPrices', 200, () => ({
        prices: company
          .listItems({ itemCodes: list(c.request.query.itemCode) })
          .map(({ ItemCode, StandardUnitPrice, SuggestedRetailPrice, SalesPromotionPrice }) => ({ ItemCode, StandardUnitPrice, SuggestedRetailPrice, SalesPromotionPrice })),
      })),
    listStock: (c: Context) =>
      run('listStock', 200, () => {
        const token = decodeToken(c.request.query.pageToken);
        const rows = company.listStock({ itemCodes: list(c.request.query.itemCode), warehouses: list(c.request.query.warehouseCode) });
        const total = token?.total ?? rows.length;
        const { slice, after } = page(rows, (row) => `${row.ItemCode}\u0000${row.WarehouseCode}`, token, pageSizeOf(c));
        return { rows: slice, ...(after !== undefined && { nextPageToken: encodeToken({ after, total }) }), total };
      }),
    validationFail: (c: Context) => {
      const first = c.validation.errors?.[0];
      const where = first ? `${first.instancePath || (first.params as { missingProperty?: string })?.missingProperty || 'request'}` : 'request';
      return error(400, 'BadRequest', `${where}: ${first?.message ?? 'does not match the contract'}`);
    },
    unauthorizedHandler: () => error(401, 'Unauthorized', 'The API key is missing or wrong.'),
    notFound: () => error(404, 'NotFound', 'No such endpoint on this agent.'),
    methodNotAllowed: () => error(405, 'NotFound', 'This endpoint does not take that method.'),
    preOperationHandler: (c: Context) => {
      const requested = String(c.request.headers['x-sage-company'] ?? '').toUpperCase();
      if (requested !== company.companyCode) {
        throw new SageFault('UnknownCompany', `This agent has no Sage company ${requested}; it serves ${company.companyCode}.`, { status: 404 });
      }
    },
  });
  api.registerSecurityHandler('ApiKey', (c: Context) => sameSecret(String(c.request.headers['x-api-key'] ?? ''), options.apiKey));
  await api.init();

  async function answer(req: IncomingMessage): Promise<Reply> {
    const url = new URL(req.url ?? '/', 'https://simulator');
    const text = await readBody(req);
    if (url.pathname === '/__sim/state' && req.method === 'GET') return { status: 200, body: { ...company.state(), faults: company.faults.pending() } };
    if (url.pathname === '/__sim/faults' && req.method === 'POST') return setFaults(text);
    let body: unknown;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        return error(400, 'BadRequest', 'The request body is not JSON.');
      }
    }
    // Repeated parameters become arrays here: openapi-backend's own parser (qs) turns more than 20 into an object.
    const query: Record<string, string | string[]> = {};
    for (const key of new Set(url.searchParams.keys())) {
      const values = url.searchParams.getAll(key);
      query[key] = values.length > 1 ? values : (values[0] as string);
    }
    try {
      return (await api.handleRequest({ method: req.method ?? 'GET', path: url.pathname, query, headers: req.headers as Record<string, string>, body })) as Reply;
    } catch (err) {
      if (err instanceof SageFault) return error(statusOf(err), err.code, err.message);
      return error(500, FAULT_CODES.exception, 'An exception occurred.');
    }
  }

  let refuseUntil: Promise<void> | undefined;
  function setFaults(text: string): Reply {
    let request: { faults?: FaultRule[]; refuseConnectionsMs?: number };
    try {
      request = JSON.parse(text || '{}') as typeof request;
      company.faults.set(request.faults ?? []);
    } catch (err) {
      return error(400, 'BadRequest', `faults: ${(err as Error).message}`);
    }
    // Refuse after this answer is on its way, so the caller hears that it worked.
    if (request.refuseConnectionsMs) setImmediate(() => void company.faults.refuseConnections(Number(request.refuseConnectionsMs)));
    return { status: 200, body: { faults: company.faults.pending() } };
  }

  const sockets = new Set<Socket>();
  const server: Server = createServer({ key: options.tls.key, cert: options.tls.cert }, (req, res: ServerResponse) => {
    answer(req).then(async (reply) => {
      if (reply.holdMs) await company.faults.hold(reply.holdMs);
      if (res.destroyed) return;
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    }, () => res.destroy());
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  let closed = false;
  let relisten: NodeJS.Timeout | undefined;
  const unregister = company.faults.onRefuse(async (ms) => {
    if (closed || refuseUntil) return;
    // Stop listening and drop open keep-alive sockets: new connections are refused (ECONNREFUSED) until relisten.
    server.close();
    for (const socket of sockets) socket.destroy();
    refuseUntil = new Promise((resolve) => {
      relisten = setTimeout(() => {
        refuseUntil = undefined;
        if (!closed) server.listen(port, host);
        resolve();
      }, ms);
    });
  });

  return {
    url: `https://${host}:${port}`,
    port,
    async close() {
      closed = true;
      unregister();
      clearTimeout(relisten);
      company.faults.releaseHolds();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    },
  };
}
