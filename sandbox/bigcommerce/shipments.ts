/**
 * v2 order shipments (`orders.v2.oas2.yml` orderShipment): what a shipment holds, the checks BigCommerce makes
 * before accepting one (the address is the order's, each item is a product of the order shipping to that
 * address, and no more units than are left unshipped), and how it renders.
 */
import { rfc2822 } from './dates';
import { addressFields, money, OrderInputError, type OrderRecord } from './orders';

/** `shipping_provider_standard` in the file; `carrier_{id}` names a third-party shipping provider. */
export const STANDARD_PROVIDERS = ['auspost', 'canadapost', 'endicia', 'usps', 'fedex', 'ups', 'upsready', 'upsonline', 'shipperhq', 'royalmail', ''] as const;
const CUSTOM_PROVIDER = /^carrier_[A-Za-z0-9_-]+$/;

const PROVIDER_NAMES: Record<string, string> = {
  auspost: 'Australia Post',
  canadapost: 'Canada Post',
  endicia: 'Endicia',
  usps: 'USPS',
  fedex: 'FedEx',
  ups: 'UPS',
  upsready: 'UPS',
  upsonline: 'UPS',
  shipperhq: 'ShipperHQ',
  royalmail: 'Royal Mail',
};

export function isKnownProvider(provider: string): boolean {
  return (STANDARD_PROVIDERS as readonly string[]).includes(provider) || CUSTOM_PROVIDER.test(provider);
}

export interface ShipmentItem {
  orderProductId: number;
  productId: number;
  quantity: number;
}

export interface ShipmentRecord {
  id: number;
  orderId: number;
  orderAddressId: number;
  dateCreated: number;
  trackingNumber: string;
  trackingCarrier: string;
  trackingLink: string;
  shippingMethod: string;
  shippingProvider: string;
  merchantShippingCost: number;
  comments: string;
  items: ShipmentItem[];
}

export interface ShipmentInput {
  order_address_id: number;
  items: Array<{ order_product_id: number; quantity: number }>;
  tracking_number?: string;
  tracking_carrier?: string;
  tracking_link?: string;
  shipping_method?: string;
  shipping_provider?: string;
  merchant_shipping_cost?: string;
  comments?: string;
}

export type ShipmentChange = Partial<Omit<ShipmentInput, 'items'>>;

/**
 * The shipment's items, checked against the order: the address must be one of the order's, every item a
 * product of the order shipping to it, and quantities within what is left unshipped (an item named twice
 * counts once with both quantities). Throws OrderInputError naming the item.
 */
export function checkedItems(order: OrderRecord, input: ShipmentInput): ShipmentItem[] {
  if (!order.shipping.some((s) => s.id === input.order_address_id)) {
    throw new OrderInputError(`order_address_id: ${input.order_address_id} is not a shipping address of order ${order.id}`);
  }
  if (input.items.length === 0) throw new OrderInputError('items: a shipment needs at least one item');
  const wanted = new Map<number, number>();
  input.items.forEach((item, index) => {
    if (!Number.isInteger(item.quantity) || item.quantity < 1) throw new OrderInputError(`items.${index}.quantity: must be a whole number of at least 1`);
    wanted.set(item.order_product_id, (wanted.get(item.order_product_id) ?? 0) + item.quantity);
  });
  const items: ShipmentItem[] = [];
  for (const [orderProductId, quantity] of wanted) {
    const line = order.lines.find((l) => l.id === orderProductId);
    if (!line) throw new OrderInputError(`items: order product ${orderProductId} is not in order ${order.id}`);
    if (line.addressId !== input.order_address_id) {
      throw new OrderInputError(`items: order product ${orderProductId} ships to address ${line.addressId}, not ${input.order_address_id}`);
    }
    // Refunded units are never shipped (**UNCONFIRMED** that BigCommerce subtracts them; it keeps tests honest).
    const left = line.quantity - line.quantityRefunded - line.quantityShipped;
    if (quantity > left) {
      throw new OrderInputError(`items: order product ${orderProductId} has ${left} of ${line.quantity} left to ship; ${quantity} cannot be shipped`);
    }
    items.push({ orderProductId, productId: line.productId, quantity });
  }
  return items;
}

/** Every physical unit that was not refunded shipped: Shipped (2); some: Partially Shipped (3). */
export function shippedStatus(order: OrderRecord): 2 | 3 {
  const physical = order.lines.filter((l) => l.type === 'physical');
  return physical.every((l) => l.quantityShipped >= l.quantity - l.quantityRefunded) ? 2 : 3;
}

function generatedLink(shipment: ShipmentRecord): string {
  if (shipment.trackingLink || !shipment.trackingNumber) return '';
  const carrier = shipment.trackingCarrier || shipment.shippingProvider;
  return carrier ? `https://track.aftership.com/${encodeURIComponent(carrier)}/${encodeURIComponent(shipment.trackingNumber)}` : '';
}

export function renderShipment(order: OrderRecord, shipment: ShipmentRecord): Record<string, unknown> {
  const address = order.shipping.find((s) => s.id === shipment.orderAddressId) ?? order.shipping[0]!;
  return {
    id: shipment.id,
    order_id: order.id,
    customer_id: order.customerId,
    order_address_id: shipment.orderAddressId,
    date_created: rfc2822(shipment.dateCreated),
    tracking_number: shipment.trackingNumber,
    merchant_shipping_cost: money(shipment.merchantShippingCost),
    shipping_method: shipment.shippingMethod,
    comments: shipment.comments,
    shipping_provider: shipment.shippingProvider,
    tracking_carrier: shipment.trackingCarrier,
    tracking_link: shipment.trackingLink,
    billing_address: addressFields(order.billing),
    shipping_address: addressFields(address),
    items: shipment.items.map((i) => ({ order_product_id: i.orderProductId, product_id: i.productId, quantity: i.quantity })),
    shipping_provider_display_name: PROVIDER_NAMES[shipment.shippingProvider] ?? '',
    generated_tracking_link: generatedLink(shipment),
  };
}
