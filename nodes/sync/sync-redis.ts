import { redisConnectionOptions, type RedisConnectionOptions } from '../../lib/sync/redis-options';
import type { NodeAPI, NodeDefinition, RuntimeNode } from '../../lib/node-red/types';

export interface SyncRedisNode extends RuntimeNode<{ username: string; password: string }> {
  /** Connection options for BullMQ; resolved on use so a bad URL fails the queue that needs it, with the reason. */
  connection(): RedisConnectionOptions & { prefix: string };
}

export default function register(RED: NodeAPI): void {
  function SyncRedis(this: SyncRedisNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    this.connection = () =>
      redisConnectionOptions({
        url: String(definition.url ?? ''),
        tls: definition.tls === true,
        rejectUnauthorized: definition.rejectUnauthorized !== false,
        username: this.credentials.username || undefined,
        password: this.credentials.password || undefined,
        keyPrefix: String(definition.keyPrefix || 'ml-connector'),
      });
  }
  RED.nodes.registerType('sync-redis', SyncRedis, {
    credentials: { username: { type: 'text' }, password: { type: 'password' } },
  });
}
