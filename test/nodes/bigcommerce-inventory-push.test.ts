import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import bigcommerceConfig from '../../nodes/bigcommerce/bigcommerce-config';
import inventoryPush from '../../nodes/bigcommerce/bigcommerce-inventory-push';
import syncItemMap from '../../nodes/sync/sync-item-map';
import syncOrderMapper from '../../nodes/sync/sync-order-mapper';
import type { SageItem } from '../../lib/sage100/types';
import type { PushSummary } from '../../lib/sync/stock';
import { createBigCommerceClient } from '../../lib/bigcommerce/client';
import { assignPriceLevelGroups } from '../../lib/sync/price-levels';
import { startTestStore, type TestStore } from '../support/bigcommerce';
import { assertInWords, useCatalogs } from '../support/catalog';
import { coreNode, helper, nextMessage, type TestNode, startWithUserDir } from '../support/node-red';

const catchNode = coreNode('common/25-catch.js');
const nodes = [useCatalogs, bigcommerceConfig, inventoryPush, syncItemMap, syncOrderMapper, catchNode];

/** Flow nodes need a position, or Node-RED takes them for config nodes. */
const at = { x: 100, y: 100 };

function sageItem(code: string, byWarehouse: Record<string, number>, price?: number): SageItem {
  return {
    ItemCode: code,
    ...(price !== undefined && { StandardUnitPrice: price }),
    warehouses: Object.entries(byWarehouse).map(([WarehouseCode, QuantityOnHand]) => ({ WarehouseCode, QuantityOnHand, QuantityOnSalesOrder: 1, QuantityOnBackOrder: 0 })),
  };
}

/** A web order for `quantity` of one SKU, in status `statusId`, as bigcommerce-order sends it. */
function webOrder(id: number, statusId: number, sku: string, quantity: number): Record<string, unknown> {
  const address = { first_name: 'Jane', last_name: 'Doe', street_1: '1 Main St', city: 'Austin', state: 'Texas', zip: '78701', country: 'United States', country_iso2: 'US', email: 'jane@example.com' };
  const total = (quantity * 8).toFixed(4);
  return {
    id,
    customer_id: 0,
    status_id: statusId,
    date_created: 'Tue, 05 Mar 2019 21:40:11 +0000',
    date_modified: 'Tue, 05 Mar 2019 21:40:11 +0000',
    subtotal_ex_tax: total,
    subtotal_inc_tax: total,
    total_ex_tax: total,
    total_inc_tax: total,
    billing_address: address,
    consignments: { shipping: [{ id: 1, ...address, shipping_method: 'Flat Rate', line_items: [{ id: 1, product_id: 1, sku, name: 'Mug', quantity, price_ex_tax: '8', price_inc_tax: '8' }] }] },
  };
}

const items = [sageItem('TSHIRT-S', { '000': 11, '001': 50 }, 19.5), sageItem('TSHIRT-M', { '000': 21 }, 19.5), sageItem('MUG-11OZ', { '000': 6 }, 8.25)];

function statuses(node: TestNode): Array<{ fill?: string; text?: string }> {
  const seen: Array<{ fill?: string; text?: string }> = [];
  node.on('call:status', ((call: { args: [{ fill?: string; text?: string }] }) => seen.push(call.args[0])) as never);
  return seen;
}

