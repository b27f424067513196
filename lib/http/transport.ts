import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import { ConnectorError } from '../errors';
import { HttpError, NetworkError, TimeoutError, type RequestSummary } from './errors';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
type QueryScalar = string | number | boolean;
/** An array is sent as the parameter repeated (`itemCode=A&itemCode=B`). */
export type QueryValue = QueryScalar | readonly QueryScalar[] | undefined | null;

export interface HttpRequest {
  method: HttpMethod;
  /** Path below the client's base URL, e.g. `/v2/orders/12`. */
  path: string;
  query?: Record<string, QueryValue>;
  /** Serialized as JSON unless `rawBody` is given. */
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  /** Safe to send again after an error whose outcome is unknown (reads, absolute writes, create-only writes). */
  idempotent?: boolean;
  /** Interactive work (an order) goes ahead of bulk work (a catalog push) when a rate limit makes requests wait. */
  priority?: 'interactive' | 'bulk';
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  body: T;
  request: RequestSummary;
}

export type RequestFunction = <T = unknown>(request: HttpRequest) => Promise<HttpResponse<T>>;

export interface ErrorDescription {
  message: string;
  code: string;
  hint?: string;
  retryable?: boolean;
}

export interface TransportOptions {
  /** e.g. `https://api.bigcommerce.com/stores/abc123`; request paths are appended to its path. */
  baseUrl: string;
  /** The connection pool; owned by the config node so every node using it shares keep-alive sockets. */
  dispatcher: Dispatcher;
  defaultHeaders?: Record<string, string>;
  timeoutMs: number;
  /** Service name used in messages, e.g. `BigCommerce`. */
  service: string;
  /** Turns a failed status into a message the user can act on; the status line is used when absent. */
  describeError?: (status: number, body: unknown, request: RequestSummary, headers: Record<string, string>) => ErrorDescription;
}

export function createAgent(options: Agent.Options = {}): Agent {
  return new Agent({ keepAliveTimeout: 10_000, connections: 8, ...options });
}

function buildPath(basePath: string, path: string, query?: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  const search = params.toString();
  return `${basePath.replace(/\/$/, '')}${path}${search ? `?${search}` : ''}`;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text.length === 0) return undefined;
  if (contentType && /json/i.test(contentType)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

class TimeoutSignalled extends Error {}

const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function describeNetworkFailure(err: unknown, service: string, request: RequestSummary, timeoutMs: number): Error {
  // A connector that already explained itself (e.g. a certificate pin mismatch) is passed on as it is.
  if (err instanceof ConnectorError) return err;
  const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code ?? 'UNKNOWN';
  const cause = (err as Error).message ?? String(err);
  if (err instanceof TimeoutSignalled || err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
    return new TimeoutError(`${service} did not answer ${request.method} ${request.path} within ${timeoutMs} ms`, request, {
      code: 'http.timeout',
      hint: 'The server is slow or unreachable; the request may still have been processed, so only safe requests are retried.',
      retryable: true,
    }, { cause: err });
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new NetworkError(`${service}: connecting timed out for ${request.method} ${request.path}`, request, {
      code: 'http.connect_timeout', hint: 'Check the URL, the port and any firewall between Node-RED and the server.', retryable: true, reachedServer: false,
    }, { cause: err });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new NetworkError(`${service}: the host name could not be resolved (${code})`, request, {
      code: 'http.dns', hint: 'Check the host name in the URL.', retryable: code === 'EAI_AGAIN', reachedServer: false,
    }, { cause: err });
  }
  if (/certificate|self.signed|CERT_|ERR_TLS|SSL/i.test(`${code} ${cause}`)) {
    return new NetworkError(`${service}: TLS check failed: ${cause}`, request, {
      code: 'http.tls',
      hint: 'The server certificate is not trusted. For a self-signed server, give its CA certificate or pin its SHA-256 fingerprint.',
      retryable: false,
      reachedServer: false,
    }, { cause: err });
  }
  return new NetworkError(`${service}: connection failed for ${request.method} ${request.path}: ${cause} (${code})`, request, {
    code: 'http.network', hint: 'Check that the server is running and reachable.', retryable: true, reachedServer: !CONNECT_FAILURES.has(code),
  }, { cause: err });
}

/** The bottom layer: one HTTP exchange over undici, with a timeout and typed errors. No retries, no pacing. */
export function createTransport(options: TransportOptions): RequestFunction {
  const base = new URL(options.baseUrl);
  const origin = base.origin;
  return async function send<T>(request: HttpRequest): Promise<HttpResponse<T>> {
    const path = buildPath(base.pathname, request.path, request.query);
    const summary: RequestSummary = { method: request.method, path };
    const timeoutMs = request.timeoutMs ?? options.timeoutMs;
    const headers: Record<string, string> = { accept: 'application/json', ...options.defaultHeaders, ...request.headers };
    let body: string | undefined;
    if (request.rawBody !== undefined) body = request.rawBody;
    else if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers['content-type'] ??= 'application/json';
    }
    // One deadline for the whole exchange (connect, headers and body), cancelled with the caller's signal too.
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, deadline]) : deadline;
    let response: Dispatcher.ResponseData;
    let text: string;
    try {
      response = await options.dispatcher.request({ origin, path, method: request.method, headers, body, signal });
      text = await response.body.text();
    } catch (err) {
      if (request.signal?.aborted) throw err;
      throw describeNetworkFailure(deadline.aborted ? new TimeoutSignalled() : err, options.service, summary, timeoutMs);
    }
    const responseHeaders = flattenHeaders(response.headers);
    const parsed = parseBody(text, responseHeaders['content-type']);
    if (response.statusCode >= 400) {
      const described = options.describeError?.(response.statusCode, parsed, summary, responseHeaders) ?? {
        message: `${options.service} answered ${response.statusCode} to ${summary.method} ${summary.path}`,
        code: `http.${response.statusCode}`,
      };
      throw new HttpError(described.message, {
        status: response.statusCode,
        request: summary,
        headers: responseHeaders,
        body: parsed,
        code: described.code,
        hint: described.hint,
        retryable: described.retryable ?? (response.statusCode === 429 || response.statusCode >= 500),
      });
    }
    return { status: response.statusCode, headers: responseHeaders, body: parsed as T, request: summary };
  };
}
