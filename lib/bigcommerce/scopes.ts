/**
 * The API account scopes the nodes need: the one list README, the example flow's comment and Test connection
 * state (a unit test holds the first two to it). Area names as BigCommerce's API account screen spells them.
 */
export interface ScopeNeed {
  area: string;
  level: 'read-only' | 'modify';
  usedBy: string;
  optional?: boolean;
}

export const NEEDED_SCOPES: readonly ScopeNeed[] = [
  { area: 'Orders', level: 'modify', usedBy: 'order fetch, backfill poll, refunds; the import marker (an order metafield); shipments (Fulfillment tab)' },
  { area: 'Order Transactions', level: 'read-only', usedBy: 'payments, reconciliation' },
  { area: 'Products', level: 'modify', usedBy: 'price push; price lists (price levels)' },
  { area: 'Store Inventory', level: 'modify', usedBy: 'stock push' },
  { area: 'Store Locations', level: 'read-only', usedBy: 'warehouses mapped to store locations', optional: true },
  { area: 'Customers', level: 'modify', usedBy: 'price levels: B2B customers into customer groups', optional: true },
  { area: 'Information & Settings', level: 'read-only', usedBy: 'the store name in Test connection', optional: true },
];

/** The list in one line, e.g. for Test connection: "Orders read-only, …, Information & Settings read-only (optional)". */
export function neededScopesText(): string {
  return NEEDED_SCOPES.map((need) => `${need.area} ${need.level}${need.optional ? ' (optional)' : ''}`).join(', ');
}
