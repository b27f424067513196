import assert from 'node:assert/strict';
import { ValidationError } from '../../lib/errors';
import type { HttpRequest, HttpResponse, RequestFunction } from '../../lib/http/transport';
import { fetchOrder, orderIdFrom, pollModifiedOrders, type FetchedOrder, type OrderCursor } from '../../lib/bigcommerce/orders';

const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);

function rfc2822(ms: number): string {
  return new Date(ms).toUTCString().replace(/GMT$/, '+0000');
}

function order(id: number, modifiedMs: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    customer_id: 0,
    status_id: 11,
    status: 'Awaiting Fulfillment',
    date_created: rfc2822(modifiedMs),
    date_modified: rfc2822(modifiedMs),
    subtotal_ex_tax: '10.0000',
    subtotal_inc_tax: '10.0000',
    total_ex_tax: '10.0000',
    total_inc_tax: '10.0000',
    coupon_discount: '0.0000',
    billing_address: { first_name: 'Jane', email: 'jane@example.com' },
    consignments: { shipping: [], pickups: [], downloads: [], email: { gift_certificates: [] } },
    coupons: { url: `https://api.bigcommerce.com/stores/x/v2/orders/${id}/coupons`, resource: `/orders/${id}/coupons` },
    ...extra,
  };
}

/** A store of v2 orders behind a RequestFunction: `min_date_modified` inclusive, sorted by date then id, paged. */
function fakeStore(orders: Array<Record<string, unknown>>, coupons: Record<number, unknown[]> = {}) {
  const seen: HttpRequest[] = [];
  const request = (async (req: HttpRequest) => {
    seen.push(req);
    const answer = (body: unknown, status = 200) => ({ status, headers: {}, body, request: { method: req.method, path: req.path } }) as HttpResponse<never>;
    const coupon = /^\/v2\/orders\/(\d+)\/coupons$/.exec(req.path);
    if (coupon) return answer(coupons[Number(coupon[1])] ?? undefined, coupons[Number(coupon[1])] ? 200 : 204);
    const single = /^\/v2\/orders\/(\d+)$/.exec(req.path);
    if (single) return answer(orders.find((o) => o.id === Number(single[1])));
    const query = req.query ?? {};
    const min = Date.parse(String(query.min_date_modified));
    const limit = Number(query.limit);
    const page = Number(query.page);
    const rows = orders
      .filter((o) => Date.parse(String(o.date_modified)) >= min)
      .sort((a, b) => Date.parse(String(a.date_modified)) - Date.parse(String(b.date_modified)) || Number(a.id) - Number(b.id))
      .slice((page - 1) * limit, page * limit);
    return rows.length === 0 ? answer(undefined, 204) : answer(rows);
  }) as RequestFunction;
  return { request, seen };
}

async function pollAll(request: RequestFunction, cursor: OrderCursor | undefined, pageSize = 3) {
  const emitted: number[] = [];
  const invalid: Array<{ raw: unknown; error: ValidationError }> = [];
  const result = await pollModifiedOrders(
    request,
    cursor,
    { overlapMs: 60_000, initialLookbackMs: 3_600_000, pageSize, now: () => T0 },
    {
      order: (fetched: FetchedOrder) => void emitted.push(fetched.order.id),
      invalid: (raw, error) => void invalid.push({ raw, error }),
      progress: () => undefined,
    },
  );
  return { emitted, invalid, ...result };
}

