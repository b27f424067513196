import assert from 'node:assert/strict';
import { createBigCommerceClient, type BigCommerceClient } from '../../lib/bigcommerce/client';
import {
  assignPriceList,
  ensureCustomerGroup,
  ensurePriceList,
  listCustomerGroups,
  priceListsAvailable,
  setCustomerGroups,
  upsertPriceRecords,
  type PriceRecordInput,
} from '../../lib/bigcommerce/price-lists';
import type { ConnectorError } from '../../lib/errors';
import { callStore, seedTestCatalog, startTestStore, type TestStore } from '../support/bigcommerce';

interface PriceList {
  id: number;
  name: string;
  active: boolean;
}
interface Record {
  variant_id: number;
  product_id: number;
  currency: string;
  price: number;
  sale_price?: number;
  calculated_price: number;
  sku?: string;
  bulk_pricing_tiers?: unknown[];
}

describe('BigCommerce price lists and customer groups', () => {
  let sim: TestStore;
  let client: BigCommerceClient;

  beforeEach(async () => {
    sim = await startTestStore();
    sim.store.addProduct({ id: 1, sku: 'WIDGET', price: 20, inventory_level: 5 });
    sim.store.addProduct({ id: 2, sku: 'SHIRT', price: 30, variants: [{ sku: 'SHIRT-S', options: { Size: 'S' } }, { sku: 'SHIRT-L', options: { Size: 'L' } }] });
    client = createBigCommerceClient({ storeHash: sim.storeHash, accessToken: sim.accessToken, apiUrl: sim.apiUrl, retry: { retries: 0 } });
  });
  afterEach(async () => {
    await client?.close();
    await sim?.close();
  });

  const createList = async (name: string) => (await callStore<{ data: PriceList }>(sim, 'POST', '/v3/pricelists', { body: { name } })).body.data;
  const createGroup = async (name: string) => (await callStore<{ id: number }>(sim, 'POST', '/v2/customer_groups', { body: { name } })).body;

  describe('simulator', () => {
    it('creates, finds, renames and deletes price lists; names are unique (409)', async () => {
      const level2 = await createList('Sage level 2');
      assert.equal(level2.active, true);
      assert.equal((await callStore(sim, 'POST', '/v3/pricelists', { body: { name: 'Sage level 2' } })).status, 409);
      assert.equal((await callStore(sim, 'POST', '/v3/pricelists', { body: { active: true } })).status, 422);
      await createList('Sage level 3');
      const found = await callStore<{ data: PriceList[] }>(sim, 'GET', '/v3/pricelists', { query: { name: 'Sage level 3' } });
      assert.deepEqual(found.body.data.map((l) => l.name), ['Sage level 3']);
      const renamed = await callStore<{ data: PriceList }>(sim, 'PUT', `/v3/pricelists/${level2.id}`, { body: { name: 'Wholesale', active: false } });
      assert.deepEqual([renamed.body.data.name, renamed.body.data.active], ['Wholesale', false]);
      assert.equal((await callStore(sim, 'DELETE', `/v3/pricelists/${level2.id}`)).status, 204);
      assert.equal((await callStore(sim, 'GET', `/v3/pricelists/${level2.id}`)).status, 404);
    });

    it('upserts records with quantity breaks by variant id or SKU, refusing a bad batch whole and batches over 1,000', async () => {
      const list = await createList('Level 2');
      const shirtL = sim.store.variantBySku('SHIRT-L')!.id;
      const put = await callStore(sim, 'PUT', `/v3/pricelists/${list.id}/records`, {
        body: [
          { sku: 'WIDGET', currency: 'usd', price: 18, bulk_pricing_tiers: [{ quantity_min: 10, quantity_max: 49, type: 'fixed', amount: 17 }, { quantity_min: 50, type: 'fixed', amount: 15.5 }] },
          { variant_id: shirtL, currency: 'USD', price: 27, sale_price: 25 },
        ],
      });
      assert.equal(put.status, 200);
      const records = await callStore<{ data: Record[] }>(sim, 'GET', `/v3/pricelists/${list.id}/records`, { query: { include: 'bulk_pricing_tiers,sku' } });
      assert.deepEqual(
        records.body.data.map((r) => [r.sku, r.currency, r.price, r.calculated_price, r.bulk_pricing_tiers?.length]),
        [['WIDGET', 'USD', 18, 18, 2], ['SHIRT-L', 'USD', 27, 25, 0]],
      );
      await callStore(sim, 'PUT', `/v3/pricelists/${list.id}/records`, { body: [{ sku: 'WIDGET', currency: 'USD', price: 17.5 }] });
      const widget = await callStore<{ data: Record[] }>(sim, 'GET', `/v3/pricelists/${list.id}/records`, { query: { 'sku:in': 'WIDGET' } });
      assert.deepEqual(widget.body.data.map((r) => r.price), [17.5]);

      const bad = await callStore<{ batch_errors: Array<{ data: { sku?: string }; field_errors: { [key: string]: string } }> }>(sim, 'PUT', `/v3/pricelists/${list.id}/records`, {
        body: [
          { sku: 'SHIRT-S', currency: 'USD', price: 26 },
          { sku: 'NO-SUCH', currency: 'USD', price: 1 },
          { sku: 'WIDGET', currency: 'USD', price: 9, bulk_pricing_tiers: [{ quantity_min: 5, quantity_max: 20, type: 'fixed', amount: 8 }, { quantity_min: 10, type: 'fixed', amount: 7 }] },
        ],
      });
      assert.equal(bad.status, 422);
      assert.deepEqual(bad.body.batch_errors.map((e) => e.data.sku), ['NO-SUCH', 'WIDGET']);
      assert.match(Object.values(bad.body.batch_errors[1]!.field_errors)[0]!, /overlap/);
      assert.equal(sim.store.pricing.recordsOf(list.id).size, 2, 'nothing from the refused batch was saved');

      const tooMany = Array.from({ length: 1001 }, () => ({ sku: 'WIDGET', currency: 'USD', price: 1 }));
      assert.equal((await callStore(sim, 'PUT', `/v3/pricelists/${list.id}/records`, { body: tooMany })).status, 413);
      assert.equal((await callStore(sim, 'POST', `/v3/pricelists/${list.id}/records`, { body: tooMany.slice(0, 101) })).status, 413);
      assert.equal((await callStore(sim, 'POST', `/v3/pricelists/${list.id}/records`, { body: [{ sku: 'WIDGET', currency: 'USD', price: 3 }] })).status, 422, 'POST creates only');
      assert.equal((await callStore(sim, 'POST', `/v3/pricelists/${list.id}/records`, { body: [{ sku: 'SHIRT-S', currency: 'USD', price: 3 }] })).status, 200);
      assert.equal((await callStore(sim, 'DELETE', `/v3/pricelists/${list.id}/records`, { query: { 'sku:in': 'SHIRT-S,SHIRT-L' } })).status, 204);
      assert.deepEqual([...sim.store.pricing.recordsOf(list.id).values()].map((r) => r.sku), ['WIDGET']);
    });

    it('assigns a price list to a customer group, which then shows it in discount_rules; one list per group and channel', async () => {
      const level2 = await createList('Level 2');
      const level3 = await createList('Level 3');
      const group = await createGroup('Sage price level 2');
      assert.equal((await callStore(sim, 'POST', '/v2/customer_groups', { body: { name: 'Sage price level 2' } })).status, 409);
      const assigned = await callStore<{ data: { id: number; price_list_id: number; customer_group_id: number; channel_id: number } }>(sim, 'PUT', `/v3/pricelists/${level2.id}/assignments`, {
        body: { customer_group_id: group.id, channel_id: 1 },
      });
      assert.deepEqual([assigned.status, assigned.body.data.price_list_id, assigned.body.data.customer_group_id], [200, level2.id, group.id]);
      const shown = await callStore<{ discount_rules: unknown[] }>(sim, 'GET', `/v2/customer_groups/${group.id}`);
      assert.deepEqual(shown.body.discount_rules, [{ type: 'price_list', price_list_id: level2.id }]);

      const clash = await callStore<{ errors: { [key: string]: string } }>(sim, 'POST', '/v3/pricelists/assignments', { body: [{ price_list_id: level3.id, customer_group_id: group.id, channel_id: 1 }] });
      assert.equal(clash.status, 422);
      assert.equal((await callStore(sim, 'POST', '/v3/pricelists/assignments', { body: [{ price_list_id: level3.id, customer_group_id: 99 }] })).status, 422);
      assert.equal((await callStore(sim, 'PUT', `/v3/pricelists/${level2.id}/assignments`, { body: { customer_group_id: 99, channel_id: 1 } })).status, 404);

      const other = await createGroup('Sage price level 3');
      const batch = await callStore(sim, 'POST', '/v3/pricelists/assignments', { body: [{ price_list_id: level3.id, customer_group_id: other.id, channel_id: 1 }] });
      assert.deepEqual([batch.status, batch.body], [200, undefined]);
      const listed = await callStore<{ data: Array<{ price_list_id: number; customer_group_id: number }> }>(sim, 'GET', '/v3/pricelists/assignments', { query: { 'customer_group_id:in': `${group.id},${other.id}` } });
      assert.deepEqual(listed.body.data.map((a) => [a.price_list_id, a.customer_group_id]), [[level2.id, group.id], [level3.id, other.id]]);

      assert.equal((await callStore(sim, 'DELETE', '/v3/pricelists/assignments')).status, 422, 'a delete needs a filter');
      assert.equal((await callStore(sim, 'DELETE', '/v3/pricelists/assignments', { query: { price_list_id: level3.id } })).status, 204);
      assert.equal(sim.store.pricing.assignments.size, 1);
      assert.deepEqual((await callStore<{ count: number }>(sim, 'GET', '/v2/customer_groups/count')).body, { count: 2 });
    });

    it('a plan without Price Lists (or Customer Groups) answers 403 on their endpoints', async () => {
      await callStore(sim, 'POST', '/__sim/features', { body: { priceLists: false } });
      const refused = await callStore<{ title: string }>(sim, 'GET', '/v3/pricelists');
      assert.equal(refused.status, 403);
      assert.match(refused.body.title, /plan does not include Price Lists/);
      assert.equal((await callStore(sim, 'PUT', '/v3/pricelists/1/records', { body: [] })).status, 403);
      assert.equal((await callStore(sim, 'GET', '/v2/customer_groups')).status, 200);
      sim.store.pricing.features.customerGroups = false;
      assert.equal((await callStore(sim, 'GET', '/v2/customer_groups')).status, 403);
      const state = await callStore<{ features: unknown; price_lists: unknown[]; locations: Array<{ id: number }> }>(sim, 'GET', '/__sim/state');
      assert.deepEqual(state.body.features, { priceLists: false, customerGroups: false });
      assert.deepEqual([state.body.price_lists, state.body.locations.map((l) => l.id)], [[], [1]]);
      assert.equal((await callStore(sim, 'POST', '/__sim/features', { body: { priceLists: 'no' } })).status, 422);
    });
  });

  describe('client', () => {
    it('ensurePriceList and ensureCustomerGroup create once; a repeat finds them', async () => {
      const list = await ensurePriceList(client.request, 'Sage level 2');
      assert.equal(list.created, true);
      assert.deepEqual(await ensurePriceList(client.request, 'Sage level 2'), { ...list, created: false });
      const group = await ensureCustomerGroup(client.request, 'Sage level 2');
      assert.equal(group.created, true);
      assert.equal((await ensureCustomerGroup(client.request, 'Sage level 2')).id, group.id);
      assert.deepEqual((await listCustomerGroups(client.request)).map((g) => g.name), ['Sage level 2']);
      assert.deepEqual(await assignPriceList(client.request, list.id, group.id), { id: 1, priceListId: list.id, customerGroupId: group.id, channelId: 1 });
      assert.equal(sim.store.pricing.priceLists.size, 1);
      assert.equal(sim.store.pricing.customerGroups.size, 1);
    });

    it('upserts records in batches of the documented 1,000 (500 changed prices: one call)', async () => {
      seedTestCatalog(sim, { skus: 2_500, prefix: 'P' });
      const skus = [...sim.store.catalog.variantBySku.keys()].filter((sku) => sku.startsWith('P'));
      const list = await ensurePriceList(client.request, 'Level 2');
      const records: PriceRecordInput[] = skus.slice(0, 2_500).map((sku, i) => ({ sku, currency: 'USD', price: 10 + (i % 7), bulkTiers: [{ quantityMin: 12, type: 'percent', amount: 5 }] }));
      assert.equal(records.length, 2_500);
      const puts = () => sim.exchanges.filter((e) => e.method === 'PUT' && e.route === '/v3/pricelists/{price_list_id}/records').length;
      assert.deepEqual(await upsertPriceRecords(client.request, list.id, records), { records: 2_500, calls: 3 });
      assert.equal(puts(), 3);
      assert.equal(sim.store.pricing.recordsOf(list.id).size, 2_500);
      assert.deepEqual(await upsertPriceRecords(client.request, list.id, records.slice(0, 500)), { records: 500, calls: 1 });
      assert.deepEqual(await upsertPriceRecords(client.request, list.id, records.slice(0, 500), { batchSize: 100 }), { records: 500, calls: 5 });
      assert.deepEqual(await upsertPriceRecords(client.request, list.id, records.slice(0, 10), { batchSize: 5_000 }), { records: 10, calls: 1 }, 'never above the documented limit');
    });

    it('setCustomerGroups puts B2B customers in their price level group, 10 a call; PUT /v3/customers refuses an unknown group', async () => {
      const group = await ensureCustomerGroup(client.request, 'Sage level 2');
      const ids = Array.from({ length: 12 }, (_, i) => sim.store.addCustomer({ email: `b2b${i}@example.com`, first_name: 'B', last_name: `Buyer ${i}` }).id);
      assert.deepEqual(await setCustomerGroups(client.request, ids.map((customerId) => ({ customerId, customerGroupId: group.id }))), { customers: 12, calls: 2 });
      assert.ok(ids.every((id) => sim.store.customers.get(id)!.customerGroupId === group.id));
      const listed = await callStore<{ data: Array<{ id: number }> }>(sim, 'GET', '/v3/customers', { query: { 'customer_group_id:in': group.id } });
      assert.equal(listed.body.data.length, 12);
      const refused = await callStore<{ errors: { [key: string]: string } }>(sim, 'PUT', '/v3/customers', { body: [{ id: ids[0], customer_group_id: 77 }] });
      assert.equal(refused.status, 422);
      assert.deepEqual(Object.keys(refused.body.errors), ['0.customer_group_id']);
      assert.equal(sim.store.customers.get(ids[0]!)!.customerGroupId, group.id);
    });

    it('validates records before any call and reports a plan without price lists', async () => {
      const before = sim.exchanges.length;
      await assert.rejects(upsertPriceRecords(client.request, 1, [{ currency: 'USD', price: 1 }]), (err: ConnectorError) => err.code === 'bigcommerce.price_record_invalid' && /variantId/.test(err.message));
      await assert.rejects(upsertPriceRecords(client.request, 1, [{ sku: 'A', currency: 'dollars', price: 1 }]), (err: ConnectorError) => err.field === '0.currency');
      assert.equal(sim.exchanges.length, before);
      assert.deepEqual(await priceListsAvailable(client.request), { available: true });
      sim.store.pricing.features.priceLists = false;
      const off = await priceListsAvailable(client.request);
      assert.equal(off.available, false);
      assert.match(off.reason!, /plan does not include Price Lists/);
    });
  });
});
