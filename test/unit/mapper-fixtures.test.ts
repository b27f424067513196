import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../../lib/errors';
import type { BigCommerceOrderInput } from '../../lib/bigcommerce/order';
import { SKUS_AS_ITEM_CODES, decideOrder, mapperOptions, type MapContext, type MapperSettings } from '../../lib/sync/mapper';
import { isWindows1252 } from '../../lib/sync/text-policy';
import { sageTotalCents } from './mapper-support';

/**
 * The order test set (test/fixtures/orders): BigCommerce v2 orders as `bigcommerce-order` emits them, written from
 * the orders v2 OpenAPI and its examples. With the DEFAULT settings each one either ties out to the cent against
 * BigCommerce's own totals, or is held (or rejected) with a reason naming the order and the field — as the
 * fixture says. The only setting a fixture may give is a fact about the company (its currency).
 */

interface Fixture {
  description: string;
  expect:
    | { outcome: 'tie-out'; sageTotal: string }
    | { outcome: 'hold'; kind: string; field: string; reason: string }
    | { outcome: 'rejected'; code: string; field: string; reason: string };
  context?: MapContext;
  settings?: MapperSettings;
  order: BigCommerceOrderInput & Record<string, unknown>;
}

const directory = join(__dirname, '..', 'fixtures', 'orders');
const fixtures = readdirSync(directory)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => ({ name, ...(JSON.parse(readFileSync(join(directory, name), 'utf8')) as Fixture) }));

const cents = (amount: string | number | undefined) => Math.round(Number(amount ?? 0) * 100);

type Product = NonNullable<NonNullable<BigCommerceOrderInput['consignments']['shipping']>[number]['line_items']>[number] & Record<string, unknown>;

function productsOf(order: Fixture['order']): Product[] {
  const { shipping = [], pickups = [], downloads = [], email } = order.consignments;
  return [...shipping, ...pickups, ...downloads, ...(email?.gift_certificates ?? [])].flatMap((consignment) => (consignment.line_items ?? []) as Product[]);
}

/** Text a person wrote on the order that Sage must receive somewhere: comments or warnings. */
function writtenByPeople(order: Fixture['order']): Array<{ field: string; text: string }> {
  const texts = [
    { field: 'customer_message', text: String(order.customer_message ?? '') },
    { field: 'staff_notes', text: String(order.staff_notes ?? '') },
    ...productsOf(order).flatMap((product) => [
      { field: 'wrapping_message', text: String(product.wrapping_message ?? '') },
      { field: 'wrapping_name', text: String(product.wrapping_name ?? '') },
    ]),
    ...((order.billing_address.form_fields ?? []) as Array<{ name: string; value: unknown }>)
      .filter((field) => !/password/i.test(field.name))
      .map((field) => ({ field: `form_fields.${field.name}`, text: String(field.value) })),
  ];
  for (const product of productsOf(order)) for (const discount of product.applied_discounts ?? []) if (discount.code) texts.push({ field: 'coupon code', text: discount.code });
  return texts.filter(({ text }) => text.trim() !== '');
}

