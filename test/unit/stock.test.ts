import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ValidationError } from '../../lib/errors';
import type { SageItem } from '../../lib/sage100/types';
import { PromotionBook, promotionOf, salePriceOn } from '../../lib/sync/promotions';
import { SkuMap } from '../../lib/sync/sku-map';
import {
  MAX_STOCK_LEVEL,
  PushSnapshot,
  availableToSell,
  parseSageItems,
  parseWarehouseList,
  planPush,
  storePrice,
  type StockSettings,
} from '../../lib/sync/stock';

const settings: StockSettings = { warehouses: [], subtractBackOrders: false, safetyStock: 0, priceColumn: 'StandardUnitPrice' };

function item(code: string, warehouses: Array<[string, number, number, number?]>, prices: Partial<SageItem> = {}): SageItem {
  return {
    ItemCode: code,
    StandardUnitPrice: 10,
    ...prices,
    warehouses: warehouses.map(([WarehouseCode, QuantityOnHand, QuantityOnSalesOrder, QuantityOnBackOrder = 0]) => ({
      WarehouseCode,
      QuantityOnHand,
      QuantityOnSalesOrder,
      QuantityOnBackOrder,
    })),
  };
}

describe('stock: available to sell and price', () => {
  const widget = item('WIDGET', [
    ['000', 100, 30, 5],
    ['001', 20, 2, 1],
    ['EAS', 7, 0, 0],
  ]);

  it('sums on hand − on sales order over the selected warehouses, less safety stock', () => {
    assert.equal(availableToSell(widget, settings), 95);
    assert.equal(availableToSell(widget, { ...settings, warehouses: ['000', '001'] }), 88);
    assert.equal(availableToSell(widget, { ...settings, warehouses: [' eas '] }), 7, 'codes compare trimmed and case-blind');
    assert.equal(availableToSell(widget, { ...settings, safetyStock: 10 }), 85);
  });

  it('subtracts back orders only when set', () => {
    assert.equal(availableToSell(widget, { ...settings, subtractBackOrders: true }), 89);
    assert.equal(availableToSell({ ...widget, InactiveItem: true }, { ...settings, inactiveItems: 'zero' }), 0, 'an inactive item is not offered when so configured');
    assert.equal(availableToSell({ ...widget, Discontinued: true }, { ...settings, inactiveItems: 'zero' }), 0, 'nor a discontinued one');
    assert.ok(availableToSell({ ...widget, Discontinued: true }, settings) > 0, 'unless set to sell them');
    assert.equal(availableToSell({ ...widget, InactiveItem: true }, settings), 95, 'and is sold as its stock says by default');
  });

  it('never goes below zero, rounds down to whole units and stays within the Inventory API limit', () => {
    assert.equal(availableToSell(item('X', [['000', 3, 10]]), settings), 0);
    assert.equal(availableToSell(item('X', [['000', 5, 0]]), { ...settings, safetyStock: 9 }), 0);
    assert.equal(availableToSell(item('X', [['000', 4.999999, 0]]), settings), 4);
    assert.equal(availableToSell(item('X', [['000', 0.3, 0.1], ['001', 0.8, 0]]), settings), 1, '0.3 − 0.1 + 0.8 is one unit, not 0.999…');
    assert.equal(availableToSell(item('X', [['000', 5e12, 0]]), settings), MAX_STOCK_LEVEL);
    assert.equal(availableToSell(item('X', []), settings), 0);
  });

  it('is a whole number in range for any quantities', () => {
    const quantity = fc.double({ min: -1e7, max: 1e7, noNaN: true });
    fc.assert(
      fc.property(fc.array(fc.tuple(quantity, quantity, quantity), { maxLength: 5 }), fc.nat(100), fc.boolean(), (rows, safetyStock, subtractBackOrders) => {
        const level = availableToSell(item('P', rows.map(([a, b, c], i) => [String(i), a, b, c])), { ...settings, safetyStock, subtractBackOrders });
        return Number.isInteger(level) && level >= 0 && level <= MAX_STOCK_LEVEL;
      }),
      { numRuns: 500 },
    );
  });

  it('takes the chosen price column, rounded to 4 places, and leaves unpriced items alone', () => {
    const priced = item('P', [], { StandardUnitPrice: 12.345678, SuggestedRetailPrice: 19.99, SalesPromotionPrice: 0 });
    assert.equal(storePrice(priced, settings), 12.3457);
    assert.equal(storePrice(priced, { ...settings, priceColumn: 'SuggestedRetailPrice' }), 19.99);
    assert.equal(storePrice(priced, { ...settings, priceColumn: 'SalesPromotionPrice' }), undefined);
    assert.equal(storePrice(item('P', [], { StandardUnitPrice: undefined }), settings), undefined);
    assert.equal(storePrice(priced, { ...settings, priceColumn: undefined }), undefined);
  });

  it('reads the warehouse list the editor stores', () => {
    assert.deepEqual(parseWarehouseList(' 000, 001;EAS  WES '), ['000', '001', 'EAS', 'WES']);
    assert.deepEqual(parseWarehouseList(''), []);
  });
});

