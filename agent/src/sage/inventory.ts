import type { BusinessObject } from '../boi/types';
import type { SageLogicOptions } from './options';
import { browse, pvxText, readColumns, type SageRecord } from './records';
import type { BoiSession } from './session';

/**
 * Items (CI_Item), their prices with promotions and price-code quantity breaks (IM_PriceCode), and quantities per
 * warehouse (IM_ItemWarehouse), read through the `_svc` objects. Changes are found with Sage's audit columns: an
 * item counts as changed when its CI_Item row or any IM_ItemWarehouse row has DateUpdated/TimeUpdated at or after
 * the cursor (the browse filter narrows by date, the time is compared here as a number).
 */

export interface Stamp {
  DateUpdated: string;
  TimeUpdated: string;
}

export interface ItemSummary extends Stamp {
  ItemCode: string;
  ItemCodeDesc: string;
  ItemType: string;
}

const text = (name: string) => ({ name, text: true });
const number = (name: string) => ({ name, text: false });

const compareStamps = (a: Stamp, b: Stamp) => (a.DateUpdated !== b.DateUpdated ? (a.DateUpdated < b.DateUpdated ? -1 : 1) : Number.parseFloat(a.TimeUpdated) - Number.parseFloat(b.TimeUpdated));
const stampOf = (row: SageRecord): Stamp => ({ DateUpdated: String(row.DateUpdated ?? ''), TimeUpdated: String(row.TimeUpdated ?? '0') || '0' });
const newer = (a: Stamp | undefined, b: Stamp) => (!a || compareStamps(b, a) > 0 ? b : a);

/** Every item matching the query, ordered by ItemCode, each with the newest stamp of the item and its warehouse rows. */
export async function listItemSummaries(session: BoiSession, logic: SageLogicOptions, query: { changedSince?: Stamp; itemTypes?: string[] }): Promise<ItemSummary[]> {
  const items = await session.object(logic.objects.item);
  const warehouses = await session.object(logic.objects.itemWarehouse);
  const since = query.changedSince;
  const byDate = since ? `DateUpdated$>=${pvxText(since.DateUpdated)}` : '';
  const atOrAfter = (stamp: Stamp) => !since || compareStamps(stamp, since) >= 0;

  const warehouseStamps = new Map<string, Stamp>();
  await browse(warehouses, byDate, async () => {
    const row = await readColumns(warehouses, [text('ItemCode'), text('DateUpdated'), text('TimeUpdated')]);
    const stamp = stampOf(row);
    if (atOrAfter(stamp)) warehouseStamps.set(String(row.ItemCode), newer(warehouseStamps.get(String(row.ItemCode)), stamp));
    return undefined;
  });

  const summaryColumns = [text('ItemCode'), text('ItemCodeDesc'), text('ItemType'), text('DateUpdated'), text('TimeUpdated')];
  const found = new Map<string, ItemSummary>();
  const take = (row: SageRecord) => {
    const code = String(row.ItemCode);
    const stamp = newer(warehouseStamps.get(code), stampOf(row));
    if (!atOrAfter(stamp)) return;
    found.set(code, { ItemCode: code, ItemCodeDesc: String(row.ItemCodeDesc ?? ''), ItemType: String(row.ItemType ?? ''), ...stamp });
  };
  await browse(items, byDate, async () => {
    take(await readColumns(items, summaryColumns));
    return undefined;
  });
  // Items changed only through a warehouse row (their own row is older than the cursor).
  for (const code of warehouseStamps.keys()) {
    if (found.has(code)) continue;
    await items.nClear();
    if ((await items.nFind(code)) !== 0) take(await readColumns(items, summaryColumns));
  }
  const types = query.itemTypes?.length ? new Set(query.itemTypes) : undefined;
  return [...found.values()].filter((item) => !types || types.has(item.ItemType)).sort((a, b) => (a.ItemCode < b.ItemCode ? -1 : a.ItemCode > b.ItemCode ? 1 : 0));
}

const PRICE_CODE_COLUMNS = [
  text('PriceCode'),
  text('CustomerPriceLevel'),
  text('PricingMethod'),
  ...[1, 2, 3, 4, 5].flatMap((n) => [number(`BreakQuantity${n}`), number(`DiscountMarkup${n}`)]),
];

