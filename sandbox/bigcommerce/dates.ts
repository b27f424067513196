/**
 * Date formats BigCommerce uses: v2 bodies carry RFC-2822 (`Tue, 05 Mar 2019 21:40:11 +0000`), v3 bodies
 * ISO-8601 / RFC 3339. v2 filters accept either, so the parser is strict: a client that forgets to encode the
 * `+` of an offset (which then arrives as a space) gets a 400 here, as it would fail against a real store.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function rfc2822(ms: number): string {
  return new Date(ms).toUTCString().replace(/GMT$/, '+0000');
}

/** RFC 3339 without milliseconds and with an explicit offset, as v3 sends it (`2022-06-16T16:44:15+00:00`). */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

const RFC2822 = /^(?:[A-Z][a-z]{2}, )?(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2})(?::(\d{2}))? ([+-])(\d{2})(\d{2})$/;
const ISO8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Epoch ms for an RFC-2822 or ISO-8601 date, or undefined when the text is neither. */
export function parseApiDate(text: string): number | undefined {
  const rfc = RFC2822.exec(text);
  if (rfc) {
    const [, day, month, year, hour, minute, second, sign, offH, offM] = rfc;
    const monthIndex = MONTHS.indexOf(month!);
    if (monthIndex < 0) return undefined;
    const utc = Date.UTC(Number(year), monthIndex, Number(day), Number(hour), Number(minute), Number(second ?? 0));
    const offset = (Number(offH) * 60 + Number(offM)) * 60_000 * (sign === '-' ? -1 : 1);
    return utc - offset;
  }
  if (ISO8601.test(text)) {
    // A date without an offset is read as UTC, like the store's API does for date-only filters.
    const withZone = /(Z|[+-]\d{2}:?\d{2})$/.test(text) || !text.includes('T') ? text : `${text}Z`;
    const ms = Date.parse(text.includes('T') ? withZone : `${text}T00:00:00Z`);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}
