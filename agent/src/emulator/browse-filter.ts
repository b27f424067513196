import type { SageRow } from './company';

/**
 * The part of ProvideX's expression language that browse filters need (`nSetBrowseFilter`): comparisons of a
 * column (`Name$` text, `Name` number, `UCS(Name$)` upper-cased) with a literal (`"text"`, `""` inside for a
 * quote, or a number), joined by AND. Anything else is refused, so the agent cannot come to rely on more than
 * this emulator understands without a test noticing.
 */

type Operator = '=' | '<>' | '>=' | '<=' | '>' | '<';
interface Comparison {
  column: string;
  upper: boolean;
  operator: Operator;
  literal: string | number;
}

const TERM = /^\s*(UCS\(\s*([A-Za-z_][A-Za-z0-9_]*\$)\s*\)|([A-Za-z_][A-Za-z0-9_]*\$?))\s*(<>|>=|<=|=|>|<)\s*("(?:[^"]|"")*"|-?\d+(?:\.\d+)?)\s*/;

export interface BrowseFilter {
  test: (row: SageRow) => boolean;
  /** Columns the filter pins to one value (`Col$="x"`), so a keyed table can be read by its index. */
  equals: Record<string, string | number>;
}

export function parseBrowseFilter(filter: string): BrowseFilter {
  const comparisons: Comparison[] = [];
  let rest = filter;
  while (rest.trim() !== '') {
    const match = TERM.exec(rest);
    if (!match) throw new Error(`browse filter not understood at: ${rest.trim()}`);
    const column = (match[2] ?? match[3]) as string;
    const literal = match[5] as string;
    comparisons.push({
      column: column.replace(/\$$/, ''),
      upper: match[2] !== undefined,
      operator: match[4] as Operator,
      literal: literal.startsWith('"') ? literal.slice(1, -1).replace(/""/g, '"') : Number(literal),
    });
    rest = rest.slice(match[0].length);
    if (rest.trim() === '') break;
    const and = /^\s*AND\s+/i.exec(rest);
    if (!and) throw new Error(`browse filter not understood at: ${rest.trim()}`);
    rest = rest.slice(and[0].length);
  }
  const equals = Object.fromEntries(comparisons.filter((c) => c.operator === '=' && !c.upper).map((c) => [c.column, c.literal]));
  return { test: (row) => comparisons.every((c) => compare(row, c)), equals };
}

function compare(row: SageRow, { column, upper, operator, literal }: Comparison): boolean {
  const stored = row[column];
  let value: string | number = typeof literal === 'number' ? Number(stored ?? 0) : String(stored ?? '');
  if (upper && typeof value === 'string') value = value.toUpperCase();
  switch (operator) {
    case '=':
      return value === literal;
    case '<>':
      return value !== literal;
    case '>=':
      return value >= literal;
    case '<=':
      return value <= literal;
    case '>':
      return value > literal;
    case '<':
      return value < literal;
  }
}
