import { ConnectorError, type ErrorDetails } from '../errors';

export interface RequestSummary {
  method: string;
  /** Path and query as sent, without the origin; never holds a credential (they travel in headers). */
  path: string;
}

/** The server answered with a status of 400 or more. */
export class HttpError extends ConnectorError {
  readonly status: number;
  readonly request: RequestSummary;
  readonly headers: Record<string, string>;
  /** The server's error body, parsed when it was JSON. */
  readonly body: unknown;

  constructor(
    message: string,
    init: { status: number; request: RequestSummary; headers: Record<string, string>; body: unknown } & ErrorDetails,
  ) {
    super(message, init);
    this.status = init.status;
    this.request = init.request;
    this.headers = init.headers;
    this.body = init.body;
  }

  override toDetails() {
    return { ...super.toDetails(), status: this.status, method: this.request.method, path: this.request.path, body: this.body };
  }
}

/** No answer within the time allowed. The request may or may not have been processed. */
export class TimeoutError extends ConnectorError {
  readonly request: RequestSummary;
  constructor(message: string, request: RequestSummary, details: ErrorDetails, options?: { cause?: unknown }) {
    super(message, details, options);
    this.request = request;
  }
}

/** The connection failed: DNS, refused, reset, or TLS. `reachedServer` is false when nothing can have been processed. */
export class NetworkError extends ConnectorError {
  readonly request: RequestSummary;
  readonly reachedServer: boolean;
  constructor(message: string, request: RequestSummary, details: ErrorDetails & { reachedServer: boolean }, options?: { cause?: unknown }) {
    super(message, details, options);
    this.request = request;
    this.reachedServer = details.reachedServer;
  }
}
