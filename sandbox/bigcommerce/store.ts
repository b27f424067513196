/**
 * The store held in memory: catalog and stock, orders, customers, payments, hooks. Seeding methods take plain
 * inputs with defaults; mutations that BigCommerce announces by webhook emit a store event, which the server
 * hands to the webhook sender.
 */
import { Catalog, DEFAULT_LOCATION_ID, type ProductRecord, type ProductSeed, type VariantRecord } from './catalog';
import { Pricing } from './pricing';
import { buildOrder, OrderInputError, orderTotals, toSecond, type OrderInput, type OrderRecord } from './orders';
import { checkedItems, shippedStatus, type ShipmentChange, type ShipmentInput, type ShipmentRecord } from './shipments';

/**
 * Refunded (4), Cancelled (5) and Declined (6) give a placed order's units back to stock, once, as BigCommerce does
 * for an order whose items it deducted. The API reference (our bigcommerce-api.md and the orders and webhooks
 * OpenAPI files) documents neither this nor whether an order moved back to an active status takes the units again,
 * so the simulator does not take them again: a later cancel of that order gives nothing back a second time.
 */
const STATUSES_GIVING_STOCK_BACK: ReadonlySet<number> = new Set([4, 5, 6]);

export interface StoreEvent {
  scope: string;
  data: Record<string, unknown>;
}

export interface CustomerAddressInput {
  first_name: string;
  last_name: string;
  company?: string;
  address1: string;
  address2?: string;
  city: string;
  state_or_province?: string;
  postal_code?: string;
  country_code: string;
  country?: string;
  phone?: string;
  address_type?: 'residential' | 'commercial';
}

export interface CustomerInput {
  id?: number;
  email: string;
  first_name: string;
  last_name: string;
  company?: string;
  phone?: string;
  notes?: string;
  customer_group_id?: number;
  addresses?: CustomerAddressInput[];
}

export interface CustomerRecord {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  company: string;
  phone: string;
  notes: string;
  customerGroupId: number;
  dateCreated: number;
  dateModified: number;
  addresses: Array<CustomerAddressInput & { id: number }>;
}

export interface TransactionInput {
  event?: 'purchase' | 'authorization' | 'capture' | 'refund' | 'void' | 'pending' | 'settled';
  method?: 'credit_card' | 'electronic_wallet' | 'gift_certificate' | 'store_credit' | 'custom' | 'offsite' | 'offline' | 'token';
  amount: number;
  currency?: string;
  gateway?: string;
  gateway_transaction_id?: string;
  status?: 'ok' | 'error';
  test?: boolean;
  date_created?: number;
  credit_card?: { card_type: string; card_iin?: string; card_last4: string; card_expiry_month: number; card_expiry_year: number };
}

export interface TransactionRecord extends Required<Omit<TransactionInput, 'credit_card' | 'date_created'>> {
  id: number;
  orderId: number;
  dateCreated: number;
  creditCard?: TransactionInput['credit_card'];
}

export interface RefundItemInput {
  item_type: 'PRODUCT' | 'GIFT_WRAPPING' | 'SHIPPING' | 'HANDLING' | 'ORDER' | 'FEE';
  item_id: number;
  quantity?: number;
  requested_amount?: number;
  reason?: string;
}

export interface RefundInput {
  reason?: string;
  total_amount: number;
  total_tax?: number;
  items?: RefundItemInput[];
  payments?: Array<{ provider_id: string; amount: number; offline?: boolean; transaction_id?: string }>;
  created?: number;
}

export interface RefundRecord {
  id: number;
  orderId: number;
  created: number;
  reason: string;
  totalAmount: number;
  totalTax: number;
  items: RefundItemInput[];
  payments: Array<{ id: number; provider_id: string; amount: number; offline: boolean; transaction_id: string }>;
}