describe('stock: input validation', () => {
  it('accepts items as sage100-items sends them', () => {
    const items = parseSageItems([item('A', [['000', 1, 0]])]);
    assert.equal(items.at(0)?.ItemCode, 'A');
  });

  it('names the item and the field at fault', () => {
    const bad = [item('A', [['000', 1, 0]]), { ItemCode: 'B-2', warehouses: [{ WarehouseCode: '000', QuantityOnHand: 'lots', QuantityOnSalesOrder: 0, QuantityOnBackOrder: 0 }] }];
    assert.throws(
      () => parseSageItems(bad),
      (err: unknown) => err instanceof ValidationError && err.record === 'item B-2' && err.field === 'warehouses.0.QuantityOnHand' && /in item B-2/.test(err.message),
    );
    assert.throws(() => parseSageItems([{ warehouses: [] }]), (err: unknown) => err instanceof ValidationError && err.record === 'item at payload[0]');
    assert.throws(() => parseSageItems({ items: [] }), (err: unknown) => err instanceof ValidationError && err.field === 'payload');
  });
});

describe('stock: diff against the snapshot', () => {
  const items = [item('A', [['000', 10, 0]], { StandardUnitPrice: 5 }), item('B', [['000', 3, 0]], { StandardUnitPrice: 7 }), item('C', [['000', 1, 0]], { StandardUnitPrice: undefined })];

  it('pushes everything without a snapshot', () => {
    const plan = planPush(items, { settings });
    assert.deepEqual(plan.stock, [
      { sku: 'A', quantity: 10 },
      { sku: 'B', quantity: 3 },
      { sku: 'C', quantity: 1 },
    ]);
    assert.deepEqual(plan.prices, [
      { sku: 'A', price: 5 },
      { sku: 'B', price: 7 },
    ]);
    assert.equal(plan.skus, 3);
    assert.equal(plan.unchanged, 0);
  });

  it('pushes only values that differ from what was last pushed', () => {
    const snapshot = new PushSnapshot('store#location-1');
    snapshot.stock.set('A', 10).set('B', 2).set('C', 1);
    snapshot.price.set('A', 5).set('B', 7);
    const plan = planPush(items, { settings, snapshot });
    assert.deepEqual(plan.stock, [{ sku: 'B', quantity: 3 }]);
    assert.deepEqual(plan.prices, []);
    assert.equal(plan.unchanged, 2);
  });

  it('fans an item out to every SKU of the item map, and reports items mapped nowhere', () => {
    const map = new SkuMap({ table: 'tee-s,A\ntee-m,A', unmapped: 'reject' });
    const plan = planPush(items, { settings, skusFor: (code) => map.skusFor(code) });
    assert.deepEqual(plan.stock.map((change) => change.sku), ['tee-s', 'tee-m']);
    assert.deepEqual(plan.unmappedItems, ['B', 'C']);
  });

  it('keeps the first item of two that feed one SKU and names the other', () => {
    const plan = planPush([item('A', [['000', 1, 0]]), item('A', [['000', 2, 0]]), item('B', [['000', 3, 0]])], { settings, skusFor: () => ['same-sku'] });
    assert.deepEqual(plan.stock, [{ sku: 'same-sku', quantity: 1 }]);
    assert.deepEqual(plan.conflicts, [{ sku: 'same-sku', itemCode: 'B', keptItemCode: 'A' }]);
  });

  it('survives a round trip through its document, and ignores one made for another target', () => {
    const snapshot = new PushSnapshot('store#location-1');
    snapshot.stock.set('A', 1).set('B', 2);
    snapshot.price.set('B', 9.5).set('C', 3);
    const copy = PushSnapshot.fromDocument(JSON.parse(JSON.stringify(snapshot.toDocument())), 'store#location-1');
    assert.deepEqual([...copy.stock], [...snapshot.stock]);
    assert.deepEqual([...copy.price].sort(), [...snapshot.price].sort());
    assert.equal(PushSnapshot.fromDocument(snapshot.toDocument(), 'store#location-2').stock.size, 0);
    assert.equal(PushSnapshot.fromDocument(undefined, 'x').stock.size, 0);
    assert.equal(PushSnapshot.fromDocument({ version: 1, target: 'x', skus: 'broken' }, 'x').stock.size, 0);
  });
});

