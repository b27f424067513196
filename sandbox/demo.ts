import type { BigCommerceSimulator, OrderInput } from './bigcommerce';
import { orderTotals } from './bigcommerce/orders';
import { seededRandom } from '../agent/src/emulator/random';
import type { Sage100Simulator } from './sage100';

/**
 * A believable wholesaler: a Sage 100 company with a few hundred items in two warehouses, the same items as
 * products in the BigCommerce store (with stock that has drifted, as it does before the integration), some
 * registered store customers, and a generator of web orders and of Sage stock/price changes.
 * Deterministic for a given seed, so tests and screenshots repeat.
 */

export const DEMO_WAREHOUSES = ['000', 'EST'] as const;

const FAMILIES = [
  { code: 'BOLT', name: 'Hex bolt', sizes: ['M6-20', 'M6-30', 'M8-25', 'M8-40', 'M10-50', 'M12-60'], price: 0.35 },
  { code: 'NUT', name: 'Hex nut', sizes: ['M6', 'M8', 'M10', 'M12'], price: 0.12 },
  { code: 'WASHER', name: 'Flat washer', sizes: ['M6', 'M8', 'M10', 'M12'], price: 0.08 },
  { code: 'CABLE', name: 'USB cable', sizes: ['C-1M', 'C-2M', 'A-1M', 'A-2M'], price: 6.95 },
  { code: 'GLOVE', name: 'Work gloves', sizes: ['S', 'M', 'L', 'XL'], price: 8.5 },
  { code: 'TAPE', name: 'Duct tape', sizes: ['48MM-50M', '72MM-50M'], price: 7.25 },
  { code: 'DRILL', name: 'HSS drill bit', sizes: ['3MM', '4MM', '5MM', '6MM', '8MM', '10MM'], price: 2.4 },
  { code: 'LAMP', name: 'LED work lamp', sizes: ['20W', '30W', '50W'], price: 39.0 },
  { code: 'PAINT', name: 'Spray paint', sizes: ['BLK', 'WHT', 'RED', 'BLU', 'GRN'], price: 5.6 },
  { code: 'SAFETY', name: 'Safety glasses', sizes: ['CLR', 'TINT'], price: 4.95 },
];

export const DEMO_ADDRESSES = [
  { street_1: '400 Broad St', city: 'Seattle', state: 'WA', zip: '98109' },
  { street_1: '350 Fifth Avenue', city: 'New York', state: 'NY', zip: '10118' },
  { street_1: '233 S Wacker Dr', city: 'Chicago', state: 'IL', zip: '60606' },
  { street_1: '1 Market St', city: 'San Francisco', state: 'CA', zip: '94105' },
  { street_1: '191 Peachtree St NE', city: 'Atlanta', state: 'GA', zip: '30303' },
  { street_1: '1100 Congress Ave', city: 'Austin', state: 'TX', zip: '78701' },
  { street_1: '1 Dock St', city: 'Philadelphia', state: 'PA', zip: '19106' },
  { street_1: '100 Cambridge St', city: 'Boston', state: 'MA', zip: '02114' },
];

const PEOPLE = [
  ['Ada', 'Lovelace'], ['Grace', 'Hopper'], ['Alan', 'Turing'], ['Katherine', 'Johnson'], ['Edsger', 'Dijkstra'],
  ['Barbara', 'Liskov'], ['Donald', 'Knuth'], ['Margaret', 'Hamilton'], ['Linus', 'Torvalds'], ['Frances', 'Allen'],
  ['Dennis', 'Ritchie'], ['Radia', 'Perlman'],
] as const;

const SHIPPING_METHODS = ['Flat Rate', 'Free Shipping', 'UPS Ground', 'FedEx 2Day'];

export interface DemoItem {
  itemCode: string;
  name: string;
  price: number;
}

export interface DemoWorld {
  items: DemoItem[];
  customerIds: number[];
  random: () => number;
}

/** Item codes like BOLT-M8-25-G2: families × sizes × grades until `count` items exist. */
function demoItems(count: number): DemoItem[] {
  const items: DemoItem[] = [];
  for (let grade = 1; items.length < count; grade++) {
    for (const family of FAMILIES) {
      for (const size of family.sizes) {
        if (items.length >= count) break;
        items.push({
          itemCode: `${family.code}-${size}-G${grade}`,
          name: `${family.name} ${size} grade ${grade}`.slice(0, 30),
          price: Math.round(family.price * (1 + grade / 10) * 100) / 100,
        });
      }
    }
  }
  return items;
}

