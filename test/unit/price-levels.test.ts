import assert from 'node:assert/strict';
import { createBigCommerceClient } from '../../lib/bigcommerce/client';
import { SageItemTable } from '../../lib/sage100/item-table';
import type { SageItem } from '../../lib/sage100/types';
import { levelPrice, pushPriceLevels } from '../../lib/sync/price-levels';
import { startTestStore } from '../support/bigcommerce';

const item = (PricingMethod: string, breaks: Array<[number, number]>): SageItem => ({
  ItemCode: 'A',
  StandardUnitPrice: 20,
  warehouses: [],
  priceCodes: [{ PriceCode: '', CustomerPriceLevel: '3', PricingMethod, breaks: breaks.map(([BreakQuantity, DiscountMarkup]) => ({ BreakQuantity, DiscountMarkup })) }],
});

describe('price levels: an item price at a Sage customer price level', () => {
  it('reads discount percent, discount amount and override price, breaks as bulk tiers', () => {
    assert.deepEqual(levelPrice(item('D', [[99_999_999, 25]]), '3'), { price: 15, bulkTiers: [] });
    assert.deepEqual(levelPrice(item('A', [[4, 1], [99_999_999, 2.5]]), '3'), { price: 19, bulkTiers: [{ quantityMin: 5, type: 'fixed', amount: 17.5 }] });
    assert.deepEqual(levelPrice(item('O', [[10, 18], [20, 16], [99_999_999, 15]]), '3'), {
      price: 18,
      bulkTiers: [
        { quantityMin: 11, quantityMax: 20, type: 'fixed', amount: 16 },
        { quantityMin: 21, type: 'fixed', amount: 15 },
      ],
    });
  });

  it('has nothing for a level without a price code, and names a method it cannot price', () => {
    assert.equal(levelPrice(item('D', [[99_999_999, 25]]), '2'), undefined);
    assert.deepEqual(levelPrice(item('C', [[99_999_999, 3]]), '3'), { unpriced: 'pricing method C is not read' });
  });
});

describe('price levels: pushed from the items as the inventory push holds them', () => {
  it('reads the compact item table in one pass for every level, without a copy of it', async () => {
    const sim = await startTestStore();
    try {
      sim.store.addProduct({ sku: 'MUG', price: 20, inventory_level: 0 });
      sim.store.addProduct({ sku: 'TEE', price: 20, inventory_level: 0 });
      const levels = (ItemCode: string, method: string): SageItem => ({
        ...item(method, [[99_999_999, 25]]),
        ItemCode,
        priceCodes: ['2', '3'].map((CustomerPriceLevel) => ({ PriceCode: '', CustomerPriceLevel, PricingMethod: CustomerPriceLevel === '3' ? method : 'D', breaks: [{ BreakQuantity: 99_999_999, DiscountMarkup: 10 }] })),
      });
      const table = SageItemTable.of([levels('MUG', 'O'), levels('TEE', 'C')]);
      let passes = 0;
      const items: Iterable<SageItem> = {
        [Symbol.iterator]: () => {
          passes++;
          return table[Symbol.iterator]();
        },
      };
      const client = createBigCommerceClient({ storeHash: sim.storeHash, accessToken: sim.accessToken, apiUrl: sim.apiUrl, retry: { retries: 0 } });
      const summary = await pushPriceLevels(client.request, { items, levels: ['2', '3'], currency: 'USD' });
      assert.equal(passes, 1);
      assert.deepEqual(summary.levels.map((level) => [level.level, level.records]), [['2', 2], ['3', 1]]);
      assert.deepEqual(summary.unpriced, [{ itemCode: 'TEE', level: '3', reason: 'pricing method C is not read' }]);
      const prices = (level: number) => [...sim.store.pricing.recordsOf(summary.levels[level]!.priceListId).values()].map((record) => [record.sku, record.price]);
      assert.deepEqual(prices(0), [['MUG', 18], ['TEE', 18]]);
      assert.deepEqual(prices(1), [['MUG', 10]]);
    } finally {
      await sim.close();
    }
  });
});
