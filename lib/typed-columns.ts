import { endianness } from 'node:os';

/**
 * Helpers for the columnar forms of large lists (the Sage items of a run, the push snapshot): values in typed arrays,
 * strings run together (as code units, or one string) with end offsets, so 100,000 records cost a few arrays instead
 * of 100,000 objects.
 */

export type NumberColumn = Float64Array | Uint32Array | Uint16Array | Uint8Array;
type NumberColumnType<T extends NumberColumn> = { new (buffer: ArrayBufferLike): T; new (length: number): T; readonly BYTES_PER_ELEMENT: number };

/** A resizable ArrayBuffer (ES2024, in Node 20); the project's lib setting predates its types. */
interface ResizableBuffer extends ArrayBuffer {
  resize(byteLength: number): void;
}
const Resizable = ArrayBuffer as unknown as new (byteLength: number, options: { maxByteLength: number }) => ResizableBuffer;

/** Address space a column may grow into (256 MiB: 9 million items of a table); only what is written takes memory. */
const MAX_COLUMN_BYTES = 2 ** 28;
/** Below this a finished column is copied into an array of its own, so small tables hold no reserved address space. */
const COPIED_BELOW_BYTES = 2 ** 20;

/**
 * A typed array that grows in place while a table is built: a resizable ArrayBuffer reserves the address space once
 * and takes memory only as it grows, so growing never copies (a doubled-and-copied array would hold up to three times
 * the column at its peak), and `finish` gives back the unused tail.
 */
export class GrowingColumn<T extends NumberColumn> {
  private readonly buffer = new Resizable(0, { maxByteLength: MAX_COLUMN_BYTES });
  /** Tracks the buffer's length. */
  readonly values: T;

  constructor(private readonly Type: NumberColumnType<T>) {
    this.values = new Type(this.buffer);
  }

  /** Room for `length` values (their memory is taken when they are written). */
  ensure(length: number): void {
    if (length <= this.values.length) return;
    const bytes = length * this.Type.BYTES_PER_ELEMENT;
    if (bytes > MAX_COLUMN_BYTES) throw new RangeError(`a table column holds at most ${MAX_COLUMN_BYTES / 2 ** 20} MiB (about 9 million Sage items); this one needs more`);
    this.buffer.resize(Math.min(MAX_COLUMN_BYTES, Math.max(bytes, this.values.byteLength * 2)));
  }

  /** The first `length` values; the column is not written to again. */
  finish(length: number): T {
    const bytes = length * this.Type.BYTES_PER_ELEMENT;
    if (bytes < COPIED_BELOW_BYTES) return this.values.slice(0, length) as T;
    this.buffer.resize(bytes);
    return this.values;
  }
}

/**
 * Text as UTF-16 code units in a typed array, outside the JavaScript heap: one byte a unit while every character is
 * Latin-1 (Sage item codes and descriptions are), two bytes once one is not.
 */
export type CodeUnits = Uint8Array | Uint16Array;

/**
 * Strings written one after another into code units. Nothing is kept as a string while a table is built, so the
 * strings of the incoming records die young and the heap does not grow with the table.
 */
export class TextWriter {
  private column: GrowingColumn<Uint8Array> | GrowingColumn<Uint16Array> = new GrowingColumn(Uint8Array);
  /** Units written so far: the end offset of the last string. */
  length = 0;

  /** Appends `text`; returns its end offset. */
  write(text: string): number {
    this.column.ensure(this.length + text.length);
    let units = this.column.values;
    for (let offset = 0; offset < text.length; offset++) {
      const unit = text.charCodeAt(offset);
      if (unit > 0xff && units instanceof Uint8Array) units = this.widen();
      units[this.length + offset] = unit;
    }
    this.length += text.length;
    return this.length;
  }

  /** Two bytes a unit from now on; what was written (this string's first units included) is copied over. */
  private widen(): Uint16Array {
    const wide = new GrowingColumn(Uint16Array);
    wide.ensure(this.column.values.length);
    wide.values.set(this.column.values);
    this.column = wide;
    return wide.values;
  }

  finish(): CodeUnits {
    return this.column.finish(this.length);
  }
}

/** The string of `units` from `start` to `end`. */
export function unitsToString(units: CodeUnits, start: number, end: number): string {
  let text = '';
  // In slices: an argument list has a length limit.
  for (let at = start; at < end; at += 8192) text += String.fromCharCode.apply(null, units.subarray(at, Math.min(end, at + 8192)) as unknown as number[]);
  return text;
}

/** Little-endian on disk whatever the machine, so a state file moves between machines. */
const swapped = endianness() === 'BE';

function swap(bytes: Buffer, size: number): Buffer {
  if (!swapped || size === 1) return bytes;
  return size === 8 ? bytes.swap64() : size === 4 ? bytes.swap32() : bytes.swap16();
}

/** A typed array as base64 text, for JSON files: 8 bytes per number rather than a parsed JSON number each. */
export function toBase64(column: NumberColumn): string {
  const bytes = Buffer.from(column.buffer, column.byteOffset, column.byteLength);
  return (swapped ? swap(Buffer.from(bytes), column.BYTES_PER_ELEMENT) : bytes).toString('base64');
}

/** The typed array `toBase64` wrote, or undefined when `text` is not base64 of exactly `length` values. */
export function fromBase64<T extends NumberColumn>(text: unknown, Type: NumberColumnType<T>, length: number): T | undefined {
  if (typeof text !== 'string' || !Number.isInteger(length) || length < 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== length * Type.BYTES_PER_ELEMENT) return undefined;
  const column = new Type(length);
  // Copied: Buffer.from may hand out a slice of its pool at an offset no Float64Array view can start at.
  new Uint8Array(column.buffer).set(swap(bytes, Type.BYTES_PER_ELEMENT));
  return column;
}

const unitAt = (text: string | CodeUnits, index: number): number => (typeof text === 'string' ? text.charCodeAt(index) : text[index]!);

/**
 * Compares the part of `a` from `aStart` to `aEnd` with the part of `b` from `bStart` to `bEnd`, in code-unit order
 * (as `<` compares strings), without slicing either; each is a string or code units.
 */
export function compareSlices(a: string | CodeUnits, aStart: number, aEnd: number, b: string | CodeUnits, bStart: number, bEnd: number): number {
  const shorter = Math.min(aEnd - aStart, bEnd - bStart);
  for (let offset = 0; offset < shorter; offset++) {
    const difference = unitAt(a, aStart + offset) - unitAt(b, bStart + offset);
    if (difference !== 0) return difference;
  }
  return aEnd - aStart - (bEnd - bStart);
}
