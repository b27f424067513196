import { z } from 'zod';
import { parseWith } from '../errors';

const redisSettings = z.object({
  url: z.string().regex(/^rediss?:\/\/[^\s]+$/, 'must look like redis://host:6379 or rediss://host:6380'),
  tls: z.boolean(),
  rejectUnauthorized: z.boolean(),
  username: z.string().optional(),
  password: z.string().optional(),
  keyPrefix: z.string().min(1).max(64),
});

export type RedisSettings = z.input<typeof redisSettings>;

export interface RedisConnectionOptions {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: { rejectUnauthorized: boolean; servername: string };
  /** BullMQ workers block on Redis; ioredis must not give up on a command while they wait. */
  maxRetriesPerRequest: null;
}

/** ioredis connection options from the sync-redis config node; the password comes from its credentials only. */
export function redisConnectionOptions(settings: RedisSettings): RedisConnectionOptions & { prefix: string } {
  const valid = parseWith(redisSettings, settings, { what: 'Redis settings', code: 'redis.settings' });
  const url = new URL(valid.url);
  const useTls = valid.tls || url.protocol === 'rediss:';
  const db = Number.parseInt(url.pathname.replace(/^\//, '') || '0', 10);
  return {
    host: url.hostname,
    port: Number.parseInt(url.port || '6379', 10),
    db: Number.isFinite(db) ? db : 0,
    ...(valid.username && { username: valid.username }),
    ...(valid.password && { password: valid.password }),
    ...(useTls && { tls: { rejectUnauthorized: valid.rejectUnauthorized, servername: url.hostname } }),
    maxRetriesPerRequest: null,
    prefix: valid.keyPrefix,
  };
}
