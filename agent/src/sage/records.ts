import { PVX_SEP, type BoiRecordSet, type BoiValue, type BusinessObject } from '../boi/types';
import { sageError } from './errors';
import type { SageLogicOptions } from './options';

/**
 * Reading and writing columns the BOI way: `$` on string columns, values trimmed of ProvideX's trailing spaces,
 * and every return code checked (1 ok, −1 ok with a warning, 0 failure with `sLastErrorMsg` of the object that
 * failed — the lines object for lines).
 */

export type SageRecord = Record<string, BoiValue>;

/** The BOI name of a column for a value: text columns take `$`. */
export const boiColumn = (column: string, value: BoiValue) => (typeof value === 'number' ? column : `${column}$`);

/** Column names from `sGetColumns`, with whether each is text. */
export function parseColumns(list: string): Array<{ name: string; text: boolean }> {
  return list
    .split(PVX_SEP)
    .filter((entry) => entry !== '')
    .map((entry) => ({ name: entry.replace(/\$$/, ''), text: entry.endsWith('$') }));
}

/** The current record's columns, strings trimmed. */
export async function readColumns(record: BoiRecordSet, columns: Array<{ name: string; text: boolean }>): Promise<SageRecord> {
  const out: SageRecord = {};
  for (const { name, text } of columns) {
    const ref = { value: text ? '' : 0 } as { value: BoiValue };
    if ((await record.nGetValue(text ? `${name}$` : name, ref)) === 0) continue;
    out[name] = typeof ref.value === 'string' ? ref.value.trimEnd() : ref.value;
  }
  return out;
}

/** Every row of the object's browse (after `nSetBrowseFilter`), read with `read`. */
export async function browse<T>(object: BusinessObject, filter: string, read: () => Promise<T | undefined>): Promise<T[]> {
  const rows: T[] = [];
  await object.nSetBrowseFilter(filter);
  try {
    for (let more = await object.nMoveFirst(); more !== 0 && (await object.nEOF()) === 0; more = await object.nMoveNext()) {
      const row = await read();
      if (row !== undefined) rows.push(row);
    }
  } finally {
    await object.nSetBrowseFilter('');
  }
  return rows;
}

/** A ProvideX string literal: quotes doubled. */
export const pvxText = (value: string) => `"${value.replace(/"/g, '""')}"`;

export interface SetResult {
  /** Sage's warnings (−1 answers), by column. */
  warnings: Array<{ column: string; message: string }>;
}

/**
 * Sets columns in the order given, stopping at the first 0 with Sage's text (from `errorsOn`, the lines object
 * for a line). A −1 is collected as a warning unless `onWarning` decides otherwise.
 */
export async function setColumns(
  target: BoiRecordSet,
  values: Array<[string, BoiValue]>,
  context: { logic: SageLogicOptions; object: string; record: string; onWarning?: (column: string, message: string) => void },
  result: SetResult = { warnings: [] },
): Promise<SetResult> {
  for (const [column, value] of values) {
    const code = await target.nSetValue(boiColumn(column, value), value);
    if (code === 0) {
      const message = await target.sLastErrorMsg();
      throw sageError(message, context.logic, 'value', context.object, context.record);
    }
    if (code < 0) {
      const message = await target.sLastErrorMsg();
      context.onWarning?.(column, message);
      result.warnings.push({ column, message });
    }
  }
  return result;
}
