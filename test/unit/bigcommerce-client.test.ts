import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBigCommerceClient, type BigCommerceClient } from '../../lib/bigcommerce/client';
import { parseApiDate, rfc3339 } from '../../lib/bigcommerce/dates';
import { describeBigCommerceError, scopeFor, serverMessage } from '../../lib/bigcommerce/errors';
import { v2Pages, v3All } from '../../lib/bigcommerce/pagination';
import { HttpError } from '../../lib/http/errors';

describe('BigCommerce client pieces', () => {
  describe('errors', () => {
    const get = (path: string) => ({ method: 'GET', path: `/stores/abc123${path}` });

    it("quotes BigCommerce's own words from v2 arrays, v3 objects and batch errors", () => {
      assert.equal(serverMessage([{ status: 404, message: 'The requested resource was not found.' }]), 'The requested resource was not found.');
      assert.equal(serverMessage({ status: 422, title: 'Invalid field', errors: { price: 'must be positive' } }), 'Invalid field; price: must be positive');
      assert.equal(serverMessage({ batch_errors: [{ title: 'bad variant', errors: { sku: 'taken' } }] }), 'bad variant; sku: taken');
      assert.equal(serverMessage(''), undefined);
    });

    it('names the scope a 403 needs for the path and method', () => {
      assert.deepEqual(scopeFor('GET', '/stores/abc123/v2/orders/1?include=x'), { area: 'Orders', scope: 'store_v2_orders_read_only' });
      assert.deepEqual(scopeFor('GET', '/stores/abc123/v3/orders/1/transactions'), { area: 'Order Transactions', scope: 'store_v2_transactions_read_only' });
      assert.deepEqual(scopeFor('PUT', '/stores/abc123/v3/inventory/adjustments/absolute'), { area: 'Store Inventory', scope: 'store_inventory' });
      assert.deepEqual(scopeFor('GET', '/stores/abc123/v3/inventory/locations'), { area: 'Store Locations', scope: 'store_locations_read_only' });
      assert.deepEqual(scopeFor('PUT', '/stores/abc123/v3/catalog/variants'), { area: 'Products', scope: 'store_v2_products' });
      const described = describeBigCommerceError(403, { status: 403, title: 'You don\'t have a required scope to access the endpoint' }, get('/v3/orders/7/transactions'));
      assert.equal(described.code, 'bigcommerce.forbidden');
      assert.match(described.hint ?? '', /store_v2_transactions_read_only/);
    });

    it('gives each status a stable code, the path below the store, and a hint', () => {
      const cases: Array<[number, string, RegExp]> = [
        [401, 'bigcommerce.unauthorized', /access token/],
        [404, 'bigcommerce.not_found', /No such record/],
        [413, 'bigcommerce.too_large', /smaller batches/],
        [422, 'bigcommerce.invalid', /names the field/],
        [429, 'bigcommerce.rate_limited', /quota/],
        [503, 'bigcommerce.unavailable', /maintenance/],
      ];
      for (const [status, code, hint] of cases) {
        const described = describeBigCommerceError(status, [{ status, message: 'said' }], get('/v2/orders/9'));
        assert.equal(described.code, code);
        assert.match(described.hint ?? '', hint);
        assert.equal(described.message, `BigCommerce ${status} on GET /v2/orders/9: said`);
      }
    });
  });

  describe('dates', () => {
    it('reads v2 RFC-2822 and v3 RFC 3339 dates and writes RFC 3339 filters', () => {
      assert.equal(parseApiDate('Tue, 05 Mar 2019 21:40:11 +0000'), Date.UTC(2019, 2, 5, 21, 40, 11));
      assert.equal(parseApiDate('2019-03-05T21:40:11+00:00'), Date.UTC(2019, 2, 5, 21, 40, 11));
      assert.equal(parseApiDate('soon'), undefined);
      assert.equal(rfc3339(Date.UTC(2019, 2, 5, 21, 40, 11, 999)), '2019-03-05T21:40:11+00:00');
    });
  });

  describe('pagination', () => {
    let server: Server | undefined;
    let client: BigCommerceClient | undefined;
    const seen: string[] = [];
    afterEach(async () => {
      seen.length = 0;
      await client?.close();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    });

    async function store(handler: (url: URL) => { status: number; body?: unknown }): Promise<BigCommerceClient> {
      server = createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://x');
        seen.push(`${url.pathname.replace('/stores/abc123', '')}${url.search}`);
        const { status, body } = handler(url);
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body === undefined ? '' : JSON.stringify(body));
      });
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      client = createBigCommerceClient({ storeHash: 'abc123', accessToken: 'tok-1234', apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
      return client;
    }

    it('walks v2 pages until a 204 with no body', async () => {
      const { request } = await store((url) => (url.searchParams.get('page') === '3' ? { status: 204 } : { status: 200, body: [{ id: 1 }, { id: 2 }] }));
      const pages: unknown[][] = [];
      for await (const page of v2Pages(request, '/v2/orders', { status_id: 11 }, { limit: 2 })) pages.push(page);
      assert.equal(pages.length, 2);
      assert.deepEqual(seen, ['/v2/orders?status_id=11&page=1&limit=2', '/v2/orders?status_id=11&page=2&limit=2', '/v2/orders?status_id=11&page=3&limit=2']);
    });

    it('follows v3 meta.pagination, and stops at a short page when there is none', async () => {
      const { request } = await store((url) => {
        const page = Number(url.searchParams.get('page'));
        if (url.pathname.endsWith('/hooks')) return { status: 200, body: { data: [{ id: page }], meta: { pagination: { current_page: page, total_pages: 3 } } } };
        return { status: 200, body: { data: page === 1 ? [{ id: 1 }, { id: 2 }] : [{ id: 3 }], meta: {} } };
      });
      assert.deepEqual(await v3All(request, '/v3/hooks'), [{ id: 1 }, { id: 2 }, { id: 3 }]);
      assert.deepEqual(await v3All(request, '/v3/orders/payment_actions/refunds', {}, { limit: 2 }), [{ id: 1 }, { id: 2 }, { id: 3 }]);
    });

    it('names the request when a page has an unexpected shape', async () => {
      const { request } = await store(() => ({ status: 200, body: { data: 'nope' } }));
      await assert.rejects(v3All(request, '/v3/hooks'), /BigCommerce answer to GET \/v3\/hooks \(page 1\): data: /);
    });

    it('never puts the token into an error', async () => {
      const { request } = await store(() => ({ status: 401, body: { status: 401, title: 'Unauthorized' } }));
      const err = await request({ method: 'GET', path: '/v2/orders' }).catch((e: unknown) => e);
      assert.ok(err instanceof HttpError);
      assert.equal(err.code, 'bigcommerce.unauthorized');
      assert.ok(!JSON.stringify({ ...err.toDetails(), stack: err.stack }).includes('tok-1234'));
    });
  });
});
