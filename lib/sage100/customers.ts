import { z } from 'zod';
import { ConnectorError, parseWith } from '../errors';
import { explainCustomerChanges, type CustomerPolicyOutput } from '../sync/customer-policy';
import type { CustomerRules, Sage100Client, UpsertedForOrder } from './client';
import { parseCustomer } from './lengths';
import { SAGE_CODES, Sage100Error } from './errors';
import { arDivisionNoSchema, customerNoSchema, type Customer } from './types';

/**
 * Customer get and upsert over the Sage100Client interface, the same in agent and SOAP mode. An upsert keeps the
 * contact and address members in step with the web store and leaves everything Sage owns (terms, tax schedule,
 * credit, salesperson) alone on existing customers.
 */

export type CustomerOutcome = 'created' | 'updated' | 'unchanged';

/** The members an upsert may change on an existing customer. */
export const CUSTOMER_CONTACT_FIELDS = [
  'CustomerName',
  'AddressLine1',
  'AddressLine2',
  'AddressLine3',
  'City',
  'State',
  'ZipCode',
  'CountryCode',
  'TelephoneNo',
  'EmailAddress',
] as const satisfies ReadonlyArray<keyof Customer>;

export interface CustomerUpsertResult {
  outcome: CustomerOutcome;
  /** The customer as Sage holds it after the upsert. */
  customer: Customer;
  /** Contact/address members that were sent because they differed (empty unless `updated`). */
  changedFields: string[];
  /** `email` when the customer was found by its email address instead of its number. */
  matchedBy: 'number' | 'email';
  /** Things a person should know that did not stop the upsert. */
  warnings: string[];
}

export interface UpsertOptions {
  /** When the number is not on file, look for an existing customer with the same email (agent mode only). */
  matchByEmail?: boolean;
  /** The mapper's customer policy (msg.payload.customerPolicy): what an order may change, defaults for new customers. */
  policy?: CustomerPolicyOutput;
}

/** The master data a new customer copies from the template customer. */
const TEMPLATE_FIELDS = ['TermsCode', 'TaxSchedule', 'SalespersonDivisionNo', 'SalespersonNo', 'PriceLevel', 'CustomerType'] as const;

const skippedWarning = (record: string, field: string, reason: string) => `${record}: ${field} left as Sage has it (the order's value is ${reason})`;
const templateMissing = (arDivisionNo: string, templateNo: string) => `template customer ${arDivisionNo}-${templateNo} is not on file; used the configured defaults`;

/** A new customer: the order's values over the template customer's master data or the configured defaults. */
async function newCustomerFrom(client: Sage100Client, desired: Customer, policy: CustomerPolicyOutput, warnings: string[]): Promise<Customer> {
  const templateNo = policy.newCustomer.templateCustomerNo;
  let base: Partial<Customer> = {};
  if (templateNo) {
    const template = await client.getCustomer(desired.ARDivisionNo, templateNo);
    if (template) base = Object.fromEntries(TEMPLATE_FIELDS.filter((field) => template[field]).map((field) => [field, template[field]]));
    else warnings.push(templateMissing(desired.ARDivisionNo, templateNo));
  }
  if (Object.keys(base).length === 0) base = Object.fromEntries(Object.entries(policy.newCustomer.defaults).filter(([, value]) => value)) as Partial<Customer>;
  return { ...base, ...Object.fromEntries(Object.entries(desired).filter(([, value]) => value !== undefined && value !== '')) } as Customer;
}

/**
 * Upsert under the policy: the cash customer is created if absent and never changed; an existing customer takes
 * only the updatable fields whose new value is not shortened or emptier (each skipped difference is a warning);
 * a new one gets the template's or the configured master data.
 */
