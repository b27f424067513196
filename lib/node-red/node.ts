import { ConnectorError, asError } from '../errors';
import type { Request, Response } from 'express';
import type { NodeAPI, NodeMessage, NodeStatus, RuntimeNode, SendFunction } from './types';

const STATUS_TEXT_LIMIT = 32;

export function shortText(text: string): string {
  return text.length > STATUS_TEXT_LIMIT ? `${text.slice(0, STATUS_TEXT_LIMIT - 1)}…` : text;
}

export function errorStatus(err: unknown): NodeStatus {
  const error = asError(err);
  const label = error instanceof ConnectorError ? error.code : error.message;
  return { fill: 'red', shape: 'ring', text: shortText(label) };
}

/**
 * Wires a node's input handler the same way for every node: the handler does the work and sends; a thrown
 * error sets a red status, puts the error's details on `msg.errorDetails` and reaches Catch nodes with the msg.
 */
export function onInput(node: RuntimeNode, handler: (msg: NodeMessage, send: SendFunction) => Promise<void>): void {
  node.on('input', (msg, send, done) => {
    handler(msg, send).then(
      () => done(),
      (err: unknown) => {
        const error = asError(err);
        if (error instanceof ConnectorError) msg.errorDetails = error.toDetails();
        node.status(errorStatus(error));
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

/** Reads a number setting from the editor, which stores numbers as strings. */
export function numberSetting(value: unknown, fallback: number): number {
  const parsed = typeof value === 'number' ? value : Number.parseFloat(String(value ?? ''));
  return Number.isFinite(parsed) ? parsed : fallback;
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
