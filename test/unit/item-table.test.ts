import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { SageItemTable, SageItemTableBuilder } from '../../lib/sage100/item-table';
import type { SageItem } from '../../lib/sage100/types';
import { planPush } from '../../lib/sync/push-plan';

/** The runtime's own clone (a msg for each further wire of a node) and the debug node's encoding for the editor. */
const { cloneMessage, encodeObject } = (
  createRequire(__filename)('@node-red/util') as { util: { cloneMessage<T>(msg: T): T; encodeObject(msg: { msg: unknown }, options: { maxLength: number }): { format: string; msg: string } } }
).util;

/** Items with every member sage100-items can send, and without the optional ones. */
const items: SageItem[] = [
  {
    ItemCode: 'WIDGET-1',
    ItemCodeDesc: 'Widget, blue',
    StandardUnitPrice: 12.3456,
    SuggestedRetailPrice: 19.99,
    SalesPromotionPrice: 9.5,
    SaleStartingDate: '20260301',
    SaleEndingDate: '20260331',
    SaleMethod: 'P',
    InactiveItem: false,
    Discontinued: false,
    priceCodes: [{ PriceCode: 'A', CustomerPriceLevel: '1', PricingMethod: 'O', breaks: [{ BreakQuantity: 99999999, DiscountMarkup: 11 }] }],
    DateUpdated: '20260302',
    TimeUpdated: '9.5',
    warehouses: [
      { WarehouseCode: '000', QuantityOnHand: 4.999999, QuantityOnSalesOrder: 1, QuantityOnBackOrder: 0.5 },
      { WarehouseCode: 'EST', QuantityOnHand: 7, QuantityOnSalesOrder: 0, QuantityOnBackOrder: 0 },
    ],
  },
  { ItemCode: 'BARE', warehouses: [] },
  { ItemCode: 'EMPTY-DESC', ItemCodeDesc: '', InactiveItem: true, StandardUnitPrice: 0, warehouses: [{ WarehouseCode: 'EST', QuantityOnHand: -2, QuantityOnSalesOrder: 0, QuantityOnBackOrder: 0 }] },
  { ItemCode: 'CAFÉ-1', ItemCodeDesc: 'Crème brûlée', Discontinued: true, warehouses: [{ WarehouseCode: '000', QuantityOnHand: 1, QuantityOnSalesOrder: 0, QuantityOnBackOrder: 0 }] },
];
/** A character beyond Latin-1 halfway through: the text goes from one byte a unit to two. */
const wide: SageItem = { ItemCode: 'TEA-1', ItemCodeDesc: 'Tea 茶 (green)', warehouses: [] };