async function upsertWithPolicy(client: Sage100Client, desired: Customer, policy: CustomerPolicyOutput, record: string): Promise<CustomerUpsertResult> {
  const warnings: string[] = [];
  const existing = await client.getCustomer(desired.ARDivisionNo, desired.CustomerNo);
  if (existing) {
    const { changes, skipped } = explainCustomerChanges(existing, desired, policy);
    const notable = skipped.filter((skip) => skip.reason !== 'cash-customer' && skip.reason !== 'not-updatable');
    for (const skip of notable) warnings.push(skippedWarning(record, skip.field, skip.reason));
    const changedFields = Object.keys(changes);
    if (changedFields.length === 0) return { outcome: 'unchanged', customer: existing, changedFields, matchedBy: 'number', warnings };
    const target = { ...existing, ...changes } as Customer;
    // The agent sets exactly the allowed fields in one call; otherwise the merged record goes back.
    const upserted = await client.upsertCustomer?.(target, changedFields);
    if (upserted) return { outcome: upserted.outcome, customer: upserted.customer, changedFields: upserted.changedFields, matchedBy: 'number', warnings };
    await client.updateCustomer(target);
    return { outcome: 'updated', customer: await readBack(client, target, record), changedFields, matchedBy: 'number', warnings };
  }
  const created = await newCustomerFrom(client, desired, policy, warnings);
  try {
    await client.createCustomer(created);
  } catch (err) {
    if (!(err instanceof Sage100Error && err.sageCode === SAGE_CODES.alreadyExists)) throw err;
    // Another worker made it between the read and the create: treat it as existing, under the same policy.
    return upsertWithPolicy(client, desired, policy, record);
  }
  return { outcome: 'created', customer: await readBack(client, created, record), changedFields: [], matchedBy: 'number', warnings };
}

/**
 * The options as rules the agent applies in the upsert itself (contract 1.3), the same as `upsertWithPolicy` applies
 * on this side: the cash customer is never changed, the merchant's fields only, never emptier, shortened or over a
 * value the mapper cut; a new customer from the template or the defaults.
 */
export function customerRules(desired: Customer, options: UpsertOptions): CustomerRules {
  const { policy } = options;
  if (!policy) return { updatable: CUSTOMER_CONTACT_FIELDS };
  const cash = desired.CustomerNo.trim() === policy.cashCustomerNo;
  const { defaults, templateCustomerNo } = policy.newCustomer;
  return {
    updatable: cash ? [] : policy.updatableFields,
    keep: policy.truncatedFields ?? [],
    fullerOnly: true,
    newCustomer: { defaults: Object.fromEntries(Object.entries(defaults).filter(([, value]) => value)), ...(templateCustomerNo && { templateCustomerNo }), templateFields: TEMPLATE_FIELDS },
  };
}

/** The agent's answer to an upsert under `customerRules`, with the same warnings `upsertWithPolicy` gives. */
export function upsertResultOf(answer: UpsertedForOrder, desired: Customer, options: UpsertOptions): CustomerUpsertResult {
  const record = `customer ${desired.ARDivisionNo}-${desired.CustomerNo}`;
  const warnings = answer.skipped.map((skip) => skippedWarning(record, skip.field, skip.reason));
  const templateNo = options.policy?.newCustomer.templateCustomerNo;
  if (answer.templateFound === false && templateNo) warnings.push(templateMissing(desired.ARDivisionNo, templateNo));
  return { outcome: answer.outcome, customer: answer.customer, changedFields: answer.changedFields, matchedBy: 'number', warnings };
}

const customerKeySchema = z.object({ ARDivisionNo: arDivisionNoSchema, CustomerNo: customerNoSchema });

function recordOf(value: unknown): string | undefined {
  const keys = value as { ARDivisionNo?: unknown; CustomerNo?: unknown } | undefined;
  return typeof keys?.CustomerNo === 'string' ? `customer ${String(keys.ARDivisionNo ?? '??')}-${keys.CustomerNo}` : undefined;
}

/** The customer with the given ARDivisionNo + CustomerNo, or a CI_NoKey Sage100Error naming it. */
export async function getCustomer(client: Sage100Client, keys: unknown): Promise<Customer> {
  const record = recordOf(keys);
  const { ARDivisionNo, CustomerNo } = parseWith(customerKeySchema, keys, { what: 'Customer key', record });
  const customer = await client.getCustomer(ARDivisionNo, CustomerNo);
  if (!customer) {
    throw new Sage100Error(SAGE_CODES.noKey, 'The customer does not exist.', {
      record: `customer ${ARDivisionNo}-${CustomerNo}`,
      hint: 'Check ARDivisionNo and CustomerNo, or use the upsert operation to create the customer.',
    });
  }
  return customer;
}

/** Sage pads with spaces; email addresses are compared without case, as mail servers treat them. */
function comparable(field: (typeof CUSTOMER_CONTACT_FIELDS)[number], value: string | undefined): string {
  const trimmed = (value ?? '').trim();
  return field === 'EmailAddress' ? trimmed.toLowerCase() : trimmed;
}

