/** Sage's audit columns: DateUpdated (YYYYMMDD) and TimeUpdated (decimal hours as text, "13.5" = 13:30:00). */
export interface SageStamp {
  DateUpdated: string;
  TimeUpdated: string;
}

/** Decimal hours as Sage stores TimeUpdated: "13.5" is 13:30:00; up to five decimals. */
export function decimalHours(at: Date): string {
  const hours = at.getUTCHours() + at.getUTCMinutes() / 60 + at.getUTCSeconds() / 3600 + at.getUTCMilliseconds() / 3_600_000;
  return String(Number(hours.toFixed(5)));
}

export function sageDate(at: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(at.getUTCFullYear(), 4)}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}`;
}

export function stampOf(at: Date): SageStamp {
  return { DateUpdated: sageDate(at), TimeUpdated: decimalHours(at) };
}

/** Orders two stamps the way change detection must: DateUpdated as text, then TimeUpdated as a number. */
export function compareStamps(a: SageStamp, b: SageStamp): number {
  if (a.DateUpdated !== b.DateUpdated) return a.DateUpdated < b.DateUpdated ? -1 : 1;
  return Number.parseFloat(a.TimeUpdated) - Number.parseFloat(b.TimeUpdated);
}
