import assert from 'node:assert/strict';
import { ValidationError } from '../../lib/errors';
import type { BigCommerceOrderInput } from '../../lib/bigcommerce/order';
import { OrderHeldError, customerPoNoFor, mapOrder, mapperOptions, salesOrderNoFor, type MapperSettings } from '../../lib/sync/mapper';
import { guestCustomerNo } from '../../lib/sync/mapper-options';
import { sageCountryCode, sageStateCode } from '../../lib/sync/mapper-places';
import { SkuMap } from '../../lib/sync/sku-map';

type Product = NonNullable<NonNullable<BigCommerceOrderInput['consignments']['shipping']>[number]['line_items']>[number];

const address = {
  first_name: 'Jane',
  last_name: 'Doe',
  company: '',
  street_1: '1 Main St',
  street_2: 'Suite 4',
  city: 'Austin',
  state: 'Texas',
  zip: '78701',
  country: 'United States',
  country_iso2: 'US',
  phone: '512-555-0100',
  email: 'Jane.Doe@Example.com',
};

function product(overrides: Partial<Product> = {}): Product {
  return {
    id: 7,
    product_id: 100,
    variant_id: 200,
    name: 'Blue Tee',
    sku: 'TEE-BLU-M',
    quantity: 2,
    price_ex_tax: '25.0000',
    price_inc_tax: '27.0000',
    applied_discounts: [],
    product_options: [],
    ...overrides,
  };
}

/** A registered buyer's order: 2 x 25.00 + 10.00 shipping, 8 % tax. */
function order(overrides: Partial<BigCommerceOrderInput> = {}, items: Product[] = [product()]): BigCommerceOrderInput {
  return {
    id: 123,
    customer_id: 42,
    status_id: 11,
    status: 'Awaiting Fulfillment',
    date_created: 'Tue, 05 Mar 2019 21:40:11 +0000',
    date_modified: 'Tue, 05 Mar 2019 21:45:00 +0000',
    subtotal_ex_tax: '50.0000',
    subtotal_inc_tax: '54.0000',
    total_ex_tax: '60.0000',
    total_inc_tax: '64.8000',
    total_tax: '4.8000',
    shipping_cost_ex_tax: '10.0000',
    shipping_cost_inc_tax: '10.8000',
    is_tax_inclusive_pricing: false,
    payment_method: 'Credit Card',
    customer_message: '',
    billing_address: address,
    consignments: { shipping: [{ id: 1, ...address, shipping_method: 'Flat Rate', line_items: items }] },
    ...overrides,
  };
}

const map = (input: unknown, settings: MapperSettings = {}, skuMap?: SkuMap) => mapOrder(input, mapperOptions(settings), skuMap);

function rejects(fn: () => unknown, expected: { code: string; message: RegExp }): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ValidationError, `expected a ValidationError, got ${String(err)}`);
    assert.equal(err.code, expected.code);
    assert.match(err.message, expected.message);
    return true;
  });
}

