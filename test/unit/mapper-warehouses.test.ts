import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../../lib/errors';
import { decideOrder, mapperOptions, type MapperSettings } from '../../lib/sync/mapper';
import { sageTotalCents } from './mapper-support';

/**
 * The warehouse of each product line: a pickup consignment's location (orders v2 `pickupConsignmentLocation_Get.id`)
 * mapped back through the inventory push's warehouse → location table, else the mapper's warehouse, else blank.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const fixture = (name: string): Json => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'orders', name), 'utf8')).order;

/** us-awaiting-pickup with its two lines picked up at two locations (the first is the fixture's own pickup). */
function twoPickups(): Json {
  const order = fixture('us-awaiting-pickup.json');
  const [pickup] = order.consignments.pickups;
  const [tee, mug] = pickup.line_items;
  order.consignments.pickups = [
    { ...pickup, location: { ...pickup.location, id: 2, code: 'LOCATION-2' }, line_items: [tee] },
    { ...pickup, id: 100, location: { ...pickup.location, id: 3, name: 'Round Rock Store', code: 'LOCATION-3' }, line_items: [mug] },
  ];
  return order;
}

/** us-two-addresses with its second consignment picked up at location 2 instead of shipped. */
function shippedAndPickedUp(): Json {
  const order = fixture('us-two-addresses.json');
  const [shipped, other] = order.consignments.shipping;
  const pickup = fixture('us-awaiting-pickup.json').consignments.pickups[0];
  order.consignments.shipping = [shipped];
  order.consignments.pickups = [{ ...pickup, location: { ...pickup.location, id: 2 }, line_items: other.line_items }];
  return order;
}

function linesOf(order: Json, settings: MapperSettings) {
  const decision = decideOrder(order, mapperOptions(settings));
  assert.equal(decision.action, 'post', JSON.stringify(decision));
  assert.equal(decision.orders.length, 1);
  const salesOrder = decision.orders[0]!.salesOrder;
  return { salesOrder, warehouses: salesOrder.Lines.filter((line) => line.ItemType !== '4').map((line) => [line.ItemCode, line.WarehouseCode]) };
}

describe('mapper: the warehouse each line ships from', () => {
  const table = '000 = 1\nest, 001 = 2';

  it("takes each pickup line's location back through the table, and the default for a location it does not name", () => {
    const { salesOrder, warehouses } = linesOf(twoPickups(), { locationTable: table, warehouseCode: '000' });
    assert.deepEqual(warehouses, [
      ['TEE-BLU-M', 'EST'],
      ['MUG-WHT', '000'],
    ]);
    assert.equal(salesOrder.WarehouseCode, '000');
    assert.equal(sageTotalCents(salesOrder), 6250, 'the order still ties out to the cent: 2 × 25.00 + 12.50');
  });

  it('gives shipped lines the default and picked-up lines their warehouse, in one order', () => {
    const { salesOrder, warehouses } = linesOf(shippedAndPickedUp(), { locationTable: table, warehouseCode: '000' });
    assert.deepEqual(warehouses, [
      ['TEE-BLU-M', '000'],
      ['MUG-WHT', 'EST'],
    ]);
    assert.equal(sageTotalCents(salesOrder), 7750);
  });

  it("leaves the warehouse to Sage (each item's default) without a table or a default", () => {
    const { salesOrder, warehouses } = linesOf(shippedAndPickedUp(), {});
    assert.deepEqual(warehouses, [
      ['TEE-BLU-M', undefined],
      ['MUG-WHT', undefined],
    ]);
    assert.equal(salesOrder.WarehouseCode, undefined);
    assert.equal(sageTotalCents(salesOrder), 7750);
  });

  it('without a default, a location the table does not name leaves that line to Sage', () => {
    const { warehouses } = linesOf(twoPickups(), { locationTable: table });
    assert.deepEqual(warehouses, [
      ['TEE-BLU-M', 'EST'],
      ['MUG-WHT', undefined],
    ]);
  });

  it('refuses a table the push would refuse, naming the setting', () => {
    assert.throws(
      () => mapperOptions({ locationTable: '000 = 1\n0001 = 2' }),
      (err: unknown) => err instanceof ValidationError && err.field === 'locationTable' && /entry 2: warehouses\.0 a Sage warehouse code has at most 3 characters/.test(err.message),
    );
    assert.throws(() => mapperOptions({ locationTable: '000 = store' }), (err: unknown) => err instanceof ValidationError && err.field === 'locationTable');
  });
});
