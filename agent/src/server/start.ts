import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import OpenAPIBackend, { type Context, type Document } from 'openapi-backend';
import { parse } from 'yaml';
import type { AgentRuntimeOptions, RunningAgent } from '../runtime-options';
import { verifyApiKey } from '../security/api-key';
import { CODES, SageAnswerError } from '../sage/errors';
import { sageLogicOptions, type SageLogicOptions } from '../sage/options';
import { SessionPool } from '../sage/session';
import { registerOperations, type Reply } from './operations';

/**
 * The agent's HTTPS server: docs/sage100-agent-api.yaml served over the Sage logic. Routing, request validation
 * and the API key come from the contract itself (openapi-backend), so the agent cannot drift from the document
 * the Node-RED side is tested against. One session pool per company; X-Sage-Company picks it.
 */

export const CONTRACT_PATH = join(__dirname, '..', '..', '..', 'docs', 'sage100-agent-api.yaml');
export const AGENT_VERSION = '1.3.0';

export interface SandboxRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
}

/** What only the sandbox and tests give the agent: its test routes, fault injection, and the emulator's clock. */
export interface AgentExtras {
  /** Overrides of what the Sage logic assumes (UNCONFIRMED object names, message texts, recycling). */
  sageLogic?: Partial<SageLogicOptions>;
  /** Served before the contract, without the API key; undefined = not one of them. */
  extraRoutes?: (request: SandboxRequest) => Promise<Reply | undefined>;
  /** Wraps every contract operation: `holdMs` holds the answer back after the work is done. */
  aroundOperation?: (operationId: string, request: { method: string; path: string; body: unknown }, work: () => Promise<Reply>) => Promise<Reply & { holdMs?: number }>;
  /** Waits out a hold; resolves early when the caller closes (so a held answer never keeps a process alive). */
  hold?: (ms: number) => Promise<void>;
  /** Sage's clock as audit stamps (the server's local time by default). */
  now?: () => { DateUpdated: string; TimeUpdated: string };
  contractPath?: string;
}

export interface StartedAgent extends RunningAgent {
  port: number;
  /** Stops listening (and drops open sockets) for `ms`: clients see ECONNREFUSED, then it listens again. */
  refuseConnections(ms: number): Promise<void>;
}

function localStamp(): { DateUpdated: string; TimeUpdated: string } {
  const at = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  const hours = at.getHours() + at.getMinutes() / 60 + at.getSeconds() / 3600 + at.getMilliseconds() / 3_600_000;
  return { DateUpdated: `${at.getFullYear()}${pad(at.getMonth() + 1)}${pad(at.getDate())}`, TimeUpdated: String(Number(hours.toFixed(5))) };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const error = (status: number, code: string, message: string, object?: string): Reply => ({ status, body: { code, message, ...(object && { object }) } });

export async function startAgent(options: AgentRuntimeOptions, extras: AgentExtras = {}): Promise<StartedAgent> {
  const logic = sageLogicOptions({ ...options.sage.logic, ...extras.sageLogic, objects: { ...options.sage.logic?.objects, ...extras.sageLogic?.objects } as SageLogicOptions['objects'], messages: { ...options.sage.logic?.messages, ...extras.sageLogic?.messages } as SageLogicOptions['messages'] });
  const log = options.log;
  const companies = new Set(options.sage.companies.map((code) => code.toUpperCase()));
  const pools = new Map<string, SessionPool>();
  const poolOf = (company: string) => {
    let pool = pools.get(company);
    if (!pool) {
      pool = new SessionPool(
        { openRoot: options.openRoot, homePath: options.sage.homePath, user: options.sage.user, password: options.sage.password, companyCode: company, logic, log },
        Math.max(1, options.sage.poolSize),
      );
      pools.set(company, pool);
    }
    return pool;
  };

  // scrypt is slow by design; a key that verified once is remembered by its SHA-256, failures are never cached.
  const verifiedKeys = new Set<string>();
  const keyAccepted = (presented: string) => {
    const digest = createHash('sha256').update(presented).digest('hex');
    if (verifiedKeys.has(digest)) return true;
    if (!presented || !verifyApiKey(presented, options.apiKeyHash)) return false;
    if (verifiedKeys.size > 16) verifiedKeys.clear();
    verifiedKeys.add(digest);
    return true;
  };

  const definition = parse(readFileSync(extras.contractPath ?? CONTRACT_PATH, 'utf8')) as Document;
  const api = new OpenAPIBackend({ definition, strict: true, coerceTypes: true, quick: true });
  registerOperations(api, { logic, poolOf, now: extras.now ?? localStamp, agentVersion: AGENT_VERSION, log, dataDir: options.dataDir });
  api.register({
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
      if (!companies.has(requested)) {
        throw new SageAnswerError('UnknownCompany', `This agent has no Sage company ${requested}; it serves ${[...companies].join(', ')}.`, { status: 404 });
      }
    },
  });
  api.registerSecurityHandler('ApiKey', (c: Context) => keyAccepted(String(c.request.headers['x-api-key'] ?? '')));
  await api.init();

  async function answer(req: IncomingMessage): Promise<Reply & { holdMs?: number }> {
    const url = new URL(req.url ?? '/', 'https://agent');
    const text = await readBody(req);
    const method = req.method ?? 'GET';
    const extra = await extras.extraRoutes?.({ method, path: url.pathname, query: url.searchParams, body: text });
    if (extra) return extra;
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
    const request = { method, path: url.pathname, query, headers: req.headers as Record<string, string>, body };
    const operation = api.matchOperation(request);
    const run = async (): Promise<Reply> => {
      try {
        return (await api.handleRequest(request)) as Reply;
      } catch (err) {
        if (err instanceof SageAnswerError) return error(err.status, err.code, err.message, err.object);
        log('error', 'agent operation failed', { operation: operation?.operationId, error: (err as Error).message });
        return error(500, CODES.exception, 'An exception occurred.');
      }
    };
    if (!operation || !extras.aroundOperation) return run();
    try {
      return await extras.aroundOperation(operation.operationId ?? '', { method, path: url.pathname, body }, run);
    } catch (err) {
      const failure = err as { status?: number; code?: string; message: string };
      return error(failure.status ?? 500, failure.code ?? CODES.exception, failure.message);
    }
  }

  const sockets = new Set<Socket>();
  const server: Server = createServer({ key: options.tls.key, cert: options.tls.cert }, (req, res) => {
    const started = performance.now();
    answer(req).then(async (reply) => {
      if (reply.holdMs) await (extras.hold ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms))))(reply.holdMs);
      if (res.destroyed) return;
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.body));
      if (!req.url?.startsWith('/__sim/')) log('info', 'request', { method: req.method, path: new URL(req.url ?? '/', 'https://agent').pathname, status: reply.status, ms: Math.round(performance.now() - started) });
    }, (err: unknown) => {
      log('error', 'request failed', { error: (err as Error).message });
      res.destroy();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log('info', 'agent listening', { host: options.host, port, companies: [...companies] });

  let closed = false;
  let refusing: NodeJS.Timeout | undefined;
  return {
    url: `https://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    port,
    async refuseConnections(ms: number) {
      if (closed || refusing) return;
      server.close();
      for (const socket of sockets) socket.destroy();
      refusing = setTimeout(() => {
        refusing = undefined;
        if (!closed) server.listen(port, options.host);
      }, ms);
    },
    async close() {
      closed = true;
      clearTimeout(refusing);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
      await Promise.all([...pools.values()].map((pool) => pool.close()));
    },
  };
}
