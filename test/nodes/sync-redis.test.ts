import assert from 'node:assert/strict';
import syncRedis, { type SyncRedisNode } from '../../nodes/sync/sync-redis';
import { helper } from '../support/node-red';

describe('sync-redis config node', () => {
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('builds connection options with the password from credentials only', async () => {
    await helper.load(
      syncRedis,
      [{ id: 'r1', type: 'sync-redis', url: 'rediss://cache.example:6380/2', tls: false, rejectUnauthorized: true, keyPrefix: 'shop' }],
      { r1: { username: 'integration', password: 's3cret-pass' } },
    );
    const node = helper.getNode('r1') as unknown as SyncRedisNode;
    assert.deepEqual(node.connection(), {
      host: 'cache.example',
      port: 6380,
      db: 2,
      username: 'integration',
      password: 's3cret-pass',
      tls: { rejectUnauthorized: true, servername: 'cache.example' },
      maxRetriesPerRequest: null,
      prefix: 'shop',
    });
  });

  it('names the field when the URL is not a Redis URL', async () => {
    await helper.load(syncRedis, [{ id: 'r1', type: 'sync-redis', url: 'http://wrong', keyPrefix: 'x' }]);
    const node = helper.getNode('r1') as unknown as SyncRedisNode;
    assert.throws(() => node.connection(), /sync-redis settings in node r1: url: must look like redis:\/\/host:6379/);
  });
});
