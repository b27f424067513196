import assert from 'node:assert/strict';
import { ValidationError } from '../../lib/errors';
import { SkuMap } from '../../lib/sync/sku-map';

describe('SkuMap', () => {
  const table = ['# store SKU, Sage item', 'tee-blue-m,TSHIRT-BLU-M', 'tee-blue-m-2\tTSHIRT-BLU-M', '', 'MUG = MUG-11OZ'].join('\n');

  it('maps SKUs to item codes and item codes back to every SKU', () => {
    const map = new SkuMap({ table, unmapped: 'same' });
    assert.equal(map.size, 3);
    assert.equal(map.itemCodeFor('tee-blue-m'), 'TSHIRT-BLU-M');
    assert.equal(map.itemCodeFor('MUG'), 'MUG-11OZ');
    assert.deepEqual(map.skusFor('TSHIRT-BLU-M'), ['tee-blue-m', 'tee-blue-m-2']);
  });

  it('treats unmapped SKUs as configured', () => {
    assert.equal(new SkuMap({ table, unmapped: 'same' }).itemCodeFor('abc-1'), 'abc-1');
    assert.equal(new SkuMap({ table, unmapped: 'upper' }).itemCodeFor('abc-1'), 'ABC-1');
    assert.equal(new SkuMap({ table, unmapped: 'reject' }).itemCodeFor('abc-1'), undefined);
    assert.deepEqual(new SkuMap({ table, unmapped: 'same' }).skusFor('OTHER'), ['OTHER']);
    assert.deepEqual(new SkuMap({ table, unmapped: 'reject' }).skusFor('OTHER'), []);
  });

  it('names the line of a malformed entry, an over-long code or a conflicting duplicate', () => {
    assert.throws(() => new SkuMap({ table: 'ok,OK\nnonsense', unmapped: 'same' }), (err: ValidationError) => err.record === 'SKU map line 2' && /expected "SKU,ItemCode"/.test(err.message));
    assert.throws(() => new SkuMap({ table: `x,${'A'.repeat(31)}`, unmapped: 'same' }), /longer than 30 characters/);
    assert.throws(() => new SkuMap({ table: 'x,A\nx,B', unmapped: 'same' }), /line 2: SKU "x" is already mapped to "A"/);
  });
});
