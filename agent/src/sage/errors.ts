import type { SageLogicOptions } from './options';

/**
 * An answer the agent gives instead of a result: a stable code (Sage's where the text says which, else the
 * agent's), Sage's text unchanged, the business object, and the HTTP status. `retryable` marks what may work
 * later without a change (a locked record, a busy pool).
 */
export class SageAnswerError extends Error {
  readonly code: string;
  readonly status: number;
  readonly object?: string;

  constructor(code: string, message: string, options: { status: number; object?: string }) {
    super(message);
    this.name = 'SageAnswerError';
    this.code = code;
    this.status = options.status;
    this.object = options.object;
  }

  get retryable(): boolean {
    return this.status === 423 || this.status === 503;
  }
}

/** Codes the contract names (docs/sage100-agent-api.yaml, Error.code). */
export const CODES = {
  notOnFile: 'CI_NOF',
  noKey: 'CI_NoKey',
  alreadyExists: 'WS_AlreadyExists',
  tooLong: 'CI_CharLength',
  invalidKey: 'CI_InvalidKey',
  readOnly: 'CI_ReadOnly',
  invalidColumn: 'CI_InvalidColumn',
  invalidValue: 'CI_InvalidValue',
  locked: 'RecordLocked',
  duplicatePO: 'DuplicateCustomerPO',
  exception: 'Exception',
  unavailable: 'Unavailable',
  logonFailure: 'LogonFailure',
  noAccess: 'NoAccess',
} as const;

/** BOI answers with text: the code is read from Sage's wording, a failed key from where it happened. */
export function classify(message: string, options: SageLogicOptions, where: 'key' | 'value' | 'write'): { code: string; status: number } {
  const m = options.messages;
  if (m.locked.test(message)) return { code: CODES.locked, status: 423 };
  if (m.notOnFile.test(message)) return { code: CODES.notOnFile, status: 422 };
  if (m.tooLong.test(message)) return { code: CODES.tooLong, status: 422 };
  if (m.readOnly.test(message)) return { code: CODES.readOnly, status: 422 };
  if (m.invalidColumn.test(message)) return { code: CODES.invalidColumn, status: 422 };
  return { code: where === 'key' ? CODES.invalidKey : CODES.invalidValue, status: 422 };
}

export function sageError(message: string, options: SageLogicOptions, where: 'key' | 'value' | 'write', object: string, record?: string): SageAnswerError {
  const { code, status } = classify(message, options, where);
  // A lock names the record so a person knows what to close in the desktop.
  const text = code === CODES.locked && record ? `${record} is open in Sage (locked): ${message}` : message || `${object} refused the request without a message.`;
  return new SageAnswerError(code, text, { status, object });
}
