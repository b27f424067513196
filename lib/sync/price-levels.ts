import { HttpError } from '../http/errors';
import type { RequestFunction } from '../http/transport';
import { serverMessage } from '../bigcommerce/errors';
import {
  assignPriceList,
  customerGroupOf,
  ensureCustomerGroup,
  ensurePriceList,
  priceListsAvailable,
  setCustomerGroups,
  upsertPriceRecords,
  type PriceRecordInput,
} from '../bigcommerce/price-lists';
import type { SageItem } from '../sage100/types';

/**
 * Sage customer price levels as BigCommerce price lists. Each chosen level becomes the price list "Sage price level N",
 * assigned to the customer group of the same name; a B2B customer imported from Sage goes into the group of its
 * `AR_Customer.PriceLevel`. An item's level price comes from its IM_PriceCode row for that level: the first break is
 * the record's price, the later breaks its bulk pricing tiers (a unit price from each break's quantity on).
 *
 * Pricing methods read (IM_PriceCode.PricingMethod, **UNCONFIRMED** codes): D discount percent off StandardUnitPrice,
 * A discount amount off it, O override price. Cost-based methods need the item's cost, which the push does not read:
 * such items are listed, not priced.
 */

/** Sage writes 99,999,999 as the quantity of the last, open-ended break. */
const OPEN_ENDED_BREAK = 99_999_999;

export const groupNameOf = (level: string) => `Sage price level ${level}`;

const round4 = (value: number) => Math.round(value * 10_000) / 10_000;

/** The unit price `method` gives with `amount` off/over `base`; undefined for a method the push cannot price. */
function unitPrice(method: string, base: number, amount: number): number | undefined {
  switch (method.trim().toUpperCase()) {
    case 'D':
      return round4(Math.max(0, base * (1 - amount / 100)));
    case 'A':
      return round4(Math.max(0, base - amount));
    case 'O':
      return round4(Math.max(0, amount));
    default:
      return undefined;
  }
}

export type LevelPrice = { price: number; bulkTiers: NonNullable<PriceRecordInput['bulkTiers']> } | { unpriced: string };

/** The item's price at a customer price level, with quantity breaks; undefined when Sage has no price code for it. */
export function levelPrice(item: SageItem, level: string): LevelPrice | undefined {
  const code = item.priceCodes?.find((row) => row.CustomerPriceLevel === level);
  if (!code) return undefined;
  const base = item.StandardUnitPrice ?? 0;
  const breaks = code.breaks.filter((step) => step.BreakQuantity > 0).sort((a, b) => a.BreakQuantity - b.BreakQuantity);
  if (breaks.length === 0) return undefined;
  const prices = breaks.map((step) => unitPrice(code.PricingMethod, base, step.DiscountMarkup));
  if (prices.some((price) => price === undefined)) return { unpriced: `pricing method ${code.PricingMethod || '(empty)'} is not read` };
  const bulkTiers = breaks.slice(1).map((step, index) => {
    const quantityMin = Math.floor(breaks[index]!.BreakQuantity) + 1;
    return { quantityMin, ...(step.BreakQuantity < OPEN_ENDED_BREAK && { quantityMax: Math.floor(step.BreakQuantity) }), type: 'fixed' as const, amount: prices[index + 1]! };
  });
  return { price: prices[0]!, bulkTiers };
}

export interface PriceLevelOptions {
  /** Read once, in one pass for every level: the push's SageItemTable (no copy of it made), an array, any iterable. */
  items: Iterable<SageItem>;
  /** Sage customer price levels to push, e.g. ['2', '3']. */
  levels: readonly string[];
  currency: string;
  skusFor?: (itemCode: string) => string[];
}

export interface PriceLevelSummary {
  /** False on a plan without Price Lists: nothing was pushed, the catalog prices stand. */
  available: boolean;
  reason?: string;
  levels: Array<{ level: string; priceListId: number; customerGroupId: number; records: number }>;
  /** Items with a price code the push cannot price, by level. */
  unpriced: Array<{ itemCode: string; level: string; reason: string }>;
  calls: number;
}

/** A request function that counts the calls made through it. */
function counted(request: RequestFunction): { request: RequestFunction; calls: () => number } {
  let calls = 0;
  return {
    request: (req) => {
      calls++;
      return request(req);
    },
    calls: () => calls,
  };
}

/** Where a level went last time, so later runs upsert records without looking the list and group up again. */
export type KnownLevels = Map<string, { priceListId: number; customerGroupId: number }>;

/**
 * Pushes the items' level prices into each level's price list (records by SKU, 1,000 a call), creating and assigning
 * the list and group the first time (`known` remembers them; a list deleted in the store is made again).
 */
