/**
 * Catalog and inventory state: products, their variants (every product has at least its base variant, as in
 * BigCommerce), and stock per (variant, location). Records hold only what the simulator serves; everything
 * else is rendered from defaults, which keeps 50,000 SKUs within a few tens of megabytes.
 */

export type InventoryTracking = 'none' | 'product' | 'variant';

export interface ProductRecord {
  id: number;
  name: string;
  sku: string;
  type: 'physical' | 'digital';
  price: number;
  salePrice: number;
  retailPrice: number;
  costPrice: number;
  mapPrice: number;
  weight: number;
  inventoryTracking: InventoryTracking;
  inventoryWarningLevel: number;
  isVisible: boolean;
  dateCreated: number;
  dateModified: number;
  /** 0 for a product with options, which has no base variant (the API shows null). */
  baseVariantId: number;
  variantIds: number[];
}

export interface OptionValue {
  id: number;
  label: string;
  option_id: number;
  option_display_name: string;
}

export interface VariantRecord {
  id: number;
  productId: number;
  sku: string;
  skuId: number;
  /** null inherits the product's value, as in BigCommerce. */
  price: number | null;
  salePrice: number | null;
  retailPrice: number | null;
  costPrice: number | null;
  mapPrice: number | null;
  weight: number | null;
  upc: string;
  purchasingDisabled: boolean;
  inventoryWarningLevel: number;
  optionValues: OptionValue[];
}

export interface LocationAddress {
  address1: string;
  address2?: string;
  city: string;
  state: string;
  zip: string;
  email: string;
  phone?: string;
  geo_coordinates: { latitude: number; longitude: number };
  country_code: string;
}

export interface LocationRecord {
  id: number;
  code: string;
  label: string;
  enabled: boolean;
  description?: string;
  typeId?: 'PHYSICAL' | 'VIRTUAL';
  managedByExternalSource?: boolean;
  storefrontVisibility?: boolean;
  timeZone?: string;
  address?: LocationAddress;
  createdAt?: number;
  updatedAt?: number;
}

export type LocationSeed = Partial<Omit<LocationRecord, 'id'>> & { id?: number };

/** Seeding input for one product; every field but `name`/`sku` has a default. */
export interface ProductSeed {
  id?: number;
  name?: string;
  sku: string;
  type?: 'physical' | 'digital';
  price?: number;
  sale_price?: number;
  retail_price?: number;
  cost_price?: number;
  map_price?: number;
  weight?: number;
  /** Defaults to `variant` when variants are given, else `product`. */
  inventory_tracking?: InventoryTracking;
  inventory_warning_level?: number;
  is_visible?: boolean;
  /** Stock of a product without variants (product-tracked), at location 1. */
  inventory_level?: number;
  /** Stock per location id for a product without variants. */
  inventory_by_location?: Record<number, number>;
  variants?: VariantSeed[];
  date_modified?: number;
}

export interface VariantSeed {
  id?: number;
  sku: string;
  price?: number | null;
  sale_price?: number | null;
  retail_price?: number | null;
  cost_price?: number | null;
  weight?: number | null;
  upc?: string;
  purchasing_disabled?: boolean;
  /** e.g. `{ Size: 'L', Colour: 'Red' }` */
  options?: Record<string, string>;
  inventory_level?: number;
  inventory_by_location?: Record<number, number>;
}

export const DEFAULT_LOCATION_ID = 1;
export const MAX_INVENTORY_LEVEL = 2_147_483_647;

export class Catalog {
  readonly products = new Map<number, ProductRecord>();
  readonly variants = new Map<number, VariantRecord>();
  /** Variant SKU (and a product's base SKU, which is its base variant's SKU) → variant id. */
  readonly variantBySku = new Map<string, number>();
  readonly productBySku = new Map<string, number>();
  readonly locations = new Map<number, LocationRecord>([[DEFAULT_LOCATION_ID, { id: 1, code: 'BC-LOCATION-1', label: 'Default location', enabled: true }]]);
  /**
   * location id → stock key → units on hand. The stock key is the variant id for variant-tracked products and
   * the negated product id for product-tracked ones, whose variants share the product's stock.
   */
  private readonly levels = new Map<number, Map<number, number>>([[DEFAULT_LOCATION_ID, new Map()]]);
  private readonly optionIds = new Map<string, number>();
  private readonly optionValueIds = new Map<string, number>();
  private nextProductId = 1;
  private nextVariantId = 1;
  private nextSkuId = 1;

  constructor(private readonly now: () => number) {}

  addLocation(location: LocationSeed): LocationRecord {
    const id = location.id ?? Math.max(...this.locations.keys()) + 1;
    const now = this.now();
    const record: LocationRecord = { createdAt: now, updatedAt: now, ...location, id, code: location.code ?? `LOCATION-${id}`, label: location.label ?? `Location ${id}`, enabled: location.enabled ?? true };
    this.locations.set(id, record);
    if (!this.levels.has(id)) this.levels.set(id, new Map());
    return record;
  }

