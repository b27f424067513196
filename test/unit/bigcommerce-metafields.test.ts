import assert from 'node:assert/strict';
import { createBigCommerceClient, type BigCommerceClient } from '../../lib/bigcommerce/client';
import { listOrderMarkers, readOrderMarker, writeOrderMarker } from '../../lib/bigcommerce/metafields';
import type { ConnectorError } from '../../lib/errors';
import type { HttpRequest, RequestFunction } from '../../lib/http/transport';
import { ALL_SCOPES } from '../../sandbox/bigcommerce/router';
import { callStore, sampleOrder, startTestStore, type TestStore } from '../support/bigcommerce';

interface Metafield {
  id: number;
  namespace: string;
  key: string;
  value: string;
  permission_set: string;
  resource_id: number;
  resource_type: string;
  owner_client_id: string;
}

const OTHER_APP = { token: 'other-app-token', scopes: ALL_SCOPES, clientId: 'other-client' };

describe('BigCommerce order metafields', () => {
  let sim: TestStore;
  let client: BigCommerceClient;
  let orderId: number;

  beforeEach(async () => {
    sim = await startTestStore({ extraAccounts: [OTHER_APP] });
    sim.store.addProduct({ id: 10, sku: 'ABC-1', name: 'Widget', price: 12.5, inventory_level: 10 });
    orderId = sim.store.addOrder(sampleOrder()).id;
    client = createBigCommerceClient({ storeHash: sim.storeHash, accessToken: sim.accessToken, apiUrl: sim.apiUrl, retry: { retries: 0 } });
  });
  afterEach(async () => {
    await client?.close();
    await sim?.close();
  });

  const field = (extra: Record<string, unknown> = {}) => ({ permission_set: 'app_only', namespace: 'sage100', key: 'sales_order_no', value: '0001042', ...extra });

  describe('simulator', () => {
    it('creates, reads, filters, updates and deletes a metafield on one order', async () => {
      const created = await callStore<{ data: Metafield }>(sim, 'POST', `/v3/orders/${orderId}/metafields`, { body: field({ description: 'Sage sales order' }) });
      assert.equal(created.status, 200);
      const { id } = created.body.data;
      assert.deepEqual(
        [created.body.data.resource_type, created.body.data.resource_id, created.body.data.owner_client_id, created.body.data.value],
        ['order', orderId, sim.clientId, '0001042'],
      );
      await callStore(sim, 'POST', `/v3/orders/${orderId}/metafields`, { body: field({ key: 'invoice_no', value: 'INV-1' }) });
      await callStore(sim, 'POST', `/v3/orders/${orderId}/metafields`, { body: field({ namespace: 'other', value: 'x' }) });

      const byKey = await callStore<{ data: Metafield[]; meta: { pagination: { total: number } } }>(sim, 'GET', `/v3/orders/${orderId}/metafields`, { query: { key: 'sales_order_no' } });
      assert.deepEqual(byKey.body.data.map((f) => f.namespace), ['sage100', 'other']);
      const both = await callStore<{ data: Metafield[] }>(sim, 'GET', `/v3/orders/${orderId}/metafields`, { query: { namespace: 'sage100', key: 'sales_order_no' } });
      assert.deepEqual(both.body.data.map((f) => f.id), [id]);
      const keysIn = await callStore<{ data: Metafield[] }>(sim, 'GET', `/v3/orders/${orderId}/metafields`, { query: { 'key:in': 'sales_order_no,invoice_no', namespace: 'sage100', direction: 'desc' } });
      assert.deepEqual(keysIn.body.data.map((f) => f.key), ['invoice_no', 'sales_order_no']);

      const one = await callStore<{ data: Metafield }>(sim, 'GET', `/v3/orders/${orderId}/metafields/${id}`);
      assert.equal(one.body.data.value, '0001042');
      const put = await callStore<{ data: Metafield }>(sim, 'PUT', `/v3/orders/${orderId}/metafields/${id}`, { body: field({ value: '0001043' }) });
      assert.deepEqual([put.status, put.body.data.value], [200, '0001043']);
      assert.equal((await callStore(sim, 'DELETE', `/v3/orders/${orderId}/metafields/${id}`)).status, 204);
      assert.equal((await callStore(sim, 'GET', `/v3/orders/${orderId}/metafields/${id}`)).status, 404);
      assert.equal((await callStore(sim, 'GET', '/v3/orders/4242/metafields')).status, 404);
    });

    it('keeps namespace + key unique per client and order (409), validates fields (422) and the order (404)', async () => {
      assert.equal((await callStore(sim, 'POST', `/v3/orders/${orderId}/metafields`, { body: field() })).status, 200);
      const duplicate = await callStore<{ status: number; title: string }>(sim, 'POST', `/v3/orders/${orderId}/metafields`, { body: field({ value: 'other' }) });
      assert.equal(duplicate.status, 409);
      assert.match(duplicate.body.title, /already exists on order/);
      // Another API account may use the same namespace + key: uniqueness is per client id.
      const other = await callStore(sim, 'POST', `/v3/orders/${orderId}/metafields`, { body: field(), token: OTHER_APP.token });
      assert.equal(other.status, 200);
      const secondOrder = sim.store.addOrder(sampleOrder()).id;
      assert.equal((await callStore(sim, 'POST', `/v3/orders/${secondOrder}/metafields`, { body: field() })).status, 200);

      const empty = await callStore<{ errors: Record<string, string> }>(sim, 'POST', `/v3/orders/${orderId}/metafields`, { body: field({ key: 'k2', value: '' }) });
      assert.equal(empty.status, 422);
      assert.ok('value' in empty.body.errors);
      assert.equal((await callStore(sim, 'POST', `/v3/orders/${orderId}/metafields`, { body: field({ key: 'k3', permission_set: 'everyone' }) })).status, 422);
      assert.equal((await callStore(sim, 'POST', `/v3/orders/${orderId}/metafields`, { body: { namespace: 'n', key: 'k', value: 'v' } })).status, 422);
      assert.equal((await callStore(sim, 'POST', '/v3/orders/4242/metafields', { body: field() })).status, 404);

      const second = await callStore<{ data: Metafield }>(sim, 'POST', `/v3/orders/${orderId}/metafields`, { body: field({ key: 'other_key' }) });
      const clash = await callStore(sim, 'PUT', `/v3/orders/${orderId}/metafields/${second.body.data.id}`, { body: field() });
      assert.equal(clash.status, 409, 'renaming onto an existing namespace + key is a conflict too');
    });

    it("hides app_only metafields from other API accounts and lets them change only write ones", async () => {
      const hidden = (await callStore<{ data: Metafield }>(sim, 'POST', `/v3/orders/${orderId}/metafields`, { body: field() })).body.data;
      const readable = (await callStore<{ data: Metafield }>(sim, 'POST', `/v3/orders/${orderId}/metafields`, { body: field({ key: 'r', permission_set: 'read' }) })).body.data;
      const shared = (await callStore<{ data: Metafield }>(sim, 'POST', `/v3/orders/${orderId}/metafields`, { body: field({ key: 'w', permission_set: 'write' }) })).body.data;
      const seen = await callStore<{ data: Metafield[] }>(sim, 'GET', `/v3/orders/${orderId}/metafields`, { token: OTHER_APP.token });
      assert.deepEqual(seen.body.data.map((f) => f.id), [readable.id, shared.id]);
      assert.equal((await callStore(sim, 'GET', `/v3/orders/${orderId}/metafields/${hidden.id}`, { token: OTHER_APP.token })).status, 404);
      assert.equal((await callStore(sim, 'PUT', `/v3/orders/${orderId}/metafields/${readable.id}`, { body: field({ key: 'r', permission_set: 'read', value: 'x' }), token: OTHER_APP.token })).status, 403);
      assert.equal((await callStore(sim, 'PUT', `/v3/orders/${orderId}/metafields/${shared.id}`, { body: field({ key: 'w', permission_set: 'write', value: 'x' }), token: OTHER_APP.token })).status, 200);
    });

    it('batch endpoints create, update, list and delete across orders, reporting partial failures with 422', async () => {
      const secondOrder = sim.store.addOrder(sampleOrder()).id;
      const created = await callStore<{ data: Metafield[]; errors: unknown[]; meta: { total: number; success: number; failed: number } }>(sim, 'POST', '/v3/orders/metafields', {
        body: [field({ resource_id: orderId }), field({ resource_id: secondOrder, value: '0001050' })],
      });
      assert.equal(created.status, 200);
      assert.deepEqual(created.body.meta, { total: 2, success: 2, failed: 0 });
      const partial = await callStore<{ data: Metafield[]; errors: Array<{ status: number }>; meta: { failed: number } }>(sim, 'POST', '/v3/orders/metafields', {
        body: [field({ resource_id: orderId }), field({ resource_id: orderId, key: 'new' })],
      });
      assert.equal(partial.status, 422);
      assert.deepEqual([partial.body.data.length, partial.body.errors[0]!.status, partial.body.meta.failed], [1, 409, 1]);

      const [first, second] = created.body.data;
      const updated = await callStore<{ data: Metafield[] }>(sim, 'PUT', '/v3/orders/metafields', { body: [{ ...field({ value: '0001099' }), id: first!.id }] });
      assert.equal(updated.body.data[0]!.value, '0001099');
      const all = await callStore<{ data: Metafield[] }>(sim, 'GET', '/v3/orders/metafields', { query: { namespace: 'sage100', key: 'sales_order_no' } });
      assert.deepEqual(all.body.data.map((f) => f.resource_id), [orderId, secondOrder]);
      const deleted = await callStore<{ data: number[]; meta: { failed: number } }>(sim, 'DELETE', '/v3/orders/metafields', { body: [first!.id, second!.id, 999] });
      assert.equal(deleted.status, 422);
      assert.deepEqual([deleted.body.data, deleted.body.meta.failed], [[first!.id, second!.id], 1]);
    });
  });

  describe('client: readOrderMarker / writeOrderMarker', () => {
    const marker = { namespace: 'sage100', key: 'sales_order_no', value: '0001042' };

    it('creates the marker once; a repeat reads and writes nothing', async () => {
      assert.equal(await readOrderMarker(client.request, orderId, 'sage100', 'sales_order_no'), undefined);
      const first = await writeOrderMarker(client.request, orderId, marker);
      assert.equal(first.action, 'created');
      assert.equal(first.marker.value, '0001042');
      const writesBefore = sim.exchanges.filter((e) => e.method !== 'GET').length;
      const again = await writeOrderMarker(client.request, orderId, marker);
      assert.deepEqual([again.action, again.marker.id], ['unchanged', first.marker.id]);
      assert.equal(sim.exchanges.filter((e) => e.method !== 'GET').length, writesBefore);
      const read = await readOrderMarker(client.request, orderId, 'sage100', 'sales_order_no');
      assert.deepEqual([read?.value, read?.permissionSet, read?.orderId], ['0001042', 'app_only', orderId]);
      assert.equal(sim.store.orderMetafields.size, 1);
    });

    it('refuses to overwrite another value unless told to', async () => {
      await writeOrderMarker(client.request, orderId, marker);
      await assert.rejects(writeOrderMarker(client.request, orderId, { ...marker, value: '0001077' }), (err: ConnectorError) => {
        assert.equal(err.code, 'bigcommerce.marker_conflict');
        assert.equal(err.record, `order ${orderId}`);
        assert.match(err.message, /0001042/);
        return true;
      });
      const replaced = await writeOrderMarker(client.request, orderId, { ...marker, value: '0001077' }, { overwrite: true });
      assert.deepEqual([replaced.action, replaced.previousValue, replaced.marker.value], ['updated', '0001042', '0001077']);
    });

    it('settles a race with another instance (409 on create) by reading again', async () => {
      // Another instance writes the same marker between this one's read and its create.
      const racing: RequestFunction = async (req: HttpRequest) => {
        if (req.method === 'POST') sim.store.addOrderMetafield(orderId, { permission_set: 'app_only', namespace: 'sage100', key: 'sales_order_no', value: '0001042' }, sim.clientId);
        return client.request(req);
      };
      const result = await writeOrderMarker(racing as RequestFunction, orderId, marker);
      assert.equal(result.action, 'unchanged');
      assert.equal(sim.exchanges.filter((e) => e.method === 'POST').at(-1)?.status, 409);
      assert.equal(sim.store.orderMetafields.size, 1);
    });

    it('listOrderMarkers reads every marked order store-wide, 250 a page, skipping other keys', async () => {
      const ids = [orderId, ...Array.from({ length: 300 }, () => sim.store.addOrder(sampleOrder()).id)];
      for (const [index, id] of ids.entries()) {
        if (index !== 1) sim.store.addOrderMetafield(id, { permission_set: 'app_only', namespace: 'sage100', key: 'sales_order_no', value: `SO${index}` }, sim.clientId);
        else sim.store.addOrderMetafield(id, { permission_set: 'app_only', namespace: 'sage100', key: 'other', value: 'x' }, sim.clientId);
      }
      const before = sim.exchanges.length;
      const markers = await listOrderMarkers(client.request, 'sage100', 'sales_order_no');
      assert.equal(markers.size, 300);
      assert.equal(markers.get(ids[2]!)?.value, 'SO2');
      assert.equal(markers.has(ids[1]!), false);
      assert.equal(sim.exchanges.length - before, 2, '300 markers: two pages of 250');
    });

    it('validates the marker before any call', async () => {
      const before = sim.exchanges.length;
      await assert.rejects(writeOrderMarker(client.request, orderId, { ...marker, value: '' }), (err: ConnectorError) => err.code === 'bigcommerce.marker_invalid' && err.field === 'value');
      await assert.rejects(writeOrderMarker(client.request, orderId, { ...marker, key: 'k'.repeat(65) }), (err: ConnectorError) => err.field === 'key');
      await assert.rejects(readOrderMarker(client.request, -1, 'a', 'b'), (err: ConnectorError) => err.code === 'bigcommerce.order_id_invalid');
      assert.equal(sim.exchanges.length, before);
    });
  });
});
