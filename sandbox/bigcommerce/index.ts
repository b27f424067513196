/**
 * A BigCommerce store in a process: a real HTTP server speaking the v2/v3 Management API the connector uses,
 * with auth, the store quota, webhooks and fault injection. See README.md in this folder.
 */
import type { AddressInfo } from 'node:net';
import { Faults } from './faults';
import { seededRandom } from '../../agent/src/emulator/random';
import { RateLimiter, STANDARD_PLAN, type Quota } from './rate-limiter';
import { Router, ALL_SCOPES } from './router';
import { catalogV3Routes } from './routes/catalog-v3';
import { customerGroupsV2Routes } from './routes/customer-groups-v2';
import { customersV3Routes } from './routes/customers-v3';
import { hooksV3Routes } from './routes/hooks-v3';
import { inventoryV3Routes } from './routes/inventory-v3';
import { locationsV3Routes } from './routes/locations-v3';
import { orderMetafieldsV3Routes } from './routes/order-metafields-v3';
import { ordersV2Routes } from './routes/orders-v2';
import { paymentsV3Routes } from './routes/payments-v3';
import { priceListsV3Routes } from './routes/price-lists-v3';
import { shipmentsV2Routes } from './routes/shipments-v2';
import { storeV2Routes } from './routes/store-v2';
import { createSimulatorServer, emptyStats, type ApiAccount, type Exchange, type SimStats } from './server';
import { handleSimRoute, stateOf } from './sim-routes';
import type { StoreFeatures } from './pricing';
import { SimulatedStore } from './store';
import { WebhookSender, type DeliveryRecord, type WebhookOptions } from './webhooks';

export interface SimulatorOptions {
  /** Default `sandbox1`. */
  storeHash?: string;
  /** The valid `X-Auth-Token`; anything else gets 401. Default `sim-access-token`. */
  accessToken?: string;
  /** Scopes of `accessToken`; default every scope. */
  scopes?: string[];
  /** More API accounts on the same store, e.g. a read-only one to provoke 403s. */
  extraAccounts?: Array<{ token: string; scopes: string[]; clientId?: string }>;
  /** Default `sim-client-id`. */
  clientId?: string;
  /** Signs webhooks (Standard Webhooks; the HMAC key is the raw UTF-8 bytes of the secret). Default `sim-client-secret`. */
  clientSecret?: string;
  /** Default the Standard plan, 150 requests per 30,000 ms. */
  quota?: Quota;
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Clock for dates and the quota window; default `Date.now`. */
  now?: () => number;
  /** Seed for fault probabilities; default 1. */
  randomSeed?: number;
  /**
   * Absolute inventory adjustments are applied this long after the 200 (BigCommerce processes them
   * asynchronously); default 0, applied before the answer.
   */
  inventoryDelayMs?: number;
  /** The numeric store id sent as `store_id` in webhook payloads and `GET /v2/store`; default `1001`. */
  storeId?: string;
  /** The name `GET /v2/store` reports; default `Sandbox Store`. */
  storeName?: string;
  webhooks?: WebhookOptions;
  /**
   * What the store's plan includes; default everything. Without `priceLists` the `/v3/pricelists` routes, and
   * without `customerGroups` the `/v2/customer_groups` routes, answer 403 as for a plan without the feature.
   */
  features?: Partial<StoreFeatures>;
}

export interface BigCommerceSimulator {
  /** e.g. `http://127.0.0.1:PORT`: the config node's API base URL. */
  readonly apiUrl: string;
  readonly storeHash: string;
  readonly accessToken: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly store: SimulatedStore;
  readonly faults: Faults;
  /** Live counters; also in `GET /__sim/state`. */
  readonly stats: SimStats;
  /** Every request and its response; returns the unsubscribe function. */
  onExchange(listener: (exchange: Exchange) => void): () => void;
  /** What `GET /__sim/state` returns. */
  state(): Record<string, unknown>;
  setQuota(quota: Quota): void;
  readonly webhooks: {
    /** The most recent delivery attempts, oldest first. */
    log(): DeliveryRecord[];
    /** Resolves when no delivery is waiting, scheduled or in flight. */
    idle(timeoutMs?: number): Promise<void>;
  };
  /** Resolves when every accepted inventory adjustment has been applied. */
  inventorySettled(): Promise<void>;
  close(): Promise<void>;
}

