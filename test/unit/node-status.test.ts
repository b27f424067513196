import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConnectorError } from '../../lib/errors';
import { HttpError } from '../../lib/http/errors';
import { SHARED_CATALOG, errorWords, onInput, statusLine } from '../../lib/node-red/node';
import type { NodeMessage, NodeStatus, RuntimeNode } from '../../lib/node-red/types';
import { assertInWords, translate } from '../support/catalog';

const root = resolve(__dirname, '..', '..');

function fakeNode(type = 'sage100-sales-order'): RuntimeNode & { statuses: NodeStatus[]; inputs: Array<(msg: NodeMessage, send: () => void, done: (err?: Error) => void) => void> } {
  const statuses: NodeStatus[] = [];
  const inputs: Array<(msg: NodeMessage, send: () => void, done: (err?: Error) => void) => void> = [];
  return {
    id: 'n1',
    type,
    name: 'create sales order',
    credentials: {},
    statuses,
    inputs,
    status: (status: NodeStatus) => statuses.push(status),
    on: ((event: string, listener: never) => {
      if (event === 'input') inputs.push(listener);
    }) as RuntimeNode['on'],
  } as never;
}

describe('node status lines', () => {
  it('clears what an earlier deploy left when the node starts, or shows the configuration warning', () => {
    const plain = fakeNode();
    statusLine({ _: translate }, plain);
    assert.deepEqual(plain.statuses, [{}]);
    const warned = fakeNode();
    statusLine({ _: translate }, warned, { warning: { fill: 'yellow', shape: 'ring', text: 'TLS not verified' } });
    assert.deepEqual(warned.statuses, [{ fill: 'yellow', shape: 'ring', text: 'TLS not verified' }]);
  });

  it('keeps the certificate warning beside every later status while the setting is on', () => {
    const node = fakeNode();
    const status = statusLine({ _: translate }, node, { warning: { fill: 'yellow', shape: 'ring', text: 'TLS not verified' } });
    status.show('green', 'dot', status.words('created', { salesOrder: 'W000104' }));
    assert.deepEqual(node.statuses.at(-1), { fill: 'yellow', shape: 'ring', text: 'W000104 created · TLS not verified' });
    status.error(new ConnectorError('refused', { code: 'sage100.Unauthorized' }), { orderId: 104 });
    assert.deepEqual(node.statuses.at(-1), { fill: 'red', shape: 'ring', text: 'order 104: Sage agent refused the key · TLS not verified' });
  });

  it('words an error by its code, else by its family, never as the code', () => {
    assert.equal(errorWords(translate, new ConnectorError('x', { code: 'bigcommerce.unauthorized' })), 'store refused the token');
    assert.equal(errorWords(translate, new ConnectorError('x', { code: 'http.503' })), 'connection failed');
    assert.equal(errorWords(translate, new ConnectorError('x', { code: 'sage100.SomethingNew' })), 'Sage refused it');
    assert.equal(errorWords(translate, new Error('plain')), 'failed: see the debug');
  });

  it('names the web order in a failure, once, on a copy; Catch gets no class name in front', async () => {
    const node = fakeNode();
    const status = statusLine({ _: translate }, node);
    const shared = new HttpError('Sage 100 agent answered HTTP 401', { status: 401, request: { method: 'POST', path: '/x' }, headers: {}, body: undefined, code: 'sage100.Unauthorized' });
    onInput(node, async () => {
      throw shared;
    }, status);
    const failures: Error[] = [];
    for (const msg of [{ orderId: 1042 }, { orderId: 1043 }, { resourceId: 1042, payload: 'order 1042 again' }]) {
      await new Promise<void>((done) => node.inputs[0]!(msg, () => undefined, (err) => (failures.push(err!), done())));
    }
    assert.equal(failures[0]!.message, 'web order 1042: Sage 100 agent answered HTTP 401');
    assert.equal(failures[1]!.message, 'web order 1043: Sage 100 agent answered HTTP 401');
    assert.equal(shared.message, 'Sage 100 agent answered HTTP 401', 'the thrown error is not changed');
    assert.ok(failures[0] instanceof HttpError);
    assert.equal((failures[0] as HttpError).code, 'sage100.Unauthorized');
    assert.equal(String(failures[0]), 'web order 1042: Sage 100 agent answered HTTP 401', 'Node-RED puts toString() on msg.error.message');
    assert.deepEqual(node.statuses.at(-1), { fill: 'red', shape: 'ring', text: 'order 1042: Sage agent refused the key' });
  });

  it('gives Catch and the log a plain error without its class name either, with or without a web order', async () => {
    const node = fakeNode();
    const status = statusLine({ _: translate }, node);
    onInput(node, async (msg) => {
      if (msg.payload === 'type') throw new TypeError('Cannot read properties of undefined');
      throw new Error('the store hash is empty');
    }, status);
    const failures: Error[] = [];
    for (const msg of [{ payload: 'type', orderId: 7 }, { payload: 'plain' }]) {
      await new Promise<void>((done) => node.inputs[0]!(msg, () => undefined, (err) => (failures.push(err!), done())));
    }
    assert.deepEqual(failures.map(String), ['web order 7: Cannot read properties of undefined', 'the store hash is empty']);
    assert.ok(failures[0] instanceof TypeError, 'still the error it was');
    assert.match(failures[0]!.stack ?? '', /TypeError: Cannot read/, 'the stack keeps the original for the verbose log');
    assert.deepEqual(node.statuses.at(-1), { fill: 'red', shape: 'ring', text: 'failed: see the debug' });
  });
});

