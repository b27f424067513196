import type { ZodError, ZodType } from 'zod';

export interface ErrorDetails {
  /** Stable machine-readable code, e.g. `bigcommerce.unauthorized` or `sage100.CI_NOF`. */
  code: string;
  /** What the user can do about it. */
  hint?: string;
  /** The field at fault, as a dotted path. */
  field?: string;
  /** The record the error is about, e.g. `order 1042` or `item ABC-1`. */
  record?: string;
  /** True when trying the same thing again later may succeed. */
  retryable?: boolean;
}

/**
 * The one base class for every error the package raises: a message a person can act on, plus a stable
 * code for Switch nodes. Messages never carry credentials — callers put none in, and HTTP errors are
 * built from status, path and the server's body only, never from request headers.
 */
export class ConnectorError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly field?: string;
  readonly record?: string;
  readonly retryable: boolean;

  constructor(message: string, details: ErrorDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = details.code;
    this.hint = details.hint;
    this.field = details.field;
    this.record = details.record;
    this.retryable = details.retryable ?? false;
  }

  /** The message alone: Node-RED puts `toString()` on `msg.error.message` and in the log, where `HttpError: …` means nothing to a person. */
  override toString(): string {
    return this.message;
  }

  /** The plain-object form set on `msg.errorDetails` so Catch flows can branch without parsing text. */
  toDetails(): ErrorDetails & { name: string; message: string } {
    return {
      name: this.name,
      message: this.message,
      code: this.code,
      ...(this.hint && { hint: this.hint }),
      ...(this.field && { field: this.field }),
      ...(this.record && { record: this.record }),
      retryable: this.retryable,
    };
  }
}

/** Input that does not have the shape a node or an API promised. Never retryable: the data must change. */
export class ValidationError extends ConnectorError {
  readonly issues: Array<{ field: string; message: string }>;

  constructor(message: string, details: Omit<ErrorDetails, 'retryable'> & { issues?: Array<{ field: string; message: string }> }) {
    super(message, { ...details, retryable: false });
    this.issues = details.issues ?? [];
  }

  static fromZod(error: ZodError, context: { what: string; record?: string; code?: string }): ValidationError {
    const issues = error.issues.map((issue) => ({
      field: issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)',
      message: issue.message,
    }));
    const first = issues[0] ?? { field: '(root)', message: 'invalid' };
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    const where = context.record ? ` in ${context.record}` : '';
    return new ValidationError(`${context.what}${where}: ${first.field}: ${first.message}${more}`, {
      code: context.code ?? 'validation.invalid',
      field: first.field,
      record: context.record,
      issues,
    });
  }
}

/** Parse `value` with `schema`, or throw a ValidationError that names the field and the record. */
export function parseWith<T>(schema: ZodType<T>, value: unknown, context: { what: string; record?: string; code?: string }): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw ValidationError.fromZod(result.error, context);
}

/** Replace every occurrence of each secret in `text`; the last guard before text leaves the process. */
export function redact(text: string, secrets: Iterable<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
}

export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