export async function startBigCommerceSimulator(options: SimulatorOptions = {}): Promise<BigCommerceSimulator> {
  const storeHash = options.storeHash ?? 'sandbox1';
  const accessToken = options.accessToken ?? 'sim-access-token';
  const clientId = options.clientId ?? 'sim-client-id';
  const clientSecret = options.clientSecret ?? 'sim-client-secret';
  const now = options.now ?? Date.now;
  let quota = options.quota ?? STANDARD_PLAN;

  const store = new SimulatedStore(storeHash, now);
  const limiter = new RateLimiter(quota, now);
  const faults = new Faults(seededRandom(options.randomSeed ?? 1));
  const stats = emptyStats();
  const router = new Router();
  const storeId = options.storeId ?? '1001';
  router.add([
    ...storeV2Routes({ name: options.storeName ?? 'Sandbox Store', storeId }),
    ...ordersV2Routes,
    ...shipmentsV2Routes,
    ...customerGroupsV2Routes,
    ...catalogV3Routes,
    ...inventoryV3Routes,
    ...locationsV3Routes,
    ...priceListsV3Routes,
    ...paymentsV3Routes,
    ...orderMetafieldsV3Routes,
    ...customersV3Routes,
    ...hooksV3Routes,
  ]);
  Object.assign(store.pricing.features, options.features);
  const sender = new WebhookSender({ store, faults, stats, clientSecret, storeId, now }, options.webhooks);
  store.onEvent((event) => sender.enqueue(event));

  const accounts = new Map<string, ApiAccount>([[accessToken, { token: accessToken, clientId, scopes: new Set(options.scopes ?? ALL_SCOPES) }]]);
  for (const extra of options.extraAccounts ?? []) {
    accounts.set(extra.token, { token: extra.token, clientId: extra.clientId ?? clientId, scopes: new Set(extra.scopes) });
  }

  const listeners = new Set<(exchange: Exchange) => void>();
  const sleeping = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  const inventoryDelayMs = options.inventoryDelayMs ?? 0;
  // Accepted inventory adjustments waiting for the delay; dropped (unapplied) on close.
  const deferred = new Set<{ timer: NodeJS.Timeout; done: Promise<void>; resolve: () => void }>();
  let apiUrl = '';
  let closing: Promise<void> | undefined;
  const simParts = { store, faults, stats, limiter, quota: () => quota };

  const server = createSimulatorServer({
    store,
    router,
    limiter,
    faults,
    stats,
    accounts,
    simRoutes: (method, path, body) => handleSimRoute(simParts, method, path, body),
    apiUrl: () => apiUrl,
    emit(exchange) {
      for (const listener of listeners) {
        try {
          listener(exchange);
        } catch (err) {
          // A listener's bug must not take the store down with it.
          console.error('bigcommerce simulator: an exchange listener failed', err);
        }
      }
    },
    sleep(ms) {
      return new Promise<void>((resolve) => {
        const entry = { timer: setTimeout(() => { sleeping.delete(entry); resolve(); }, ms), resolve };
        sleeping.add(entry);
      });
    },
    defer(task) {
      if (inventoryDelayMs <= 0) {
        task();
        return;
      }
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      const entry = {
        done,
        resolve,
        timer: setTimeout(() => {
          deferred.delete(entry);
          task();
          resolve();
        }, inventoryDelayMs),
      };
      deferred.add(entry);
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  apiUrl = `http://${host}:${address.port}`;

  return {
    apiUrl,
    storeHash,
    accessToken,
    clientId,
    clientSecret,
    store,
    faults,
    stats,
    onExchange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    state: () => stateOf(simParts),
    setQuota(next) {
      quota = next;
      limiter.setQuota(next);
    },
    webhooks: { log: () => sender.log(), idle: (timeoutMs) => sender.idle(timeoutMs) },
    async inventorySettled() {
      await Promise.all([...deferred].map((entry) => entry.done));
    },
    close() {
      // Idempotent: a test may close in its body and again in afterEach.
      closing ??= (async () => {
        for (const entry of deferred) {
          clearTimeout(entry.timer);
          entry.resolve();
        }
        deferred.clear();
        await sender.close();
        for (const entry of sleeping) {
          clearTimeout(entry.timer);
          entry.resolve();
        }
        sleeping.clear();
        listeners.clear();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closing;
    },
  };
}

export type { Exchange, SimStats } from './server';
export type { FaultRule } from './faults';
export type { Quota } from './rate-limiter';
export { STANDARD_PLAN, PRO_PLAN } from './rate-limiter';
export type { OrderInput } from './orders';
export type { StoreFeatures } from './pricing';
export type { ProductSeed, VariantSeed } from './catalog';
export type { SimulatedStore, StoreEvent } from './store';
export type { DeliveryRecord, WebhookOptions } from './webhooks';
export { BIGCOMMERCE_RETRY_SCHEDULE_S } from './webhooks';
export { catalogSeeds, seedCatalog, seedOrders, SAMPLE_ADDRESS, type CatalogSeedOptions, type OrderSeedOptions } from './seed';
