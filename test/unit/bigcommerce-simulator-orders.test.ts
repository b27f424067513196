import assert from 'node:assert/strict';
import { createBigCommerceClient, type BigCommerceClient } from '../../lib/bigcommerce/client';
import { fetchOrder } from '../../lib/bigcommerce/orders';
import type { OrderInput } from '../../sandbox/bigcommerce';
import { callStore, SAMPLE_ADDRESS, seedTestOrders, startTestStore, type TestStore } from '../support/bigcommerce';

type Json = Record<string, unknown>;

const INCLUDE = { include: 'consignments.line_items', consignment_structure: 'object' };

/** A tax-inclusive order in euros with a refunded line, gift wrapping, promotions, a coupon, a PO number and a pickup. */
const REALISTIC: OrderInput = {
  status_id: 11,
  customer_id: 7,
  is_tax_inclusive_pricing: true,
  currency_code: 'EUR',
  currency_exchange_rate: 0.92,
  default_currency_code: 'EUR',
  store_default_currency_code: 'USD',
  store_default_to_transactional_exchange_rate: 0.92,
  billing_address: { ...SAMPLE_ADDRESS, form_fields: [{ name: 'PO Number', value: 'PO-7781' }, { name: 'Tax exempt id', value: 123 }] },
  customer_message: 'Please leave at the back door — danke schön',
  staff_notes: 'VIP',
  shipping_cost_ex_tax: 10,
  shipping_cost_inc_tax: 11.9,
  handling_cost_ex_tax: 2,
  handling_cost_inc_tax: 2.38,
  coupons: [{ code: 'SAVE5', discount: 5, type: 2 }],
  pickups: [{ pickup_method_display_name: 'Collect in store', collection_instructions: 'Bring your ID', location: { id: 2, name: 'Warehouse East', code: 'WH-EAST' } }],
  products: [
    { sku: 'A-1', quantity: 3, price_ex_tax: 10, price_inc_tax: 11.9, quantity_refunded: 1, refund_amount: 11.9 },
    {
      sku: 'B-1',
      quantity: 1,
      price_ex_tax: 20,
      price_inc_tax: 23.8,
      wrapping_name: 'Gold paper',
      wrapping_message: 'Happy birthday!',
      wrapping_cost_ex_tax: 4,
      wrapping_cost_inc_tax: 4.76,
      applied_discounts: [{ id: 'summer-sale', amount: 2, name: 'Summer sale', code: null, target: 'product' }],
    },
    { sku: 'C-1', quantity: 2, pickup_index: 0, price_ex_tax: 5, price_inc_tax: 5.95 },
    { name: 'E-book', quantity: 1, type: 'digital', price_ex_tax: 8, price_inc_tax: 9.52 },
  ],
};