export interface HookRecord {
  id: number;
  clientId: string;
  scope: string;
  destination: string;
  headers: Record<string, string> | null;
  isActive: boolean;
  /** Deactivated by the sender after deliveries kept failing (is_active is then false too). */
  deactivated: boolean;
  createdAt: number;
  updatedAt: number;
}

export type MetafieldPermission = 'app_only' | 'read' | 'write' | 'read_and_sf_access' | 'write_and_sf_access';

export interface MetafieldInput {
  namespace: string;
  key: string;
  value: string;
  permission_set: MetafieldPermission;
  description?: string;
}

/** An order metafield (`orders.v3.yml` Metafield); unique per owner client id + namespace + key + order. */
export interface MetafieldRecord {
  id: number;
  orderId: number;
  ownerClientId: string;
  namespace: string;
  key: string;
  value: string;
  permissionSet: MetafieldPermission;
  description: string;
  dateCreated: number;
  dateModified: number;
}

export class SimulatedStore {
  readonly catalog: Catalog;
  /** Customer groups, price lists and their assignments, and which of them the plan offers. */
  readonly pricing: Pricing;
  readonly orders = new Map<number, OrderRecord>();
  readonly customers = new Map<number, CustomerRecord>();
  readonly transactions = new Map<number, TransactionRecord[]>();
  readonly refunds: RefundRecord[] = [];
  readonly hooks = new Map<number, HookRecord>();
  readonly orderMetafields = new Map<number, MetafieldRecord>();
  /** Shipment id → shipment; each names its order. */
  readonly shipments = new Map<number, ShipmentRecord>();
  hookAdminEmails: string[] = [];
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private nextOrderId = 100;
  private nextLineId = 1;
  private nextAddressId = 1;
  private nextCouponId = 1;
  private nextCustomerId = 1;
  private nextCustomerAddressId = 1;
  private nextTransactionId = 1;
  private nextRefundId = 1;
  private nextRefundPaymentId = 1;
  private nextHookId = 1;
  private nextMetafieldId = 1;
  private nextShipmentId = 1;
  private readonly ids = {
    nextLineId: () => this.nextLineId++,
    nextAddressId: () => this.nextAddressId++,
    nextCouponId: () => this.nextCouponId++,
  };

  constructor(
    readonly storeHash: string,
    readonly now: () => number,
  ) {
    this.catalog = new Catalog(now);
    this.pricing = new Pricing(now);
  }

