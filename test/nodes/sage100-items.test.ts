import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SageItemTable } from '../../lib/sage100/item-table';
import sage100Config from '../../nodes/sage100/sage100-config';
import sage100Items from '../../nodes/sage100/sage100-items';
import { SageCompany, seedDemo } from '../../sandbox/sage100/company';
import { startSage100Simulator, type Sage100Simulator } from '../../sandbox/sage100/index';
import { nextMessage, type TestNode, startWithUserDir } from '../support/node-red';
import { loadSageNode } from '../support/sage100';
import { assertInWords, useCatalogs } from '../support/catalog';


interface OutMsg {
  payload: SageItemTable;
  sage100: { items: { mode: string; count: number; since: unknown; next: unknown } };
  errorDetails?: Record<string, unknown>;
}

function statuses(node: TestNode): Array<{ fill?: string; text?: string }> {
  const seen: Array<{ fill?: string; text?: string }> = [];
  node.on('call:status', ((call: { args: [{ fill?: string; text?: string }] }) => seen.push(call.args[0])) as never);
  return seen;
}

describe('sage100-items node', () => {
  let sim: Sage100Simulator;
  let userDir: string;
  let stopNodeRed: () => Promise<void>;
  /** The company's clock, moved by hand so that changes are later than the cursor of the run before. */
  let now: Date;
  const at0901 = () => (now = new Date('2026-03-02T09:01:00Z'));
  const at0902 = () => (now = new Date('2026-03-02T09:02:00Z'));
  beforeEach(async () => {
    now = new Date('2026-03-02T09:00:00Z');
    sim = await startSage100Simulator({ company: seedDemo(new SageCompany({ now: () => now })) });
    ({ userDir, stop: stopNodeRed } = await startWithUserDir('sage100-items-'));
  });
  afterEach(async () => {
    await stopNodeRed();
    await sim.close();
  });

  async function load(settings: Record<string, unknown> = {}, mode: 'agent' | 'soap' = 'agent') {
    const node = { type: 'sage100-items', mode: 'changes', warehouses: '', pageSize: 200, ...settings };
    const tls = { tlsMode: 'pin', pinSha256: sim.fingerprint256 };
    const { subject, out, caught } = await loadSageNode([useCatalogs, sage100Config, sage100Items], sim, { mode, node, tls });
    return { items: subject, out, caught };
  }

  /** Triggers a run and waits for its msg and for its end (the final green or red status, after the cursor is saved). */
  async function run(trigger: TestNode, listener: TestNode): Promise<OutMsg> {
    const next = nextMessage<OutMsg>(listener);
    const ended = new Promise<void>((resolve) => {
      const listen = ((call: { args: [{ fill?: string }] }) => {
        if (call.args[0].fill === 'green' || call.args[0].fill === 'red') {
          (trigger as unknown as NodeJS.EventEmitter).removeListener('call:status', listen);
          resolve();
        }
      }) as never;
      trigger.on('call:status', listen);
    });
    trigger.receive({ payload: 'tick' });
    const [msg] = await Promise.all([next, ended]);
    return msg;
  }

  const savedCursor = async () => {
    const files = await readdir(join(userDir, 'ml-connector-state')).catch(() => []);
    return files.length === 0 ? undefined : JSON.parse(await readFile(join(userDir, 'ml-connector-state', files[0] as string), 'utf8'));
  };

  it('sends everything first, then only what changed since the saved cursor, one msg per run', async () => {
    const { items, out } = await load({ pageSize: 2 });
    at0901();
    const first = await run(items, out);
    assert.deepEqual(first.payload.toArray().map((i) => i.ItemCode), ['CABLE-USB-C-2M', 'GADGET-2', 'WIDGET-1']);
    assert.equal(first.sage100.items.since, null);
    assert.deepEqual((await savedCursor())?.cursor, first.sage100.items.next);

    const quiet = await run(items, out);
    assert.deepEqual(quiet.payload.toArray(), []);
    assert.deepEqual(quiet.sage100.items.since, first.sage100.items.next);

    at0902();
    sim.company.createSalesOrder({ SalesOrderNo: 'W000001', OrderDate: '20260302', ARDivisionNo: '01', CustomerNo: 'WEB0001', CustomerPONo: 'BC1', Lines: [{ ItemCode: 'GADGET-2', QuantityOrdered: 2 }] });
    sim.company.updateItem('CABLE-USB-C-2M', { StandardUnitPrice: 10.5 });
    const changed = await run(items, out);
    assert.deepEqual(changed.payload.toArray().map((i) => [i.ItemCode, i.StandardUnitPrice, i.warehouses[0]?.QuantityOnSalesOrder]), [['CABLE-USB-C-2M', 10.5, 0], ['GADGET-2', 5, 2]]);
  });

  it('sends a full snapshot of the chosen warehouses with progress in the status, leaving the cursor alone', async () => {
    const { items, out } = await load({ mode: 'snapshot', warehouses: 'EST', pageSize: 1 });
    const seen = statuses(items);
    const snapshot = await run(items, out);
    assert.deepEqual(snapshot.payload.toArray().map((i) => [i.ItemCode, i.warehouses.map((w) => `${w.WarehouseCode}:${w.QuantityOnHand}`)]), [
      ['CABLE-USB-C-2M', ['EST:120']],
      ['GADGET-2', []],
      ['WIDGET-1', ['EST:10']],
    ]);
    assert.deepEqual(seen.map((s) => s.text).filter(Boolean), ['reading items', 'items 1/3', 'items 2/3', 'items 3/3', '3 items']);
    for (const status of seen) assertInWords(status.text);
    assert.equal(await savedCursor(), undefined);
    assert.equal((await run(items, out)).payload.length, 3);
  });

  it('keeps the cursor where it was when a run fails, and reads the same changes again', async () => {
    const { items, out, caught } = await load();
    at0901();
    const first = await run(items, out);
    at0902();
    sim.company.setStock('WIDGET-1', '000', { QuantityOnHand: 39 });
    sim.faults.set([{ kind: 'fault', operation: 'listStock', status: 400, code: 'BadRequest', message: 'rejected for the test' }]);
    const failed = await run(items, caught);
    assert.equal(failed.errorDetails?.code, 'sage100.BadRequest');
    const { status } = items as unknown as { status: { lastCall: { args: [{ text?: string }] } } };
    assert.equal(status.lastCall.args[0].text, 'Sage refused it');
    assert.deepEqual((await savedCursor())?.cursor, first.sage100.items.next);
    const again = await run(items, out);
    assert.deepEqual(again.payload.toArray().map((i) => i.ItemCode), ['WIDGET-1']);
  });

  it('skips a trigger that arrives while a run is still going', async () => {
    const { items, out } = await load();
    sim.faults.set([{ kind: 'latency', operation: 'listItems', ms: 300 }]);
    const collected: OutMsg[] = [];
    out.on('input', ((msg: OutMsg) => collected.push(msg)) as never);
    const first = run(items, out);
    items.receive({ payload: 'tick again' });
    await first;
    const node = items as unknown as { warn: { args: unknown[][] } };
    assert.deepEqual(node.warn.args, [['the previous items run is still going; this trigger is skipped']]);
    assert.equal(collected.length, 1);
  });

  it('in SOAP mode says clearly that items need the agent', async () => {
    const { items, caught } = await load({}, 'soap');
    const failed = await run(items, caught);
    assert.equal(failed.errorDetails?.code, 'sage100.items_need_agent');
    assert.match(String(failed.errorDetails?.hint), /agent mode/);
    const node = items as unknown as { status: { args: Array<[{ text?: string }]> } };
    assert.deepEqual(node.status.args.slice(0, 2), [[{}], [{ fill: 'red', shape: 'ring', text: 'needs agent mode' }]], 'cleared, then the reason from the start');
    assert.deepEqual(node.status.args.at(-1), [{ fill: 'red', shape: 'ring', text: 'needs agent mode' }]);
  });
});
