import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ValidationError } from '../../lib/errors';
import { SAGE_FIELD_LIMITS, customerNoSchema, customerSchema, salesOrderSchema } from '../../lib/sage100/types';
import { customerPoNoFor, mapOrder, mapperOptions, salesOrderNoFor, type MapperSettings } from '../../lib/sync/mapper';
import { SkuMap } from '../../lib/sync/sku-map';

/**
 * Thousands of generated orders, valid and broken: every result satisfies Sage's field limits and key
 * formats, or the order is rejected with a ValidationError. Any other exception is a bug.
 */

const text = (maxLength: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.string({ maxLength }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength }) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '\n\t', 'Ünïcödé 👩‍👩‍👧 ☃', '𝔘'.repeat(20)) },
  );

/** Orders come in two kinds: plausible ones (that should mostly map) and noisy ones full of broken values. */
function orders(noisy: boolean) {
  const pick = <T,>(clean: fc.Arbitrary<T>, broken: fc.Arbitrary<T>) => (noisy ? fc.oneof({ weight: 3, arbitrary: clean }, { weight: 1, arbitrary: broken }) : clean);

  const money = pick<string | number>(
    fc.integer({ min: 0, max: 10_000_000 }).map((cents) => (cents / 100).toFixed(4)),
    fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constantFrom('0', '-5.00', '1e309', '9'.repeat(400), 'abc', '', Number.MAX_VALUE, -0)),
  );
  const countries = pick(fc.constantFrom('US', 'CA', 'GB', 'AU', 'DE', 'us', 'XK', ''), fc.constantFrom('ZZ', 'USA', ' US ', 'U'));
  const states = fc.oneof(fc.constantFrom('Texas', 'TX', 'Québec', 'New South Wales', '', 'x'), text(40));

  const address = fc.record(
    {
      first_name: text(40),
      last_name: text(40),
      company: fc.oneof(fc.constant(''), text(70)),
      street_1: text(60),
      street_2: fc.oneof(fc.constant(''), text(60), fc.constant(null)),
      city: text(40),
      state: states,
      zip: text(14),
      country: fc.constantFrom('United States', '', 'Somewhere'),
      country_iso2: countries,
      phone: text(25),
      email: fc.oneof(fc.emailAddress(), text(30), fc.constant('')),
    },
    { requiredKeys: ['country_iso2'] },
  );

  const discount = fc.record({
    id: fc.oneof(fc.integer({ min: 1, max: 50 }), fc.constantFrom('manual-discount', 'promo')),
    amount: money,
    name: text(50),
    code: fc.option(text(20), { nil: null }),
    target: fc.constantFrom('order', 'product', null),
  });

  const product = fc.record({
    id: fc.integer({ min: 1, max: 10_000 }),
    product_id: fc.integer({ min: 1, max: 10_000 }),
    variant_id: fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: null }),
    name: text(80),
    sku: pick(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9-]{0,29}$/), fc.oneof(text(40), fc.constantFrom('a', 'b', 'S'.repeat(31)))),
    type: fc.constantFrom('physical', 'digital', 'giftcertificate'),
    quantity: pick(fc.integer({ min: 1, max: 100 }), fc.integer({ min: -5, max: 2_000_000_000 })),
    price_ex_tax: money,
    price_inc_tax: money,
    applied_discounts: fc.array(discount, { maxLength: 3 }),
    product_options: fc.array(fc.record({ display_name: text(20), display_value: text(300) }), { maxLength: 3 }),
  });

  const consignment = fc.tuple(address, fc.integer({ min: 1, max: 99 }), text(40), fc.array(product, { minLength: noisy ? 0 : 1, maxLength: 4 })).map(([where, id, method, items]) => ({
    ...where,
    id,
    shipping_method: method,
    line_items: items,
  }));

  const dates = pick(
    fc.oneof(
      fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2090-01-01T00:00:00Z'), noInvalidDate: true }).map((date) => date.toUTCString().replace('GMT', '+0000')),
      fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2090-01-01T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString()),
    ),
    fc.oneof(fc.date({ noInvalidDate: true }).map((date) => date.toISOString()), text(30)),
  );

  return fc.record(
    {
      id: pick(fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 9_999 }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3_000_000 }) }), fc.oneof(fc.integer({ min: -10, max: 0 }), fc.integer({ min: 1, max: 2_147_483_647 }))),
      customer_id: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2_147_483_647 })),
      status_id: fc.integer({ min: 0, max: 14 }),
      status: text(20),
      date_created: dates,
      date_modified: dates,
      subtotal_ex_tax: money,
      subtotal_inc_tax: money,
      total_ex_tax: money,
      total_inc_tax: money,
      total_tax: money,
      shipping_cost_ex_tax: money,
      shipping_cost_inc_tax: money,
      handling_cost_ex_tax: money,
      wrapping_cost_ex_tax: money,
      discount_amount: money,
      coupon_discount: money,
      is_tax_inclusive_pricing: fc.boolean(),
      payment_method: text(20),
      customer_message: fc.oneof(fc.constant(''), text(300), fc.string({ minLength: 2040, maxLength: 4200 })),
      billing_address: address,
      consignments: fc.record({
        shipping: fc.array(consignment, { minLength: noisy ? 0 : 1, maxLength: 3 }),
        downloads: fc.array(fc.record({ line_items: fc.array(product, { maxLength: 2 }) }), { maxLength: 1 }),
      }),
      coupons: fc.array(fc.record({ id: fc.integer({ min: 1, max: 99 }), code: text(20), amount: money }), { maxLength: 2 }),
    },
    { requiredKeys: ['id', 'customer_id', 'status_id', 'date_created', 'date_modified', 'subtotal_ex_tax', 'subtotal_inc_tax', 'total_ex_tax', 'total_inc_tax', 'billing_address', 'consignments'] },
  );
}

