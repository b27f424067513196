import assert from 'node:assert/strict';
import { parseLocationTable } from '../../lib/sync/stock';
import { pickupLocationsOfLines, warehouseForLine } from '../../lib/sync/warehouse-for-line';

describe('warehouse for an order line', () => {
  const table = parseLocationTable('000 = 1\nest, 001 = 2');

  it("maps a pickup consignment's location back to the first warehouse of its table line", () => {
    const byLine = pickupLocationsOfLines({
      shipping: [{ line_items: [{ id: 11 }] }],
      pickups: [{ id: 99, location: { id: 2, code: 'LOCATION-2' }, line_items: [{ id: 12 }, { id: 13 }] }],
    });
    assert.deepEqual([...byLine], [
      [12, 2],
      [13, 2],
    ]);
    assert.equal(warehouseForLine(byLine.get(12), table, '000'), 'EST');
  });

  it('takes the default for shipped lines and for locations the table does not name', () => {
    assert.equal(warehouseForLine(undefined, table, '000'), '000');
    assert.equal(warehouseForLine(7, table, ''), '');
    assert.deepEqual([...pickupLocationsOfLines({ url: 'https://…', resource: '/orders/1/consignments' })], []);
  });
});
