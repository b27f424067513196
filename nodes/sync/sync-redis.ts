import { redisConnectionOptions, type RedisConnectionOptions } from '../../lib/sync/redis-options';
import type { NodeAPI, NodeDefinition, RuntimeNode } from '../../lib/node-red/types';
import { readSettings } from '../../lib/settings/definition';
import { redisSettings } from '../../lib/settings/sync';

export interface SyncRedisNode extends RuntimeNode<{ username: string; password: string }> {
  /** Connection options for BullMQ; resolved on use so a bad URL fails the queue that needs it, with the reason. */
  connection(): RedisConnectionOptions & { prefix: string };
}

export default function register(RED: NodeAPI): void {
  function SyncRedis(this: SyncRedisNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    this.connection = () => {
      const settings = readSettings(redisSettings, definition);
      return redisConnectionOptions({
        url: settings.url,
        tls: settings.tls,
        rejectUnauthorized: settings.rejectUnauthorized,
        username: this.credentials.username || undefined,
        password: this.credentials.password || undefined,
        keyPrefix: settings.keyPrefix,
      });
    };
  }
  RED.nodes.registerType('sync-redis', SyncRedis, {
    credentials: { username: { type: 'text' }, password: { type: 'password' } },
  });
}