describe('status catalogs', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; 'node-red': { plugins: Record<string, string> } };

  it('reads error words from the operator plugin catalog under its Node-RED namespace', () => {
    assert.ok(Object.keys(pkg['node-red'].plugins).some((name) => SHARED_CATALOG === `${pkg.name}/${name}`), SHARED_CATALOG);
  });

  const nodeFiles = readdirSync(join(root, 'nodes'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join('nodes', file));

  it('every node with an input sets its status through a status line in words, none by hand', () => {
    for (const file of nodeFiles) {
      const source = readFileSync(join(root, file), 'utf8');
      assert.doesNotMatch(source, /(this|node)\.status\(/, `${file} sets a status by hand`);
      if (source.includes('onInput(')) assert.match(source, /statusLine\(RED, this/, `${file} has no status line`);
    }
  });

  it('has every status a node asks for, with both plural forms where a count is given', () => {
    const asking = nodeFiles.filter((file) => readFileSync(join(root, file), 'utf8').includes('status.words('));
    assert.ok(asking.length >= 12, asking.join(', '));
    for (const file of asking) {
      const source = readFileSync(join(root, file), 'utf8');
      const type = /registerType\('([^']+)'/.exec(source)![1]!;
      for (const [, key, values] of source.matchAll(/status\.words\('([^']+)'(?:, (\{[^}]*\}))?\)/g)) {
        const counted = values?.includes('count');
        for (const count of counted ? [1, 2] : [undefined]) {
          const text = translate(`${type}.status.${key}`, count === undefined ? {} : { count });
          assert.notEqual(text, `${type}.status.${key}`, `${file}: ${key} is in the catalog`);
          if (counted) assert.ok(text.includes(String(count)) || /^\D/.test(text), `${file}: ${key} for ${count}: ${text}`);
          assertInWords(text, `${file}: ${key}`);
        }
      }
    }
  });

  it('says every status and error in words: no codes, no keys', () => {
    const texts: Array<[string, string]> = [];
    const collect = (at: unknown, path: string) => {
      if (typeof at === 'string') texts.push([path, at]);
      else if (typeof at === 'object' && at !== null) for (const [key, value] of Object.entries(at)) collect(value, `${path}.${key}`);
    };
    for (const group of readdirSync(join(root, 'nodes'))) {
      for (const file of readdirSync(join(root, 'nodes', group, 'locales', 'en-US')).filter((name) => name.endsWith('.json'))) {
        const catalog = JSON.parse(readFileSync(join(root, 'nodes', group, 'locales', 'en-US', file), 'utf8')) as Record<string, { status?: unknown; error?: unknown }>;
        for (const [type, entries] of Object.entries(catalog)) {
          collect(entries.status, `${file}: ${type}.status`);
          collect(entries.error, `${file}: ${type}.error`);
        }
        collect((catalog as { error?: unknown }).error, `${file}: error`);
      }
    }
    assert.ok(texts.length > 100, String(texts.length));
    for (const [path, text] of texts) assertInWords(text.replace(/__\w+(, number)?__/g, '1'), path);
  });
});
