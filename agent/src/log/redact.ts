/**
 * What the agent logs never holds a secret: fields whose name says secret are masked whatever their value, known
 * secret values (the Sage password) are masked wherever they appear, and anything shaped like an agent API key is
 * masked even when nobody said it was one (a key pasted into the wrong field, an echoed header).
 */
export const REDACTED = '[redacted]';

const SECRET_FIELD = /pass(word|wd)?$|secret|api[-_]?key|authorization|token|cookie|credential/i;
const API_KEY_SHAPE = /\bsk_[A-Za-z0-9_-]{16,}/g;
const MAX_DEPTH = 6;

export interface Redactor {
  (value: unknown): unknown;
  text(value: string): string;
}

/** `knownSecrets`: values to mask wherever they occur; too short ones (under 4 characters) would mask ordinary text. */
export function makeRedactor(knownSecrets: readonly string[] = []): Redactor {
  const secrets = knownSecrets.filter((secret) => secret.length >= 4).sort((a, b) => b.length - a.length);

  const text = (value: string): string => {
    let result = value.replace(API_KEY_SHAPE, REDACTED);
    for (const secret of secrets) result = result.split(secret).join(REDACTED);
    return result;
  };

  const walk = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return text(value);
    if (value === null || typeof value !== 'object') return value;
    if (depth >= MAX_DEPTH) return '[nested]';
    if (value instanceof Error) {
      const code = (value as { code?: unknown }).code;
      return { name: value.name, message: text(value.message), ...(typeof code === 'string' && { code }) };
    }
    if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1));
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, SECRET_FIELD.test(key) ? REDACTED : walk(item, depth + 1)]));
  };

  return Object.assign((value: unknown) => walk(value, 0), { text });
}