describe('order mapper', () => {
  describe('sales order numbers', () => {
    it('are the prefix and the zero-padded order id, inside 7 characters', () => {
      assert.equal(salesOrderNoFor(1), 'W000001');
      assert.equal(salesOrderNoFor(123), 'W000123');
      assert.equal(salesOrderNoFor(999_999), 'W999999');
      assert.equal(salesOrderNoFor(123, { salesOrderPrefix: 'WB' }), 'WB00123');
    });

    it('continue past the decimal range with a letter, so the two series never meet', () => {
      assert.equal(salesOrderNoFor(1_000_000), 'WA00000');
      assert.equal(salesOrderNoFor(1_000_001), 'WA00001');
      assert.equal(salesOrderNoFor(1_000_000 + 36 ** 5), 'WB00000');
      assert.equal(salesOrderNoFor(1_000_000 + 26 * 36 ** 5 - 1), 'WZZZZZZ');
      rejects(() => salesOrderNoFor(1_000_000 + 26 * 36 ** 5), { code: 'mapper.sales_order_range', message: /^order 1573120576: the id is past the last sales order number/ });
    });

    it('fail clearly past the range when told not to extend', () => {
      rejects(() => salesOrderNoFor(1_000_000, { salesOrderOverflow: 'error' }), { code: 'mapper.sales_order_range', message: /order 1000000: .*prefix "W" allows \(order 999999\)/ });
      assert.equal(salesOrderNoFor(100_000, { salesOrderPrefix: 'WB' }), 'WBA0000');
    });

    it('give different ids different numbers around the range boundaries', () => {
      const ids = [1, 2, 35, 36, 999_998, 999_999, 1_000_000, 1_000_035, 1_000_036, 1_000_000 + 36 ** 4, 1_000_000 + 36 ** 5, 2_147_483_647 - 600_000_000];
      const numbers = ids.map((id) => salesOrderNoFor(id));
      assert.equal(new Set(numbers).size, ids.length);
      for (const no of numbers) assert.match(no, /^W[A-Z0-9]{6}$/);
    });

    it('reject a prefix that could fall into Sage numeric series', () => {
      rejects(() => salesOrderNoFor(1, { salesOrderPrefix: '9' }), { code: 'mapper.settings', message: /salesOrderPrefix: must be 1–3 upper-case letters or digits, starting with a letter/ });
    });

    it('put the order id into CustomerPONo', () => {
      assert.equal(customerPoNoFor(123), 'BC123');
      assert.equal(customerPoNoFor(123, { customerPoPrefix: '' }), '123');
    });
  });

  it('maps a registered buyer\'s order onto the sales order and the AR customer', () => {
    const { salesOrder, customer, warnings } = map(order({ customer_message: 'Leave at the door.\r\nThanks!' }), { shipViaTable: 'flat  rate = UPS GROUND' });
    assert.deepEqual(warnings, []);
    assert.deepEqual(customer, {
      ARDivisionNo: '00',
      CustomerNo: 'BC42',
      CustomerName: 'Jane Doe',
      AddressLine1: '1 Main St',
      AddressLine2: 'Suite 4',
      City: 'Austin',
      State: 'TX',
      ZipCode: '78701',
      CountryCode: 'USA',
      TelephoneNo: '512-555-0100',
      EmailAddress: 'Jane.Doe@Example.com',
    });
    assert.deepEqual(salesOrder, {
      SalesOrderNo: 'W000123',
      OrderDate: '20190305',
      ARDivisionNo: '00',
      CustomerNo: 'BC42',
      CustomerPONo: 'BC123',
      BillToName: 'Jane Doe',
      BillToAddress1: '1 Main St',
      BillToAddress2: 'Suite 4',
      BillToCity: 'Austin',
      BillToState: 'TX',
      BillToZipCode: '78701',
      BillToCountryCode: 'USA',
      ShipToName: 'Jane Doe',
      ShipToAddress1: '1 Main St',
      ShipToAddress2: 'Suite 4',
      ShipToCity: 'Austin',
      ShipToState: 'TX',
      ShipToZipCode: '78701',
      ShipToCountryCode: 'USA',
      ShipVia: 'UPS GROUND',
      EmailAddress: 'Jane.Doe@Example.com',
      Comment: 'BigCommerce order 123',
      // Freight in the header by default, where Sage and shipping software expect it (was a /FREIGHT line).
      FreightAmt: 10,
      Lines: [
        { ItemCode: 'TEE-BLU-M', QuantityOrdered: 2, UnitPrice: 25 },
        { ItemCode: '/C', ItemType: '4', CommentText: 'Customer message: Leave at the door.\nThanks!' },
      ],
    });
  });

  it('applies the node settings: division, prefixes, warehouse, tax schedule, codes, freight as a line', () => {
    const { salesOrder, customer } = map(order(), {
      arDivisionNo: '01',
      salesOrderPrefix: 'BC',
      customerPoPrefix: 'WEB-',
      customerPrefix: 'WEB',
      warehouseCode: '001',
      taxSchedule: 'TX',
      freight: 'line',
      freightCode: '/SHIP',
      defaultShipVia: 'BEST WAY',
    });
    assert.equal(salesOrder.SalesOrderNo, 'BC00123');
    assert.equal(salesOrder.CustomerPONo, 'WEB-123');
    assert.equal(salesOrder.ARDivisionNo, '01');
    assert.equal(customer.CustomerNo, 'WEB42');
    assert.equal(salesOrder.WarehouseCode, '001');
    assert.equal(salesOrder.TaxSchedule, 'TX');
    assert.equal(salesOrder.ShipVia, 'BEST WAY');
    assert.equal(salesOrder.FreightAmt, undefined);
    // No ItemType on charge lines: the item code loads its own type in Sage.
    assert.deepEqual(salesOrder.Lines, [
      { ItemCode: 'TEE-BLU-M', QuantityOrdered: 2, UnitPrice: 25, WarehouseCode: '001' },
      { ItemCode: '/SHIP', ItemCodeDesc: 'Flat Rate', QuantityOrdered: 1, UnitPrice: 10 },
    ]);
  });

  it('maps SKUs through the item map, variant SKU as sent on the order line', () => {
    const skuMap = new SkuMap({ table: 'TEE-BLU-M,TSHIRT-BLUE-M', unmapped: 'reject' });
    assert.equal(map(order(), {}, skuMap).salesOrder.Lines[0]?.ItemCode, 'TSHIRT-BLUE-M');
  });

  describe('guests', () => {
    const guest = (email = 'Guest@Example.com') => order({ customer_id: 0, billing_address: { ...address, email } });

    it('go to the configured cash customer, with their address on the order', () => {
      const { salesOrder, customer } = map(guest(), { cashCustomerNo: 'CASH', cashCustomerName: 'Web cash' });
      assert.deepEqual(customer, { ARDivisionNo: '00', CustomerNo: 'CASH', CustomerName: 'Web cash' });
      assert.equal(salesOrder.CustomerNo, 'CASH');
      assert.equal(salesOrder.BillToName, 'Jane Doe');
      assert.equal(salesOrder.EmailAddress, 'Guest@Example.com');
    });

    it('get one stable customer per email address when chosen', () => {
      const first = map(guest('Guest@Example.com'), { guestCustomers: 'per-email' }).customer;
      const again = map(guest('  guest@example.COM '), { guestCustomers: 'per-email' }).customer;
      const other = map(guest('someone@example.com'), { guestCustomers: 'per-email' }).customer;
      assert.match(first.CustomerNo, /^G[0-9A-Z]{12}$/);
      assert.equal(again.CustomerNo, first.CustomerNo);
      assert.notEqual(other.CustomerNo, first.CustomerNo);
      assert.equal(first.CustomerNo, guestCustomerNo('guest@example.com', { guestPrefix: 'G' }));
      assert.equal(first.City, 'Austin');
    });

    it('without an email fall back to the cash customer, with a warning', () => {
      const { customer, warnings } = map(guest(''), { guestCustomers: 'per-email' });
      assert.equal(customer.CustomerNo, 'WEBCASH');
      assert.match(warnings.join('\n'), /no email address: it goes to the cash customer WEBCASH/);
    });
  });

  describe('prices, discounts and charges', () => {
    it('exclude tax by default in stores that price with or without tax, so Sage adds the tax once', () => {
      // Was: the tax-inclusive prices in a tax-inclusive store, with Sage's tax schedule adding tax again.
      const inclusive = map(order({ is_tax_inclusive_pricing: true }));
      assert.equal(inclusive.salesOrder.Lines[0]?.UnitPrice, 25);
      assert.equal(inclusive.salesOrder.FreightAmt, 10);
      assert.equal(inclusive.tieOut?.expected, 60);
      assert.equal(inclusive.tieOut?.tax.bigcommerce, 4.8);
      assert.equal(map(order()).salesOrder.Lines[0]?.UnitPrice, 25);
      const withTax = map(order(), { priceBasis: 'inc', taxSchedule: 'NONTAX' });
      assert.equal(withTax.salesOrder.Lines[0]?.UnitPrice, 27);
      assert.equal(withTax.tieOut?.placed.total, 64.8);
      rejects(() => mapperOptions({ priceBasis: 'inc' }), { code: 'mapper.settings', message: /priceBasis: amounts including tax need a tax schedule/ });
    });

    it('take product discounts off the unit price, or as LineDiscountPercent', () => {
      const discounted = order({ total_ex_tax: '57.0000' }, [
        product({ applied_discounts: [{ id: 5, amount: '3.0000', name: 'Tee sale', code: null, target: 'product' }] }),
      ]);
      assert.equal(map(discounted).salesOrder.Lines[0]?.UnitPrice, 23.5);
      const percent = map(discounted, { lineDiscounts: 'percent' });
      assert.deepEqual(percent.salesOrder.Lines[0], { ItemCode: 'TEE-BLU-M', QuantityOrdered: 2, UnitPrice: 25, LineDiscountPercent: 6 });
      assert.deepEqual(percent.warnings, []);
    });

    describe('order-level discounts, from the shares on the lines', () => {
      const coupon = { id: 9, amount: '2.5000', name: 'Spring', code: 'SPRING5', target: 'order' };
      const manual = { id: 'manual-discount', amount: '1.0000', name: 'Manual Discount', code: null, target: 'order' };
      const discounted = order({ total_ex_tax: '63.0000', coupon_discount: '5.0000', discount_amount: '2.0000' }, [
        product({ id: 7, applied_discounts: [coupon, manual] }),
        product({ id: 8, sku: 'MUG', quantity: 1, price_ex_tax: '10', price_inc_tax: '10', applied_discounts: [coupon, manual] }),
      ]);

      it('fold into the lines\' prices by default, the coupon code kept in a comment', () => {
        const { salesOrder, warnings, tieOut } = map(discounted);
        assert.deepEqual(warnings, []);
        assert.deepEqual(salesOrder.Lines.slice(0, 2), [
          { ItemCode: 'TEE-BLU-M', QuantityOrdered: 2, UnitPrice: 23.25 },
          { ItemCode: 'MUG', QuantityOrdered: 1, UnitPrice: 6.5 },
        ]);
        assert.ok(salesOrder.Lines.some((line) => line.CommentText === 'Coupons: SPRING5'));
        assert.equal(tieOut?.difference, 0);
      });

      it('become one discount line each when chosen', () => {
        const { salesOrder, warnings } = map(discounted, { orderDiscounts: 'line' });
        assert.deepEqual(warnings, []);
        assert.deepEqual(salesOrder.Lines.filter((line) => line.ItemCode === '/DISCOUNT'), [
          { ItemCode: '/DISCOUNT', ItemCodeDesc: 'Coupon SPRING5', QuantityOrdered: 1, UnitPrice: -5 },
          { ItemCode: '/DISCOUNT', ItemCodeDesc: 'Manual Discount', QuantityOrdered: 1, UnitPrice: -2 },
        ]);
      });

      it('go to the header\'s DiscountAmt when chosen', () => {
        const { salesOrder, tieOut } = map(discounted, { orderDiscounts: 'header' });
        assert.equal(salesOrder.DiscountAmt, 7);
        assert.deepEqual(salesOrder.Lines.slice(0, 2).map((line) => line.UnitPrice), [25, 10]);
        assert.deepEqual(tieOut?.placed, { lines: 60, freight: 10, discount: 7, salesTax: 0, total: 63 });
      });
    });

    it('use the order\'s discount fields when the lines carry no shares', () => {
      // Was: the larger of discount_amount and coupon_discount; BigCommerce's total takes off both, so both are placed.
      const { salesOrder, warnings } = map(order({ total_ex_tax: '55.0000', coupon_discount: '5.0000', discount_amount: '0.0000', coupons: [{ id: 1, code: 'TAKE5', amount: '5' }] }));
      assert.deepEqual(salesOrder.Lines.find((line) => line.ItemCode === '/DISCOUNT'), { ItemCode: '/DISCOUNT', ItemCodeDesc: 'Coupon TAKE5', QuantityOrdered: 1, UnitPrice: -5 });
      assert.match(warnings.join('\n'), /order 123: the order's discount has no per-line shares/);
    });

    it('add handling and gift wrapping lines with their configured codes', () => {
      const { salesOrder, warnings } = map(order({ total_ex_tax: '66.5000', handling_cost_ex_tax: '4.0000', wrapping_cost_ex_tax: '2.5000' }), { handlingCode: '/HAND', giftWrapCode: '/WRAP' });
      assert.deepEqual(warnings, []);
      assert.deepEqual(salesOrder.Lines.slice(1).map((line) => [line.ItemCode, line.UnitPrice]), [['/HAND', 4], ['/WRAP', 2.5]]);
      const inFreight = map(order({ total_ex_tax: '66.5000', handling_cost_ex_tax: '4.0000', wrapping_cost_ex_tax: '2.5000' }), { handling: 'freight', wrapping: 'freight' });
      assert.equal(inFreight.salesOrder.FreightAmt, 16.5);
      assert.equal(inFreight.salesOrder.Lines.length, 1);
    });

    it('pass tax as SalesTaxAmt when chosen, on amounts excluding tax in either kind of store', () => {
      assert.equal(map(order(), { tax: 'amounts' }).salesOrder.SalesTaxAmt, 4.8);
      assert.equal(map(order()).salesOrder.SalesTaxAmt, undefined);
      const inclusive = map(order({ is_tax_inclusive_pricing: true }), { tax: 'amounts' });
      assert.equal(inclusive.salesOrder.SalesTaxAmt, 4.8);
      assert.equal(inclusive.salesOrder.Lines[0]?.UnitPrice, 25);
      assert.equal(inclusive.tieOut?.placed.total, 64.8);
    });

    it('hold an order whose parts do not add up to its total, naming the order and the field', () => {
      // Was: a warning, and the sales order posted with a total BigCommerce never charged.
      assert.throws(() => map(order({ total_ex_tax: '70.0000' })), (err: unknown) => {
        assert.ok(err instanceof OrderHeldError);
        assert.equal(err.hold.field, 'total_ex_tax');
        assert.match(err.hold.reason, /^order 123: the order's parts add up to 60\.00 USD but total_ex_tax is 70\.00 USD: 10\.00 is not placed/);
        return true;
      });
    });

    it('map gift certificates bought in the order to a misc line', () => {
      const { salesOrder } = map(order({ total_ex_tax: '85.0000', consignments: {
        shipping: [{ id: 1, ...address, shipping_method: 'Flat Rate', line_items: [product()] }],
        email: { gift_certificates: [{ line_items: [product({ id: 9, sku: '', type: 'giftcertificate', name: '$25 Gift Certificate', quantity: 1 })] }] },
      } }));
      assert.deepEqual(salesOrder.Lines[1], { ItemCode: '/GIFTCERT', ItemCodeDesc: '$25 Gift Certificate', QuantityOrdered: 1, UnitPrice: 25 });
    });
  });

  describe('text that does not fit', () => {
    it('is cut to Sage\'s length, kept in full in a comment line and listed in warnings', () => {
      const longCompany = 'The Extremely Long Company Name Incorporated';
      const { salesOrder, customer, warnings } = map(order({ billing_address: { ...address, company: longCompany, state: 'New South Wales', country_iso2: 'AU' } }));
      assert.equal(customer.CustomerName, 'The Extremely Long Company Nam');
      assert.equal(customer.AddressLine3, 'Jane Doe');
      assert.equal(customer.State, undefined);
      assert.equal(customer.CountryCode, 'AUS');
      assert.equal(salesOrder.BillToName, 'The Extremely Long Company Nam');
      assert.equal(warnings.length, 2);
      assert.match(warnings[0] ?? '', /Billing name is longer than Sage's 30 characters/);
      assert.match(warnings[1] ?? '', /Billing state "New South Wales" has no 2-letter code/);
      const comments = salesOrder.Lines.filter((line) => line.ItemType === '4').map((line) => line.CommentText);
      assert.deepEqual(comments, [`Billing name: ${longCompany}`, 'Billing state: New South Wales']);
    });

    it('splits a long customer message over several comment lines', () => {
      const message = 'x'.repeat(5000);
      const comments = map(order({ customer_message: message })).salesOrder.Lines.filter((line) => line.ItemType === '4');
      assert.equal(comments.length, 3);
      assert.equal(comments.map((line) => line.CommentText).join(''), `Customer message: ${message}`);
    });

    it('puts product options in a comment line under the item unless turned off', () => {
      const options = [{ display_name: 'Size', display_value: 'M' }, { display_name: 'Engraving', display_value: 'Happy birthday' }];
      const withOptions = order({}, [product({ product_options: options })]);
      assert.deepEqual(map(withOptions).salesOrder.Lines[1], { ItemCode: '/C', ItemType: '4', CommentText: 'Size: M; Engraving: Happy birthday' });
      assert.equal(map(withOptions, { optionComments: false }).salesOrder.Lines.length, 1);
    });
  });

  it('ships to the first consignment and keeps the others in comment lines, with a warning', () => {
    const second = { id: 2, ...address, first_name: 'Bob', city: 'Dallas', shipping_method: 'Express', line_items: [product({ id: 8, sku: 'MUG', quantity: 1, price_ex_tax: '10', price_inc_tax: '10.8' })] };
    const { salesOrder, warnings } = map(order({ total_ex_tax: '70.0000', consignments: { shipping: [{ id: 1, ...address, shipping_method: 'Flat Rate', line_items: [product()] }, second] } }));
    assert.equal(salesOrder.ShipToCity, 'Austin');
    assert.deepEqual(warnings, ["the order ships to 2 addresses; Sage's ship-to holds the first, the others are in comment lines"]);
    assert.deepEqual(salesOrder.Lines.map((line) => line.ItemCode), ['TEE-BLU-M', 'MUG', '/C']);
    assert.equal(salesOrder.Lines[2]?.CommentText, 'Also ship to (address 2, Express): Bob Doe, 1 Main St, Suite 4, Dallas, Texas 78701, US; items: 1 x MUG');
  });

  it('ships to the billing address when nothing ships (downloads, pickups)', () => {
    const { salesOrder } = map(order({ total_ex_tax: '60.0000', consignments: { downloads: [{ line_items: [product()] }] } }));
    assert.equal(salesOrder.ShipToAddress1, '1 Main St');
    assert.equal(salesOrder.ShipVia, undefined);
  });

  it('dates the order on the calendar of the configured time zone', () => {
    const lateEvening = order({ date_created: 'Wed, 06 Mar 2019 03:30:00 +0000' });
    assert.equal(map(lateEvening).salesOrder.OrderDate, '20190306');
    assert.equal(map(lateEvening, { timeZone: 'America/Chicago' }).salesOrder.OrderDate, '20190305');
    assert.equal(map(order({ date_created: '2024-12-31T23:59:59+00:00' }), { timeZone: 'Asia/Tokyo' }).salesOrder.OrderDate, '20250101');
  });

  describe('bad input', () => {
    it('names the field and the order for a malformed order', () => {
      rejects(() => map({ ...order(), total_ex_tax: 'lots' }), { code: 'mapper.invalid_order', message: /^BigCommerce data in order 123: total_ex_tax: must be a decimal amount/ });
      rejects(() => map('not an order'), { code: 'mapper.invalid_order', message: /order \(without an id\)/ });
    });

    it('rejects an order without product lines', () => {
      rejects(() => map(order({}, [])), { code: 'mapper.no_lines', message: /^order 123: the order has no product lines/ });
    });

    it('rejects a country it cannot map', () => {
      rejects(() => map(order({ billing_address: { ...address, country_iso2: 'ZZ', country: 'Atlantis' } })), {
        code: 'mapper.country',
        message: /^order 123: billing_address\.country_iso2: unknown country "ZZ"/,
      });
    });

    it('rejects a line without a SKU, or with a SKU the item map rejects', () => {
      rejects(() => map(order({}, [product({ sku: ' ' })])), { code: 'mapper.sku_missing', message: /^order 123: line 7 "Blue Tee" has no SKU/ });
      rejects(() => map(order(), {}, new SkuMap({ table: '', unmapped: 'reject' })), { code: 'mapper.sku_unmapped', message: /SKU "TEE-BLU-M" is not in the item map/ });
      rejects(() => map(order({}, [product({ sku: 'S'.repeat(31) })])), { code: 'mapper.item_code', message: /longer than Sage's 30 characters/ });
    });

    it('rejects quantities below one, negative charges and impossible dates', () => {
      rejects(() => map(order({}, [product({ quantity: 0 })])), { code: 'mapper.quantity', message: /quantity must be at least 1, got 0/ });
      rejects(() => map(order({ shipping_cost_ex_tax: '-1' })), { code: 'mapper.amount', message: /shipping_cost_ex_tax: a charge cannot be negative/ });
      rejects(() => map(order({ date_created: 'yesterday' })), { code: 'mapper.date', message: /date_created: "yesterday" is not a date/ });
    });

    it('names the setting that is wrong', () => {
      rejects(() => mapperOptions({ arDivisionNo: '1' }), { code: 'mapper.settings', message: /arDivisionNo: must be two digits/ });
      rejects(() => mapperOptions({ timeZone: 'Mars/Olympus' }), { code: 'mapper.settings', message: /timeZone: must be an IANA time zone/ });
      rejects(() => mapperOptions({ shipViaTable: 'Express = WAY-TOO-LONG-SHIPVIA' }), { code: 'mapper.settings', message: /ship-via table line 1: ShipVia "WAY-TOO-LONG-SHIPVIA" is longer than 15/ });
      rejects(() => mapperOptions({ cashCustomerNo: 'cash' }), { code: 'mapper.settings', message: /cashCustomerNo/ });
    });
  });

  describe('places', () => {
    it('maps every ISO alpha-2 country to a distinct alpha-3 code', () => {
      const iso2 = 'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'.split(' ');
      assert.equal(iso2.length, 249);
      const codes = iso2.map((code) => sageCountryCode(code));
      for (const code of codes) assert.match(code ?? '', /^[A-Z]{3}$/);
      assert.equal(new Set(codes).size, 249);
      assert.deepEqual(['us', 'CA', 'GB', 'DE', 'XK'].map(sageCountryCode), ['USA', 'CAN', 'GBR', 'DEU', 'XKX']);
      assert.equal(sageCountryCode('UK'), undefined);
    });

    it('abbreviates US states and Canadian provinces, keeps 2-letter codes, refuses the rest', () => {
      assert.equal(sageStateCode('New York', 'US'), 'NY');
      assert.equal(sageStateCode('québec', 'CA'), 'QC');
      assert.equal(sageStateCode('tx', 'US'), 'TX');
      assert.equal(sageStateCode('', 'US'), '');
      assert.equal(sageStateCode('Bavaria', 'DE'), undefined);
      // Found by the property test: a prototype key is not a region, and upper-casing can lengthen text.
      assert.equal(sageStateCode('__proto__', 'US'), undefined);
      assert.equal(sageStateCode('ß', 'DE'), 'SS');
      assert.equal(sageStateCode('!ᾀ', 'GR'), undefined);
      assert.equal(sageCountryCode('__proto__'), undefined);
    });
  });
});
