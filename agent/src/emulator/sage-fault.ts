/**
 * What the emulator's record-level rules throw: Sage's text in `message` and a stable code. The BOI objects turn it
 * into Sage's own form (a 0 return and `sLastErrorMsg`); the SOAP simulator into a fault with detail/MasFault.
 *
 * CI_InvalidKey, CI_ReadOnly, CI_InvalidColumn and CI_InvalidValue are the emulator's names for errors whose Sage
 * code is not documented (Sage reports them only through sLastErrorMsg); the texts follow Sage's wording.
 */
export class SageFault extends Error {
  readonly code: string;
  /** For injected faults only: the HTTP status the agent answers with (the SOAP simulator always faults). */
  readonly status?: number;

  constructor(code: string, message: string, options: { status?: number } = {}) {
    super(message);
    this.name = 'SageFault';
    this.code = code;
    this.status = options.status;
  }
}

export const FAULT_CODES = {
  notOnFile: 'CI_NOF',
  noKey: 'CI_NoKey',
  alreadyExists: 'WS_AlreadyExists',
  tooLong: 'CI_CharLength',
  invalidKey: 'CI_InvalidKey',
  readOnly: 'CI_ReadOnly',
  invalidColumn: 'CI_InvalidColumn',
  invalidValue: 'CI_InvalidValue',
  locked: 'RecordLocked',
  exception: 'Exception',
} as const;
