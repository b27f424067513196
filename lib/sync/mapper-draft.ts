import { ValidationError } from '../errors';
import type { SageFieldLimits } from '../sage100/types';
import type { MapperOptions } from './mapper-options';
import { holdError } from './order-hold';
import { fitWindows1252 } from './text-policy';

/** Text and amounts as Sage takes them, and the draft of one order's mapping: its warnings and the text kept in full. */

/** Sage's amount columns hold 9 digits before the decimal point (15,6 and 11,2). */
export const LARGEST_AMOUNT = 999_999_999;

/** One line of text as Sage stores it: no line breaks or control characters, single spaces. */
export function singleLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Comment text keeps its line breaks (Sage's comment lines are multi-line); other control characters go. */
export function commentText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0009\u000b-\u001f\u007f]+/g, ' ').trim();
}

/** The longest start of `text` within `limit` UTF-16 units (what the length checks count), never splitting a character. */
export function cut(text: string, limit: number): string {
  let out = '';
  for (const character of text) {
    if (out.length + character.length > limit) break;
    out += character;
  }
  return out;
}

export function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > 0) {
    const piece = cut(rest, size);
    out.push(piece);
    rest = rest.slice(piece.length);
  }
  return out;
}

/** Drops undefined members so the records carry only what the mapper decided to send. */
export function compact<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

/** Collects what did not fit Sage's fields, so it reaches `warnings` and a comment line instead of vanishing. */
export class Draft {
  readonly warnings: string[] = [];
  readonly keptInFull: string[] = [];
  /** Customer columns that had to be shortened: never written over an existing customer's value. */
  readonly truncated = new Set<string>();

  constructor(
    readonly orderId: number,
    readonly limits: SageFieldLimits,
    private readonly options: MapperOptions,
  ) {}

  get record(): string {
    return `order ${this.orderId}`;
  }

  /** Text as Windows-1252 under the text policy, with a warning naming the order and the field. */
  text(value: string, label: string, field: string): string {
    const fitted = fitWindows1252(value, this.options.textPolicy);
    if (fitted.unmappable.length === 0 && fitted.changed.length === 0) return value;
    const characters = [...fitted.changed, ...fitted.unmappable.filter((c) => !fitted.changed.includes(c))].join(' ');
    if (this.options.textPolicy === 'hold') {
      throw holdError(this.orderId, field, `${label} has characters Sage cannot store (Windows-1252): ${characters}`);
    }
    if (this.options.textPolicy === 'keep') {
      this.warn(`${this.record}: ${label} (${field}) has characters outside Windows-1252, sent as they are: ${characters}`);
      return value;
    }
    const lost = fitted.unmappable.length > 0 ? `; '?' for ${fitted.unmappable.join(' ')}` : '';
    this.warn(`${this.record}: ${label} (${field}) written as "${fitted.text}" for Windows-1252${lost}`);
    return fitted.text;
  }

  /** `value` on one line, in Windows-1252, cut to `limit`; undefined when blank. */
  fit(value: string, limit: number, label: string, field: string, column?: string): string | undefined {
    const clean = this.text(singleLine(value), label, field);
    if (clean === '') return undefined;
    if (clean.length <= limit) return clean;
    if (column) this.truncated.add(column);
    this.keep(label, clean, `${label} is longer than Sage's ${limit} characters: truncated, the full text is in a comment line`);
    return cut(clean, limit).trimEnd() || undefined;
  }

  keep(label: string, text: string, warning: string): void {
    this.warnings.push(warning);
    this.keptInFull.push(`${label}: ${text}`);
  }

  warn(warning: string): void {
    this.warnings.push(warning);
  }

  /** An amount Sage can hold; money parsed from text can be anything, including Infinity. */
  amount(value: number, field: string, where = field): number {
    if (!Number.isFinite(value) || Math.abs(value) > LARGEST_AMOUNT) {
      throw this.invalid(`${where}: ${value} is outside the amounts Sage can hold (±${LARGEST_AMOUNT})`, 'mapper.amount', field);
    }
    return value;
  }

  invalid(message: string, code: string, field: string, hint?: string): ValidationError {
    return new ValidationError(`${this.record}: ${message}`, { code, field, record: this.record, ...(hint && { hint }) });
  }
}

/** `line 7 "Blue Tee"`: how messages name a product line. */
export function lineLabel(product: { id: number; name: string }): string {
  const name = singleLine(product.name);
  return `line ${product.id}${name ? ` "${name}"` : ''}`;
}