describe('Sage item table (the compact items message)', () => {
  it('gives back every item as it was added, one at a time, by iteration or all at once', () => {
    const table = SageItemTable.from(items);
    assert.equal(table.length, 4);
    assert.deepEqual(table.toArray(), items);
    assert.deepEqual([...table], items);
    assert.deepEqual(table.at(1), { ItemCode: 'BARE', warehouses: [] });
    assert.deepEqual([table.at(-1), table.at(4), table.at(1.5)], [undefined, undefined, undefined]);
    assert.deepEqual([...table.keys()], [0, 1, 2, 3]);
    assert.deepEqual(Array.from({ length: 4 }, (_, index) => table.itemCode(index)), ['WIDGET-1', 'BARE', 'EMPTY-DESC', 'CAFÉ-1']);
    assert.deepEqual(SageItemTable.from([]).toArray(), []);
    assert.deepEqual(Array.from({ length: 4 }, (_, index) => table.notForSale(index)), [false, false, true, true], 'inactive or discontinued');
  });

  it('keeps characters beyond Latin-1, switching to two bytes a unit when the first one comes', () => {
    const table = SageItemTable.from([...items, wide, { ItemCode: 'AFTER', warehouses: [] }]);
    assert.ok(table.text instanceof Uint16Array);
    assert.deepEqual(table.toArray(), [...items, wide, { ItemCode: 'AFTER', warehouses: [] }]);
    assert.ok(SageItemTable.from(items).text instanceof Uint8Array, 'Latin-1 text takes one byte a character');
  });

  it('hands out copies: changing an item taken out changes nothing in the table', () => {
    const table = SageItemTable.from(items);
    const taken = table.at(0)!;
    taken.warehouses[0]!.QuantityOnHand = 1000;
    taken.priceCodes![0]!.breaks[0]!.DiscountMarkup = 0;
    taken.ItemCode = 'CHANGED';
    assert.deepEqual(table.at(0), items[0]);
  });

  it('is written by JSON (a debug node, a file) as the plain array of items', () => {
    const table = SageItemTable.from([...items, wide]);
    assert.deepEqual(JSON.parse(JSON.stringify({ payload: table })), { payload: [...items, wide] });
  });

  it("survives Node-RED's message clone (several wires) as a working table of its own", () => {
    const table = SageItemTable.from([...items, wide]);
    const msg = { payload: table, topic: 'items' };
    const copy = cloneMessage(msg);
    assert.ok(copy.payload instanceof SageItemTable);
    assert.notEqual(copy.payload, table);
    assert.deepEqual(copy.payload.toArray(), [...items, wide]);
    copy.payload.quantities[0] = 99;
    assert.equal(table.at(0)?.warehouses[0]?.QuantityOnHand, 4.999999, 'the clone shares no column with the original');
    const plan = planPush(copy.payload, { settings: { warehouses: [], subtractBackOrders: false, safetyStock: 0, priceColumn: 'StandardUnitPrice' } });
    assert.deepEqual(plan.stock[0], { sku: 'WIDGET-1', quantity: 105 });
  });

  it('reaches a debug node showing msg.payload shortened like an array, not whole', () => {
    const table = SageItemTable.from(Array.from({ length: 1500 }, (_, index): SageItem => ({ ItemCode: `SKU-${index}`, warehouses: [] })));
    const shown = encodeObject({ msg: table }, { maxLength: 1000 });
    const sent = JSON.parse(shown.msg) as { __enc__: boolean; type: string; length: number; data: SageItem[] };
    assert.deepEqual([typeof shown.msg, sent.type, sent.length, sent.data.length, sent.data[999]], ['string', 'array', 1500, 1000, { ItemCode: 'SKU-999', warehouses: [] }]);
  });

  it('round-trips through its JSON document (the push keeps unconfirmed items in it), and refuses a broken one', () => {
    for (const list of [items, [...items, wide], []]) {
      const document = JSON.parse(JSON.stringify(SageItemTable.from(list).toDocument()));
      assert.deepEqual(SageItemTable.fromDocument(document)?.toArray(), list);
    }
    const document = SageItemTable.from(items).toDocument();
    assert.equal(SageItemTable.fromDocument({ ...document, count: 5 }), undefined);
    assert.equal(SageItemTable.fromDocument({ ...document, text: document.text.slice(0, 8) }), undefined);
    assert.equal(SageItemTable.fromDocument({ ...document, warehouseCodes: ['000'] }), undefined, 'a row names a warehouse code the document lacks');
    assert.equal(SageItemTable.fromDocument(undefined), undefined);
  });

  it('is built page by page to the same table as all at once', () => {
    const builder = new SageItemTableBuilder();
    builder.addAll(items.slice(0, 2));
    assert.equal(builder.length, 2);
    builder.addAll(items.slice(2));
    assert.deepEqual(builder.finish(), SageItemTable.from(items));
    const some = new SageItemTableBuilder().addFrom(SageItemTable.from(items), [3, 0]).finish();
    assert.deepEqual(some.toArray(), [items[3], items[0]]);
  });

  it('keeps a large table in columns grown in place, and clones it', () => {
    const many = Array.from({ length: 60_000 }, (_, index): SageItem => ({
      ItemCode: `SKU-${index}`,
      StandardUnitPrice: index / 100,
      warehouses: [{ WarehouseCode: index % 2 ? '000' : 'EST', QuantityOnHand: index, QuantityOnSalesOrder: 1, QuantityOnBackOrder: 0 }],
    }));
    const table = SageItemTable.from(many);
    assert.ok(table.quantities.byteLength > 2 ** 20, 'columns this size are not copied when finished');
    for (const index of [0, 1, 29_999, 59_999]) assert.deepEqual(table.at(index), many[index]);
    const copy = cloneMessage({ payload: table }).payload;
    assert.deepEqual([copy.length, copy.at(59_999)], [60_000, many[59_999]]);
  });

  it('plans the same push from the table as from the array of items', () => {
    const settings = { warehouses: ['000'], subtractBackOrders: true, safetyStock: 0, priceColumn: 'StandardUnitPrice' as const, inactiveItems: 'zero' as const };
    const expected = {
      stock: [
        { sku: 'WIDGET-1', quantity: 3 },
        { sku: 'BARE', quantity: 0 },
        { sku: 'EMPTY-DESC', quantity: 0 },
        { sku: 'CAFÉ-1', quantity: 0 }, // discontinued, offered at 0
      ],
      prices: [{ sku: 'WIDGET-1', price: 12.3456 }],
      skus: 4,
      unchanged: 0,
      unmappedItems: [],
      conflicts: [],
    };
    assert.deepEqual(planPush(items, { settings }), expected);
    assert.deepEqual(planPush(SageItemTable.from(items), { settings }), expected);
  });
});
