/**
 * B2B pricing state: customer groups (v2), price lists with their records per variant and currency, and the
 * assignments of price lists to customer groups and channels (`price_lists.v3.yml`, `customers.v2.yml`).
 * Whether the store's plan offers these at all is `features`: off, their endpoints answer 403.
 */

export interface StoreFeatures {
  /** The plan includes Price Lists. */
  priceLists: boolean;
  /** The plan includes Customer Groups. */
  customerGroups: boolean;
}

export interface BulkTier {
  quantity_min: number;
  quantity_max?: number;
  type: 'fixed' | 'price' | 'percent';
  amount: number;
}

export interface PriceListRecord {
  id: number;
  name: string;
  active: boolean;
  dateCreated: number;
  dateModified: number;
}

export interface PriceRecord {
  priceListId: number;
  variantId: number;
  productId: number;
  sku: string;
  /** Upper-case ISO 4217. */
  currency: string;
  price: number;
  salePrice?: number;
  retailPrice?: number;
  mapPrice?: number;
  bulkTiers: BulkTier[];
  dateCreated: number;
  dateModified: number;
}

export interface AssignmentRecord {
  id: number;
  priceListId: number;
  customerGroupId?: number;
  channelId?: number;
}

export interface CustomerGroupRecord {
  id: number;
  name: string;
  isDefault: boolean;
  isGroupForGuests: boolean;
  categoryAccess: { type: 'all' | 'specific' | 'none'; categories?: number[] };
  dateCreated: number;
  dateModified: number;
}

export const recordKey = (variantId: number, currency: string): string => `${variantId}|${currency.toUpperCase()}`;

export class Pricing {
  readonly features: StoreFeatures = { priceLists: true, customerGroups: true };
  readonly priceLists = new Map<number, PriceListRecord>();
  /** price list id → `variantId|CUR` → record. */
  readonly records = new Map<number, Map<string, PriceRecord>>();
  readonly assignments = new Map<number, AssignmentRecord>();
  readonly customerGroups = new Map<number, CustomerGroupRecord>();
  /** Channels a price list can be assigned to; every store has channel 1 (its storefront). */
  readonly channels = new Set<number>([1]);
  private nextPriceListId = 1;
  private nextAssignmentId = 1;
  private nextGroupId = 1;

  constructor(private readonly now: () => number) {}

  priceListByName(name: string): PriceListRecord | undefined {
    return [...this.priceLists.values()].find((list) => list.name === name);
  }

  addPriceList(input: { name: string; active?: boolean }): PriceListRecord {
    const now = this.now();
    const list = { id: this.nextPriceListId++, name: input.name, active: input.active ?? true, dateCreated: now, dateModified: now };
    this.priceLists.set(list.id, list);
    this.records.set(list.id, new Map());
    return list;
  }

  deletePriceList(id: number): void {
    this.priceLists.delete(id);
    this.records.delete(id);
    for (const [assignmentId, assignment] of this.assignments) if (assignment.priceListId === id) this.assignments.delete(assignmentId);
  }

  recordsOf(priceListId: number): Map<string, PriceRecord> {
    return this.records.get(priceListId) ?? new Map();
  }

  groupByName(name: string): CustomerGroupRecord | undefined {
    return [...this.customerGroups.values()].find((group) => group.name === name);
  }

  addCustomerGroup(input: { name: string; is_default?: boolean; is_group_for_guests?: boolean; category_access?: CustomerGroupRecord['categoryAccess'] }): CustomerGroupRecord {
    const now = this.now();
    const group: CustomerGroupRecord = {
      id: this.nextGroupId++,
      name: input.name,
      isDefault: input.is_default ?? false,
      isGroupForGuests: input.is_group_for_guests ?? false,
      categoryAccess: input.category_access ?? { type: 'all' },
      dateCreated: now,
      dateModified: now,
    };
    this.customerGroups.set(group.id, group);
    return group;
  }

  deleteCustomerGroup(id: number): void {
    this.customerGroups.delete(id);
    for (const [assignmentId, assignment] of this.assignments) if (assignment.customerGroupId === id) this.assignments.delete(assignmentId);
  }

  /** The assignment of a customer group + channel (either may be absent), if any: there is at most one. */
  assignmentFor(customerGroupId: number | undefined, channelId: number | undefined): AssignmentRecord | undefined {
    return [...this.assignments.values()].find((a) => a.customerGroupId === customerGroupId && a.channelId === channelId);
  }

  /** Assigns the price list to a customer group + channel, replacing the list that had it before. */
  upsertAssignment(priceListId: number, customerGroupId: number | undefined, channelId: number | undefined): AssignmentRecord {
    const existing = this.assignmentFor(customerGroupId, channelId);
    if (existing) {
      existing.priceListId = priceListId;
      return existing;
    }
    const assignment = { id: this.nextAssignmentId++, priceListId, customerGroupId, channelId };
    this.assignments.set(assignment.id, assignment);
    return assignment;
  }

  /** The price list assigned to a customer group (on any channel), as the group's `discount_rules` show it. */
  priceListOfGroup(customerGroupId: number): number | undefined {
    return [...this.assignments.values()].find((a) => a.customerGroupId === customerGroupId)?.priceListId;
  }
}