describe('BigCommerce simulator: realistic orders', () => {
  let sim: TestStore;
  let client: BigCommerceClient;

  beforeEach(async () => {
    sim = await startTestStore();
    for (const [id, sku] of [[10, 'A-1'], [11, 'B-1'], [12, 'C-1']] as const) sim.store.addProduct({ id, sku, price: 10, inventory_level: 20 });
    client = createBigCommerceClient({ storeHash: sim.storeHash, accessToken: sim.accessToken, apiUrl: sim.apiUrl, retry: { retries: 0 } });
  });
  afterEach(async () => {
    await client?.close();
    await sim?.close();
  });

  async function create(input: OrderInput): Promise<number> {
    const created = await callStore<{ id: number }>(sim, 'POST', '/__sim/orders', { body: { ...input, notify: false } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body.id;
  }

  it('carries tax-inclusive pricing, currencies, refunds, wrapping, discounts, form fields and consignments, valid against the spec', async () => {
    const id = await create(REALISTIC);
    const order = (await callStore<Json>(sim, 'GET', `/v2/orders/${id}`, { query: INCLUDE })).body;
    assert.equal(order.is_tax_inclusive_pricing, true);
    assert.deepEqual(
      [order.currency_code, order.currency_exchange_rate, order.default_currency_code, order.store_default_currency_code, order.store_default_to_transactional_exchange_rate],
      ['EUR', '0.9200000000', 'EUR', 'USD', '0.9200000000'],
    );
    // Subtotal inc 3×11.90 + 23.80 + 2×5.95 + 9.52 = 80.92; + shipping 11.90 + handling 2.38 + wrapping 4.76 − coupon 5 − promotion 2.
    assert.deepEqual([order.subtotal_inc_tax, order.wrapping_cost_inc_tax, order.discount_amount, order.coupon_discount], ['80.9200', '4.7600', '2.0000', '5.0000']);
    assert.equal(order.total_inc_tax, '92.9600');
    assert.equal(order.total_ex_tax, (68 + 10 + 2 + 4 - 7).toFixed(4));
    assert.deepEqual([order.base_shipping_cost, order.base_handling_cost, order.base_wrapping_cost], ['11.9000', '2.3800', '4.7600'], 'base amounts are tax-inclusive in such a store');
    assert.equal(order.refunded_amount, '11.9000');
    assert.deepEqual([order.customer_message, order.staff_notes], ['Please leave at the back door — danke schön', 'VIP']);
    assert.deepEqual((order.billing_address as Json).form_fields, [{ name: 'PO Number', value: 'PO-7781' }, { name: 'Tax exempt id', value: 123 }]);

    const consignments = order.consignments as { shipping: Array<{ line_items: Json[] }>; pickups: Array<Json & { line_items: Json[]; location: Json }>; downloads: Array<{ recipient_email: string; line_items: Json[] }> };
    assert.deepEqual(consignments.shipping[0]!.line_items.map((l) => l.sku), ['A-1', 'B-1']);
    assert.deepEqual(consignments.pickups.map((p) => [p.pickup_method_display_name, p.location.code, p.line_items.map((l) => l.sku)]), [['Collect in store', 'WH-EAST', ['C-1']]]);
    assert.deepEqual(consignments.downloads.map((d) => [d.recipient_email, d.line_items.map((l) => l.name)]), [[SAMPLE_ADDRESS.email, ['E-book']]]);

    const products = (await callStore<Json[]>(sim, 'GET', `/v2/orders/${id}/products`)).body;
    const [a, b, c, ebook] = products;
    assert.deepEqual([a!.quantity_refunded, a!.is_refunded, a!.refund_amount, a!.base_price, a!.price_ex_tax], [1, false, '11.9000', '11.9000', '10.0000']);
    assert.deepEqual([b!.wrapping_name, b!.wrapping_message, b!.wrapping_cost_ex_tax, b!.wrapping_cost_inc_tax], ['Gold paper', 'Happy birthday!', '4.0000', '4.7600']);
    assert.deepEqual((b!.applied_discounts as Json[]).map((d) => [d.id, d.amount, d.code]), [['summer-sale', '2.0000', null], ['SAVE5', '1.4706', 'SAVE5']]);
    assert.deepEqual([c!.order_address_id, (c!.order_pickup_method_id as number) > 0], [0, true]);
    assert.deepEqual([ebook!.type, ebook!.order_address_id], ['digital', 0]);

    // The connector's own order schema reads it (money, refunds, consignments).
    const fetched = await fetchOrder(client.request, id);
    assert.equal(fetched.order.total_inc_tax, 92.96);
  });

  it('a fully refunded line is is_refunded; quantity_refunded above the quantity is refused', async () => {
    const id = await create({ billing_address: SAMPLE_ADDRESS, products: [{ sku: 'A-1', quantity: 2, quantity_refunded: 2, refund_amount: 20 }] });
    const [line] = (await callStore<Json[]>(sim, 'GET', `/v2/orders/${id}/products`)).body;
    assert.deepEqual([line!.is_refunded, line!.quantity_refunded], [true, 2]);
    const refused = await callStore<{ title: string }>(sim, 'POST', '/__sim/orders', { body: { billing_address: SAMPLE_ADDRESS, products: [{ sku: 'A-1', quantity: 1, quantity_refunded: 2 }] } });
    assert.equal(refused.status, 422);
    assert.match(refused.body.title, /quantity_refunded/);
  });

  it('a digital-only order has no shipping address and a download consignment; a pickup-only order only a pickup', async () => {
    const digital = await create({ billing_address: SAMPLE_ADDRESS, download_recipient_email: 'gift@example.com', products: [{ name: 'Manual (PDF)', quantity: 1, type: 'digital', price_ex_tax: 5, price_inc_tax: 5 }] });
    const order = (await callStore<Json>(sim, 'GET', `/v2/orders/${digital}`, { query: INCLUDE })).body;
    assert.deepEqual([order.order_is_digital, order.shipping_address_count], [true, 0]);
    assert.equal((await callStore(sim, 'GET', `/v2/orders/${digital}/shipping_addresses`)).status, 204);
    assert.equal((order.consignments as { downloads: Array<{ recipient_email: string }> }).downloads[0]!.recipient_email, 'gift@example.com');

    const pickup = await create({ billing_address: SAMPLE_ADDRESS, pickups: [{}], products: [{ sku: 'C-1', quantity: 1, pickup_index: 0 }] });
    const collected = (await callStore<Json>(sim, 'GET', `/v2/orders/${pickup}`, { query: INCLUDE })).body;
    const consignments = collected.consignments as { shipping: unknown[]; pickups: Array<{ location: { id: number } }> };
    assert.deepEqual([consignments.shipping.length, consignments.pickups.length, consignments.pickups[0]!.location.id], [0, 1, 1]);
    assert.equal((await callStore(sim, 'POST', '/__sim/orders', { body: { billing_address: SAMPLE_ADDRESS, products: [{ sku: 'C-1', quantity: 1, pickup_index: 3 }] } })).status, 422);
  });

  it('seedOrders({ variety: true }) mixes those kinds into generated orders, each valid against the spec', async () => {
    seedTestOrders(sim, { count: 24, skus: ['A-1', 'B-1', 'C-1'], variety: true });
    const orders = (await callStore<Json[]>(sim, 'GET', '/v2/orders', { query: { ...INCLUDE, limit: 50 } })).body;
    assert.equal(orders.length, 24);
    const count = (test: (o: Json) => boolean) => orders.filter(test).length;
    assert.equal(count((o) => o.is_tax_inclusive_pricing === true), 6);
    assert.equal(count((o) => o.default_currency_code === 'EUR'), 4);
    assert.equal(count((o) => o.refunded_amount !== '0.0000'), 5);
    assert.equal(count((o) => o.wrapping_cost_inc_tax !== '0.0000'), 4);
    assert.equal(count((o) => ((o.billing_address as Json).form_fields as unknown[]).length === 1), 8);
    assert.equal(count((o) => o.coupon_discount !== '0.0000'), 3);
    for (const order of orders.slice(0, 5)) assert.ok((await fetchOrder(client.request, order.id as number)).order.id > 0);
  });

  it('POST /__sim/orders/{id}/refunds refunds lines as the control panel does: quantities, amounts, status and webhooks', async () => {
    const id = await create({ billing_address: SAMPLE_ADDRESS, status_id: 11, products: [{ sku: 'A-1', quantity: 3, price_ex_tax: 10, price_inc_tax: 10 }, { sku: 'B-1', quantity: 1, price_ex_tax: 5, price_inc_tax: 5 }] });
    const [a, b] = sim.store.orders.get(id)!.lines;
    const events: string[] = [];
    sim.store.onEvent((event) => events.push(event.scope));
    const partial = await callStore<{ status_id: number; refunded_amount: number }>(sim, 'POST', `/__sim/orders/${id}/refunds`, {
      body: { total_amount: 10, reason: 'damaged', items: [{ item_type: 'PRODUCT', item_id: a!.id, quantity: 1 }] },
    });
    assert.deepEqual([partial.status, partial.body.status_id, partial.body.refunded_amount], [201, 14, 10]);
    let products = (await callStore<Json[]>(sim, 'GET', `/v2/orders/${id}/products`)).body;
    assert.deepEqual([products[0]!.quantity_refunded, products[0]!.refund_amount, products[0]!.is_refunded], [1, '10.0000', false]);
    assert.deepEqual(events, ['store/order/refund/created', 'store/order/updated', 'store/order/statusUpdated']);

    assert.equal((await callStore(sim, 'POST', `/__sim/orders/${id}/refunds`, { body: { total_amount: 40, items: [{ item_type: 'PRODUCT', item_id: a!.id, quantity: 3 }] } })).status, 422, 'only 2 units are left to refund');
    const rest = await callStore<{ status_id: number }>(sim, 'POST', `/__sim/orders/${id}/refunds`, {
      body: { total_amount: 25, items: [{ item_type: 'PRODUCT', item_id: a!.id, quantity: 2 }, { item_type: 'PRODUCT', item_id: b!.id }] },
    });
    assert.equal(rest.body.status_id, 4);
    products = (await callStore<Json[]>(sim, 'GET', `/v2/orders/${id}/products`)).body;
    assert.deepEqual(products.map((p) => [p.quantity_refunded, p.is_refunded]), [[3, true], [1, true]]);
    const refunds = await callStore<{ data: Array<{ total_amount: number }> }>(sim, 'GET', `/v3/orders/${id}/payment_actions/refunds`);
    assert.deepEqual(refunds.body.data.map((r) => r.total_amount), [10, 25]);
  });

  it('plain orders keep their previous shape: tax-exclusive, store currency, nothing refunded or wrapped', async () => {
    const id = await create({ billing_address: SAMPLE_ADDRESS, shipping_cost_ex_tax: 10, products: [{ sku: 'A-1', quantity: 1 }] });
    const order = (await callStore<Json>(sim, 'GET', `/v2/orders/${id}`)).body;
    assert.deepEqual(
      [order.is_tax_inclusive_pricing, order.currency_code, order.default_currency_code, order.currency_exchange_rate, order.wrapping_cost_inc_tax, order.refunded_amount, order.total_inc_tax],
      [false, 'USD', 'USD', '1.0000000000', '0.0000', '0.0000', '20.0000'],
    );
  });
});
