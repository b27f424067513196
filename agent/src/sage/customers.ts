import type { BoiValue } from '../boi/types';
import { CODES, SageAnswerError, sageError } from './errors';
import type { SageLogicOptions } from './options';
import { browse, parseColumns, pvxText, readColumns, setColumns, type SageRecord } from './records';
import type { BoiSession } from './session';

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

/**
 * Create the customer, or change only the `updatable` columns whose values differ (everything else Sage owns —
 * terms, tax schedule, credit — stays as it is). Answers the stored record and what changed.
 */
export async function upsertCustomer(
  session: BoiSession,
  logic: SageLogicOptions,
  input: CustomerKey & Record<string, unknown>,
  updatable: string[],
): Promise<{ outcome: UpsertOutcome; changedFields: string[]; customer: SageRecord }> {
  const key = { ARDivisionNo: input.ARDivisionNo, CustomerNo: input.CustomerNo };
  if ((await setKey(session, logic, key)) === 2) {
    return { outcome: 'created', changedFields: [], customer: await write(session, logic, key, columnsOf(input)) };
  }
  const current = await readCustomer(session, logic);
  const changes = columnsOf(input).filter(([column, value]) => updatable.includes(column) && comparable(column, value) !== comparable(column, current[column]));
  if (changes.length === 0) {
    await (await session.object(logic.objects.customer)).nClear();
    return { outcome: 'unchanged', changedFields: [], customer: current };
  }
  return { outcome: 'updated', changedFields: changes.map(([column]) => column), customer: await write(session, logic, key, changes) };
}
