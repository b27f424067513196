import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MappedOrder, SageItem } from '../../lib/sage100/types';
import type { PushSummary } from '../../lib/sync/stock';
import bigcommerceConfig from '../../nodes/bigcommerce/bigcommerce-config';
import inventoryPush from '../../nodes/bigcommerce/bigcommerce-inventory-push';
import syncOrderMapper from '../../nodes/sync/sync-order-mapper';
import syncWarehouseLocations from '../../nodes/sync/sync-warehouse-locations';
import { startTestStore, type TestStore } from '../support/bigcommerce';
import { useCatalogs } from '../support/catalog';
import { coreNode, helper, nextMessage, startWithUserDir } from '../support/node-red';

const catchNode = coreNode('common/25-catch.js');
const nodes = [useCatalogs, bigcommerceConfig, inventoryPush, syncOrderMapper, syncWarehouseLocations, catchNode];
const at = { x: 100, y: 100 };

/** Both lines picked up at store location 1 (the Austin store). */
const pickupOrder = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'orders', 'us-awaiting-pickup.json'), 'utf8')).order;

const item = (code: string, byWarehouse: Record<string, number>): SageItem => ({
  ItemCode: code,
  warehouses: Object.entries(byWarehouse).map(([WarehouseCode, QuantityOnHand]) => ({ WarehouseCode, QuantityOnHand, QuantityOnSalesOrder: 0, QuantityOnBackOrder: 0 })),
});

describe('sync-warehouse-locations node, shared by the inventory push and the order mapper', () => {
  let sim: TestStore;
  let stopNodeRed: () => Promise<void>;

  beforeEach(async () => {
    sim = await startTestStore();
    sim.store.catalog.addLocation({ id: 2, code: 'SAGE-EST', label: 'East warehouse' });
    sim.store.addProduct({ sku: 'MUG-11OZ', price: 7, inventory_level: 0 });
    ({ stop: stopNodeRed } = await startWithUserDir('warehouse-locations-'));
  });
  afterEach(async () => {
    await stopNodeRed();
    await sim.close();
  });

  async function load(push: Record<string, unknown>, mapper: Record<string, unknown>, locationTable = '001 = 1\nEST, 000 = 2') {
    await helper.load(
      nodes,
      [
        { id: 'tab', type: 'tab' },
        { id: 'bc', type: 'bigcommerce-config', storeHash: sim.storeHash, apiUrl: sim.apiUrl, timeout: 10 },
        { id: 'locations', type: 'sync-warehouse-locations', name: 'stores', locationTable, version: 1 },
        { id: 'push', z: 'tab', ...at, type: 'bigcommerce-inventory-push', bigcommerce: 'bc', warehouses: '000', priceColumn: '', locationId: '1', wires: [['pushed']], ...push },
        { id: 'mapper', z: 'tab', ...at, type: 'sync-order-mapper', wires: [['mapped'], []], ...mapper },
        ...['pushed', 'mapped', 'caught'].map((id) => ({ id, z: 'tab', ...at, type: 'helper' })),
        { id: 'catch', z: 'tab', ...at, type: 'catch', scope: ['push', 'mapper'], wires: [['caught']] },
      ],
      { bc: { accessToken: sim.accessToken } },
    );
  }

  async function pushStock(): Promise<PushSummary> {
    const sent = nextMessage<{ payload: PushSummary }>(helper.getNode('pushed'), 10_000);
    helper.getNode('push').receive({ payload: [item('MUG-11OZ', { '000': 6, '001': 4, EST: 3 })] });
    const summary = (await sent).payload;
    await sim.inventorySettled();
    return summary;
  }

  async function lineWarehouses(): Promise<Array<string | undefined>> {
    const sent = nextMessage<{ payload: MappedOrder }>(helper.getNode('mapped'));
    helper.getNode('mapper').receive({ payload: structuredClone(pickupOrder) });
    return (await sent).payload.salesOrder.Lines.filter((line) => line.ItemType !== '4').map((line) => line.WarehouseCode);
  }

  it('a flow saved before it existed (push version 1, mapper version 2, tables inline) works exactly as before', async () => {
    await load({ locationTable: '000 = 1' }, { locationTable: '000 = 1', numbering: '', version: 2 });
    const summary = await pushStock();
    assert.deepEqual(summary.locations?.map((l) => [l.locationId, l.warehouses]), [[1, ['000']]]);
    assert.equal(sim.store.stockOf('MUG-11OZ', 1), 6);
    assert.deepEqual(await lineWarehouses(), ['000', '000']);
  });

  it("gives the push and the mapper one table: the shared node's, over their own", async () => {
    const stale = { locationTable: '000 = 1', warehouseLocations: 'locations' };
    await load({ ...stale, version: 2 }, { ...stale, version: 3 });
    const summary = await pushStock();
    assert.deepEqual(summary.locations?.map((l) => [l.locationId, l.warehouses]), [[1, ['001']], [2, ['EST', '000']]]);
    assert.deepEqual([sim.store.stockOf('MUG-11OZ', 1), sim.store.stockOf('MUG-11OZ', 2)], [4, 3 + 6]);
    assert.deepEqual(await lineWarehouses(), ['001', '001'], 'picked up at location 1: its line\'s first warehouse');
  });

  it('sends a msg to Catch naming the locations node and the entry when the shared table is invalid', async () => {
    await load({ warehouseLocations: 'locations', version: 2 }, { warehouseLocations: 'locations', version: 3 }, '000 = 1\n# east\nEAST = 2');
    for (const id of ['push', 'mapper']) {
      const caught = nextMessage<{ error: { message: string }; errorDetails: { field: string } }>(helper.getNode('caught'));
      helper.getNode(id).receive({ payload: id === 'push' ? [item('MUG-11OZ', { '000': 1 })] : structuredClone(pickupOrder) });
      const msg = await caught;
      assert.match(msg.error.message, /sync-warehouse-locations settings in node "stores": locationTable: entry 2: warehouses\.0 a Sage warehouse code has at most 3 characters/, id);
      assert.equal(msg.errorDetails.field, 'locationTable');
    }
  });

  it('says so when the locations node named is missing', async () => {
    await load({ warehouseLocations: 'gone', version: 2 }, {});
    const caught = nextMessage<{ errorDetails: { code: string } }>(helper.getNode('caught'));
    helper.getNode('push').receive({ payload: [item('MUG-11OZ', { '000': 1 })] });
    assert.equal((await caught).errorDetails.code, 'config.missing');
  });
});