const order = fc.oneof(orders(false), orders(true));

const settings: fc.Arbitrary<MapperSettings> = fc.record({
  salesOrderPrefix: fc.constantFrom('W', 'WB', 'WEB'),
  salesOrderOverflow: fc.constantFrom('extend' as const, 'error' as const),
  customerPoPrefix: fc.constantFrom('BC', '', 'WEB-#'),
  customerPrefix: fc.constantFrom('BC', 'WEBCUSTOM1'),
  guestCustomers: fc.constantFrom('cash' as const, 'per-email' as const),
  guestPrefix: fc.constantFrom('G', 'GUEST-12'),
  priceBasis: fc.constantFrom('auto' as const, 'ex' as const, 'inc' as const),
  lineDiscounts: fc.constantFrom('price' as const, 'percent' as const),
  freight: fc.constantFrom('line' as const, 'header' as const),
  tax: fc.constantFrom('sage' as const, 'amounts' as const),
  timeZone: fc.constantFrom('UTC', 'America/Chicago', 'Pacific/Kiritimati'),
  warehouseCode: fc.constantFrom('', '000'),
  optionComments: fc.boolean(),
});

const skuMaps = fc.constantFrom(
  new SkuMap({ table: '', unmapped: 'same' }),
  new SkuMap({ table: '', unmapped: 'upper' }),
  new SkuMap({ table: 'a,ITEM-A\nb,ITEM-B', unmapped: 'reject' }),
);

const limits = SAGE_FIELD_LIMITS;

describe('order mapper property', () => {
  it('maps thousands of generated orders within Sage limits, or rejects them with a ValidationError', () => {
    let mapped = 0;
    let rejected = 0;
    fc.assert(
      fc.property(order, settings, skuMaps, (input, chosen, skuMap) => {
        const options = mapperOptions(chosen);
        let result;
        try {
          result = mapOrder(input, options, skuMap);
        } catch (err) {
          if (err instanceof ValidationError && err.record?.startsWith('order ')) {
            rejected++;
            return;
          }
          throw err;
        }
        mapped++;
        const { salesOrder, customer, warnings } = result;
        assert.ok(salesOrderSchema.safeParse(salesOrder).success);
        assert.ok(customerSchema.safeParse(customer).success);
        assert.equal(salesOrder.SalesOrderNo, salesOrderNoFor(input.id, options));
        assert.match(salesOrder.SalesOrderNo, /^[A-Z][A-Z0-9]{6}$/);
        assert.equal(salesOrder.CustomerPONo, customerPoNoFor(input.id, options));
        assert.ok(customerNoSchema.safeParse(salesOrder.CustomerNo).success);
        assert.equal(salesOrder.CustomerNo, customer.CustomerNo);
        assert.match(salesOrder.OrderDate, /^\d{8}$/);
        assert.ok(Number(salesOrder.OrderDate.slice(0, 4)) >= 1900);
        for (const line of salesOrder.Lines) {
          assert.ok(line.ItemCode.length >= 1 && line.ItemCode.length <= limits.ItemCode);
          if (line.ItemType === '4') assert.ok((line.CommentText ?? '').length <= limits.CommentText);
          else assert.ok(Number.isFinite(line.UnitPrice) && Number.isFinite(line.QuantityOrdered));
        }
        // Nothing silently lost: every cut leaves a warning and a comment line holding the full text.
        const comments = salesOrder.Lines.filter((line) => line.ItemType === '4').map((line) => line.CommentText ?? '');
        const cuts = warnings.filter((warning) => /truncated|has no 2-letter code/.test(warning)).length;
        assert.ok(comments.length >= cuts);
        // eslint-disable-next-line no-control-regex
        const name = `${input.billing_address.company ?? ''}`.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();
        if (name.length > limits.Name) assert.ok(comments.some((comment) => comment.includes(name)), 'the full billing company is kept');
      }),
      { numRuns: 3000 },
    );
    // Both outcomes must actually occur, or the generators test nothing.
    assert.ok(mapped > 500, `only ${mapped} orders mapped`);
    assert.ok(rejected > 300, `only ${rejected} orders rejected`);
  });

  it('gives every order id its own sales order number: the number decodes back to the id', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999_999 + 26 * 36 ** 5 }), (id) => {
        const body = salesOrderNoFor(id).slice(1);
        if (id <= 999_999) {
          assert.match(body, /^\d{6}$/);
          assert.equal(Number(body), id);
        } else {
          assert.match(body, /^[A-Z][0-9A-Z]{5}$/);
          const letter = Number.parseInt(body.charAt(0), 36) - 10;
          assert.equal(1_000_000 + letter * 36 ** 5 + Number.parseInt(body.slice(1), 36), id);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