describe('bigcommerce-inventory-push node', () => {
  let sim: TestStore;
  let userDir: string;
  let stopNodeRed: () => Promise<void>;

  function flow(settings: Record<string, unknown> = {}) {
    return [
      { id: 'tab', type: 'tab' },
      { id: 'bc', type: 'bigcommerce-config', storeHash: sim.storeHash, apiUrl: sim.apiUrl, timeout: 10 },
      { id: 'map', type: 'sync-item-map', table: 'tee-s,TSHIRT-S\ntee-m,TSHIRT-M', unmapped: 'same' },
      {
        id: 'push',
        z: 'tab',
        ...at,
        type: 'bigcommerce-inventory-push',
        bigcommerce: 'bc',
        itemMap: 'map',
        warehouses: '000',
        subtractBackOrders: false,
        safetyStock: '1',
        priceColumn: 'StandardUnitPrice',
        locationId: '1',
        fullResync: false,
        wires: [['out']],
        ...settings,
      },
      { id: 'out', z: 'tab', ...at, type: 'helper' },
      { id: 'catch', z: 'tab', ...at, type: 'catch', scope: ['push'], wires: [['caught']] },
      { id: 'caught', z: 'tab', ...at, type: 'helper' },
    ];
  }

  const credentials = () => ({ bc: { accessToken: sim.accessToken } });
  const writes = () => sim.exchanges.filter((exchange) => exchange.method === 'PUT').length;

  async function push(payload: unknown, extra: Record<string, unknown> = {}): Promise<PushSummary> {
    const sent = nextMessage<{ payload: PushSummary }>(helper.getNode('out'), 10_000);
    helper.getNode('push').receive({ payload, ...extra });
    return (await sent).payload;
  }

  beforeEach(async () => {
    sim = await startTestStore({ quota: { requests: 10_000, windowMs: 30_000 } });
    sim.store.addProduct({
      sku: 'tee',
      price: 15,
      variants: [
        { sku: 'tee-s', options: { Size: 'S' }, inventory_level: 0 },
        { sku: 'tee-m', options: { Size: 'M' }, inventory_level: 0 },
      ],
    });
    sim.store.addProduct({ sku: 'MUG-11OZ', price: 7, inventory_level: 0 });
    ({ userDir, stop: stopNodeRed } = await startWithUserDir('inventory-push-node-'));
  });
  afterEach(async () => {
    await stopNodeRed();
    await sim.close();
  });

  it('shows Sage stock and price in the store and sends a summary', async () => {
    await helper.load(nodes, flow(), credentials());
    const seen = statuses(helper.getNode('push'));
    const summary = await push(items);
    await sim.inventorySettled();
    // Warehouse 000 only, less 1 on sales order and 1 safety stock.
    assert.equal(sim.store.stockOf('tee-s'), 9);
    assert.equal(sim.store.stockOf('tee-m'), 19);
    assert.equal(sim.store.stockOf('MUG-11OZ'), 4);
    assert.equal(sim.store.priceOf('tee-s'), 19.5);
    assert.equal(sim.store.priceOf('MUG-11OZ'), 8.25);
    assert.deepEqual(summary.changed, { stock: 3, price: 3 });
    assert.deepEqual(summary.pushed, { stock: 3, price: 3 });
    // One adjustment call, one variant batch, plus the lookups of SKUs not seen before.
    // The mug's base variant takes its price in the same variants batch as the shirts.
    assert.deepEqual(summary.calls, { lookups: 2, stock: 1, prices: 1, total: 4 });
    assert.ok(seen.some((status) => status.text === 'stock 3/3'));
    assert.deepEqual(seen.at(-1), { fill: 'green', shape: 'dot', text: '6 pushed' });
    for (const status of seen) assertInWords(status.text);
  });

  it('sets each store location from its own Sage warehouses with a warehouse → location table', async () => {
    sim.store.catalog.addLocation({ id: 2, code: 'SAGE-EST', label: 'East warehouse' });
    await helper.load(nodes, flow({ safetyStock: '0', locationTable: '000 = 1\n# the east coast\n001, EST = 2' }), credentials());
    const twoWarehouses = [sageItem('TSHIRT-S', { '000': 11, '001': 50, EST: 5 }, 19.5), sageItem('MUG-11OZ', { '000': 6, EST: 3 }, 8.25)];
    const summary = await push(twoWarehouses);
    await sim.inventorySettled();
    // Each level is its warehouses' available quantity: on hand − 1 on sales order per warehouse row.
    assert.deepEqual([sim.store.stockOf('tee-s', 1), sim.store.stockOf('tee-s', 2)], [11 - 1, 50 - 1 + 5 - 1]);
    assert.deepEqual([sim.store.stockOf('MUG-11OZ', 1), sim.store.stockOf('MUG-11OZ', 2)], [6 - 1, 3 - 1]);
    assert.deepEqual(
      summary.locations?.map((l) => [l.locationId, l.warehouses, l.pushed]),
      [
        [1, ['000'], 2],
        [2, ['001', 'EST'], 2],
      ],
    );
    assert.deepEqual(summary.pushed, { stock: 4, price: 2 }, 'prices once, with the first location');

    // A change in one warehouse moves only its location.
    const again = await push([sageItem('TSHIRT-S', { '000': 11, '001': 50, EST: 9 }, 19.5)]);
    await sim.inventorySettled();
    assert.deepEqual([sim.store.stockOf('tee-s', 1), sim.store.stockOf('tee-s', 2)], [10, 57]);
    assert.deepEqual(again.locations?.map((l) => l.pushed), [0, 1]);
  });

  it('refuses a location table naming a location twice, naming the node', async () => {
    await helper.load(nodes, flow({ locationTable: '000 = 1\nEST = 1' }), credentials());
    const failed = nextMessage<{ error: { message: string } }>(helper.getNode('caught'));
    helper.getNode('push').receive({ payload: items });
    assert.match((await failed).error.message, /each store location appears once/);
  });

  it("pushes Sage price level 2 as a price list with quantity breaks, assigned to the level's customer group", async () => {
    await helper.load(nodes, flow({ priceLevels: '2', currency: 'usd' }), credentials());
    const levelled: SageItem = {
      ...sageItem('MUG-11OZ', { '000': 6 }, 10),
      priceCodes: [
        { PriceCode: '', CustomerPriceLevel: '1', PricingMethod: 'D', breaks: [{ BreakQuantity: 99_999_999, DiscountMarkup: 2 }] },
        {
          PriceCode: '',
          CustomerPriceLevel: '2',
          PricingMethod: 'D',
          breaks: [
            { BreakQuantity: 9, DiscountMarkup: 5 },
            { BreakQuantity: 49, DiscountMarkup: 10 },
            { BreakQuantity: 99_999_999, DiscountMarkup: 15 },
          ],
        },
      ],
    };
    // A Sage item the store does not have is left out of the records (BigCommerce would refuse the whole batch).
    const summary = await push([levelled, { ...levelled, ItemCode: 'NOT-IN-STORE' }]);
    assert.deepEqual(summary.unknownSkus, ['NOT-IN-STORE']);
    const [level] = summary.priceLists!.levels;
    assert.equal(level?.records, 1);
    const { pricing } = sim.store;
    assert.equal(pricing.priceLists.get(level!.priceListId)?.name, 'Sage price level 2');
    assert.equal(pricing.priceListOfGroup(level!.customerGroupId), level!.priceListId, "assigned to the level's customer group");
    const [record] = [...pricing.recordsOf(level!.priceListId).values()];
    // Sage level 2: 5 % off 10 up to 9 units, 10 % off from 10 to 49, 15 % off from 50.
    assert.deepEqual([record?.sku, record?.currency, record?.price, record?.bulkTiers], [
      'MUG-11OZ',
      'USD',
      9.5,
      [
        { quantity_min: 10, quantity_max: 49, type: 'fixed', amount: 9 },
        { quantity_min: 50, type: 'fixed', amount: 8.5 },
      ],
    ]);

    // The customer flow's part: a level-2 B2B customer goes into that group, and so gets that price list.
    const customer = sim.store.addCustomer({ email: 'buyer@example.com', first_name: 'Bo', last_name: 'Buyer' });
    const client = createBigCommerceClient({ storeHash: sim.storeHash, accessToken: sim.accessToken, apiUrl: sim.apiUrl, retry: { retries: 0 } });
    assert.deepEqual(await assignPriceLevelGroups(client.request, [{ customerId: customer.id, priceLevel: '2' }, { customerId: customer.id + 1000, priceLevel: '' }]), { customers: 1, calls: 2 });
    assert.equal(pricing.priceListOfGroup(sim.store.customers.get(customer.id)!.customerGroupId), level!.priceListId);

    // Later runs know the list: 500 changed level prices are one call.
    for (let n = 0; n < 500; n++) sim.store.addProduct({ sku: `MUG-${n}`, price: 10, inventory_level: 0 });
    const many = Array.from({ length: 500 }, (_, n) => ({ ...levelled, ItemCode: `MUG-${n}` }));
    const again = await push(many);
    assert.equal(again.priceLists?.calls, 1);
  });

  it('keeps to catalog prices on a plan without price lists, and says so once', async () => {
    sim.store.pricing.features.priceLists = false;
    await helper.load(nodes, flow({ priceLevels: '2' }), credentials());
    const warnings: string[] = [];
    helper.getNode('push').on('call:warn', ((call: { args: [string] }) => warnings.push(call.args[0])) as never);
    const first = await push(items);
    await push(items);
    assert.equal(first.priceLists?.available, false);
    assert.equal(sim.store.priceOf('MUG-11OZ'), 8.25, 'the catalog price was pushed');
    assert.equal(sim.store.pricing.priceLists.size, 0, 'no price list was made');
    assert.equal(warnings.filter((text) => /no price lists/.test(text)).length, 1);
  });

  it('takes items Sage marks inactive off sale when set to hide, and puts them back once active again', async () => {
    await helper.load(nodes, flow({ inactiveItems: 'hide' }), credentials());
    const inactive = items.map((item) => ({ ...item, InactiveItem: item.ItemCode !== 'TSHIRT-M' }));
    const hidden = await push(inactive);
    assert.deepEqual(hidden.offSale, { hidden: 2, restored: 0 });
    const mug = sim.store.product(sim.store.variantBySku('MUG-11OZ')!.productId)!;
    assert.deepEqual([mug.isVisible, sim.store.variantBySku('tee-s')?.purchasingDisabled, sim.store.variantBySku('tee-m')?.purchasingDisabled], [false, true, false]);
    assert.deepEqual((await push(inactive)).offSale, { hidden: 0, restored: 0 }, 'nothing sent again');
    const back = await push(items.map((item) => ({ ...item, InactiveItem: false })));
    assert.deepEqual(back.offSale, { hidden: 0, restored: 2 });
    assert.deepEqual([mug.isVisible, sim.store.variantBySku('tee-s')?.purchasingDisabled], [true, false]);
  });

  it('pushes nothing when nothing changed, also after a restart, and everything on msg.fullResync', async () => {
    await helper.load(nodes, flow(), credentials());
    await push(items);
    const before = writes();

    const again = await push(items);
    assert.equal(again.calls.total, 0);
    assert.equal(again.skipped, 3);

    // A restart: new node instances, the same user directory.
    await helper.unload();
    await helper.load(nodes, flow(), credentials());
    const afterRestart = await push(items);
    assert.equal(afterRestart.calls.total, 0, 'neither lookups nor writes: snapshot and SKU ids came back from disk');
    assert.equal(writes(), before);
    assert.ok((await readdir(join(userDir, 'ml-connector-state'))).length > 0);

    const resync = await push(items, { fullResync: true });
    assert.equal(resync.fullResync, true);
    assert.deepEqual(resync.pushed, { stock: 3, price: 3 });
    assert.deepEqual(resync.calls, { lookups: 0, stock: 1, prices: 1, total: 2 });
  });

  it('pushes only the changed item after a Sage change', async () => {
    await helper.load(nodes, flow(), credentials());
    await push(items);
    const changed = [...items.slice(0, 2), sageItem('MUG-11OZ', { '000': 40 }, 8.25)];
    const summary = await push(changed);
    await sim.inventorySettled();
    assert.deepEqual(summary.changed, { stock: 1, price: 0 });
    assert.deepEqual(summary.calls, { lookups: 0, stock: 1, prices: 0, total: 1 });
    assert.equal(sim.store.stockOf('MUG-11OZ'), 38);
  });

  it('reports SKUs the store does not know in the summary and a yellow status', async () => {
    await helper.load(nodes, flow({ priceColumn: '' }), credentials());
    const seen = statuses(helper.getNode('push'));
    const summary = await push([...items, sageItem('NOT-SOLD-ONLINE', { '000': 3 }, 1)]);
    assert.deepEqual(summary.unknownSkus, ['NOT-SOLD-ONLINE']);
    assert.deepEqual(summary.changed, { stock: 4, price: 0 }, 'no price column: stock only');
    assert.equal(sim.store.priceOf('MUG-11OZ'), 7);
    assert.deepEqual(seen.at(-1), { fill: 'yellow', shape: 'ring', text: '3 pushed, 1 unknown SKU' });
  });

  it('sends bad input to Catch with the item and field named, and calls nothing', async () => {
    await helper.load(nodes, flow(), credentials());
    const caught = nextMessage<{ error: { message: string }; errorDetails: { code: string; record: string; field: string } }>(helper.getNode('caught'));
    helper.getNode('push').receive({ payload: [items[0], { ItemCode: 'BROKEN', warehouses: [{ WarehouseCode: '000' }] }] });
    const msg = await caught;
    assert.match(msg.error.message, /Sage item in item BROKEN: warehouses\.0\.QuantityOnHand/);
    assert.equal(msg.errorDetails.record, 'item BROKEN');
    assert.equal(sim.exchanges.length, 0);
  });

  it('names a bad setting, and a missing store configuration, in the error that reaches Catch', async () => {
    await helper.load(nodes, flow({ locationId: '0' }), credentials());
    let caught = nextMessage<{ error: { message: string } }>(helper.getNode('caught'));
    helper.getNode('push').receive({ payload: items });
    assert.match((await caught).error.message, /bigcommerce-inventory-push settings in node push: locationId: must be a BigCommerce location id/);

    await helper.unload();
    await helper.load(nodes, flow({ bigcommerce: '' }), credentials());
    caught = nextMessage<{ error: { message: string } }>(helper.getNode('caught'));
    helper.getNode('push').receive({ payload: items });
    assert.match((await caught).error.message, /no bigcommerce-config configuration is selected/);
  });

  it('reaches Catch without the access token when the store refuses it, and says so in words', async () => {
    await helper.load(nodes, flow(), { bc: { accessToken: 'revoked-token-4711' } });
    const seen = statuses(helper.getNode('push'));
    const caught = nextMessage<Record<string, unknown> & { errorDetails: { code: string }; error: { message: string } }>(helper.getNode('caught'));
    helper.getNode('push').receive({ payload: items });
    const msg = await caught;
    assert.equal(msg.errorDetails.code, 'bigcommerce.unauthorized');
    assert.doesNotMatch(msg.error.message, /^\w*Error:/, 'no class name in front');
    assert.deepEqual(seen.at(-1), { fill: 'red', shape: 'ring', text: 'store refused the token' });
    assert.ok(!JSON.stringify(msg).includes('revoked-token-4711'));
  });

  it('runs one msg at a time, so the second sees what the first pushed', async () => {
    await helper.load(nodes, flow(), credentials());
    const out = helper.getNode('out');
    const summaries: PushSummary[] = [];
    const both = new Promise<void>((resolve) => {
      out.on('input', ((msg: { payload: PushSummary }) => {
        summaries.push(msg.payload);
        if (summaries.length === 2) resolve();
      }) as never);
    });
    helper.getNode('push').receive({ payload: items });
    helper.getNode('push').receive({ payload: items });
    await both;
    assert.deepEqual(summaries.map((summary) => summary.calls.total), [4, 0]);
  });

  it('holds back the units of store orders waiting at the status gate until Sage has their sales order', async () => {
    const mapperFlow = [
      { id: 'mapper', z: 'tab', ...at, type: 'sync-order-mapper', cashCustomerNo: 'CASH', wires: [['mapped'], ['held']] },
      { id: 'mapped', z: 'tab', ...at, type: 'helper' },
      { id: 'held', z: 'tab', ...at, type: 'helper' },
    ];
    await helper.load(nodes, [...flow({ safetyStock: '0', priceColumn: '' }), ...mapperFlow], credentials());
    const seen = statuses(helper.getNode('push'));
    const decide = async (order: Record<string, unknown>, output: 'mapped' | 'held') => {
      const sent = nextMessage(helper.getNode(output));
      helper.getNode('mapper').receive({ payload: order, orderId: order.id, storeHash: sim.storeHash });
      await sent;
    };
    const mug = (onHand: number, onSalesOrder: number): SageItem => ({ ItemCode: 'MUG-11OZ', warehouses: [{ WarehouseCode: '000', QuantityOnHand: onHand, QuantityOnSalesOrder: onSalesOrder, QuantityOnBackOrder: 0 }] });

    // Awaiting Payment for 3: Sage has 10 available and does not know the order yet.
    await decide(webOrder(7001, 7, 'MUG-11OZ', 3), 'held');
    const waiting = await push([mug(10, 0)]);
    await sim.inventorySettled();
    assert.equal(sim.store.stockOf('MUG-11OZ'), 7);
    assert.deepEqual(waiting.heldBack, { units: 3, orders: 1 });
    assert.equal(seen.at(-1)?.text, '1 pushed, 3 held for 1 waiting');

    // Paid (Awaiting Fulfillment): its sales order takes the 3 in Sage, and the ledger lets go of them.
    await decide(webOrder(7001, 11, 'MUG-11OZ', 3), 'mapped');
    const imported = await push([mug(10, 3)], { fullResync: true });
    await sim.inventorySettled();
    assert.equal(sim.store.stockOf('MUG-11OZ'), 7, 'not subtracted twice');
    assert.deepEqual(imported.heldBack, { units: 0, orders: 0 });

    // Another order waits, then is cancelled: its units are no longer held.
    await decide(webOrder(7002, 1, 'MUG-11OZ', 2), 'held');
    await push([mug(10, 3)], { fullResync: true });
    await sim.inventorySettled();
    assert.equal(sim.store.stockOf('MUG-11OZ'), 5);
    await decide(webOrder(7002, 5, 'MUG-11OZ', 2), 'held');
    await push([mug(10, 3)], { fullResync: true });
    await sim.inventorySettled();
    assert.equal(sim.store.stockOf('MUG-11OZ'), 7);

    // Off, the push sets Sage's quantity whatever waits.
    await decide(webOrder(7003, 7, 'MUG-11OZ', 4), 'held');
    await helper.unload();
    await helper.load(nodes, [...flow({ safetyStock: '0', priceColumn: '', holdWaitingOrders: false }), ...mapperFlow], credentials());
    const off = await push([mug(10, 3)], { fullResync: true });
    assert.equal(off.heldBack, undefined);
    await sim.inventorySettled();
    assert.equal(sim.store.stockOf('MUG-11OZ'), 7);
  });
});
