import type { SimResponse } from './responses';
import type { SimulatedStore } from './store';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type Api = 'v2' | 'v3';

/** OAuth scope areas of an API account; each has a read-only and a read/write scope. */
export type ScopeArea = 'orders' | 'transactions' | 'customers' | 'products' | 'inventory' | 'locations' | 'information';

export const SCOPES: Record<ScopeArea, { read: string; write: string }> = {
  orders: { read: 'store_v2_orders_read_only', write: 'store_v2_orders' },
  transactions: { read: 'store_v2_transactions_read_only', write: 'store_v2_transactions' },
  customers: { read: 'store_v2_customers_read_only', write: 'store_v2_customers' },
  products: { read: 'store_v2_products_read_only', write: 'store_v2_products' },
  inventory: { read: 'store_inventory_read_only', write: 'store_inventory' },
  locations: { read: 'store_locations_read_only', write: 'store_locations' },
  information: { read: 'store_v2_information_read_only', write: 'store_v2_information' },
};

export const ALL_SCOPES: string[] = Object.values(SCOPES).flatMap((s) => [s.read, s.write]);

export interface RouteContext {
  params: Record<string, number>;
  query: URLSearchParams;
  body: unknown;
  store: SimulatedStore;
  /** The API account making the request (hooks are listed per client id). */
  clientId: string;
  /** `{apiUrl}/stores/{hash}/v2`, for v2 `{url, resource}` links. */
  v2Base: string;
  /** True when a `multi-status` fault asks this catalog write to fail partially (207). */
  partialFailure(): boolean;
  /** Runs store work after the configured inventory delay (absolute adjustments are asynchronous). */
  defer(task: () => void): void;
}

export interface Route {
  method: Method;
  api: Api;
  /** Below `/stores/{store_hash}/{api}`, written like the OpenAPI path (`/orders/{order_id}`). */
  path: string;
  /** Any one of these areas grants access (refunds accept orders or transactions scopes). Hooks need none. */
  scopes?: ScopeArea[];
  handle(context: RouteContext): SimResponse | Promise<SimResponse>;
}

interface CompiledRoute extends Route {
  pattern: RegExp;
  keys: string[];
  /** e.g. `GET /v2/orders/{order_id}`: the key used in stats. */
  template: string;
}

export interface RouteMatch {
  route: CompiledRoute;
  params: Record<string, number>;
}

/** Matches method + path to a route; path parameters are numeric ids, so `/orders/count` never reads as an id. */
export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(routes: Route[]): void {
    for (const route of routes) {
      const keys: string[] = [];
      const source = route.path.replace(/\{([^}]+)\}/g, (_, key: string) => {
        keys.push(key);
        return '(\\d+)';
      });
      this.routes.push({ ...route, keys, pattern: new RegExp(`^${source}$`), template: `${route.method} /${route.api}${route.path}` });
    }
  }

  /** The route for this request, `'method'` when only the method is wrong, or undefined. */
  match(method: string, api: Api, path: string): RouteMatch | 'method' | undefined {
    let pathMatched = false;
    for (const route of this.routes) {
      if (route.api !== api) continue;
      const found = route.pattern.exec(path);
      if (!found) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, number> = {};
      route.keys.forEach((key, index) => (params[key] = Number(found[index + 1])));
      return { route, params };
    }
    return pathMatched ? 'method' : undefined;
  }
}
