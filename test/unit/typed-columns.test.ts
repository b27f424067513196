import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GrowingColumn, TextWriter, compareSlices, fromBase64, toBase64, unitsToString } from '../../lib/typed-columns';

describe('typed columns', () => {
  it('grows a column in place and refuses to grow past its address space', () => {
    const column = new GrowingColumn(Float64Array);
    for (let index = 0; index < 1000; index++) {
      column.ensure(index + 1);
      column.values[index] = index / 2;
    }
    const small = column.finish(1000);
    assert.deepEqual([small.length, small[999], small.buffer.byteLength], [1000, 499.5, 8000]);
    assert.throws(() => new GrowingColumn(Uint8Array).ensure(2 ** 28 + 1), RangeError);
  });

  it('writes text as one byte a unit until a character beyond Latin-1 comes', () => {
    const writer = new TextWriter();
    const ends = ['AB', 'Crème', '', 'Tea 茶', '\u{1F600}x'].map((text) => writer.write(text));
    const units = writer.finish();
    assert.ok(units instanceof Uint16Array);
    assert.deepEqual(ends, [2, 7, 7, 12, 15]);
    assert.equal(unitsToString(units, 0, units.length), 'ABCrèmeTea 茶\u{1F600}x');
    const latin = new TextWriter();
    latin.write('Crème');
    assert.ok(latin.finish() instanceof Uint8Array);
  });

  it('reads back from base64 exactly the values written, and refuses another length', () => {
    const values = Float64Array.from([0, -1.5, Number.NaN, 2 ** 53, 0.1 + 0.2]);
    const text = toBase64(values);
    assert.deepEqual(fromBase64(text, Float64Array, 5), values);
    assert.equal(fromBase64(text, Float64Array, 4), undefined);
    assert.equal(fromBase64(42, Float64Array, 5), undefined);
  });

  it('compares slices of strings and code units in the order `<` gives', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        const writer = new TextWriter();
        writer.write(a);
        writer.write(b);
        const units = writer.finish();
        const order = Math.sign(compareSlices(a, 0, a.length, units, a.length, a.length + b.length));
        assert.equal(order, a < b ? -1 : a > b ? 1 : 0);
      }),
    );
  });
});
