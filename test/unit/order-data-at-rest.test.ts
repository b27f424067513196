import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '../../lib/errors';
import { JsonStateStore } from '../../lib/node-red/state-store';
import { jobIdFor } from '../../lib/sync/queue/messages';

const read = (msg: Record<string, unknown>, path: string): unknown => path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], msg);

describe('order data: where it is kept and under which name', () => {
  it('writes state files (queued orders, cursors) readable by their owner only', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'state-mode-'));
    try {
      const files = new JsonStateStore(join(directory, 'state'));
      await files.write('sync-queue-q1', [{ id: 'order:250', data: { payload: { billing_address: { email: 'ann@example.com' } } } }]);
      await files.write('sync-queue-q1', [{ id: 'order:251' }]);
      assert.equal(statSync(join(directory, 'state', 'sync-queue-q1.json')).mode & 0o777, 0o600);
      assert.equal(statSync(join(directory, 'state')).mode & 0o077, 0, 'the folder is not open to others either');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('never gives an event about another resource the job id of the order with the same number', () => {
    const settings = { property: '', prefix: 'order:' };
    assert.equal(jobIdFor({ topic: 'store/order/created', resourceId: 250 }, settings, read), 'order:250');
    assert.throws(
      () => jobIdFor({ topic: 'store/product/updated', resourceId: 250 }, settings, read),
      (err: unknown) => err instanceof ValidationError && err.code === 'queue.not_an_order' && /store\/product\/updated/.test(err.message),
    );
    assert.throws(() => jobIdFor({ topic: 'store/sku/inventory/updated', payload: { data: { id: 250 } } }, settings, read), /not an order/);
    assert.equal(jobIdFor({ topic: 'store/product/updated', resourceId: 250 }, { property: 'resourceId', prefix: 'product:' }, read), 'product:250', 'a chosen property is taken as it is');
  });
});
