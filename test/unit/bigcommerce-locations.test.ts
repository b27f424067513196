import assert from 'node:assert/strict';
import { CatalogCalls } from '../../lib/bigcommerce/catalog';
import { createBigCommerceClient, type BigCommerceClient } from '../../lib/bigcommerce/client';
import { ensureLocations, listLocations, locationLevels, type NewLocation } from '../../lib/bigcommerce/locations';
import { callStore, startTestStore, type TestStore } from '../support/bigcommerce';

interface LocationBody {
  id: number;
  code: string;
  label: string;
  enabled: boolean;
  managed_by_external_source: boolean;
}

const ADDRESS = { address1: '1 Depot Rd', city: 'Austin', state: 'TX', zip: '78701', email: 'wh@example.com', geo_coordinates: { latitude: 30.27, longitude: -97.74 }, country_code: 'US' };
const warehouse = (code: string, label: string) => ({ code, label, managed_by_external_source: true, type_id: 'PHYSICAL', time_zone: 'America/Chicago', address: ADDRESS });

describe('BigCommerce locations', () => {
  let sim: TestStore;
  let client: BigCommerceClient;

  beforeEach(async () => {
    sim = await startTestStore();
    sim.store.addProduct({ id: 1, sku: 'WIDGET', price: 20, inventory_level: 5 });
    sim.store.addProduct({ id: 2, sku: 'SHIRT', price: 30, variants: [{ sku: 'SHIRT-S', options: { Size: 'S' }, inventory_level: 3 }, { sku: 'SHIRT-L', options: { Size: 'L' }, inventory_level: 4 }] });
    client = createBigCommerceClient({ storeHash: sim.storeHash, accessToken: sim.accessToken, apiUrl: sim.apiUrl, retry: { retries: 0 } });
  });
  afterEach(async () => {
    await client?.close();
    await sim?.close();
  });

  const locations = async (query: Record<string, string> = {}) => (await callStore<{ data: LocationBody[] }>(sim, 'GET', '/v3/inventory/locations', { query })).body.data;

  describe('simulator', () => {
    it('creates, lists, filters and updates locations; codes are unique and location 1 cannot be deleted', async () => {
      const created = await callStore<{ transaction_id: string }>(sim, 'POST', '/v3/inventory/locations', { body: [warehouse('WH-000', 'Sage warehouse 000'), warehouse('WH-EAST', 'Sage warehouse EAST')] });
      assert.equal(created.status, 200);
      assert.match(created.body.transaction_id, /^[0-9a-f-]{36}$/);
      const all = await locations();
      assert.deepEqual(all.map((l) => [l.id, l.code]), [[1, 'BC-LOCATION-1'], [2, 'WH-000'], [3, 'WH-EAST']]);
      assert.equal(all[1]!.managed_by_external_source, true);
      assert.deepEqual((await locations({ 'location_id:in': '1,3' })).map((l) => l.id), [1, 3]);
      assert.deepEqual((await locations({ 'location_code:in': 'WH-EAST' })).map((l) => l.id), [3]);

      const duplicate = await callStore<{ errors: Record<string, string> }>(sim, 'POST', '/v3/inventory/locations', { body: [warehouse('WH-000', 'again')] });
      assert.equal(duplicate.status, 422);
      assert.equal(duplicate.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal((await callStore(sim, 'POST', '/v3/inventory/locations', { body: [{ label: 'no address' }] })).status, 422);

      assert.equal((await callStore(sim, 'PUT', '/v3/inventory/locations', { body: [{ id: 2, label: 'Main warehouse', enabled: false }] })).status, 200);
      assert.deepEqual((await locations({ is_active: 'false' })).map((l) => [l.id, l.label]), [[2, 'Main warehouse']]);
      assert.equal((await callStore(sim, 'PUT', '/v3/inventory/locations', { body: [{ id: 3, code: 'WH-000' }] })).status, 422);

      assert.equal((await callStore(sim, 'DELETE', '/v3/inventory/locations', { query: { 'location_id:in': '1' } })).status, 422);
      assert.equal((await callStore(sim, 'DELETE', '/v3/inventory/locations', { query: { 'location_id:in': '9' } })).status, 404);
      assert.equal((await callStore(sim, 'DELETE', '/v3/inventory/locations', { query: { 'location_id:in': '2' } })).status, 200);
      assert.deepEqual((await locations()).map((l) => l.id), [1, 3]);
    });

    it('absolute adjustments by location_id set each location apart; the location items list shows them', async () => {
      await callStore(sim, 'POST', '/v3/inventory/locations', { body: [warehouse('WH-000', 'A'), warehouse('WH-EAST', 'B')] });
      const shirtS = sim.store.variantBySku('SHIRT-S')!.id;
      const adjusted = await callStore(sim, 'PUT', '/v3/inventory/adjustments/absolute', {
        body: {
          reason: 'Sage 100 sync',
          items: [
            { location_id: 2, product_id: 1, quantity: 40 },
            { location_id: 3, product_id: 1, quantity: 7 },
            { location_id: 2, variant_id: shirtS, quantity: 12 },
          ],
        },
      });
      assert.equal(adjusted.status, 200);
      assert.deepEqual([sim.store.stockOf('WIDGET', 1), sim.store.stockOf('WIDGET', 2), sim.store.stockOf('WIDGET', 3), sim.store.stockOf('SHIRT-S', 2)], [5, 40, 7, 12]);

      const items = await callStore<{ data: Array<{ identity: { sku: string }; total_inventory_onhand: number; available_to_sell: number }> }>(sim, 'GET', '/v3/inventory/locations/2/items');
      assert.deepEqual(items.body.data.map((i) => [i.identity.sku, i.total_inventory_onhand]), [['WIDGET', 40], ['SHIRT-S', 12]]);
      const filtered = await callStore<{ data: Array<{ identity: { sku: string } }> }>(sim, 'GET', '/v3/inventory/locations/3/items', { query: { 'sku:in': 'WIDGET,SHIRT-L' } });
      assert.deepEqual(filtered.body.data.map((i) => i.identity.sku), ['WIDGET']);
      assert.equal((await callStore(sim, 'GET', '/v3/inventory/locations/9/items')).status, 404);
      const everywhere = await callStore<{ data: Array<{ locations: Array<{ location_id: number; total_inventory_onhand: number }> }> }>(sim, 'GET', '/v3/inventory/items', { query: { 'sku:in': 'WIDGET' } });
      assert.deepEqual(everywhere.body.data[0]!.locations.map((l) => [l.location_id, l.total_inventory_onhand]), [[1, 5], [2, 40], [3, 7]]);

      assert.equal((await callStore(sim, 'PUT', '/v3/inventory/adjustments/absolute', { body: { items: [{ location_id: 9, product_id: 1, quantity: 1 }] } })).status, 422, 'an unknown location is refused');
      await callStore(sim, 'DELETE', '/v3/inventory/locations', { query: { 'location_id:in': '3' } });
      assert.equal(sim.store.stockOf('WIDGET', 3), 0, "deleting a location deletes its stock");
    });
  });

  describe('client', () => {
    const wanted: NewLocation[] = [
      { code: 'WH-000', label: 'Sage warehouse 000', address: { address1: '1 Depot Rd', city: 'Austin', state: 'TX', zip: '78701', email: 'wh@example.com', countryCode: 'US', latitude: 30.27, longitude: -97.74 } },
      { code: 'WH-EAST', label: 'Sage warehouse EAST', address: { address1: '9 East St', city: 'Dallas', state: 'TX', zip: '75201', email: 'east@example.com', countryCode: 'US', latitude: 32.78, longitude: -96.8 } },
    ];

    it('ensureLocations creates the missing warehouses in one call and nothing on a repeat', async () => {
      const first = await ensureLocations(client.request, wanted);
      assert.deepEqual([...first].map(([code, l]) => [code, l.id]), [['WH-000', 2], ['WH-EAST', 3]]);
      const posts = () => sim.exchanges.filter((e) => e.method === 'POST' && e.route === '/v3/inventory/locations').length;
      assert.equal(posts(), 1);
      const again = await ensureLocations(client.request, wanted);
      assert.deepEqual([...again.values()].map((l) => l.id), [2, 3]);
      assert.equal(posts(), 1);
      const created = sim.store.catalog.locations.get(2)!;
      assert.deepEqual([created.managedByExternalSource, created.storefrontVisibility, created.timeZone], [true, false, 'Etc/UTC']);
      assert.deepEqual((await listLocations(client.request)).map((l) => l.code), ['BC-LOCATION-1', 'WH-000', 'WH-EAST']);
    });

    it('two warehouses on two locations: the existing stock push sets each, locationLevels reads them back', async () => {
      const byCode = await ensureLocations(client.request, wanted);
      const calls = new CatalogCalls(client.request);
      const items = await calls.lookup(['WIDGET', 'SHIRT-L']);
      for (const [code, quantities] of [['WH-000', { WIDGET: 11, 'SHIRT-L': 2 }], ['WH-EAST', { WIDGET: 4, 'SHIRT-L': 9 }]] as const) {
        const writes = Object.entries(quantities).map(([sku, quantity]) => ({ sku, item: items.get(sku)!, quantity }));
        await calls.setStock(writes, { locationId: byCode.get(code)!.id, reason: 'Sage 100 warehouse sync' });
      }
      const west = await locationLevels(client.request, byCode.get('WH-000')!.id);
      const east = await locationLevels(client.request, byCode.get('WH-EAST')!.id, ['WIDGET', 'SHIRT-L', 'SHIRT-S']);
      assert.deepEqual(west.map((l) => [l.sku, l.onHand]), [['WIDGET', 11], ['SHIRT-L', 2]]);
      assert.deepEqual(east.map((l) => [l.sku, l.onHand, l.availableToSell]), [['WIDGET', 4, 4], ['SHIRT-L', 9, 9]]);
      assert.equal(sim.store.stockOf('WIDGET', 1), 5, 'the default location is untouched');
    });
  });
});