  /** Store events (order created, status changed, stock changed …); returns the unsubscribe function. */
  onEvent(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(scope: string, data: Record<string, unknown>): void {
    for (const listener of this.listeners) listener({ scope, data });
  }

  // ---- catalog -------------------------------------------------------------------------------------------

  addProduct(seed: ProductSeed): ProductRecord {
    return this.catalog.addProduct(seed);
  }

  addProducts(seeds: Iterable<ProductSeed>): number {
    let count = 0;
    for (const seed of seeds) {
      this.catalog.addProduct(seed);
      count++;
    }
    return count;
  }

  product(id: number): ProductRecord | undefined {
    return this.catalog.products.get(id);
  }

  variantBySku(sku: string): VariantRecord | undefined {
    const id = this.catalog.variantBySku.get(sku);
    return id === undefined ? undefined : this.catalog.variants.get(id);
  }

  /** Units on hand of the item with this SKU at a location (default 1). */
  stockOf(sku: string, locationId = 1): number | undefined {
    const variant = this.variantBySku(sku);
    return variant ? this.catalog.variantLevel(locationId, variant) : undefined;
  }

  /** The price a shopper pays for this SKU (`calculated_price` of the variant). */
  priceOf(sku: string): number | undefined {
    const variant = this.variantBySku(sku);
    const product = variant && this.catalog.products.get(variant.productId);
    return variant && product ? this.catalog.calculatedPrice(variant, product) : undefined;
  }

  /**
   * Sets the units on hand of a stock key (see `Catalog.stockKey`) and fires the inventory webhook of its kind
   * (`store/sku/inventory/updated` for variant-tracked stock, `store/product/inventory/updated` otherwise).
   */
  setStock(locationId: number, stockKey: number, level: number, method: 'absolute' | 'relative'): void {
    this.changeStock(locationId, stockKey, level, method, 'inventory/updated');
  }

  private changeStock(locationId: number, stockKey: number, level: number, method: 'absolute' | 'relative', scopeSuffix: string): void {
    const before = this.catalog.level(locationId, stockKey);
    this.catalog.setLevel(locationId, stockKey, level);
    if (before === level) return;
    const value = level - before;
    if (stockKey < 0) {
      const productId = -stockKey;
      this.catalog.touchProduct(productId);
      this.emit(`store/product/${scopeSuffix}`, { type: 'product', id: productId, inventory: { product_id: productId, method, value } });
      return;
    }
    const variant = this.catalog.variants.get(stockKey);
    if (!variant) return;
    this.catalog.touchProduct(variant.productId);
    this.emit(`store/sku/${scopeSuffix}`, { type: 'sku', id: variant.skuId, inventory: { product_id: variant.productId, method, value, variant_id: variant.id } });
  }

  // ---- orders --------------------------------------------------------------------------------------------

  /** Seeds an order silently (no webhook), as if it existed before the test. */
  addOrder(input: OrderInput): OrderRecord {
    const id = input.id ?? this.nextOrderId;
    if (this.orders.has(id)) throw new OrderInputError(`order ${id} already exists`);
    const order = buildOrder(id, input, this.catalog, this.ids, this.now());
    this.nextOrderId = Math.max(this.nextOrderId, id + 1);
    this.orders.set(id, order);
    return order;
  }

  /** A new order as a checkout or `POST /v2/orders` creates it: stock is taken and `store/order/created` fires. */
  placeOrder(input: OrderInput): OrderRecord {
    const order = this.addOrder({ ...input, date_created: input.date_created ?? this.now(), date_modified: undefined });
    this.moveOrderStock(order, -1);
    order.stockTaken = true;
    this.emit('store/order/created', { type: 'order', id: order.id });
    return order;
  }

  /** Takes (`-1`) or gives back (`+1`) the units of the order's inventory-tracked lines at the default location. */
  private moveOrderStock(order: OrderRecord, sign: 1 | -1): void {
    for (const line of order.lines) {
      const variant = this.catalog.variants.get(line.variantId);
      const product = variant && this.catalog.products.get(variant.productId);
      if (!variant || !product || product.inventoryTracking === 'none') continue;
      const key = this.catalog.stockKey(variant);
      this.changeStock(DEFAULT_LOCATION_ID, key, this.catalog.level(DEFAULT_LOCATION_ID, key) + sign * line.quantity, 'relative', 'inventory/order/updated');
    }
  }

  /** Changes an order's status the way the control panel does; fires `updated` and `statusUpdated`. */
  setOrderStatus(orderId: number, statusId: number): OrderRecord {
    const order = this.requireOrder(orderId);
    const previous = order.statusId;
    order.statusId = statusId;
    this.touchOrder(order);
    this.emit('store/order/updated', { type: 'order', id: order.id });
    if (previous !== statusId) {
      this.emit('store/order/statusUpdated', { type: 'order', id: order.id, status: { previous_status_id: previous, new_status_id: statusId } });
    }
    if (order.stockTaken && STATUSES_GIVING_STOCK_BACK.has(statusId)) {
      this.moveOrderStock(order, 1);
      order.stockTaken = false;
    }
    return order;
  }

  /** Applies a change to an order (e.g. staff notes) and fires `store/order/updated`. */
  updateOrder(orderId: number, change: (order: OrderRecord) => void): OrderRecord {
    const order = this.requireOrder(orderId);
    change(order);
    this.touchOrder(order);
    this.emit('store/order/updated', { type: 'order', id: order.id });
    return order;
  }

  /** Archives (soft-deletes) an order; archived orders drop out of lists, as with `DELETE /v2/orders/{id}`. */
  archiveOrder(orderId: number): void {
    const order = this.requireOrder(orderId);
    order.isDeleted = true;
    this.touchOrder(order);
    this.emit('store/order/archived', { type: 'order', id: order.id });
  }

  private touchOrder(order: OrderRecord): void {
    // Modification times only move forward, even when two changes land within the same second.
    order.dateModified = Math.max(order.dateModified, toSecond(this.now()));
  }

  private requireOrder(orderId: number): OrderRecord {
    const order = this.orders.get(orderId);
    if (!order) throw new OrderInputError(`order ${orderId} does not exist`);
    return order;
  }

  // ---- customers -----------------------------------------------------------------------------------------

  /** Seeds a customer; with `notify` (as `POST /v3/customers` does) `store/customer/created` fires. */
  addCustomer(input: CustomerInput, options: { notify?: boolean } = {}): CustomerRecord {
    const id = input.id ?? this.nextCustomerId;
    if (this.customers.has(id)) throw new Error(`customer ${id} already exists`);
    this.nextCustomerId = Math.max(this.nextCustomerId, id + 1);
    const now = this.now();
    const customer: CustomerRecord = {
      id,
      email: input.email,
      firstName: input.first_name,
      lastName: input.last_name,
      company: input.company ?? '',
      phone: input.phone ?? '',
      notes: input.notes ?? '',
      customerGroupId: input.customer_group_id ?? 0,
      dateCreated: now,
      dateModified: now,
      addresses: (input.addresses ?? []).map((a) => ({ ...a, id: this.nextCustomerAddressId++ })),
    };
    this.customers.set(id, customer);
    if (options.notify) this.emit('store/customer/created', { type: 'customer', id });
    return customer;
  }

  // ---- payments ------------------------------------------------------------------------------------------

  addTransaction(orderId: number, input: TransactionInput): TransactionRecord {
    this.requireOrder(orderId);
    const record: TransactionRecord = {
      id: this.nextTransactionId++,
      orderId,
      event: input.event ?? 'purchase',
      method: input.method ?? 'credit_card',
      amount: input.amount,
      currency: input.currency ?? 'USD',
      gateway: input.gateway ?? 'testgateway',
      gateway_transaction_id: input.gateway_transaction_id ?? `gw-${orderId}-${this.nextTransactionId}`,
      status: input.status ?? 'ok',
      test: input.test ?? true,
      dateCreated: input.date_created ?? this.now(),
      creditCard: input.credit_card,
    };
    const list = this.transactions.get(orderId) ?? [];
    list.push(record);
    this.transactions.set(orderId, list);
    return record;
  }

  /**
   * Records a refund on an order, raises its refunded amount (and, for `PRODUCT` items, the line's
   * `quantity_refunded` and `refund_amount`) and fires `store/order/refund/created`. With `updateStatus`, as a
   * refund in the control panel does, the order then moves to Refunded (4) or Partially Refunded (14).
   */
  addRefund(orderId: number, input: RefundInput, options: { updateStatus?: boolean } = {}): RefundRecord {
    const order = this.requireOrder(orderId);
    const refundedLines = (input.items ?? []).filter((item) => item.item_type === 'PRODUCT');
    for (const [index, item] of refundedLines.entries()) {
      const line = order.lines.find((l) => l.id === item.item_id);
      if (!line) throw new OrderInputError(`items.${index}.item_id: order product ${item.item_id} is not in order ${orderId}`);
      const quantity = item.quantity ?? line.quantity - line.quantityRefunded;
      if (quantity < 0 || line.quantityRefunded + quantity > line.quantity) {
        throw new OrderInputError(`items.${index}.quantity: order product ${item.item_id} has ${line.quantity - line.quantityRefunded} units left to refund`);
      }
    }
    for (const item of refundedLines) {
      const line = order.lines.find((l) => l.id === item.item_id)!;
      const quantity = item.quantity ?? line.quantity - line.quantityRefunded;
      line.quantityRefunded += quantity;
      line.refundAmount += item.requested_amount ?? quantity * line.priceIncTax;
      line.isRefunded = line.quantityRefunded === line.quantity;
    }
    const record: RefundRecord = {
      id: this.nextRefundId++,
      orderId,
      created: input.created ?? this.now(),
      reason: input.reason ?? '',
      totalAmount: input.total_amount,
      totalTax: input.total_tax ?? 0,
      items: input.items ?? [{ item_type: 'ORDER', item_id: orderId, requested_amount: input.total_amount }],
      payments: (input.payments ?? [{ provider_id: 'testgateway', amount: input.total_amount }]).map((p) => ({
        id: this.nextRefundPaymentId++,
        provider_id: p.provider_id,
        amount: p.amount,
        offline: p.offline ?? false,
        transaction_id: p.transaction_id ?? '',
      })),
    };
    this.refunds.push(record);
    order.refundedAmount += input.total_amount;
    this.touchOrder(order);
    this.emit('store/order/refund/created', { type: 'order', id: orderId, refund: { refund_id: record.id } });
    if (options.updateStatus) {
      const fully = order.refundedAmount >= orderTotals(order).totalInc - 0.00005;
      const status = fully ? 4 : 14;
      if (status !== order.statusId) this.setOrderStatus(orderId, status);
    }
    return record;
  }

  // ---- shipments -----------------------------------------------------------------------------------------

  /** The order's shipments, oldest first. */
  shipmentsOf(orderId: number): ShipmentRecord[] {
    return [...this.shipments.values()].filter((s) => s.orderId === orderId);
  }

  /**
   * Ships items of an order as the control panel's Ship Items does: checks the address and the quantities
   * left, counts the units as shipped, moves the order to Partially Shipped (3) or Shipped (2) and fires
   * `store/shipment/created` plus the order's `updated` / `statusUpdated`.
   */
  createShipment(orderId: number, input: ShipmentInput): ShipmentRecord {
    const order = this.requireOrder(orderId);
    const items = checkedItems(order, input);
    const shipment: ShipmentRecord = {
      id: this.nextShipmentId++,
      orderId,
      orderAddressId: input.order_address_id,
      dateCreated: toSecond(this.now()),
      trackingNumber: input.tracking_number ?? '',
      trackingCarrier: input.tracking_carrier ?? '',
      trackingLink: input.tracking_link ?? '',
      shippingMethod: input.shipping_method ?? '',
      shippingProvider: input.shipping_provider ?? '',
      merchantShippingCost: Number(input.merchant_shipping_cost ?? 0),
      comments: input.comments ?? '',
      items,
    };
    for (const item of items) order.lines.find((l) => l.id === item.orderProductId)!.quantityShipped += item.quantity;
    this.shipments.set(shipment.id, shipment);
    this.emit('store/shipment/created', { type: 'shipment', id: shipment.id, orderId });
    const status = shippedStatus(order);
    if (status === 2) order.dateShipped = toSecond(this.now());
    if (status !== order.statusId) this.setOrderStatus(orderId, status);
    else this.updateOrder(orderId, () => undefined);
    return shipment;
  }

  /** Changes tracking details of a shipment (items stay); fires `store/shipment/updated`. */
  updateShipment(shipment: ShipmentRecord, change: ShipmentChange): void {
    const order = this.requireOrder(shipment.orderId);
    if (change.order_address_id !== undefined && !order.shipping.some((s) => s.id === change.order_address_id)) {
      throw new OrderInputError(`order_address_id: ${change.order_address_id} is not a shipping address of order ${order.id}`);
    }
    if (change.order_address_id !== undefined) shipment.orderAddressId = change.order_address_id;
    if (change.tracking_number !== undefined) shipment.trackingNumber = change.tracking_number;
    if (change.tracking_carrier !== undefined) shipment.trackingCarrier = change.tracking_carrier;
    if (change.tracking_link !== undefined) shipment.trackingLink = change.tracking_link;
    if (change.shipping_method !== undefined) shipment.shippingMethod = change.shipping_method;
    if (change.shipping_provider !== undefined) shipment.shippingProvider = change.shipping_provider;
    if (change.merchant_shipping_cost !== undefined) shipment.merchantShippingCost = Number(change.merchant_shipping_cost);
    if (change.comments !== undefined) shipment.comments = change.comments;
    this.emit('store/shipment/updated', { type: 'shipment', id: shipment.id, orderId: shipment.orderId });
  }

  /**
   * Deletes a shipment: its units count as unshipped again. The order keeps its status (**UNCONFIRMED**
   * whether BigCommerce moves it back); fires `store/shipment/deleted`.
   */
  deleteShipment(shipment: ShipmentRecord): void {
    const order = this.requireOrder(shipment.orderId);
    for (const item of shipment.items) {
      const line = order.lines.find((l) => l.id === item.orderProductId);
      if (line) line.quantityShipped = Math.max(0, line.quantityShipped - item.quantity);
    }
    this.shipments.delete(shipment.id);
    this.emit('store/shipment/deleted', { type: 'shipment', id: shipment.id, orderId: shipment.orderId });
  }

  // ---- order metafields --------------------------------------------------------------------------------

  /** The metafield `clientId` owns on this order under namespace + key, if any. */
  findOrderMetafield(orderId: number, clientId: string, namespace: string, key: string): MetafieldRecord | undefined {
    for (const field of this.orderMetafields.values()) {
      if (field.orderId === orderId && field.ownerClientId === clientId && field.namespace === namespace && field.key === key) return field;
    }
    return undefined;
  }

  /** Creates an order metafield owned by `clientId` (no webhook: BigCommerce announces none for metafields). */
  addOrderMetafield(orderId: number, input: MetafieldInput, clientId: string): MetafieldRecord {
    this.requireOrder(orderId);
    if (this.findOrderMetafield(orderId, clientId, input.namespace, input.key)) {
      throw new OrderInputError(`order ${orderId} already has a metafield ${input.namespace}/${input.key} of client ${clientId}`);
    }
    const now = this.now();
    const record: MetafieldRecord = {
      id: this.nextMetafieldId++,
      orderId,
      ownerClientId: clientId,
      namespace: input.namespace,
      key: input.key,
      value: input.value,
      permissionSet: input.permission_set,
      description: input.description ?? '',
      dateCreated: now,
      dateModified: now,
    };
    this.orderMetafields.set(record.id, record);
    return record;
  }

  // ---- hooks ---------------------------------------------------------------------------------------------

  addHook(input: { scope: string; destination: string; headers?: Record<string, string> | null; is_active?: boolean; client_id: string }): HookRecord {
    const now = this.now();
    const hook: HookRecord = {
      id: this.nextHookId++,
      clientId: input.client_id,
      scope: input.scope,
      destination: input.destination,
      headers: input.headers ?? null,
      isActive: input.is_active ?? true,
      deactivated: false,
      createdAt: now,
      updatedAt: now,
    };
    this.hooks.set(hook.id, hook);
    return hook;
  }

  /** Hooks whose scope covers the event (`store/order/*` covers `store/order/created`). */
  hooksFor(scope: string): HookRecord[] {
    const out: HookRecord[] = [];
    for (const hook of this.hooks.values()) {
      if (!hook.isActive) continue;
      if (hook.scope === scope || (hook.scope.endsWith('/*') && scope.startsWith(hook.scope.slice(0, -1)))) out.push(hook);
    }
    return out;
  }

  deactivateHook(hookId: number): void {
    const hook = this.hooks.get(hookId);
    if (!hook) return;
    hook.isActive = false;
    hook.deactivated = true;
    hook.updatedAt = this.now();
  }
}
