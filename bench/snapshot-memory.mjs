/**
 * Child process of bench/snapshot.ts: the peak memory of one stock/price diff over a large snapshot, in a process
 * that does nothing else. Plain JavaScript on the built module (dist/), so no TypeScript loader sits in the figure.
 *
 *   node --expose-gc bench/snapshot-memory.mjs <snapshot.json> <skus>
 *
 * The items are built first, as sage100-items hands them on (one msg holding every item): the agent's pages of item
 * objects (200 a page, the node's default) added to a SageItemTableBuilder page by page, so only the table is left.
 * Then the diff runs the way the push node does it: read the saved snapshot, parse it, PushSnapshot.fromDocument,
 * planPush over the table's columns. The modules are lib/sync/push-plan (what lib/sync/stock re-exports) and
 * lib/sage100/item-table, so the schema library's own footprint is not in the figure.
 */
import { readFileSync } from 'node:fs';
import { SageItemTableBuilder } from '../dist/lib/sage100/item-table.js';
import { PushSnapshot, planPush } from '../dist/lib/sync/push-plan.js';

const [file, count] = [process.argv[2], Number(process.argv[3])];
const mb = (bytes) => bytes / 1048576;
const PAGE = 200;

const builder = new SageItemTableBuilder();
let page = [];
for (let index = 0; index < count; index++) {
  page.push({
    ItemCode: `SKU-${String(index).padStart(6, '0')}`,
    ItemCodeDesc: `Item ${index}`,
    StandardUnitPrice: 5 + (index % 1000) / 10,
    SuggestedRetailPrice: 6 + (index % 1000) / 10,
    SalesPromotionPrice: 0,
    DateUpdated: '20260501',
    TimeUpdated: '13.5',
    warehouses: [
      { WarehouseCode: '000', QuantityOnHand: index % 500, QuantityOnSalesOrder: index % 7, QuantityOnBackOrder: 0 },
      { WarehouseCode: 'EST', QuantityOnHand: index % 50, QuantityOnSalesOrder: 0, QuantityOnBackOrder: 0 },
    ],
  });
  if (page.length === PAGE || index === count - 1) {
    builder.addAll(page);
    page = [];
  }
}
const items = builder.finish();
globalThis.gc();
const before = process.memoryUsage().rss;

const settings = { warehouses: [], subtractBackOrders: false, safetyStock: 0, priceColumn: 'StandardUnitPrice' };
const document = JSON.parse(readFileSync(file, 'utf8'));
const snapshot = PushSnapshot.fromDocument(document, document.target);
const plan = planPush(items, { settings, snapshot });

process.stdout.write(
  JSON.stringify({
    beforeMb: mb(before),
    peakMb: process.resourceUsage().maxRSS / 1024,
    skus: plan.skus,
    changed: plan.stock.length + plan.prices.length,
  }),
);
