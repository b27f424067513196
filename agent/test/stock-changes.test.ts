import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StockRow } from '../src/sage/inventory';
import { StockSnapshots } from '../src/sage/stock-changes';

const stamp = { DateUpdated: '20260302', TimeUpdated: '9' };
const row = (ItemCode: string, WarehouseCode: string, QuantityOnHand: number): StockRow => ({ ItemCode, WarehouseCode, QuantityOnHand, QuantityOnSalesOrder: 0, QuantityOnBackOrder: 0, ...stamp });

describe('agent: stock generations per client', () => {
  let dataDir: string;
  beforeEach(async () => (dataDir = await mkdtemp(join(tmpdir(), 'agent-stock-'))));
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('answers changed, new and vanished rows, and survives an agent restart through its data folder', async () => {
    const first = new StockSnapshots(dataDir);
    const baseline = await first.changesSince('ABC', 'n1', undefined, '', [row('A', '000', 1), row('B', '000', 2), row('C', '000', 3)], stamp);
    assert.deepEqual([baseline.rows, baseline.baseline], [[], true]);

    const restarted = new StockSnapshots(dataDir);
    const changes = await restarted.changesSince('ABC', 'n1', baseline.token, '', [row('C', '000', 3), row('A', '000', 5), row('D', '000', 1)], stamp);
    assert.deepEqual(
      changes.rows.map((r) => `${r.ItemCode}=${r.QuantityOnHand}`),
      ['A=5', 'B=0', 'D=1'],
      'A changed, B vanished (answered as zeros), D is new; unsorted input is sorted',
    );
    assert.equal(changes.resync, false);

    const otherScope = await restarted.changesSince('ABC', 'n1', changes.token, '000', [row('A', '000', 5)], stamp);
    assert.deepEqual([otherScope.resync, otherScope.rows.length], [true, 1], 'a token of another warehouse scope is not compared');
    const otherClient = await restarted.changesSince('ABC', 'n2', changes.token, '', [row('A', '000', 5)], stamp);
    assert.equal(otherClient.resync, true, "one client's token means nothing to another");
  });
});
