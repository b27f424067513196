import fc from 'fast-check';
import type { FlowNode } from '../sandbox/flows';

/**
 * Generated orders through the real sync-order-mapper node in the running Node-RED: a tab with an http in,
 * the mapper (configured as in the example flow) and a Catch that answers with the error. Every input must
 * either map (200 with a sales order) or fail with a clear error (422 with the package's error code and a
 * message). Anything else — no answer, a 500, an error that is not the package's — is an uncaught error.
 */

export const MAPPER_PATH = '/chaos/mapper';

const ids = {
  tab: 'c4a0000000000001',
  httpIn: 'c4a0000000000002',
  unwrap: 'c4a0000000000003',
  mapper: 'c4a0000000000004',
  catch: 'c4a0000000000005',
  errorAnswer: 'c4a0000000000006',
  response: 'c4a0000000000007',
  holdAnswer: 'c4a0000000000008',
};

/**
 * The tab. The order travels as `{ order }` in the body so that any JSON value (null, a number, a string)
 * reaches the mapper, not only the objects an http in accepts as a body.
 */
export function mapperTab(exampleMapper: FlowNode): FlowNode[] {
  const z = ids.tab;
  return [
    { id: ids.tab, type: 'tab', label: 'Chaos: mapper', disabled: false, info: '' },
    { id: ids.httpIn, type: 'http in', z, name: 'generated order', url: MAPPER_PATH, method: 'post', upload: false, swaggerDoc: '', x: 140, y: 80, wires: [[ids.unwrap]] },
    {
      id: ids.unwrap,
      type: 'change',
      z,
      name: 'payload = body.order',
      rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'payload.order', tot: 'msg' }],
      x: 340,
      y: 80,
      wires: [[ids.mapper]],
    },
    { ...exampleMapper, id: ids.mapper, z, x: 540, y: 80, wires: [[ids.response], [ids.holdAnswer]] },
    {
      // A held order (wait, needs attention, invalid) is a clear answer too: 422 with its reason.
      id: ids.holdAnswer,
      type: 'change',
      z,
      name: '422 with the hold',
      rules: [
        { t: 'set', p: 'statusCode', pt: 'msg', to: '422', tot: 'num' },
        { t: 'set', p: 'payload', pt: 'msg', to: '{"details":{"code":"mapper.hold"}}', tot: 'json' },
        { t: 'set', p: 'payload.details.message', pt: 'msg', to: 'hold.reason', tot: 'msg' },
      ],
      x: 760,
      y: 40,
      wires: [[ids.response]],
    },
    { id: ids.catch, type: 'catch', z, name: 'mapper errors', scope: [ids.mapper], uncaught: false, x: 140, y: 160, wires: [[ids.errorAnswer]] },
    {
      id: ids.errorAnswer,
      type: 'change',
      z,
      name: '422 with the error',
      rules: [
        { t: 'set', p: 'statusCode', pt: 'msg', to: '422', tot: 'num' },
        { t: 'set', p: 'payload', pt: 'msg', to: '{}', tot: 'json' },
        { t: 'set', p: 'payload.error', pt: 'msg', to: 'error', tot: 'msg' },
        { t: 'set', p: 'payload.details', pt: 'msg', to: 'errorDetails', tot: 'msg' },
      ],
      x: 360,
      y: 160,
      wires: [[ids.response]],
    },
    { id: ids.response, type: 'http response', z, name: '', statusCode: '', headers: {}, x: 760, y: 120, wires: [] },
  ];
}

// ---- generated orders ------------------------------------------------------------------------------------

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = Array<string | number>;

const nasty = fc.constantFrom<Json>(
  null, '', ' ', 0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.1 + 0.2, 'NaN', 'Infinity', '1e309', '-0', '٣', '９９', '\u0000', '\ud800',
  'a'.repeat(5000), '👩‍👩‍👧'.repeat(40), '<script>alert(1)</script>', "O'Brien; DROP TABLE", '__proto__', true, false, [], {},
);

const anyValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: nasty },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json> },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 80 }) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
);

interface Mutation {
  /** Which node of the order, by its index among all of them (taken modulo their count). */
  at: number;
  op: 'set' | 'delete' | 'add-key';
  key: string;
  value: Json;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom<Mutation['op']>('set', 'set', 'delete', 'add-key'),
  key: fc.constantFrom('__proto__', 'constructor', 'toString', 'id', 'extra', 'quantity', 'sku'),
  value: anyValue,
});