describe('order test set (test/fixtures/orders), default settings', () => {
  it('has at least 40 orders, most of which tie out', () => {
    assert.ok(fixtures.length >= 40, `${fixtures.length} fixtures`);
    assert.ok(fixtures.filter((fixture) => fixture.expect.outcome === 'tie-out').length >= 25);
  });

  for (const fixture of fixtures) {
    it(`${fixture.name}: ${fixture.description}`, () => {
      assert.deepEqual(Object.keys(fixture.settings ?? {}).filter((key) => key !== 'companyCurrency'), [], 'fixtures use the default settings');
      const { order } = fixture;
      const options = mapperOptions(fixture.settings ?? {});
      const expect = fixture.expect;
      if (expect.outcome === 'rejected') {
        assert.throws(() => decideOrder(order, options, SKUS_AS_ITEM_CODES, fixture.context), (err: unknown) => {
          assert.ok(err instanceof ValidationError);
          assert.equal(err.code, expect.code);
          assert.equal(err.field, expect.field);
          assert.match(err.message, new RegExp(`^order ${order.id}: ${expect.reason}`));
          return true;
        });
        return;
      }
      const decision = decideOrder(order, options, SKUS_AS_ITEM_CODES, fixture.context);
      if (expect.outcome === 'hold') {
        assert.equal(decision.action, 'hold', JSON.stringify(decision).slice(0, 400));
        if (decision.action !== 'hold') return;
        assert.equal(decision.hold.orderId, order.id);
        assert.equal(decision.hold.kind, expect.kind);
        assert.equal(decision.hold.field, expect.field);
        assert.match(decision.hold.reason, new RegExp(`^order ${order.id}[ :]`));
        assert.match(decision.hold.reason, new RegExp(expect.reason));
        return;
      }
      assert.equal(decision.action, 'post', decision.action === 'hold' ? decision.hold.reason : '');
      if (decision.action !== 'post') return;
      const [mapped] = decision.orders;
      assert.ok(mapped?.tieOut);
      const { tieOut } = mapped;

      // BigCommerce's own totals are consistent, and what was placed is them to the cent.
      const units = (amount: string | number | undefined) => Math.round(Number(amount ?? 0) * 10_000);
      assert.equal(units(order.total_ex_tax) + units(order.total_tax), units(order.total_inc_tax));
      if (order.is_tax_inclusive_pricing !== true) {
        const fees = Array.isArray(order.fees) ? (order.fees as Array<{ cost_ex_tax: string }>).reduce((sum, fee) => sum + cents(fee.cost_ex_tax), 0) : 0;
        assert.equal(
          cents(order.subtotal_ex_tax) - cents(order.discount_amount) - cents(order.coupon_discount) + cents(order.shipping_cost_ex_tax) + cents(order.handling_cost_ex_tax) + cents(order.wrapping_cost_ex_tax) + fees,
          cents(order.total_ex_tax),
          'subtotal − discount − coupon + shipping + handling + wrapping + fees = total_ex_tax',
        );
      }
      const sageTotal = decision.orders.reduce((sum, { salesOrder }) => sum + sageTotalCents(salesOrder), 0);
      assert.equal(sageTotal, cents(expect.sageTotal), 'what Sage totals (before its own tax)');
      assert.equal(cents(tieOut.expected), cents(expect.sageTotal));
      assert.equal(tieOut.difference, 0);
      const refunded = productsOf(order).some((product) => Number(product.quantity_refunded ?? 0) > 0 || product.is_refunded === true);
      if (!refunded) assert.equal(sageTotal, cents(order.total_ex_tax), 'no refund: the whole total_ex_tax');
      assert.equal(cents(tieOut.bigcommerce.totalIncTax), cents(order.total_inc_tax));
      assert.equal(cents(tieOut.bigcommerce.tax), cents(order.total_tax));
      assert.equal(cents(tieOut.tax.bigcommerce), cents(order.total_tax) - (refunded ? cents(order.total_tax) - cents(tieOut.tax.bigcommerce) : 0));
      assert.equal(tieOut.tax.computedBy, 'sage');

      // Refunded quantities are never ordered again; everything else is.
      const lines = decision.orders.flatMap(({ salesOrder }) => salesOrder.Lines);
      for (const product of productsOf(order)) {
        if (product.type === 'giftcertificate' || !product.sku) continue;
        const refundedQuantity = Number(product.quantity_refunded ?? 0) || (product.is_refunded === true ? product.quantity : 0);
        const ordered = lines.filter((line) => line.ItemCode === product.sku).reduce((sum, line) => sum + (line.QuantityOrdered ?? 0), 0);
        assert.equal(ordered, product.quantity - refundedQuantity, `${product.sku}`);
        if (refundedQuantity > 0) assert.ok(mapped.warnings.some((warning) => warning.includes(product.sku ?? '') && /refunded/.test(warning)), 'the warnings name the refunded line');
      }
      const freight = decision.orders.reduce((sum, { salesOrder }) => sum + cents(salesOrder.FreightAmt), 0);
      assert.ok(Math.abs(freight - Number(order.shipping_cost_ex_tax ?? 0) * 100) < 1, 'freight in the header, within a cent of shipping_cost_ex_tax');
      for (const line of lines) assert.equal((line as { ItemType?: string }).ItemType === undefined || line.ItemType === '4', true, 'no ItemType forced');

      // Nothing a person wrote is dropped: it is in a comment line, or a warning names its field.
      const comments = lines.filter((line) => line.ItemType === '4').map((line) => line.CommentText ?? '').join('\n');
      for (const { field, text } of writtenByPeople(order)) {
        const storable = [...text].every(isWindows1252);
        if (storable) assert.ok(comments.includes(text.trim().split('\n')[0] as string), `${field} "${text}" is in a comment line`);
        else assert.ok(mapped.warnings.some((warning) => warning.startsWith(`order ${order.id}: `) && warning.includes(field)), `a warning names ${field}`);
      }
    });
  }
});