describe('stock: the compact snapshot', () => {
  it('reads a version-1 document in any order, and writes SKUs sorted with parallel columns', () => {
    const snapshot = PushSnapshot.fromDocument({ version: 1, target: 't', skus: ['C', 'A', 'B'], stock: [3, 1, null], price: [null, 5, 7] }, 't');
    assert.equal(snapshot.stock.get('A'), 1);
    assert.equal(snapshot.stock.get('B'), undefined);
    assert.equal(snapshot.price.get('B'), 7);
    snapshot.stock.set('B', 2).set('Z', 9);
    const document = snapshot.toDocument();
    assert.deepEqual([document.version, document.count, document.skus], [3, 4, 'ABCZ'], 'version 3: the SKUs in one string, sorted');
    const reread = PushSnapshot.fromDocument(JSON.parse(JSON.stringify(document)), 't');
    assert.deepEqual([...reread.stock], [['A', 1], ['B', 2], ['C', 3], ['Z', 9]]);
    assert.deepEqual([...reread.price], [['A', 5], ['B', 7]]);
  });

  it('reads a version-2 document (sorted arrays) as it was written before version 3', () => {
    const snapshot = PushSnapshot.fromDocument({ version: 2, target: 't', skus: ['A', 'B', 'C'], stock: [1, null, 3], price: [null, 2.5, 4] }, 't');
    assert.deepEqual([...snapshot.stock], [['A', 1], ['C', 3]]);
    assert.deepEqual([...snapshot.price], [['B', 2.5], ['C', 4]]);
  });

  it('merges SKUs added since loading into code-unit order, whatever their characters', () => {
    const skus = ['a', 'B', 'É-1', '\u{1F600}', 'ﬀ', 'A-10', 'A-9'];
    const snapshot = PushSnapshot.fromDocument({ version: 1, target: 't', skus: skus.slice(0, 3), stock: [1, 2, 3], price: [null, null, null] }, 't');
    skus.slice(3).forEach((sku, index) => snapshot.stock.set(sku, 10 + index));
    const reread = PushSnapshot.fromDocument(JSON.parse(JSON.stringify(snapshot.toDocument())), 't');
    assert.deepEqual([...reread.stock].map(([sku]) => sku), [...skus].sort());
    for (const [index, sku] of skus.entries()) assert.equal(reread.stock.get(sku), index < 3 ? index + 1 : 10 + index - 3, sku);
    assert.equal(reread.stock.get('A-1'), undefined);
  });

  it('refuses a document whose columns do not line up', () => {
    assert.equal(PushSnapshot.fromDocument({ version: 2, target: 't', skus: ['A', 'B'], stock: [1], price: [1, 2] }, 't').stock.size, 0);
    const sound = new PushSnapshot('t');
    sound.stock.set('A', 1).set('B', 2);
    const document = sound.toDocument();
    assert.equal(PushSnapshot.fromDocument({ ...document, count: 3 }, 't').stock.size, 0, 'a count the columns do not have');
    assert.equal(PushSnapshot.fromDocument({ ...document, skus: 'ABC' }, 't').stock.size, 0, 'SKU text longer than its offsets');
    assert.equal(PushSnapshot.fromDocument({ ...document, stock: 'not base64 of two numbers' }, 't').stock.size, 0);
  });
});

describe('promotions: the sale price between its dates', () => {
  it('reads SalesPromotionPrice with SaleMethod P (or none) between SaleStartingDate and SaleEndingDate', () => {
    const promo = promotionOf({ ItemCode: 'A', SalesPromotionPrice: 4.5, SaleStartingDate: '20260303', SaleEndingDate: '20260305', SaleMethod: 'P', warehouses: [] });
    assert.deepEqual(['20260302', '20260303', '20260305', '20260306'].map((day) => salePriceOn(promo, day)), [0, 4.5, 4.5, 0]);
    assert.equal(salePriceOn(promotionOf({ ItemCode: 'A', SalesPromotionPrice: 4.5, warehouses: [] }), '20991231'), 4.5, 'open-ended');
    assert.equal(promotionOf({ ItemCode: 'A', SalesPromotionPrice: 10, SaleMethod: 'D', warehouses: [] }).price, 0, 'a discount method is not a price');
  });

  it('keeps a promotion until its removal is confirmed, then forgets it', () => {
    const book = new PromotionBook('t');
    book.record([{ ItemCode: 'A', SalesPromotionPrice: 3, SaleEndingDate: '20260305', warehouses: [] }, { ItemCode: 'B', warehouses: [] }], (code) => [code]);
    assert.deepEqual(book.due('20260304'), [{ sku: 'A', salePrice: 3 }]);
    book.confirmed('A', 3, '20260304');
    assert.deepEqual(book.due('20260305'), []);
    assert.deepEqual(book.due('20260306'), [{ sku: 'A', salePrice: 0 }]);
    const reloaded = PromotionBook.fromDocument(JSON.parse(JSON.stringify(book.toDocument())), 't');
    assert.deepEqual(reloaded.due('20260306'), [{ sku: 'A', salePrice: 0 }], 'survives a restart');
    reloaded.confirmed('A', 0, '20260306');
    assert.equal(reloaded.size, 0);
  });
});
