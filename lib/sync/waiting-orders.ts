import { orderLines, orderSchema } from '../bigcommerce/order';
import { ORDER_STATUS, type HoldKind } from './order-gate';
import type { StateFiles } from './stock';

/**
 * Store orders Sage does not have yet: orders the mapper holds at the status gate (`wait`: Pending, Awaiting
 * Payment, Manual Verification Required …). BigCommerce took their units off its stock at checkout, but Sage's
 * available quantity still counts them until their sales order exists, so the inventory push subtracts them
 * (`held`) or it would give those units back to the store. One ledger per store, shared by the mapper (which records
 * and releases) and the push (which reads), and saved in the state files so a restart keeps it.
 */

/**
 * Statuses in which BigCommerce has put the order's units back on its stock (or never had them off): an order held
 * in one of them holds nothing.
 */
const HOLDS_NO_STOCK: ReadonlySet<number> = new Set([ORDER_STATUS.Incomplete, ORDER_STATUS.Refunded, ORDER_STATUS.Cancelled, ORDER_STATUS.Declined]);

/**
 * Whether an order the mapper holds still has its units off the store's stock with no sales order to count them:
 * every hold but `imported` (waiting at the gate, needing a person, invalid — none of them is in Sage yet).
 */
export const holdsStoreStock = (kind: HoldKind): boolean => kind !== 'imported';

/** Beyond this many orders the oldest are forgotten, so a flood of abandoned orders cannot grow the file for ever. */
export const MAX_WAITING_ORDERS = 10_000;

export interface WaitingOrder {
  orderId: number;
  /** When the order was first recorded (ms since the epoch): the age limit counts from here. */
  since: number;
  /** Store SKU and the units still on the order (ordered less refunded). */
  lines: Array<[sku: string, quantity: number]>;
}

interface LedgerDocument {
  version: 1;
  store: string;
  orders: WaitingOrder[];
}

/** What the waiting orders hold of each store SKU, for one push. */
export interface HeldStock {
  /** How many SKUs are held at all. */
  skuCount: number;
  /** Units of `sku` on waiting orders. */
  units(sku: string): number;
  /** How many waiting orders hold some of these SKUs. */
  ordersHolding(skus: Iterable<string>): number;
}

function isWaitingOrder(value: unknown): value is WaitingOrder {
  const order = value as Partial<WaitingOrder> | null;
  return (
    typeof order?.orderId === 'number' &&
    typeof order.since === 'number' &&
    Array.isArray(order.lines) &&
    order.lines.every((line) => Array.isArray(line) && typeof line[0] === 'string' && typeof line[1] === 'number')
  );
}

/** The product lines of a BigCommerce order as store SKUs and units; an order that does not parse holds nothing. */
export function storeOrderLines(payload: unknown): WaitingOrder['lines'] {
  const parsed = orderSchema.safeParse(payload);
  if (!parsed.success) return [];
  const units = new Map<string, number>();
  for (const line of orderLines(parsed.data)) {
    const quantity = line.quantity - (line.quantity_refunded ?? 0);
    if (line.sku === '' || quantity <= 0) continue;
    units.set(line.sku, (units.get(line.sku) ?? 0) + quantity);
  }
  return [...units];
}