/** The contact/address members of `desired` that differ from `current`; unset members are left as they are. */
export function changedContactFields(current: Customer, desired: Customer): Partial<Customer> {
  const changes: Partial<Customer> = {};
  for (const field of CUSTOMER_CONTACT_FIELDS) {
    const wanted = desired[field];
    if (wanted !== undefined && comparable(field, wanted) !== comparable(field, current[field])) changes[field] = wanted;
  }
  return changes;
}

async function readBack(client: Sage100Client, customer: Customer, record: string): Promise<Customer> {
  const stored = await client.getCustomer(customer.ARDivisionNo, customer.CustomerNo);
  if (!stored) {
    throw new ConnectorError(`${record}: Sage 100 accepted the write but the customer cannot be read back`, {
      code: 'sage100.customer_read_back',
      record,
      hint: 'Check in Sage (Customer Maintenance) whether the customer exists; the next message retries the upsert.',
      retryable: true,
    });
  }
  return stored;
}

async function updateIfChanged(client: Sage100Client, current: Customer, desired: Customer, record: string) {
  const changes = changedContactFields(current, desired);
  const changedFields = Object.keys(changes);
  if (changedFields.length === 0) return { outcome: 'unchanged' as const, customer: current, changedFields };
  const merged: Customer = { ...current, ...changes };
  await client.updateCustomer(merged);
  return { outcome: 'updated' as const, customer: await readBack(client, merged, record), changedFields };
}

/** Customers with exactly this email (case-insensitive): the agent's search may match more loosely. */
async function customersWithEmail(client: Sage100Client, email: string): Promise<Customer[]> {
  const wanted = email.trim().toLowerCase();
  const found = await client.findCustomersByEmail(email);
  return found.filter((customer) => customer.EmailAddress?.trim().toLowerCase() === wanted);
}

/**
 * Get or create the customer (matched on ARDivisionNo + CustomerNo), updating changed contact/address members
 * only. A create that fails WS_AlreadyExists (another worker, or a create that committed but timed out and was
 * repeated) is read back and treated as an existing customer.
 */
export async function upsertCustomer(client: Sage100Client, input: unknown, options: UpsertOptions = {}): Promise<CustomerUpsertResult> {
  const record = recordOf(input) ?? 'customer';
  const desired = await parseCustomer(client, input, { what: 'Customer', record });
  if (options.policy) return upsertWithPolicy(client, desired, options.policy, record);
  const warnings: string[] = [];

  // The agent creates or updates in one call; matching by email needs its search first, so it takes the long way.
  const upserted = options.matchByEmail ? undefined : await client.upsertCustomer?.(desired, CUSTOMER_CONTACT_FIELDS);
  if (upserted) return { ...upserted, matchedBy: 'number', warnings };

  const byNumber = await client.getCustomer(desired.ARDivisionNo, desired.CustomerNo);
  if (byNumber) return { ...(await updateIfChanged(client, byNumber, desired, record)), matchedBy: 'number', warnings };

  if (options.matchByEmail && desired.EmailAddress) {
    const matches = await customersWithEmail(client, desired.EmailAddress);
    if (matches.length === 1) {
      const match = matches[0] as Customer;
      const matchRecord = `customer ${match.ARDivisionNo}-${match.CustomerNo}`;
      const target: Customer = { ...desired, ARDivisionNo: match.ARDivisionNo, CustomerNo: match.CustomerNo };
      return { ...(await updateIfChanged(client, match, target, matchRecord)), matchedBy: 'email', warnings };
    }
    if (matches.length > 1) {
      const numbers = matches.map((customer) => `${customer.ARDivisionNo}-${customer.CustomerNo}`).join(', ');
      warnings.push(`email ${desired.EmailAddress} matches ${matches.length} Sage customers (${numbers}); not guessing, used ${desired.ARDivisionNo}-${desired.CustomerNo}`);
    }
  }

  try {
    await client.createCustomer(desired);
  } catch (err) {
    if (!(err instanceof Sage100Error && err.sageCode === SAGE_CODES.alreadyExists)) throw err;
    const existing = await readBack(client, desired, record);
    return { ...(await updateIfChanged(client, existing, desired, record)), matchedBy: 'number', warnings };
  }
  return { outcome: 'created', customer: await readBack(client, desired, record), changedFields: [], matchedBy: 'number', warnings };
}