function pathsOf(value: Json, path: Path = [], out: Path[] = []): Path[] {
  out.push(path);
  if (Array.isArray(value)) value.forEach((item, index) => pathsOf(item, [...path, index], out));
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) pathsOf(item, [...path, key], out);
  return out;
}

/** Sets an own property, even `__proto__`, so it survives JSON.stringify as a key like any other. */
function defineKey(target: object, key: string | number, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function mutate(seed: Json, mutations: Mutation[]): Json {
  let root = structuredClone(seed);
  for (const change of mutations) {
    const paths = pathsOf(root);
    const path = paths[change.at % paths.length]!;
    if (path.length === 0) {
      if (change.op === 'set') root = change.value;
      continue;
    }
    const parent = path.slice(0, -1).reduce<Json>((node, key) => (node as Record<string, Json>)[key as string] as Json, root) as Record<string, Json> | Json[];
    const key = path.at(-1)!;
    const target = (parent as Record<string, Json>)[key as string] as Json;
    if (change.op === 'set') defineKey(parent, key, change.value);
    else if (change.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key as string];
    } else if (target !== null && typeof target === 'object' && !Array.isArray(target)) defineKey(target, change.key, change.value);
  }
  return root;
}

/**
 * `count` orders from `seeds` (real orders as bigcommerce-order emits them): most with a few mutations
 * (a value replaced by something odd, a field deleted, a key like `__proto__` added), some untouched, some
 * not orders at all. Deterministic for a seed.
 */
export function generatedOrders(seeds: Json[], count: number, seed = 7): Json[] {
  if (seeds.length === 0) throw new Error('the mapper run needs at least one real order to start from');
  const fromSeed = fc.constantFrom(...seeds);
  const order = fc.oneof(
    { weight: 14, arbitrary: fc.tuple(fromSeed, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([base, changes]) => mutate(base, changes)) },
    { weight: 3, arbitrary: fromSeed },
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json> },
  );
  return fc.sample(order, { numRuns: count, seed });
}

// ---- the run ---------------------------------------------------------------------------------------------

export interface MapperRun {
  orders: number;
  mapped: number;
  /** Refused with the package's error: a code and a message, at Catch. */
  rejected: number;
  /** No answer, an unexpected status, or an error without the package's code. */
  uncaught: number;
  /** Error codes seen, with counts. */
  codes: Record<string, number>;
  /** The first few uncaught cases, for the report. */
  examples: Array<{ input: string; status: number; answer: string }>;
}

function clearError(body: unknown): string | undefined {
  const { error, details } = (body ?? {}) as { error?: { message?: unknown }; details?: { code?: unknown; message?: unknown } };
  const message = error?.message ?? details?.message;
  return typeof details?.code === 'string' && typeof message === 'string' && message.length > 0 ? details.code : undefined;
}

/** One POST; a failed or timed-out exchange answers status 0 with the error as its text. */
async function post(url: string, body: string): Promise<{ status: number; text: string }> {
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(15_000) });
    return { status: response.status, text: await response.text() };
  } catch (err) {
    return { status: 0, text: String(err) };
  }
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Posts every order to the mapper tab, `concurrency` at a time; `onAnswer` sees each answer's text (the leak scanner). */
export async function runMapper(nodeRedUrl: string, orders: Json[], onAnswer: (text: string) => void, concurrency = 6): Promise<MapperRun> {
  const run: MapperRun = { orders: orders.length, mapped: 0, rejected: 0, uncaught: 0, codes: {}, examples: [] };
  let next = 0;
  const worker = async () => {
    while (next < orders.length) {
      const input = JSON.stringify({ order: orders[next++] });
      const { status, text } = await post(`${nodeRedUrl}${MAPPER_PATH}`, input);
      onAnswer(text);
      const body = parsed(text);
      const salesOrderNo = (body as { salesOrder?: { SalesOrderNo?: unknown } } | undefined)?.salesOrder?.SalesOrderNo;
      const code = status === 422 ? clearError(body) : undefined;
      if (status === 200 && typeof salesOrderNo === 'string') run.mapped++;
      else if (code) {
        run.rejected++;
        run.codes[code] = (run.codes[code] ?? 0) + 1;
      } else {
        run.uncaught++;
        if (run.examples.length < 5) run.examples.push({ input: input.slice(0, 2000), status, answer: text.slice(0, 1000) });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return run;
}
