import assert from 'node:assert/strict';
import type { Agent } from 'undici';
import { createAgentClient } from '../../lib/sage100/agent-client';
import type { ItemPage, ItemQuery, Sage100Client } from '../../lib/sage100/client';
import { InventoryNeedsAgentError, collectItems } from '../../lib/sage100/items';
import { createSageAgent } from '../../lib/sage100/tls';
import { SageCompany, seedDemo } from '../../sandbox/sage100/company';
import { startSage100Simulator, type Sage100Simulator } from '../../sandbox/sage100/index';

/** A client whose listItems answers from a script, for the paging rules alone. */
function scripted(pages: (query: ItemQuery) => ItemPage, mode: 'agent' | 'soap' = 'agent'): Sage100Client & { queries: ItemQuery[] } {
  const queries: ItemQuery[] = [];
  const unused = () => Promise.reject(new Error('not used by items'));
  return {
    mode,
    queries,
    listItems: async (query) => {
      queries.push(query);
      return pages(query);
    },
    checkConnection: unused,
    getSalesOrder: unused,
    createSalesOrder: unused,
    getCustomer: unused,
    createCustomer: unused,
    updateCustomer: unused,
    findCustomersByEmail: unused,
    close: async () => undefined,
  };
}

const item = (ItemCode: string) => ({ ItemCode, warehouses: [] });

describe('Sage 100 items collection', () => {
  it('collects every page into one list and reports progress against the total', async () => {
    const client = scripted((query) =>
      query.pageToken === undefined
        ? { items: [item('A'), item('B')], nextPageToken: 'p2', total: 3, highWater: { DateUpdated: '20260302', TimeUpdated: '9.5' } }
        : { items: [item('C')], total: 3, highWater: { DateUpdated: '20260302', TimeUpdated: '9.5' } },
    );
    const progress: string[] = [];
    const run = await collectItems(client, {
      mode: 'changes',
      cursor: { DateUpdated: '20260301', TimeUpdated: '23.75' },
      warehouses: ['000'],
      pageSize: 2,
      onProgress: (collected, total) => progress.push(`${collected}/${total}`),
    });
    assert.deepEqual(run.items.toArray().map((i) => i.ItemCode), ['A', 'B', 'C']);
    assert.deepEqual(run.nextCursor, { DateUpdated: '20260302', TimeUpdated: '9.5' });
    assert.equal(run.pages, 2);
    assert.deepEqual(progress, ['2/3', '3/3']);
    assert.deepEqual(client.queries, [
      { changedSince: { DateUpdated: '20260301', TimeUpdated: '23.75' }, warehouses: ['000'], pageToken: undefined, pageSize: 2 },
      { changedSince: { DateUpdated: '20260301', TimeUpdated: '23.75' }, warehouses: ['000'], pageToken: 'p2', pageSize: 2 },
    ]);
  });

  it('ignores the cursor for a snapshot, and keeps it when the agent names no new one', async () => {
    const client = scripted(() => ({ items: [] }));
    const cursor = { DateUpdated: '20260301', TimeUpdated: '1' };
    const run = await collectItems(client, { mode: 'snapshot', cursor });
    assert.equal(client.queries[0]?.changedSince, undefined);
    assert.deepEqual(run.nextCursor, cursor);
  });

  it('stops a listing that never ends instead of looping forever', async () => {
    const client = scripted(() => ({ items: [], nextPageToken: 'again' }));
    await assert.rejects(collectItems(client, { mode: 'snapshot' }), { code: 'sage100.items_paging' });
    assert.equal(client.queries.length, 10_000);
  });

  it('says plainly that SOAP mode has no inventory, without calling Sage', async () => {
    const client = scripted(() => assert.fail('must not be called'), 'soap');
    const err = await collectItems(client, { mode: 'changes' }).catch((e: unknown) => e);
    assert.ok(err instanceof InventoryNeedsAgentError);
    assert.match(err.message, /need the Sage 100 agent/);
  });

  describe('against the agent simulator', () => {
    let sim: Sage100Simulator;
    let dispatcher: Agent;
    let client: Sage100Client;
    /** The company's clock, moved by hand so changes during a run get later stamps than the listing's start. */
    let now: Date;
    beforeEach(async () => {
      now = new Date('2026-03-02T09:00:00Z');
      const company = seedDemo(new SageCompany({ now: () => now }));
      for (let n = 1; n <= 25; n++) company.addItem({ ItemCode: `BULK-${String(n).padStart(3, '0')}`, StandardUnitPrice: n, warehouses: [{ WarehouseCode: '000', QuantityOnHand: n }] });
      sim = await startSage100Simulator({ company });
      now = new Date('2026-03-02T09:00:30Z');
      dispatcher = createSageAgent({ mode: 'pin', pinSha256: sim.fingerprint256 });
      client = createAgentClient({ baseUrl: sim.agentUrl, apiKey: sim.apiKey, companyCode: 'ABC', dispatcher, timeoutMs: 5000 });
    });
    afterEach(async () => {
      await sim.close();
      await dispatcher.close();
    });

    it('reads a full snapshot over many pages, then nothing until something changes', async () => {
      const progress: Array<[number, number | undefined]> = [];
      const snapshot = await collectItems(client, { mode: 'changes', pageSize: 4, onProgress: (collected, total) => progress.push([collected, total]) });
      assert.equal(snapshot.items.length, 28);
      assert.equal(snapshot.pages, 7);
      assert.deepEqual(progress.at(-1), [28, 28]);
      assert.equal(new Set(snapshot.items.toArray().map((i) => i.ItemCode)).size, 28);
      assert.deepEqual(snapshot.items.toArray().find((i) => i.ItemCode === 'BULK-007')?.warehouses, [{ WarehouseCode: '000', QuantityOnHand: 7, QuantityOnSalesOrder: 0, QuantityOnBackOrder: 0 }]);
      // One page naming all 28 item codes in the prices and stock requests gives the same items.
      const onePage = await collectItems(client, { mode: 'snapshot' });
      assert.equal(onePage.pages, 1);
      assert.deepEqual(onePage.items.toArray(), snapshot.items.toArray());

      const quiet = await collectItems(client, { mode: 'changes', cursor: snapshot.nextCursor });
      assert.deepEqual(quiet.items.toArray(), []);
      now = new Date('2026-03-02T09:05:00Z');
      sim.company.setStock('BULK-013', '000', { QuantityOnHand: 0 });
      const changed = await collectItems(client, { mode: 'changes', cursor: quiet.nextCursor });
      assert.deepEqual(changed.items.toArray().map((i) => [i.ItemCode, i.warehouses[0]?.QuantityOnHand]), [['BULK-013', 0]]);
    });

    it('does not miss an item that changes while the pages are being read', async () => {
      let changedMidway = false;
      const run = await collectItems(client, {
        mode: 'changes',
        pageSize: 10,
        onProgress: () => {
          // After the first page: an item already read changes, and one not yet read changes too.
          if (changedMidway) return;
          changedMidway = true;
          now = new Date('2026-03-02T09:01:00Z');
          sim.company.updateItem('BULK-001', { StandardUnitPrice: 100 });
          now = new Date('2026-03-02T09:02:00Z');
          sim.company.updateItem('WIDGET-1', { StandardUnitPrice: 13 });
        },
      });
      assert.equal(run.items.length, 28);
      const next = await collectItems(client, { mode: 'changes', cursor: run.nextCursor });
      assert.deepEqual(next.items.toArray().map((i) => [i.ItemCode, i.StandardUnitPrice]), [['BULK-001', 100], ['WIDGET-1', 13]]);
    });
  });
});