describe('BigCommerce orders', () => {
  it('reads an order id from a number or a numeric string only', () => {
    assert.equal(orderIdFrom(250), 250);
    assert.equal(orderIdFrom(' 251 '), 251);
    assert.equal(orderIdFrom('25x'), undefined);
    assert.equal(orderIdFrom(0), undefined);
    assert.equal(orderIdFrom({ id: 1 }), undefined);
  });

  it('names the field and the order when an order lacks what the Sage side needs', async () => {
    const { request } = fakeStore([order(42, T0, { billing_address: undefined })]);
    const err = await fetchOrder(request, 42).catch((e: unknown) => e);
    assert.ok(err instanceof ValidationError);
    assert.equal(err.record, 'order 42');
    assert.equal(err.field, 'billing_address');
    assert.match(err.message, /^BigCommerce order in order 42: billing_address: /);
  });

  it('fetches the coupons only for an order with a coupon discount', async () => {
    const { request, seen } = fakeStore([order(7, T0, { coupon_discount: '5.0000' }), order(8, T0)], { 7: [{ id: 1, coupon_id: 3, code: 'SAVE5', amount: '5.0000', discount: '5.0000', type: 2 }] });
    const discounted = await fetchOrder(request, 7);
    assert.deepEqual((discounted.raw.coupons as Array<{ code: string }>).map((c) => c.code), ['SAVE5']);
    assert.equal(discounted.order.coupons?.[0]?.amount, 5);
    await fetchOrder(request, 8);
    assert.deepEqual(seen.map((r) => r.path), ['/v2/orders/7', '/v2/orders/7/coupons', '/v2/orders/8']);
  });

  it('walks past more orders modified in one second than fit on a page, sending each once', async () => {
    const sameSecond = Array.from({ length: 7 }, (_, i) => order(10 + i, T0 - 60_000));
    const later = [order(30, T0 - 30_000), order(31, T0 - 20_000)];
    const { request } = fakeStore([...later, ...sameSecond]);
    const { emitted, cursor, counts } = await pollAll(request, undefined);
    assert.deepEqual(emitted, [10, 11, 12, 13, 14, 15, 16, 30, 31]);
    assert.equal(counts.emitted, 9);
    assert.equal(cursor.modifiedSince, new Date(T0 - 20_000).toISOString().replace('.000Z', '+00:00'));
  });

  it('moves the lower bound forward between pages, so an order modified during the poll cannot hide another', async () => {
    const orders = Array.from({ length: 9 }, (_, i) => order(100 + i, T0 - (50 - i) * 1000));
    const { request, seen } = fakeStore(orders);
    const emitted: number[] = [];
    await pollModifiedOrders(request, undefined, { overlapMs: 60_000, initialLookbackMs: 3_600_000, pageSize: 3, now: () => T0 }, {
      order: ({ order: o }) => {
        emitted.push(o.id);
        // While the first page is handled, order 101 is modified: it moves to the end of the list.
        if (o.id === 102) Object.assign(orders[1]!, { date_modified: rfc2822(T0 - 1000) });
      },
      invalid: () => undefined,
      progress: () => undefined,
    });
    assert.deepEqual(emitted, [100, 101, 102, 103, 104, 105, 106, 107, 108, 101]);
    assert.ok(seen.filter((r) => r.path === '/v2/orders').every((r) => r.query?.page === 1), 'pages are walked by date, not by page number');
  });

  it('does not send again what the overlap re-reads, but does send orders modified since', async () => {
    const orders = [order(1, T0 - 50_000), order(2, T0 - 40_000)];
    const { request } = fakeStore(orders);
    const first = await pollAll(request, undefined);
    assert.deepEqual(first.emitted, [1, 2]);
    const second = await pollAll(request, first.cursor);
    assert.deepEqual(second.emitted, []);
    assert.equal(second.counts.skipped, 2, 'both are inside the 60 s overlap');
    orders.push(order(3, T0 - 10_000));
    Object.assign(orders[0]!, { date_modified: rfc2822(T0 - 5000) });
    const third = await pollAll(request, second.cursor);
    assert.deepEqual(third.emitted, [3, 1]);
  });

  it('hands an invalid order to the invalid handler and goes on with the rest', async () => {
    const { request } = fakeStore([order(1, T0 - 50_000), order(2, T0 - 40_000, { total_inc_tax: 'lots' }), order(3, T0 - 30_000)]);
    const { emitted, invalid, cursor } = await pollAll(request, undefined);
    assert.deepEqual(emitted, [1, 3]);
    assert.equal(invalid.length, 1);
    assert.equal(invalid[0]?.error.record, 'order 2');
    assert.equal(invalid[0]?.error.field, 'total_inc_tax');
    assert.equal((invalid[0]?.raw as { id: number }).id, 2);
    assert.ok(Object.keys(cursor.recent).includes(`2@${rfc2822(T0 - 40_000)}`), 'not reported again on the next poll');
  });
});
