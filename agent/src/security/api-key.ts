import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

/**
 * The agent keeps only a hash of its API key: `init` shows the key once, and a copied config file or log
 * cannot be replayed against the agent. Format: `scrypt$<salt base64url>$<hash base64url>`.
 */
const KEY_LENGTH = 32;
const SCRYPT = { N: 16384, r: 8, p: 1 } as const;

export function makeApiKey(): string {
  return `sk_${randomBytes(24).toString('base64url')}`;
}

export function hashApiKey(apiKey: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(apiKey, salt, KEY_LENGTH, SCRYPT);
  return `scrypt$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export function verifyApiKey(presented: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = scryptSync(presented, Buffer.from(salt, 'base64url'), expected.length, SCRYPT);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
