import assert from 'node:assert/strict';
import bigcommerceConfig from '../../nodes/bigcommerce/bigcommerce-config';
import customerGroup from '../../nodes/bigcommerce/bigcommerce-customer-group';
import type { GroupPlacement } from '../../lib/sync/price-levels';
import { startTestStore, type TestStore } from '../support/bigcommerce';
import { coreNode, helper, nextMessage, startWithUserDir } from '../support/node-red';

const catchNode = coreNode('common/25-catch.js');
const nodes = [bigcommerceConfig, customerGroup, catchNode];
const at = { x: 100, y: 100 };

describe('bigcommerce-customer-group node', () => {
  let sim: TestStore;
  let stopNodeRed: () => Promise<void>;

  function flow(settings: Record<string, unknown> = {}) {
    return [
      { id: 'tab', type: 'tab' },
      { id: 'bc', type: 'bigcommerce-config', storeHash: sim.storeHash, apiUrl: sim.apiUrl, timeout: 10 },
      { id: 'group', z: 'tab', ...at, type: 'bigcommerce-customer-group', bigcommerce: 'bc', priceLevels: '2, 3', wires: [['out']], ...settings },
      { id: 'out', z: 'tab', ...at, type: 'helper' },
      { id: 'catch', z: 'tab', ...at, type: 'catch', scope: ['group'], wires: [['caught']] },
      { id: 'caught', z: 'tab', ...at, type: 'helper' },
    ];
  }

  /** What sage100-customer passes on: the mapper's payload with Sage's customer record. */
  async function place(storeCustomerId: number | undefined, priceLevel: string): Promise<{ customerGroup: GroupPlacement; payload: Record<string, unknown> }> {
    const sent = nextMessage<{ customerGroup: GroupPlacement; payload: Record<string, unknown> }>(helper.getNode('out'), 10_000);
    const customer = { ARDivisionNo: '00', CustomerNo: `BC${storeCustomerId ?? 0}`, CustomerName: 'Lovelace Supply Co', PriceLevel: priceLevel };
    helper.getNode('group').receive({ payload: { salesOrder: { SalesOrderNo: 'W000101' }, customer, ...(storeCustomerId !== undefined && { storeCustomerId }) } });
    return sent;
  }

  const customerCalls = () => sim.exchanges.filter((exchange) => exchange.apiPath === '/customers' || exchange.apiPath?.startsWith('/customer_groups')).length;

  beforeEach(async () => {
    sim = await startTestStore();
    ({ stop: stopNodeRed } = await startWithUserDir('customer-group-node-'));
  });
  afterEach(async () => {
    await stopNodeRed();
    await sim.close();
  });

  it("puts a level-2 buyer in Sage price level 2's group once; the next order costs no call", async () => {
    await helper.load(nodes, flow(), { bc: { accessToken: sim.accessToken } });
    const buyer = sim.store.addCustomer({ email: 'ada@example.com', first_name: 'Ada', last_name: 'Lovelace' });
    const first = await place(buyer.id, '2');
    assert.equal(first.customerGroup.outcome, 'moved');
    assert.equal(first.payload.salesOrder && (first.payload.salesOrder as { SalesOrderNo: string }).SalesOrderNo, 'W000101', 'the msg goes on as it came');
    const group = [...sim.store.pricing.customerGroups.values()].find((candidate) => candidate.name === 'Sage price level 2');
    assert.ok(group, 'the group was made');
    assert.equal(sim.store.customers.get(buyer.id)!.customerGroupId, group.id);
    const calls = customerCalls();

    const again = await place(buyer.id, '2');
    assert.deepEqual(again.customerGroup, { outcome: 'unchanged', level: '2', customerGroupId: group.id, calls: 0 });
    assert.equal(customerCalls(), calls, 'no call for a customer already placed');
  });

  it('reads before it writes: a customer already in the group is not written; guests, other levels and no level are left alone', async () => {
    await helper.load(nodes, flow(), { bc: { accessToken: sim.accessToken } });
    const groupId = sim.store.pricing.addCustomerGroup({ name: 'Sage price level 3' }).id;
    const buyer = sim.store.addCustomer({ email: 'grace@example.com', first_name: 'Grace', last_name: 'Hopper', customer_group_id: groupId });
    const placed = await place(buyer.id, '3');
    assert.deepEqual(placed.customerGroup, { outcome: 'unchanged', level: '3', customerGroupId: groupId, calls: 2 }, 'one read of the customer, one of the group');
    assert.equal(sim.exchanges.filter((exchange) => exchange.method === 'PUT').length, 0);

    const before = sim.exchanges.length;
    assert.deepEqual((await place(undefined, '2')).customerGroup, { outcome: 'skipped', reason: 'guest', calls: 0 });
    assert.deepEqual((await place(buyer.id, '1')).customerGroup, { outcome: 'skipped', reason: 'level-not-pushed', level: '1', calls: 0 });
    assert.deepEqual((await place(buyer.id, '')).customerGroup, { outcome: 'skipped', reason: 'no-level', calls: 0 });
    assert.equal(sim.exchanges.length, before);
    assert.equal(sim.store.customers.get(buyer.id)!.customerGroupId, groupId);
  });

  it('says once that the plan has no customer groups, and passes the orders on', async () => {
    sim.store.pricing.features.customerGroups = false;
    await helper.load(nodes, flow(), { bc: { accessToken: sim.accessToken } });
    const warnings: string[] = [];
    helper.getNode('group').on('call:warn', ((call: { args: [string] }) => warnings.push(call.args[0])) as never);
    const buyer = sim.store.addCustomer({ email: 'ada@example.com', first_name: 'Ada', last_name: 'Lovelace' });
    assert.equal((await place(buyer.id, '2')).customerGroup.outcome, 'unavailable');
    assert.equal((await place(buyer.id, '2')).customerGroup.outcome, 'unavailable');
    assert.equal(warnings.filter((text) => /refuses customer groups/.test(text)).length, 1);
  });
});
