import type { IHttpClient } from 'soap';
import type { Dispatcher } from 'undici';
import type { ErrorDescription, RequestFunction } from '../http/transport';
import { createTransport } from '../http/transport';
import { HttpError, type RequestSummary } from '../http/errors';
import { withRetry, type RetryPolicy } from '../http/retry';

export const SOAP_SERVICE_NAME = 'Sage 100 web services';

/** Per-call options the SOAP client passes through `soap` to the HTTP layer. */
export interface SoapCallOptions {
  /** Safe to send again after an error whose outcome is unknown (reads, create-only and absolute writes). */
  idempotent?: boolean;
}

export interface SoapHttpOptions {
  /** The Sage config node's pool, so TLS trust (CA, pin) applies to SOAP exactly as to the agent. */
  dispatcher: Dispatcher;
  timeoutMs: number;
  retry: RetryPolicy;
}

/** A SOAP 1.1 or 1.2 fault envelope: a definitive answer from the service, never an HTTP failure to retry. */
export function isSoapFault(body: unknown): body is string {
  return typeof body === 'string' && /<(?:[\w-]+:)?Fault[\s>/]/.test(body);
}

function hintFor(status: number): string {
  if (status === 404) return 'Check the endpoint URL: it is the .svc address IIS shows for eBusiness Web Services, e.g. https://sage-server/eBusinessWebServices/MasBasicService.svc.';
  if (status === 401 || status === 403) return "IIS refused the request before Sage saw it: check the web site's authentication settings for eBusiness Web Services.";
  if (status === 400 || status === 415) return "The server did not accept the SOAP request's format: use the server's own WSDL (see lib/sage100/wsdl/README.md).";
  return "The web server failed; the Sage server's Windows Event Log (eBusiness Web Services) has the details.";
}

function describeSoapHttpError(status: number, body: unknown, request: RequestSummary): ErrorDescription {
  if (isSoapFault(body)) return { message: `${SOAP_SERVICE_NAME} returned a fault to ${request.method} ${request.path}`, code: 'sage100.soap_fault', retryable: false };
  return { message: `${SOAP_SERVICE_NAME} answered HTTP ${status} to ${request.method} ${request.path}`, code: `http.${status}`, hint: hintFor(status) };
}

/**
 * `soap`'s HttpClient interface over the package's one HTTP stack (undici transport + retry layer), so SOAP calls
 * get the same timeouts, typed network errors and TLS trust as every other request. A fault (HTTP 500 with a
 * fault envelope) is handed to `soap` as a normal response so it parses the fault detail.
 */
export function createSoapHttpClient(options: SoapHttpOptions): IHttpClient {
  const senders = new Map<string, RequestFunction>();
  const senderFor = (origin: string): RequestFunction => {
    let send = senders.get(origin);
    if (!send) {
      send = withRetry(
        createTransport({ baseUrl: origin, dispatcher: options.dispatcher, timeoutMs: options.timeoutMs, service: SOAP_SERVICE_NAME, describeError: describeSoapHttpError }),
        options.retry,
      );
      senders.set(origin, send);
    }
    return send;
  };

  return {
    request(url, data, callback, extraHeaders, callOptions) {
      const target = new URL(url);
      // soap fetches WSDL and schema parts (when given a URL) with a GET and no body.
      const isGet = data === null || data === undefined || data === '';
      const call = callOptions as SoapCallOptions | undefined;
      const exchange = senderFor(target.origin)<string>({
        method: isGet ? 'GET' : 'POST',
        path: `${target.pathname}${target.search}`,
        rawBody: isGet ? undefined : String(data),
        headers: { accept: 'text/xml', ...(extraHeaders as Record<string, string> | undefined) },
        idempotent: isGet || call?.idempotent === true,
      }).then(
        (response) => callback(null, { status: response.status, headers: response.headers, data: response.body ?? '' }, response.body ?? ''),
        (err: unknown) => {
          if (err instanceof HttpError && isSoapFault(err.body)) return callback(null, { status: err.status, headers: err.headers, data: err.body }, err.body);
          return callback(err);
        },
      );
      // soap only uses the callback; the promise is returned to satisfy its interface.
      return exchange as unknown as ReturnType<IHttpClient['request']>;
    },
  };
}
