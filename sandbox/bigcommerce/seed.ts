/**
 * Generated store data for the sandbox and the benchmarks: deterministic (seeded), cheap to build, and shaped
 * like a real catalog: most products simple, every `variantEvery`-th one with size variants.
 */
import type { ProductSeed } from './catalog';
import type { AddressInput, OrderInput } from './orders';
import { seededRandom } from '../../agent/src/emulator/random';
import type { SimulatedStore } from './store';

export interface CatalogSeedOptions {
  /** How many SKUs in all (simple products count one, each variant counts one). */
  skus: number;
  /** Every n-th product gets variants (S, M, L); 0 for none. Default 10. */
  variantEvery?: number;
  /** SKU prefix; SKUs are `${prefix}-000001` … Default `SKU`. */
  prefix?: string;
  /** Default 42. */
  seed?: number;
}

const SIZES = ['S', 'M', 'L'];

/** Product seeds adding up to `skus` SKUs. */
export function* catalogSeeds(options: CatalogSeedOptions): Generator<ProductSeed> {
  const random = seededRandom(options.seed ?? 42);
  const variantEvery = options.variantEvery ?? 10;
  const prefix = options.prefix ?? 'SKU';
  let made = 0;
  for (let n = 1; made < options.skus; n++) {
    const sku = `${prefix}-${String(n).padStart(6, '0')}`;
    const price = Math.round((5 + random() * 195) * 100) / 100;
    const withVariants = variantEvery > 0 && n % variantEvery === 0 && options.skus - made >= SIZES.length;
    if (withVariants) {
      yield {
        sku,
        name: `Product ${n}`,
        price,
        variants: SIZES.map((size) => ({ sku: `${sku}-${size}`, options: { Size: size }, inventory_level: Math.floor(random() * 100) })),
      };
      made += SIZES.length;
    } else {
      yield { sku, name: `Product ${n}`, price, inventory_level: Math.floor(random() * 100) };
      made++;
    }
  }
}

export function seedCatalog(store: SimulatedStore, options: CatalogSeedOptions): number {
  return store.addProducts(catalogSeeds(options));
}

export const SAMPLE_ADDRESS: Required<AddressInput> = {
  first_name: 'Jane',
  last_name: 'Doe',
  company: 'Acme Pty Ltd',
  street_1: '555 East Street',
  street_2: '',
  city: 'Austin',
  state: 'Texas',
  zip: '78751',
  country: 'United States',
  country_iso2: 'US',
  phone: '5125550100',
  email: 'jane.doe@example.com',
};

export interface OrderSeedOptions {
  count: number;
  /** SKUs to pick lines from; default every variant SKU in the store. */
  skus?: string[];
  /** Lines per order, 1 … maxLines. Default 3. */
  maxLines?: number;
  /** Orders are modified one `spacingMs` apart, ending at `endAt` (default the store's clock). Default 60,000. */
  spacingMs?: number;
  endAt?: number;
  /** Status of the orders; default 11 (Awaiting Fulfillment). */
  statusId?: number;
  seed?: number;
  /**
   * Mix in what real orders carry, deterministically by position: tax-inclusive prices (every 4th), a foreign
   * currency (every 6th, EUR at 0.92), a refunded unit (every 5th), gift wrapping with a message (every 7th), a
   * PO number form field and a customer message (every 3rd), a coupon (every 8th). Default off: plain orders.
   */
  variety?: boolean;
}

/** The realistic extras of the `i`-th seeded order (see `OrderSeedOptions.variety`). */
function varietyOf(i: number, input: OrderInput): OrderInput {
  const out: OrderInput = { ...input, products: input.products.map((p) => ({ ...p })) };
  const first = out.products[0]!;
  if (i % 4 === 0) {
    out.is_tax_inclusive_pricing = true;
    out.shipping_cost_inc_tax = 11;
    for (const line of out.products) {
      line.price_ex_tax = 10;
      line.price_inc_tax = 11;
    }
  }
  if (i % 6 === 0) Object.assign(out, { currency_code: 'EUR', default_currency_code: 'EUR', store_default_currency_code: 'USD', currency_exchange_rate: 0.92, store_default_to_transactional_exchange_rate: 0.92 });
  if (i % 5 === 0) Object.assign(first, { quantity_refunded: 1, refund_amount: first.price_inc_tax ?? 10, price_ex_tax: first.price_ex_tax ?? 10, price_inc_tax: first.price_inc_tax ?? 10 });
  if (i % 7 === 0) Object.assign(first, { wrapping_name: 'Gift wrap', wrapping_message: `Happy birthday #${i}`, wrapping_cost_ex_tax: 3, wrapping_cost_inc_tax: 3 });
  if (i % 3 === 0) {
    out.billing_address = { ...out.billing_address, form_fields: [{ name: 'PO Number', value: `PO-${1000 + i}` }] };
    out.customer_message = 'Please call before delivery';
  }
  if (i % 8 === 0) out.coupons = [{ code: 'WELCOME5', discount: 5, type: 2 }];
  return out;
}

/** Seeds orders silently (no webhooks, no stock change), oldest first; returns how many. */
export function seedOrders(store: SimulatedStore, options: OrderSeedOptions): number {
  const random = seededRandom(options.seed ?? 7);
  const skus = options.skus ?? [...store.catalog.variantBySku.keys()];
  if (skus.length === 0) throw new Error('seedOrders: the store has no SKUs; seed the catalog first');
  const maxLines = options.maxLines ?? 3;
  const spacing = options.spacingMs ?? 60_000;
  const end = options.endAt ?? store.now();
  for (let i = 0; i < options.count; i++) {
    const lines = 1 + Math.floor(random() * maxLines);
    const at = end - (options.count - 1 - i) * spacing;
    const input: OrderInput = {
      customer_id: i % 5 === 0 ? 0 : 1 + (i % 50),
      status_id: options.statusId ?? 11,
      date_created: at,
      date_modified: at,
      billing_address: { ...SAMPLE_ADDRESS, email: `customer${i % 50}@example.com` },
      products: Array.from({ length: lines }, () => ({ sku: skus[Math.floor(random() * skus.length)]!, quantity: 1 + Math.floor(random() * 4) })),
      shipping_cost_ex_tax: 10,
      payment_method: 'Credit Card',
    };
    store.addOrder(options.variety ? varietyOf(i, input) : input);
  }
  return options.count;
}
