/**
 * The slice of the Node-RED runtime API these nodes use. Node-RED ships no type definitions, and the
 * community ones describe Node-RED 1.x, so the package declares what it relies on and nothing more.
 */
import type { Express, RequestHandler } from 'express';
import type { ExpressApp } from './body-cap';

export interface NodeMessage {
  _msgid?: string;
  payload?: unknown;
  topic?: string;
  [key: string]: unknown;
}

export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

export type SendFunction = (msg: NodeMessage | null | Array<NodeMessage | NodeMessage[] | null>) => void;
export type DoneFunction = (err?: Error) => void;

export interface NodeDefinition {
  id: string;
  type: string;
  name?: string;
  z?: string;
  [key: string]: unknown;
}

export interface RuntimeNode<Credentials = Record<string, string | undefined>> {
  id: string;
  type: string;
  name?: string;
  z?: string;
  credentials: Partial<Credentials>;
  on(event: 'input', listener: (msg: NodeMessage, send: SendFunction, done: DoneFunction) => void): void;
  on(event: 'close', listener: (removed: boolean, done: () => void) => void): void;
  send: SendFunction;
  status(status: NodeStatus): void;
  log(message: unknown): void;
  warn(message: unknown): void;
  error(message: unknown, msg?: NodeMessage): void;
  debug(message: unknown): void;
  receive(msg?: NodeMessage): void;
  context(): {
    get(key: string, store?: string): unknown;
    set(key: string, value: unknown, store?: string): void;
  };
}

export interface CredentialDefinition {
  type: 'text' | 'password';
}

export interface NodeAPI {
  nodes: {
    createNode(node: object, definition: NodeDefinition): void;
    registerType(
      type: string,
      // `this` is the node being created, typed by each node as its own RuntimeNode subtype.
      constructor: (this: never, definition: NodeDefinition) => void,
      options?: { credentials?: Record<string, CredentialDefinition>; settings?: Record<string, { value: unknown; exportable?: boolean }> },
    ): void;
    getNode(id: string): unknown;
    /** Every node of the deployed flows, as configured (not the running instances). */
    eachNode(callback: (definition: NodeDefinition) => void): void;
    getCredentials(id: string): Record<string, string | undefined> | undefined;
  };
  settings: { userDir?: string; [key: string]: unknown };
  util: {
    /** A deep copy of a msg that keeps msg.req/msg.res as references (they cannot be copied). */
    cloneMessage<T>(msg: T): T;
    /** Reads a property by its editor path, e.g. `payload.data.id`; undefined when absent. */
    getMessageProperty(msg: NodeMessage, expression: string): unknown;
  };
  httpAdmin: Express;
  /** The express app `http in` routes live on. */
  httpNode: ExpressApp;
  auth: { needsPermission(permission: string): RequestHandler };
  log: { info(msg: unknown): void; warn(msg: unknown): void; error(msg: unknown): void; debug(msg: unknown): void };
  _(key: string, substitutions?: Record<string, unknown>): string;
}
