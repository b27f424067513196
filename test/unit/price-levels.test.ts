import assert from 'node:assert/strict';
import type { SageItem } from '../../lib/sage100/types';
import { levelPrice } from '../../lib/sync/price-levels';

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