  addProduct(seed: ProductSeed): ProductRecord {
    const id = seed.id ?? this.nextProductId;
    if (this.products.has(id)) throw new Error(`product ${id} already exists`);
    if (this.productBySku.has(seed.sku) || this.variantBySku.has(seed.sku)) throw new Error(`SKU ${seed.sku} already exists`);
    this.nextProductId = Math.max(this.nextProductId, id + 1);
    const now = seed.date_modified ?? this.now();
    const hasVariants = (seed.variants?.length ?? 0) > 0;
    const product: ProductRecord = {
      id,
      name: seed.name ?? seed.sku,
      sku: seed.sku,
      type: seed.type ?? 'physical',
      price: seed.price ?? 0,
      salePrice: seed.sale_price ?? 0,
      retailPrice: seed.retail_price ?? 0,
      costPrice: seed.cost_price ?? 0,
      mapPrice: seed.map_price ?? 0,
      weight: seed.weight ?? 0,
      inventoryTracking: seed.inventory_tracking ?? (hasVariants ? 'variant' : 'product'),
      inventoryWarningLevel: seed.inventory_warning_level ?? 0,
      isVisible: seed.is_visible ?? true,
      dateCreated: now,
      dateModified: now,
      baseVariantId: 0,
      variantIds: [],
    };
    this.products.set(id, product);
    this.productBySku.set(product.sku, id);
    if (hasVariants) {
      // A product with options ("complex") has one variant per combination and no base variant.
      for (const variantSeed of seed.variants!) this.createVariant(product, variantSeed);
    } else {
      // A simple product has one base variant carrying the product's SKU and stock.
      const base = this.createVariant(product, { sku: seed.sku });
      product.baseVariantId = base.id;
    }
    if (product.inventoryTracking !== 'variant') this.seedLevels(-product.id, seed);
    return product;
  }

  private createVariant(product: ProductRecord, seed: VariantSeed): VariantRecord {
    const id = seed.id ?? this.nextVariantId;
    if (this.variants.has(id)) throw new Error(`variant ${id} already exists`);
    if (seed.sku !== product.sku && (this.variantBySku.has(seed.sku) || this.productBySku.has(seed.sku))) {
      throw new Error(`SKU ${seed.sku} already exists`);
    }
    this.nextVariantId = Math.max(this.nextVariantId, id + 1);
    const variant: VariantRecord = {
      id,
      productId: product.id,
      sku: seed.sku,
      skuId: this.nextSkuId++,
      price: seed.price ?? null,
      salePrice: seed.sale_price ?? null,
      retailPrice: seed.retail_price ?? null,
      costPrice: seed.cost_price ?? null,
      mapPrice: null,
      weight: seed.weight ?? null,
      upc: seed.upc ?? '',
      purchasingDisabled: seed.purchasing_disabled ?? false,
      inventoryWarningLevel: 0,
      optionValues: Object.entries(seed.options ?? {}).map(([name, label]) => this.optionValue(name, label)),
    };
    this.variants.set(id, variant);
    this.variantBySku.set(variant.sku, id);
    product.variantIds.push(id);
    if (product.inventoryTracking === 'variant') this.seedLevels(id, seed);
    return variant;
  }

  private seedLevels(stockKey: number, seed: { inventory_level?: number; inventory_by_location?: Record<number, number> }): void {
    const byLocation = { ...seed.inventory_by_location };
    if (seed.inventory_level !== undefined) byLocation[DEFAULT_LOCATION_ID] = seed.inventory_level;
    for (const [location, level] of Object.entries(byLocation)) this.setLevel(Number(location), stockKey, level);
  }

  private optionValue(name: string, label: string): OptionValue {
    let optionId = this.optionIds.get(name);
    if (optionId === undefined) {
      optionId = this.optionIds.size + 1;
      this.optionIds.set(name, optionId);
    }
    const key = `${name}\u0000${label}`;
    let valueId = this.optionValueIds.get(key);
    if (valueId === undefined) {
      valueId = this.optionValueIds.size + 1;
      this.optionValueIds.set(key, valueId);
    }
    return { id: valueId, label, option_id: optionId, option_display_name: name };
  }

  stockKey(variant: VariantRecord): number {
    return this.products.get(variant.productId)?.inventoryTracking === 'variant' ? variant.id : -variant.productId;
  }

  /** Deletes a location and the stock it held, as BigCommerce does. */
  removeLocation(id: number): void {
    this.locations.delete(id);
    this.levels.delete(id);
  }

  /** Whether the location holds a level (possibly 0) for this stock key. */
  holds(locationId: number, stockKey: number): boolean {
    return locationId === DEFAULT_LOCATION_ID || (this.levels.get(locationId)?.has(stockKey) ?? false);
  }

  level(locationId: number, stockKey: number): number {
    return this.levels.get(locationId)?.get(stockKey) ?? 0;
  }

  setLevel(locationId: number, stockKey: number, level: number): void {
    let byKey = this.levels.get(locationId);
    if (!byKey) {
      this.addLocation({ id: locationId });
      byKey = this.levels.get(locationId)!;
    }
    byKey.set(stockKey, level);
  }

  variantLevel(locationId: number, variant: VariantRecord): number {
    return this.level(locationId, this.stockKey(variant));
  }

  /** Locations holding a level for this stock key, location 1 always included. */
  locationsOf(stockKey: number): LocationRecord[] {
    const out: LocationRecord[] = [];
    for (const location of this.locations.values()) {
      if (location.id === DEFAULT_LOCATION_ID || this.levels.get(location.id)?.has(stockKey)) out.push(location);
    }
    return out;
  }

  /** The product's `inventory_level`: the default location only, summed over variants when tracked by variant. */
  productLevel(product: ProductRecord): number {
    if (product.inventoryTracking === 'none') return 0;
    if (product.inventoryTracking === 'product') return this.level(DEFAULT_LOCATION_ID, -product.id);
    return product.variantIds.reduce((sum, id) => sum + this.level(DEFAULT_LOCATION_ID, id), 0);
  }

  touchProduct(productId: number): void {
    const product = this.products.get(productId);
    if (product) product.dateModified = this.now();
  }

  effectivePrice(variant: VariantRecord, product: ProductRecord): number {
    return variant.price ?? product.price;
  }

  /** `calculated_price`: the sale price when set, else the price. */
  calculatedPrice(variant: VariantRecord, product: ProductRecord): number {
    const sale = variant.salePrice ?? product.salePrice;
    return sale > 0 ? sale : this.effectivePrice(variant, product);
  }
}
