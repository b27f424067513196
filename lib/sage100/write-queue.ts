import type { HttpRequest, RequestFunction } from '../http/transport';

/**
 * Sage 100 business objects are not thread-safe and lock records while a write is open, so writes to one
 * company go one at a time. The key is the server plus company code, shared by every config node in the
 * process that points at the same company; reads are not queued.
 */
const tails = new Map<string, Promise<unknown>>();

export function serializeWrite<T>(companyKey: string, write: () => Promise<T>): Promise<T> {
  const previous = tails.get(companyKey) ?? Promise.resolve();
  const run = previous.then(write, write);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  tails.set(companyKey, tail);
  void tail.then(() => {
    if (tails.get(companyKey) === tail) tails.delete(companyKey);
  });
  return run;
}

/**
 * The same queue as a layer of a client's request stack, below the retry layer: each write's exchange waits its
 * turn, but the backoff between two attempts of one write holds up no other write.
 */
export function withSerializedWrites(send: RequestFunction, companyKey: string, isWrite: (request: HttpRequest) => boolean): RequestFunction {
  return <T>(request: HttpRequest) => (isWrite(request) ? serializeWrite(companyKey, () => send<T>(request)) : send<T>(request));
}
