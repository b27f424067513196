/** The package's figure and the naive flow's, measured in the same run. */
export interface Side<T> {
  ours: T;
  naive: T;
}

export interface Figure {
  /** Machine-readable name, printed as `BENCH <name>=<value>` (and `BENCH <name>.naive=<value>`). */
  name: string;
  ours: number;
  /** Absent where the naive flow has nothing to compare (it keeps no snapshot). */
  naive?: number;
  /** Decimals to print. */
  decimals: number;
  what: string;
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function format(value: number | undefined, decimals: number): string {
  if (value === undefined) return '—';
  if (!Number.isFinite(value)) return String(value);
  return value.toFixed(decimals);
}

/** The table for people, then one `BENCH` line per figure for machines. */
export function render(figures: Figure[]): string {
  const rows = figures.map((figure) => [figure.name, format(figure.ours, figure.decimals), format(figure.naive, figure.decimals), figure.what]);
  const header = ['figure', 'package', 'naive', 'what'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 1 || column === 2 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  const table = [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)];
  const machine: string[] = [];
  for (const figure of figures) {
    machine.push(`BENCH ${figure.name}=${format(figure.ours, figure.decimals)}`);
    if (figure.naive !== undefined) machine.push(`BENCH ${figure.name}.naive=${format(figure.naive, figure.decimals)}`);
  }
  return [...table, '', ...machine].join('\n');
}
