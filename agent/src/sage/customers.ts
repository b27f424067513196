import type { BoiValue } from '../boi/types';
import { CODES, SageAnswerError, sageError } from './errors';
import type { SageLogicOptions } from './options';
import { browse, parseColumns, pvxText, readColumns, setColumns, type SageRecord } from './records';
import type { SalesOrderInput } from './sales-orders';
import type { BoiSession } from './session';
import { validateSalesOrder, type CheckProblem, type ValidateInput } from './validate';

/**
 * Customers over AR_Customer_bus: read, find by e-mail, create-only, update the columns sent, and upsert (create,
 * or change only the allowed columns that differ). `nSetKey` tells new (2) from existing (1).
 */

export interface CustomerKey {
  ARDivisionNo: string;
  CustomerNo: string;
}

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

const KEYS = new Set(['ARDivisionNo', 'CustomerNo']);
const recordOf = (key: CustomerKey) => `customer ${key.ARDivisionNo}-${key.CustomerNo}`;

async function readCustomer(session: BoiSession, logic: SageLogicOptions): Promise<SageRecord> {
  const object = await session.object(logic.objects.customer);
  return readColumns(object, parseColumns(await object.sGetColumns()));
}

/** Loads the record into the object: 2 new, 1 existing (0 fails with Sage's text, a lock naming the customer). */
async function setKey(session: BoiSession, logic: SageLogicOptions, key: CustomerKey): Promise<1 | 2> {
  const object = await session.object(logic.objects.customer);
  const name = logic.objects.customer.className;
  await object.nClear();
  for (const column of ['ARDivisionNo', 'CustomerNo'] as const) {
    if ((await object.nSetKeyValue(`${column}$`, key[column])) === 0) throw sageError(await object.sLastErrorMsg(), logic, 'key', name, recordOf(key));
  }
  const answer = await object.nSetKey();
  if (answer === 0) throw sageError(await object.sLastErrorMsg(), logic, 'key', name, recordOf(key));
  return answer === 1 ? 1 : 2;
}

async function write(session: BoiSession, logic: SageLogicOptions, key: CustomerKey, values: Array<[string, BoiValue]>): Promise<SageRecord> {
  const object = await session.object(logic.objects.customer);
  const name = logic.objects.customer.className;
  try {
    await setColumns(object, values, { logic, object: name, record: recordOf(key) });
    if ((await object.nWrite()) === 0) throw sageError(await object.sLastErrorMsg(), logic, 'write', name, recordOf(key));
  } catch (err) {
    await object.nClear().catch(() => undefined);
    throw err;
  }
  const stored = await getCustomer(session, logic, key);
  if (!stored) throw new SageAnswerError(CODES.exception, `${recordOf(key)} was written but cannot be read back.`, { status: 500, object: name });
  return stored;
}

/** CustomerName first: Sage requires it on a new customer, and the rest may depend on nothing else. */
function columnsOf(input: Record<string, unknown>): Array<[string, BoiValue]> {
  const entries = Object.entries(input).filter((entry): entry is [string, BoiValue] => !KEYS.has(entry[0]) && (typeof entry[1] === 'string' || typeof entry[1] === 'number'));
  return entries.sort(([a], [b]) => Number(b === 'CustomerName') - Number(a === 'CustomerName'));
}

export async function getCustomer(session: BoiSession, logic: SageLogicOptions, key: CustomerKey): Promise<SageRecord | undefined> {
  const object = await session.object(logic.objects.customer);
  await object.nClear();
  await object.nSetKeyValue('ARDivisionNo$', key.ARDivisionNo);
  await object.nSetKeyValue('CustomerNo$', key.CustomerNo);
  if ((await object.nFind()) === 0) return undefined;
  return readCustomer(session, logic);
}

export async function findCustomersByEmail(session: BoiSession, logic: SageLogicOptions, email: string): Promise<SageRecord[]> {
  const object = await session.object(logic.objects.customer);
  const wanted = email.trim().toUpperCase();
  if (!wanted) return [];
  return browse(object, `UCS(EmailAddress$)=${pvxText(wanted)}`, () => readCustomer(session, logic));
}

export async function createCustomer(session: BoiSession, logic: SageLogicOptions, input: CustomerKey & Record<string, unknown>): Promise<SageRecord> {
  const key = { ARDivisionNo: input.ARDivisionNo, CustomerNo: input.CustomerNo };
  if ((await setKey(session, logic, key)) === 1) {
    await (await session.object(logic.objects.customer)).nClear();
    throw new SageAnswerError(CODES.alreadyExists, `Customer ${key.ARDivisionNo}-${key.CustomerNo} already exists.`, { status: 409, object: logic.objects.customer.className });
  }
  return write(session, logic, key, columnsOf(input));
}

export async function updateCustomer(session: BoiSession, logic: SageLogicOptions, key: CustomerKey, input: Record<string, unknown>): Promise<SageRecord> {
  if ((await setKey(session, logic, key)) === 2) {
    await (await session.object(logic.objects.customer)).nClear();
    throw new SageAnswerError(CODES.noKey, `Customer ${key.ARDivisionNo}-${key.CustomerNo} does not exist.`, { status: 404, object: logic.objects.customer.className });
  }
  return write(session, logic, key, columnsOf(input));
}

