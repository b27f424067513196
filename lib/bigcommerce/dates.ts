/**
 * BigCommerce's date formats: v2 bodies carry RFC-2822 (`Tue, 05 Mar 2019 21:40:11 +0000`), v3 bodies and
 * every filter the client sends use RFC 3339 (`2019-03-05T21:40:11+00:00`).
 */

/** RFC 3339 in UTC to the second, the form both v2 and v3 filters accept. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** Epoch ms of an RFC-2822 or ISO-8601 date, or undefined when the text is neither. */
export function parseApiDate(text: string): number | undefined {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
