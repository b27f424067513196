import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Refuses request bodies over a size limit on chosen `http in` routes before anything buffers them.
 *
 * Node-RED's `http in` node reads a "Do not parse request body" route's whole body into memory with no limit
 * (a middleware it puts first on the root express app), and other routes up to `apiMaxLength` (5 MB). Neither
 * can be limited per route from a flow, so the package puts its own middleware in front of Node-RED's, on the same
 * root app: a declared Content-Length over the limit is answered at once, and a body sent without one is counted
 * as it arrives and cut off at the limit. Routes are matched the way express matches them (case-insensitive,
 * trailing slash ignored), so `/BigCommerce/Webhook/` is capped like `/bigcommerce/webhook`.
 */

export interface FixedAnswer {
  statusCode: number;
  body: string;
  headers: Readonly<Record<string, string>>;
}

interface RouteGuard {
  maxBytes: number;
  answer: FixedAnswer;
  /** The body of any other answer the route gives on its own (a failed read). */
  failureBody: string;
}

interface Layer {
  handle?: unknown;
}

/** The part of an express app (4 or 5) the guard needs. */
export interface ExpressApp {
  parent?: ExpressApp;
  path(): string;
  use(handler: (req: IncomingMessage, res: ServerResponse, next: () => void) => void): unknown;
  _router?: { stack: Layer[] };
  router?: { stack: Layer[] };
}

export function routeKey(method: string, path: string): string {
  const normalized = path.replace(/\/{2,}/g, '/').replace(/\/$/, '').toLowerCase();
  return `${method.toUpperCase()} ${normalized || '/'}`;
}

function rootOf(app: ExpressApp): ExpressApp {
  return app.parent ? rootOf(app.parent) : app;
}

function stackOf(app: ExpressApp): Layer[] | undefined {
  // express 4 keeps the router in `_router` (created by the first `use`), express 5 in `router`.
  return app._router?.stack ?? app.router?.stack;
}

/**
 * Sends the fixed answer. The connection stays open: Node then reads the rest of the body and throws it away
 * (no memory), so the sender, still sending, gets to read the answer; closing at once would make it fail with a
 * broken pipe instead of seeing the 413.
 */
function refuse(res: ServerResponse, answer: FixedAnswer): void {
  if (res.headersSent) return;
  res.writeHead(answer.statusCode, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
  res.end(answer.body);
}

/**
 * Counts a body sent without Content-Length as the HTTP parser hands it over, whoever reads it. Past the limit
 * the fixed answer goes out and the rest of the body is thrown away as it comes; when the sender is done the
 * connection is closed, so the reader (Node-RED's) ends with an error instead of a cut-off body.
 */
function countArrivingBytes(req: IncomingMessage, res: ServerResponse, guard: RouteGuard): void {
  const push = req.push.bind(req);
  let received = 0;
  let over = false;
  req.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
    if (over) {
      if (chunk === null) req.socket.end();
      return true;
    }
    if (chunk !== null && chunk !== undefined) {
      received += (chunk as { length: number }).length;
      if (received > guard.maxBytes) {
        over = true;
        refuse(res, guard.answer);
        return true;
      }
    }
    return push(chunk, encoding);
  };
}

/** Per root app: the guarded routes, or null when the guard could not be put first. */
const guardsByRoot = new WeakMap<ExpressApp, Map<string, Set<RouteGuard>> | null>();

function install(root: ExpressApp): Map<string, Set<RouteGuard>> | undefined {
  const existing = guardsByRoot.get(root);
  if (existing !== undefined) return existing ?? undefined;
  const guards = new Map<string, Set<RouteGuard>>();
  const bodyCap = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
    const route = guards.get(routeKey(req.method ?? 'GET', url.split('?')[0] ?? '/'));
    if (!route || route.size === 0) return next();
    const guard = [...route].reduce((smallest, candidate) => (candidate.maxBytes < smallest.maxBytes ? candidate : smallest));
    // What Node-RED itself answers on this route (a body its parsers refuse, e.g. broken JSON sent to a
    // case-varied path) takes the same fixed form as every other answer.
    (res as ServerResponse & { sendStatus?: (status: number) => unknown }).sendStatus = (status: number) => {
      refuse(res, { ...guard.answer, statusCode: status, body: guard.failureBody });
      return res;
    };
    const declared = req.headers['content-length'];
    if (declared !== undefined) {
      if (Number(declared) > guard.maxBytes) return refuse(res, guard.answer);
      return next();
    }
    countArrivingBytes(req, res, guard);
    next();
  };
  root.use(bodyCap);
  const stack = stackOf(root);
  const index = stack?.findIndex((layer) => layer.handle === bodyCap) ?? -1;
  if (!stack || index < 0) {
    guardsByRoot.set(root, null);
    return undefined;
  }
  // First on the root app, ahead of Node-RED's raw body reader (which moves itself to the top the same way).
  stack.unshift(...stack.splice(index, 1));
  guardsByRoot.set(root, guards);
  return guards;
}

/**
 * Caps request bodies of one route of `httpNode` (RED.httpNode). Returns the function that lifts the cap again
 * (call it when the node closes), or undefined when this express version gives no way to run first.
 */
export function capRequestBodies(
  httpNode: ExpressApp,
  route: { method: string; url: string },
  maxBytes: number,
  answers: { tooLarge: FixedAnswer; failureBody: string },
): (() => void) | undefined {
  const guards = install(rootOf(httpNode));
  if (!guards) return undefined;
  const key = routeKey(route.method, `${httpNode.path()}/${route.url}`);
  const guard: RouteGuard = { maxBytes, answer: answers.tooLarge, failureBody: answers.failureBody };
  const set = guards.get(key) ?? new Set<RouteGuard>();
  set.add(guard);
  guards.set(key, set);
  return () => {
    set.delete(guard);
    if (set.size === 0 && guards.get(key) === set) guards.delete(key);
  };
}