/** ProvideX pads with spaces; e-mail addresses compare without case, as mail servers treat them. */
function comparable(column: string, value: unknown): string {
  const text = String(value ?? '').trim();
  return column === 'EmailAddress' ? text.toLowerCase() : text;
}

export type SkipReason = 'emptier' | 'shortened' | 'truncated';

/** What an upsert may do, beyond `updatable` (contract 1.3: all optional; absent, an upsert behaves as in 1.2). */
export interface UpsertRequest {
  /** The columns an existing customer may have changed. */
  updatable: string[];
  /** Columns never written over a value Sage has (the order's value was cut to Sage's length). */
  keep?: string[];
  /** An existing customer's column is neither emptied nor replaced by a shortened form of itself. */
  fullerOnly?: boolean;
  /** A new customer's master data: the template customer's `templateFields`, else `defaults`; the sent columns over them. */
  newCustomer?: { defaults?: Record<string, BoiValue>; templateCustomerNo?: string; templateFields?: string[] };
  /** The order the customer is written for: Sage checks it first (as validate does), and a refusal writes nothing. */
  salesOrder?: SalesOrderInput;
}

export type UpsertAnswer =
  | {
      outcome: UpsertOutcome;
      changedFields: string[];
      customer: SageRecord;
      skipped?: Array<{ field: string; reason: SkipReason }>;
      templateFound?: boolean;
      orderChecked?: true;
    }
  | { problems: CheckProblem[] };

const filled = (record: Record<string, unknown>) => Object.fromEntries(Object.entries(record).filter(([, value]) => String(value ?? '').trim() !== ''));

/** A new customer's columns: the template's (or the defaults) under the columns sent. */
async function newCustomerColumns(session: BoiSession, logic: SageLogicOptions, input: CustomerKey & Record<string, unknown>, rules: UpsertRequest['newCustomer']) {
  let base: Record<string, unknown> = {};
  let templateFound: boolean | undefined;
  if (rules?.templateCustomerNo) {
    const template = await getCustomer(session, logic, { ARDivisionNo: input.ARDivisionNo, CustomerNo: rules.templateCustomerNo });
    templateFound = template !== undefined;
    if (template) base = filled(Object.fromEntries((rules.templateFields ?? []).map((field) => [field, template[field]])));
  }
  if (Object.keys(base).length === 0) base = filled(rules?.defaults ?? {});
  return { columns: { ...base, ...filled(input) } as CustomerKey & Record<string, unknown>, templateFound };
}

/** Why an allowed difference is left as Sage has it, or undefined when it is written. */
function skipReason(column: string, before: string, after: string, request: UpsertRequest): SkipReason | undefined {
  if (request.fullerOnly && after === '' && before !== '') return 'emptier';
  if (before !== '' && request.keep?.includes(column)) return 'truncated';
  if (request.fullerOnly && after.length < before.length && before.toLowerCase().startsWith(after.toLowerCase())) return 'shortened';
  return undefined;
}

/**
 * Create the customer, or change only the `updatable` columns whose values differ (everything else Sage owns —
 * terms, tax schedule, credit — stays as it is). With a sales order, Sage checks the order (and the new customer)
 * first, whether or not the customer changes: every refusal is answered and nothing is written, so an order Sage
 * would refuse leaves no customer behind, and a ZIP Code missing from Sage's table is found before any write.
 */
export async function upsertCustomer(session: BoiSession, logic: SageLogicOptions, input: CustomerKey & Record<string, unknown>, request: UpsertRequest): Promise<UpsertAnswer> {
  const key = { ARDivisionNo: input.ARDivisionNo, CustomerNo: input.CustomerNo };
  const current = await getCustomer(session, logic, key);
  const fresh = current ? undefined : await newCustomerColumns(session, logic, input, request.newCustomer);
  if (request.salesOrder) {
    const customer = (fresh?.columns ?? key) as ValidateInput['customer'];
    const { problems } = await validateSalesOrder(session, logic, { salesOrder: request.salesOrder, customer });
    if (problems.length > 0) return { problems };
  }
  const checked = request.salesOrder && { orderChecked: true as const };
  if (!current) {
    const { columns, templateFound } = fresh as Awaited<ReturnType<typeof newCustomerColumns>>;
    return { outcome: 'created', changedFields: [], customer: await createCustomer(session, logic, columns), ...(templateFound !== undefined && { templateFound }), ...checked };
  }
  const skipped: Array<{ field: string; reason: SkipReason }> = [];
  const changes = columnsOf(input).filter(([column, value]) => {
    if (!request.updatable.includes(column) || comparable(column, value) === comparable(column, current[column])) return false;
    const reason = skipReason(column, String(current[column] ?? '').trim(), String(value).trim(), request);
    if (reason) skipped.push({ field: column, reason });
    return reason === undefined;
  });
  const notes = { ...(skipped.length > 0 && { skipped }), ...checked };
  if (changes.length === 0) return { outcome: 'unchanged', changedFields: [], customer: current, ...notes };
  return { outcome: 'updated', changedFields: changes.map(([column]) => column), customer: await updateCustomer(session, logic, key, Object.fromEntries(changes)), ...notes };
}
