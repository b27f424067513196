import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The node-red-node-test-helper, bound to the Node-RED line under test. scripts/test.mjs runs the suite once
 * per line and says which through NODE_RED_PATH (the package folder of that node-red).
 */
const require = createRequire(__filename);
// The helper ships no type definitions.
const helper = require('node-red-node-test-helper') as NodeTestHelper;

const nodeRedDir = resolve(process.env.NODE_RED_PATH ?? 'node_modules/node-red');
helper.init(require.resolve(nodeRedDir));

export const nodeRedVersion: string = (require(`${nodeRedDir}/package.json`) as { version: string }).version;

export interface TestNode {
  id: string;
  type: string;
  receive(msg: Record<string, unknown>): void;
  on(event: string, listener: (...args: never[]) => void): void;
  [key: string]: unknown;
}

export interface NodeTestHelper {
  init(path: string, settings?: Record<string, unknown>): void;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  load(
    nodes: unknown | unknown[],
    flow: Array<Record<string, unknown>>,
    credentials?: Record<string, Record<string, string>>,
  ): Promise<void>;
  unload(): Promise<void>;
  /** Deploys another flow to the loaded nodes, as the editor's Deploy does (nodes left out are removed). */
  setFlows(flow: Array<Record<string, unknown>>, type?: 'full' | 'flows' | 'nodes'): Promise<void>;
  getNode(id: string): TestNode;
  settings(settings: Record<string, unknown>): void;
  request(): import('supertest').Agent;
  url(): string;
}

export { helper };

/** Resolves with the next msg a node sends (or rejects after `ms`). */
export function nextMessage<T = Record<string, unknown>>(node: TestNode, ms = 5000): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`no msg from ${node.type} ${node.id} within ${ms} ms`)), ms);
    node.on('input', ((msg: T) => {
      clearTimeout(timer);
      resolvePromise(msg);
    }) as never);
  });
}

/** A core node of the Node-RED line under test (e.g. `common/25-catch.js`), to load beside the package's nodes. */
export function coreNode(file: string): unknown {
  return createRequire(resolve(nodeRedDir, 'package.json'))(`@node-red/nodes/core/${file}`);
}

/**
 * Loads one node whose configuration property is left empty (as after importing a flow without its config node),
 * sends it `msg`, and resolves with what reaches a Catch node. Call between startServer and unload.
 */
export async function caughtWithoutConfiguration(
  nodeFn: unknown,
  definition: { type: string; configProperty: string },
  msg: Record<string, unknown>,
): Promise<{ errorDetails?: { code?: string; hint?: string } }> {
  await helper.load(
    [nodeFn, coreNode('common/25-catch.js')],
    [
      { id: 'tab', type: 'tab' },
      { id: 'subject', z: 'tab', x: 100, y: 100, type: definition.type, [definition.configProperty]: '', wires: [[]] },
      { id: 'catch', z: 'tab', x: 100, y: 100, type: 'catch', scope: ['subject'], wires: [['caught']] },
      { id: 'caught', z: 'tab', x: 100, y: 100, type: 'helper' },
    ],
  );
  const caught = nextMessage<{ errorDetails?: { code?: string; hint?: string } }>(helper.getNode('caught'));
  helper.getNode('subject').receive(msg);
  return caught;
}

/**
 * Starts the test helper's Node-RED on a new user directory, where the nodes keep their state files; `stop` unloads
 * the flow, stops the server and removes the directory.
 */
export async function startWithUserDir(prefix: string): Promise<{ userDir: string; stop(): Promise<void> }> {
  const userDir = await mkdtemp(join(tmpdir(), prefix));
  helper.settings({ userDir });
  await helper.startServer();
  return {
    userDir,
    async stop() {
      await helper.unload();
      await helper.stopServer();
      helper.settings({});
      await rm(userDir, { recursive: true, force: true });
    },
  };
}