export async function pushPriceLevels(request: RequestFunction, options: PriceLevelOptions, known: KnownLevels = new Map()): Promise<PriceLevelSummary> {
  const counter = counted(request);
  const send = counter.request;
  const summary: PriceLevelSummary = { available: true, levels: [], unpriced: [], calls: 0 };
  const skusFor = options.skusFor ?? ((itemCode: string) => [itemCode]);
  try {
    if (known.size === 0) {
      const plan = await priceListsAvailable(send);
      if (!plan.available) return { ...summary, available: false, ...(plan.reason && { reason: plan.reason }) };
    }
    const byLevel = new Map(options.levels.map((level) => [level, { records: [] as PriceRecordInput[], unpriced: [] as PriceLevelSummary['unpriced'] }]));
    for (const item of options.items) {
      for (const [level, found] of byLevel) {
        const price = levelPrice(item, level);
        if (!price) continue;
        if ('unpriced' in price) {
          found.unpriced.push({ itemCode: item.ItemCode, level, reason: price.unpriced });
          continue;
        }
        for (const sku of skusFor(item.ItemCode)) found.records.push({ sku, currency: options.currency, price: price.price, ...(price.bulkTiers.length > 0 && { bulkTiers: price.bulkTiers }) });
      }
    }
    for (const [level, { records, unpriced }] of byLevel) {
      summary.unpriced.push(...unpriced);
      const ensure = async () => {
        const list = await ensurePriceList(send, groupNameOf(level));
        const group = await ensureCustomerGroup(send, groupNameOf(level));
        await assignPriceList(send, list.id, group.id);
        const ids = { priceListId: list.id, customerGroupId: group.id };
        known.set(level, ids);
        return ids;
      };
      let ids = known.get(level) ?? (await ensure());
      if (records.length > 0) {
        try {
          await upsertPriceRecords(send, ids.priceListId, records);
        } catch (err) {
          if (!(err instanceof HttpError && err.status === 404)) throw err;
          known.delete(level);
          ids = await ensure();
          await upsertPriceRecords(send, ids.priceListId, records);
        }
      }
      summary.levels.push({ level, ...ids, records: records.length });
    }
  } finally {
    summary.calls = counter.calls();
  }
  return summary;
}

/** A level's customer group (level → group id), kept across calls so each group is looked up once. */
export type LevelGroups = Map<string, number>;

/**
 * Puts each imported B2B customer in the customer group of its Sage price level (`AR_Customer.PriceLevel`), so its
 * price list applies. `customerId` is the BigCommerce customer; `currentGroupId`, when known, spares the write for a
 * customer already there. Customers without a level are left alone; groups are created when missing.
 */
export async function assignPriceLevelGroups(
  request: RequestFunction,
  customers: ReadonlyArray<{ customerId: number; priceLevel: string | undefined; currentGroupId?: number }>,
  groups: LevelGroups = new Map(),
): Promise<{ customers: number; calls: number }> {
  const counter = counted(request);
  const memberships: Array<{ customerId: number; customerGroupId: number }> = [];
  for (const { customerId, priceLevel, currentGroupId } of customers) {
    const level = priceLevel?.trim();
    if (!level) continue;
    if (!groups.has(level)) groups.set(level, (await ensureCustomerGroup(counter.request, groupNameOf(level))).id);
    const customerGroupId = groups.get(level)!;
    if (customerGroupId !== currentGroupId) memberships.push({ customerId, customerGroupId });
  }
  const result = memberships.length > 0 ? await setCustomerGroups(counter.request, memberships) : { customers: 0 };
  return { customers: result.customers, calls: counter.calls() };
}

/** What the customer flow knows between orders: each level's group, and the group it last saw each customer in. */
export interface GroupMemory {
  groups: LevelGroups;
  customers: Map<number, number>;
}

export type GroupPlacement =
  | { outcome: 'moved' | 'unchanged'; level: string; customerGroupId: number; calls: number }
  | { outcome: 'skipped'; reason: 'no-level' | 'level-not-pushed' | 'not-in-store'; level?: string; calls: number }
  | { outcome: 'unavailable'; reason: string; calls: number };

/**
 * The customer flow's step, once per order: the buyer's BigCommerce customer into the group of its Sage price level.
 * A customer last seen in that group costs no call; otherwise one read of its group, and one write only when it
 * differs. Only the `levels` the push makes price lists of get a group (a group without its list would only take the
 * customer out of its own group). A 403 (a plan without customer groups, or an API account without the Customers
 * scope) is `unavailable`, not an error: the order goes on.
 */
export async function placeInLevelGroup(
  request: RequestFunction,
  customer: { customerId: number; priceLevel: string | undefined },
  levels: readonly string[],
  memory: GroupMemory,
): Promise<GroupPlacement> {
  const level = customer.priceLevel?.trim();
  if (!level) return { outcome: 'skipped', reason: 'no-level', calls: 0 };
  if (!levels.includes(level)) return { outcome: 'skipped', reason: 'level-not-pushed', level, calls: 0 };
  const known = memory.groups.get(level);
  if (known !== undefined && memory.customers.get(customer.customerId) === known) return { outcome: 'unchanged', level, customerGroupId: known, calls: 0 };
  const counter = counted(request);
  try {
    const current = await customerGroupOf(counter.request, customer.customerId);
    if (current === undefined) return { outcome: 'skipped', reason: 'not-in-store', level, calls: counter.calls() };
    const { customers } = await assignPriceLevelGroups(counter.request, [{ customerId: customer.customerId, priceLevel: level, currentGroupId: current }], memory.groups);
    const customerGroupId = memory.groups.get(level)!;
    memory.customers.set(customer.customerId, customerGroupId);
    return { outcome: customers > 0 ? 'moved' : 'unchanged', level, customerGroupId, calls: counter.calls() };
  } catch (err) {
    if (err instanceof HttpError && err.status === 403) return { outcome: 'unavailable', reason: serverMessage(err.body) ?? err.message, calls: counter.calls() };
    throw err;
  }
}