async function priceCodesOf(priceCodes: BusinessObject, itemCode: string) {
  return browse(priceCodes, `ItemCode$=${pvxText(itemCode)}`, async () => {
    const row = await readColumns(priceCodes, PRICE_CODE_COLUMNS);
    const breaks = [1, 2, 3, 4, 5]
      .map((n) => ({ BreakQuantity: Number(row[`BreakQuantity${n}`] ?? 0), DiscountMarkup: Number(row[`DiscountMarkup${n}`] ?? 0) }))
      .filter((step) => step.BreakQuantity > 0);
    return { PriceCode: String(row.PriceCode ?? ''), CustomerPriceLevel: String(row.CustomerPriceLevel ?? ''), PricingMethod: String(row.PricingMethod ?? ''), breaks };
  });
}

/** Price columns of the items on file (codes not on file are left out), with promotion dates and price codes. */
export async function getItemPrices(session: BoiSession, logic: SageLogicOptions, itemCodes: string[]) {
  const items = await session.object(logic.objects.item);
  const priceCodes = await session.object(logic.objects.priceCode);
  const prices = [];
  for (const code of [...new Set(itemCodes)].sort()) {
    await items.nClear();
    if ((await items.nFind(code)) === 0) continue;
    const row = await readColumns(items, [
      text('ItemCode'),
      number('StandardUnitPrice'),
      number('SuggestedRetailPrice'),
      number('SalesPromotionPrice'),
      text('SaleStartingDate'),
      text('SaleEndingDate'),
      text('SaleMethod'),
      text('InactiveItem'),
      text('ProductType'),
    ]);
    prices.push({
      ItemCode: String(row.ItemCode),
      StandardUnitPrice: Number(row.StandardUnitPrice ?? 0),
      SuggestedRetailPrice: Number(row.SuggestedRetailPrice ?? 0),
      SalesPromotionPrice: Number(row.SalesPromotionPrice ?? 0),
      SaleStartingDate: String(row.SaleStartingDate ?? ''),
      SaleEndingDate: String(row.SaleEndingDate ?? ''),
      SaleMethod: String(row.SaleMethod ?? ''),
      InactiveItem: String(row.InactiveItem ?? 'N') === 'Y',
      // Item Maintenance's Product Type "Discontinued" (D; **UNCONFIRMED** letter, from the field's list F, R, D, K).
      Discontinued: String(row.ProductType ?? '') === 'D',
      priceCodes: await priceCodesOf(priceCodes, code),
    });
  }
  return prices;
}

export interface StockRow extends Stamp {
  ItemCode: string;
  WarehouseCode: string;
  QuantityOnHand: number;
  QuantityOnSalesOrder: number;
  QuantityOnBackOrder: number;
}

/** IM_ItemWarehouse rows, ordered by ItemCode then WarehouseCode. */
export async function listStock(session: BoiSession, logic: SageLogicOptions, query: { itemCodes?: string[]; warehouses?: string[] }): Promise<StockRow[]> {
  const warehouses = await session.object(logic.objects.itemWarehouse);
  const wanted = query.warehouses?.length ? new Set(query.warehouses) : undefined;
  const read = async (): Promise<StockRow | undefined> => {
    const row = await readColumns(warehouses, [
      text('ItemCode'),
      text('WarehouseCode'),
      number('QuantityOnHand'),
      number('QuantityOnSalesOrder'),
      number('QuantityOnBackOrder'),
      text('DateUpdated'),
      text('TimeUpdated'),
    ]);
    if (wanted && !wanted.has(String(row.WarehouseCode))) return undefined;
    return {
      ItemCode: String(row.ItemCode),
      WarehouseCode: String(row.WarehouseCode),
      QuantityOnHand: Number(row.QuantityOnHand ?? 0),
      QuantityOnSalesOrder: Number(row.QuantityOnSalesOrder ?? 0),
      QuantityOnBackOrder: Number(row.QuantityOnBackOrder ?? 0),
      ...stampOf(row),
    };
  };
  if (!query.itemCodes) return browse(warehouses, '', read);
  const rows: StockRow[] = [];
  for (const code of [...new Set(query.itemCodes)].sort()) rows.push(...(await browse(warehouses, `ItemCode$=${pvxText(code)}`, read)));
  return rows;
}
