import { ConnectorError, asError } from '../errors';
import type { Request, Response } from 'express';
import { operatorBoard } from '../operator/board';
import type { NodeAPI, NodeMessage, NodeStatus, RuntimeNode, SendFunction } from './types';

const STATUS_TEXT_LIMIT = 40;

/**
 * The catalog every node reads its error words from: the operator view plugin's (package name / plugin name in
 * package.json), so an error code has one wording whichever node shows it.
 */
export const SHARED_CATALOG = '@ml-connector/node-red-sage100-bigcommerce/ml-connector-operator';

export function shortText(text: string): string {
  return text.length > STATUS_TEXT_LIMIT ? `${text.slice(0, STATUS_TEXT_LIMIT - 1)}…` : text;
}

type Translate = NodeAPI['_'];

/** An error in a few words from the shared catalog (see codeWords). */
export function errorWords(translate: Translate, err: unknown): string {
  const error = asError(err);
  return codeWords(translate, error instanceof ConnectorError ? error.code : undefined);
}

/** An error code in a few words from the shared catalog: its own wording, else its family's (`http`, `sage100` …). */
export function codeWords(translate: Translate, code: string | undefined): string {
  const family = code?.split('.')[0] || 'other';
  const own = code ? translate(`${SHARED_CATALOG}:error.${code}`, { defaultValue: '' }) : '';
  if (own && own !== `${SHARED_CATALOG}:error.${code}`) return own;
  const general = translate(`${SHARED_CATALOG}:error.family.${family}`, { defaultValue: '' });
  return general && general !== `${SHARED_CATALOG}:error.family.${family}` ? general : translate(`${SHARED_CATALOG}:error.family.other`);
}

/** The web order a msg is about, for status lines and error messages. */
export function webOrderOf(msg: NodeMessage): string | undefined {
  for (const value of [msg.orderId, msg.resourceId]) {
    if ((typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value.trim() !== '')) return String(value).trim();
  }
  return undefined;
}

/**
 * A node's status line in words from its locale catalog (`<type>.status.<key>`, plural forms by `count`).
 * Starting a node clears what an earlier deploy left (a red ring from before the settings were fixed); a
 * standing warning of its configuration (certificate checks off) stays visible beside every later status.
 */
export interface StatusLine {
  /** `<type>.status.<key>` from the node's catalog. */
  words(key: string, values?: Record<string, unknown>): string;
  show(fill: NonNullable<NodeStatus['fill']>, shape: NonNullable<NodeStatus['shape']>, text: string): void;
  error(err: unknown, msg?: NodeMessage): void;
}

export function statusLine(RED: Pick<NodeAPI, '_'>, node: RuntimeNode, options: { warning?: NodeStatus } = {}): StatusLine {
  const { warning } = options;
  const put = (status: NodeStatus) => {
    if (!warning?.text) return node.status({ ...status, text: shortText(status.text ?? '') });
    node.status({
      fill: status.fill === 'red' ? 'red' : warning.fill,
      shape: warning.shape,
      text: `${shortText(status.text ?? '')} · ${warning.text}`,
    });
  };
  node.status(warning ?? {});
  return {
    words: (key, values) => RED._(`${node.type}.status.${key}`, values),
    show: (fill, shape, text) => put({ fill, shape, text }),
    error(err, msg) {
      const words = errorWords(RED._, err);
      const orderId = msg && webOrderOf(msg);
      put({ fill: 'red', shape: 'ring', text: orderId ? RED._(`${SHARED_CATALOG}:error.forOrder`, { order: orderId, words }) : words });
    },
  };
}

/**
 * The error as Catch, the debug sidebar and the log should read it: naming the web order when its message does
 * not already, and without a class name in front (Node-RED shows `toString()`, which for a TypeError or a
 * plain Error is `TypeError: …`; ConnectorError already answers its message alone). A copy: the same error
 * object may fail many msgs (e.g. a node's settings error).
 */
function readableFor(error: Error, msg: NodeMessage): Error {
  const orderId = webOrderOf(msg);
  const named = orderId !== undefined && !new RegExp(`\\b${orderId}\\b`).test(error.message);
  const plain = !(error instanceof ConnectorError);
  if (!named && !plain) return error;
  const copy = Object.assign(Object.create(Object.getPrototypeOf(error) as object) as Error, error);
  Object.defineProperties(copy, {
    message: { value: named ? `web order ${orderId}: ${error.message}` : error.message, writable: true, configurable: true },
    stack: { value: error.stack, writable: true, configurable: true },
    ...(error.cause !== undefined && { cause: { value: error.cause, writable: true, configurable: true } }),
    ...(plain && { toString: { value(this: Error) { return this.message; }, writable: true, configurable: true } }),
  });
  return copy;
}

/**
 * Wires a node's input handler the same way for every node: the handler does the work and sends; a thrown
 * error sets a red status in words, names the web order in its message, puts the error's details on
 * `msg.errorDetails`, tells the operator view, and reaches Catch nodes with the msg.
 */
export function onInput(node: RuntimeNode, handler: (msg: NodeMessage, send: SendFunction) => Promise<void>, status: StatusLine): void {
  const source = `${node.type} ${node.name || node.id}`;
  node.on('input', (msg, send, done) => {
    handler(msg, send).then(
      () => {
        operatorBoard.succeeded(source);
        done();
      },
      (err: unknown) => {
        const error = readableFor(asError(err), msg);
        if (error instanceof ConnectorError) msg.errorDetails = error.toDetails();
        status.error(error, msg);
        operatorBoard.failed(source, error instanceof ConnectorError ? error.code : undefined, error.message);
        done(error);
      },
    );
  });
}

/** The config node a node points at, or a clear error when it is missing (e.g. not deployed, or deleted). */
export function requireConfigNode<T>(RED: NodeAPI, id: unknown, expectedType: string, user: RuntimeNode): T {
  const config = typeof id === 'string' && id ? RED.nodes.getNode(id) : undefined;
  if (!config) {
    throw new ConnectorError(`${user.type} ${user.name || user.id}: no ${expectedType} configuration is selected`, {
      code: 'config.missing',
      hint: `Open the node and choose or create a ${expectedType} configuration.`,
    });
  }
  return config as T;
}

/**
 * Admin routes take the dialog's values as JSON only: a cross-site form can post form-encoded bodies (or
 * text/plain) without the browser asking first, but not JSON. Answers 415 and returns false otherwise.
 */
export function acceptJsonOnly(req: Request, res: Response): boolean {
  if (req.is('application/json')) return true;
  res.status(415).json({ ok: false, message: 'Send the dialog values as JSON (Content-Type: application/json).' });
  return false;
}
