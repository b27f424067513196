import { ConnectorError, type ErrorDetails } from '../errors';

/**
 * An error Sage 100 reported, from either transport: a SOAP fault (`detail.MasFault.ErrorCode/ErrorMessage`)
 * or the agent's error body (`{ code, message }` carrying Sage's sLastErrorMsg). `sageCode` is Sage's own code,
 * so a flow can branch on it whichever way Sage is reached.
 */
export class Sage100Error extends ConnectorError {
  readonly sageCode: string;
  /** Sage's own text, unchanged (the message adds the record and a plain explanation). */
  readonly sageMessage: string;

  constructor(sageCode: string, sageMessage: string, details: Partial<ErrorDetails> & { record?: string } = {}) {
    const known = explain(sageCode, sageMessage);
    const where = details.record ? `${details.record}: ` : '';
    // Words first, Sage's code only in `code`/`sageCode`: the message reaches statuses, logs and e-mails read by people.
    super(`${where}${known.words}: ${sageMessage}`, {
      code: `sage100.${sageCode}`,
      hint: details.hint ?? known.hint,
      field: details.field,
      record: details.record,
      retryable: details.retryable ?? known.retryable,
    });
    this.sageCode = sageCode;
    this.sageMessage = sageMessage;
  }

  override toDetails() {
    return { ...super.toDetails(), sageCode: this.sageCode, sageMessage: this.sageMessage };
  }
}

/** The codes the nodes act on. */
export const SAGE_CODES = {
  notOnFile: 'CI_NOF',
  noKey: 'CI_NoKey',
  alreadyExists: 'WS_AlreadyExists',
  tooLong: 'CI_CharLength',
  logonFailure: 'LogonFailure',
  noAccess: 'NoAccess',
  serverException: 'Exception',
} as const;

interface Explanation {
  /** What happened, in a few words, for the message. */
  words: string;
  hint: string;
  retryable: boolean;
}

/** Plain explanations of what Sage's codes and texts usually mean, from the reference notes on real installs. */
function explain(code: string, message: string): Explanation {
  if (code === SAGE_CODES.logonFailure || /logon failure|user logon or password/i.test(message)) {
    return {
      words: 'Sage refused the logon',
      hint: 'Check the user name and password, and that Enable Web Services is ticked in System Configuration, Company Maintenance (Preferences) and User Maintenance for this user.',
      retryable: false,
    };
  }
  if (code === SAGE_CODES.noAccess || /no access/i.test(message)) {
    return { words: 'the Sage user lacks permission', hint: "The Sage user's role lacks the task permission (Role Maintenance), e.g. Customer Maintenance > Create.", retryable: false };
  }
  // The exact BOI text for a record open elsewhere is not documented; these are the words it is reported with.
  if (/\blocked\b|in use by another|record is in use/i.test(message)) {
    return { words: 'record locked in Sage', hint: 'The record is open (locked) in Sage, e.g. in a user\'s Sales Order Entry; it is tried again once it is closed.', retryable: true };
  }
  if (/ZipCode/i.test(message)) {
    return { words: 'not on file in Sage', hint: "The ZIP code is not in Sage's ZIP Code table; add it in Sage (ZIP Code Maintenance) or map it to one that exists.", retryable: false };
  }
  if (/read only/i.test(message)) {
    return { words: 'read-only field sent to Sage', hint: 'A read-only field was sent (totals, weights, audit dates); leave it out and let Sage compute it.', retryable: false };
  }
  switch (code) {
    case SAGE_CODES.notOnFile:
      return { words: 'not on file in Sage', hint: 'A code is not on file in Sage: check the customer number, the item code (SKU mapping) or the validated value named in the message.', retryable: false };
    case SAGE_CODES.noKey:
      return { words: 'no such record in Sage', hint: 'No record has that key in Sage.', retryable: false };
    case SAGE_CODES.alreadyExists:
      return { words: 'already exists in Sage', hint: 'A record with that number already exists in Sage.', retryable: false };
    case SAGE_CODES.tooLong:
      return { words: 'too long for Sage', hint: 'A value is longer than the field allows in this Sage version; the message names the field. Shorten it at its source (the order mapper already cuts names and addresses to the limits of every Sage version).', retryable: false };
    // The agent's own codes (docs/sage100-agent-api.yaml); its client passes the hint.
    case 'Unauthorized':
      return { words: 'the Sage agent refused the API key', hint: 'Check the API key in the Sage 100 configuration node.', retryable: false };
    case 'UnknownCompany':
      return { words: 'no such Sage company', hint: 'Check the company code in the Sage 100 configuration node.', retryable: false };
    case 'RecordLocked':
      return { words: 'record locked in Sage', hint: 'Someone has this record open in Sage; it is tried again later.', retryable: true };
    case 'DuplicateCustomerPO':
      return { words: 'PO number already used in Sage', hint: 'Check in Sage before sending the order again.', retryable: false };
    case 'Unavailable':
      return { words: 'the Sage agent is busy', hint: 'It is tried again later.', retryable: true };
    case SAGE_CODES.serverException:
      return { words: 'Sage server error', hint: "Sage's web service hit an unexpected error; the details are in the Windows Event Log (eBusiness Web Services) on the Sage server.", retryable: true };
    default:
      return { words: 'Sage 100 reported an error', hint: 'See the Sage message for details.', retryable: false };
  }
}