export class WaitingOrderLedger {
  private readonly orders = new Map<number, WaitingOrder>();
  private loading?: Promise<void>;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly files: StateFiles,
    readonly store: string,
    private readonly now: () => number = Date.now,
    private readonly maxOrders = MAX_WAITING_ORDERS,
  ) {}

  private get key(): string {
    return `waiting-orders-${this.store}`;
  }

  /** Reads the saved ledger once; an unreadable file starts empty rather than failing every order. */
  private load(): Promise<void> {
    this.loading ??= this.files.read<Partial<LedgerDocument>>(this.key).then(
      (doc) => {
        if (doc?.version !== 1 || doc.store !== this.store || !Array.isArray(doc.orders)) return;
        for (const order of doc.orders) if (isWaitingOrder(order) && !this.orders.has(order.orderId)) this.orders.set(order.orderId, order);
      },
      () => undefined,
    );
    return this.loading;
  }

  /** Saves after every change, one write at a time, in the order of the changes. */
  private save(): Promise<void> {
    const document: LedgerDocument = { version: 1, store: this.store, orders: [...this.orders.values()] };
    const write = this.saving.then(() => this.files.write(this.key, document));
    this.saving = write.catch(() => undefined);
    return write;
  }

  /**
   * What the mapper decided for an order: `waiting` (held, and not as imported: see holdsStoreStock) records its lines
   * unless its status gave the units back; anything else (mapped into sales orders, already imported) releases it.
   */
  async note(order: { orderId: number; statusId: number; lines: WaitingOrder['lines'] }, waiting: boolean): Promise<void> {
    await this.load();
    const before = this.orders.get(order.orderId);
    if (waiting && !HOLDS_NO_STOCK.has(order.statusId) && order.lines.length > 0) {
      // A repeated status webhook of an order already held as it is: nothing to write.
      if (before && JSON.stringify(before.lines) === JSON.stringify(order.lines)) return;
      // The first sighting stays the order's age (and its place), so status changes cannot keep it holding stock for ever.
      this.orders.set(order.orderId, { orderId: order.orderId, since: before?.since ?? this.now(), lines: order.lines });
      for (const orderId of this.orders.keys()) {
        if (this.orders.size <= this.maxOrders) break;
        this.orders.delete(orderId);
      }
    } else if (before) {
      this.orders.delete(order.orderId);
    } else {
      return;
    }
    await this.save();
  }

  /** `note` for the BigCommerce order the mapper decided on (msg.payload); its lines are read only when it waits. */
  async noteOrder(payload: unknown, waiting: boolean): Promise<void> {
    const order = payload as { id?: unknown; status_id?: unknown } | null;
    if (typeof order?.id !== 'number') return;
    await this.note({ orderId: order.id, statusId: Number(order.status_id), lines: waiting ? storeOrderLines(payload) : [] }, waiting);
  }

  /** The orders recorded no longer than `maxAgeDays` ago, by SKU; older ones are forgotten (and the file saved). */
  async held(maxAgeDays: number): Promise<HeldStock> {
    await this.load();
    const oldest = this.now() - maxAgeDays * 86_400_000;
    const expired = [...this.orders.values()].filter((order) => order.since < oldest);
    for (const order of expired) this.orders.delete(order.orderId);
    if (expired.length > 0) await this.save();
    const units = new Map<string, number>();
    const ordersOf = new Map<string, number[]>();
    for (const order of this.orders.values()) {
      for (const [sku, quantity] of order.lines) {
        units.set(sku, (units.get(sku) ?? 0) + quantity);
        ordersOf.set(sku, [...(ordersOf.get(sku) ?? []), order.orderId]);
      }
    }
    return {
      skuCount: units.size,
      units: (sku) => units.get(sku) ?? 0,
      ordersHolding: (skus) => new Set([...skus].flatMap((sku) => ordersOf.get(sku) ?? [])).size,
    };
  }

  /** The orders recorded now and their units, for the operator view; the age limit applies at the next push. */
  async totals(): Promise<{ orders: number; units: number }> {
    await this.load();
    let units = 0;
    for (const order of this.orders.values()) for (const [, quantity] of order.lines) units += quantity;
    return { orders: this.orders.size, units };
  }

  /** The web order ids recorded now (for tests and the operator). */
  async orderIds(): Promise<number[]> {
    await this.load();
    return [...this.orders.keys()];
  }
}

const ledgers = new Map<string, WaitingOrderLedger>();

/**
 * The one ledger of a store in a state directory: the mapper (from the store hash bigcommerce-order puts on the msg)
 * and the push (from its bigcommerce-config) meet here. Store hashes are compared without case.
 */
export function waitingOrdersOf(files: StateFiles & { directory: string }, storeHash: string): WaitingOrderLedger {
  const store = storeHash.trim().toLowerCase();
  const key = `${files.directory}\n${store}`;
  let ledger = ledgers.get(key);
  if (!ledger) {
    ledger = new WaitingOrderLedger(files, store);
    ledgers.set(key, ledger);
  }
  return ledger;
}

/** Every ledger this runtime has opened (by the mapper or the push), for the operator view. */
export function openLedgers(): WaitingOrderLedger[] {
  return [...ledgers.values()];
}
