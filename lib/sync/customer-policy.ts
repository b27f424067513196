/**
 * What an order may change on a Sage customer (pure). A web order knows less about a customer than Sage does:
 * its name may be cut to Sage's length, a field may be blank, and the cash customer is shared by every guest.
 * So an existing customer only takes the fields the merchant allows, and only when the new value is not a
 * shortened or emptier form of the old one; the cash customer's record is never touched.
 */

/** Fields the order may set on an existing customer by default: how to reach the buyer, not who they are. */
export const DEFAULT_UPDATABLE_FIELDS: readonly string[] = ['EmailAddress', 'TelephoneNo'];

/** Master data Sage needs on a new customer that a web order does not supply. Blank members are not sent. */
export type NewCustomerDefaults = {
  TermsCode?: string;
  SalespersonDivisionNo?: string;
  SalespersonNo?: string;
  TaxSchedule?: string;
  PriceLevel?: string;
  CustomerType?: string;
};

export interface CustomerPolicy {
  cashCustomerNo: string;
  /** Customer columns an order may change on an existing customer. */
  updatableFields: readonly string[];
  /** Columns the mapper had to shorten for this order: never written over an existing value. */
  truncatedFields?: readonly string[];
}

/** What travels with a mapped order for the customer node. */
export interface CustomerPolicyOutput extends CustomerPolicy {
  /** True when the order's customer is the shared cash customer: create it if absent, never update it. */
  isCashCustomer: boolean;
  /** For a customer that does not exist yet. */
  newCustomer: { defaults: NewCustomerDefaults; templateCustomerNo?: string };
}

export interface SkippedChange {
  field: string;
  reason: 'cash-customer' | 'not-updatable' | 'emptier' | 'shortened' | 'truncated';
}

type CustomerFields = Record<string, unknown>;

const KEYS = new Set(['ARDivisionNo', 'CustomerNo']);

const asText = (value: unknown): string => (value === undefined || value === null ? '' : String(value).trim());

/** The allowed changes, and why each other difference was left alone. */
export function explainCustomerChanges(existing: CustomerFields, incoming: CustomerFields, policy: CustomerPolicy): { changes: CustomerFields; skipped: SkippedChange[] } {
  const changes: CustomerFields = {};
  const skipped: SkippedChange[] = [];
  const differing = Object.keys(incoming).filter((field) => !KEYS.has(field) && asText(incoming[field]) !== asText(existing[field]));
  const cash = asText(existing.CustomerNo || incoming.CustomerNo) === policy.cashCustomerNo;
  for (const field of differing) {
    const before = asText(existing[field]);
    const after = asText(incoming[field]);
    if (cash) skipped.push({ field, reason: 'cash-customer' });
    else if (!policy.updatableFields.includes(field)) skipped.push({ field, reason: 'not-updatable' });
    else if (after === '' && before !== '') skipped.push({ field, reason: 'emptier' });
    else if (before !== '' && policy.truncatedFields?.includes(field)) skipped.push({ field, reason: 'truncated' });
    else if (after.length < before.length && before.toLowerCase().startsWith(after.toLowerCase())) skipped.push({ field, reason: 'shortened' });
    else changes[field] = incoming[field];
  }
  return { changes, skipped };
}

/** The field changes an order may make to an existing customer (empty for the cash customer). */
export function customerChanges(existing: CustomerFields, incoming: CustomerFields, policy: CustomerPolicy): CustomerFields {
  return explainCustomerChanges(existing, incoming, policy).changes;
}

/** Comma or space separated column names, as the editor stores them. */
export function parseFieldList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter((field) => field !== ''))];
}