export function seedDemoWorld(bc: BigCommerceSimulator, sage: Sage100Simulator, options: { items?: number; seed?: number } = {}): DemoWorld {
  const random = seededRandom(options.seed ?? 42);
  const items = demoItems(options.items ?? 300);
  const company = sage.company;
  for (const warehouse of DEMO_WAREHOUSES) company.addWarehouse(warehouse);
  company.addZipCodes(DEMO_ADDRESSES.map((a) => a.zip));
  for (const code of ['/FREIGHT', '/HANDLING', '/GIFTWRAP', '/DISCOUNT', '/GIFTCERT']) {
    company.addItem({ ItemCode: code, ItemCodeDesc: code.slice(1).toLowerCase(), ItemType: '5' });
  }
  company.createCustomer({ ARDivisionNo: '00', CustomerNo: 'WEBCASH', CustomerName: 'Web cash sales', ZipCode: '10118', CountryCode: 'USA' });
  for (const item of items) {
    const onHand = Math.floor(random() * 200);
    company.addItem({
      ItemCode: item.itemCode,
      ItemCodeDesc: item.name,
      StandardUnitPrice: item.price,
      SuggestedRetailPrice: Math.round(item.price * 1.2 * 100) / 100,
      warehouses: [
        { WarehouseCode: '000', QuantityOnHand: onHand, QuantityOnSalesOrder: Math.floor(random() * 5) },
        { WarehouseCode: 'EST', QuantityOnHand: Math.floor(random() * 50) },
      ],
    });
    // The store before the integration: a price typed in once and stock that drifted.
    bc.store.addProduct({ sku: item.itemCode, name: item.name, price: item.price, inventory_level: Math.floor(random() * 250) });
  }
  const customerIds = PEOPLE.slice(0, 8).map(([first, last], index) => {
    const address = DEMO_ADDRESSES[index % DEMO_ADDRESSES.length]!;
    return bc.store.addCustomer({
      email: `${first.toLowerCase()}.${last.toLowerCase()}@example.com`,
      first_name: first,
      last_name: last,
      company: `${last} Supply Co`,
      phone: `555-01${String(index).padStart(2, '0')}`,
      addresses: [{ first_name: first, last_name: last, address1: address.street_1, city: address.city, state_or_province: address.state, postal_code: address.zip, country_code: 'US' }],
    }).id;
  });
  return { items, customerIds, random };
}

export interface DemoOrder {
  customerId: number;
  billing: Record<string, string>;
  lines: Array<{ sku: string; quantity: number }>;
  coupon?: { code: string; discount: number };
  shippingMethod: string;
  shippingCost: number;
  message?: string;
}

/** A US billing address as a checkout sends it; registered buyers order for their company. */
export function demoBilling(
  first: string,
  last: string,
  address: (typeof DEMO_ADDRESSES)[number],
  contact: { guest: boolean; phone: string; email: string },
): Record<string, string> {
  return {
    first_name: first,
    last_name: last,
    company: contact.guest ? '' : `${last} Supply Co`,
    ...address,
    country: 'United States',
    country_iso2: 'US',
    phone: contact.phone,
    email: contact.email,
  };
}

/** One plausible web order: a guest now and then, one to four lines, sometimes a coupon or a note. */
export function nextDemoOrder(world: DemoWorld): DemoOrder {
  const { random } = world;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const guest = random() < 0.3;
  const [first, last] = pick(PEOPLE);
  const address = pick(DEMO_ADDRESSES);
  const customerId = guest ? 0 : pick(world.customerIds);
  const lineCount = 1 + Math.floor(random() * random() * 4);
  const skus = new Set<string>();
  while (skus.size < lineCount) skus.add(pick(world.items).itemCode);
  return {
    customerId,
    billing: demoBilling(first, last, address, { guest, phone: '555-0199', email: `${first.toLowerCase()}.${last.toLowerCase()}${guest ? '+guest' : ''}@example.com` }),
    lines: [...skus].map((sku) => ({ sku, quantity: 1 + Math.floor(random() * 6) })),
    coupon: random() < 0.2 ? { code: 'SPRING10', discount: 2.5 } : undefined,
    shippingMethod: pick(SHIPPING_METHODS),
    shippingCost: pick([0, 7.5, 12.95]),
    message: random() < 0.15 ? 'Please deliver to the loading dock at the back.' : undefined,
  };
}

/**
 * Places the order the way a shopper's checkout does: it takes stock, the card is charged for the total (a
 * captured `purchase`, as a real checkout with a capturing gateway records it) and store/order/created fires.
 * Without the payment every demo order would show in the reconciliation as "payment not captured".
 */
export function placeDemoOrder(bc: BigCommerceSimulator, order: DemoOrder): number {
  const placed = bc.store.placeOrder(demoOrderInput(order));
  bc.store.addTransaction(placed.id, { event: 'purchase', method: 'credit_card', amount: orderTotals(placed).totalInc, gateway: 'testgateway' });
  return placed.id;
}

/** The store's order input for a demo order: to place it, or to seed it as an order that already existed (`addOrder`). */
export function demoOrderInput(order: DemoOrder): OrderInput {
  return {
    customer_id: order.customerId,
    status_id: 11,
    billing_address: order.billing,
    shipping_addresses: [{ ...order.billing, shipping_method: order.shippingMethod, cost_ex_tax: order.shippingCost, cost_inc_tax: order.shippingCost }],
    products: order.lines,
    coupons: order.coupon ? [{ code: order.coupon.code, discount: order.coupon.discount, type: 2, amount: order.coupon.discount }] : undefined,
    shipping_cost_ex_tax: order.shippingCost,
    shipping_cost_inc_tax: order.shippingCost,
    customer_message: order.message,
    payment_method: 'Credit Card',
  };
}

/** A Sage user receiving goods or changing a price: returns what changed, for the log. */
export function changeSageItem(sage: Sage100Simulator, world: DemoWorld): string {
  const { random } = world;
  const item = world.items[Math.floor(random() * world.items.length)]!;
  if (random() < 0.7) {
    const onHand = Math.floor(random() * 300);
    sage.company.setStock(item.itemCode, '000', { QuantityOnHand: onHand });
    return `${item.itemCode}: on hand in 000 is now ${onHand}`;
  }
  item.price = Math.round(item.price * (0.9 + random() * 0.25) * 100) / 100;
  sage.company.updateItem(item.itemCode, { StandardUnitPrice: item.price });
  return `${item.itemCode}: price is now ${item.price.toFixed(2)}`;
}
