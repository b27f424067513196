import type { Request, Response } from 'express';
import { z } from 'zod';
import { ConnectorError } from '../errors';
import type { NodeAPI } from '../node-red/types';
import { acceptJsonOnly } from '../node-red/node';
import type { OperatorBoard } from './board';

/**
 * The operator view's admin routes and its refresh signal. Reading needs `ml-connector-operator.read`, Retry
 * and Discard need `ml-connector-operator.write` (Node-RED enforces them once `adminAuth` is set). Answers are
 * fixed bodies: counts and ids the queue returned, never the request echoed back.
 */

export const OPERATOR_ROUTE = '/ml-connector/operator';
/** The comms topic the sidebar subscribes to; the message only says "fetch again", the data goes through the route. */
export const OPERATOR_TOPIC = 'ml-connector/operator';
export const OPERATOR_PERMISSION = 'ml-connector-operator';

/** Changes within this time make one refresh: a busy queue changes counts many times a second. */
const PUBLISH_EVERY_MS = 500;

const discardBody = z.object({ note: z.string().trim().min(1).max(500) });

function failed(res: Response, err: unknown): void {
  if (err instanceof ConnectorError && err.code === 'queue.no_dead_letter') {
    res.status(404).json({ ok: false, code: err.code, message: 'There is no such dead letter: it may have been retried or discarded already.' });
    return;
  }
  res.status(500).json({ ok: false, message: 'The queue could not do that; the Node-RED log says why.' });
}

export interface OperatorRoutes {
  /** Stops the refresh timer. */
  close(): void;
}

export function registerOperatorRoutes(RED: Pick<NodeAPI, 'httpAdmin' | 'auth' | 'log'> & { comms: { publish(topic: string, data: unknown, retain?: boolean): void } }, board: OperatorBoard): OperatorRoutes {
  const read = RED.auth.needsPermission(`${OPERATOR_PERMISSION}.read`);
  const write = RED.auth.needsPermission(`${OPERATOR_PERMISSION}.write`);

  RED.httpAdmin.get(OPERATOR_ROUTE, read, (_req: Request, res: Response) => {
    board.snapshot().then(
      (snapshot) => res.json(snapshot),
      (err: unknown) => failed(res, err),
    );
  });

  RED.httpAdmin.post(`${OPERATOR_ROUTE}/queues/:queue/dead-letters/:job/retry`, write, (req: Request, res: Response) => {
    if (!acceptJsonOnly(req, res)) return;
    const queue = board.queue(String(req.params.queue));
    if (!queue) return void res.status(404).json({ ok: false, message: 'There is no such queue: deploy the flow, then refresh.' });
    queue.redrive(String(req.params.job)).then(
      (ids) => res.json({ ok: true, retried: ids.length }),
      (err: unknown) => {
        RED.log.warn(`operator view: retry failed: ${err instanceof Error ? err.message : String(err)}`);
        failed(res, err);
      },
    );
  });

  RED.httpAdmin.post(`${OPERATOR_ROUTE}/queues/:queue/dead-letters/:job/discard`, write, (req: Request, res: Response) => {
    if (!acceptJsonOnly(req, res)) return;
    const queue = board.queue(String(req.params.queue));
    if (!queue) return void res.status(404).json({ ok: false, message: 'There is no such queue: deploy the flow, then refresh.' });
    const body = discardBody.safeParse(req.body);
    if (!body.success) return void res.status(400).json({ ok: false, code: 'operator.note_missing', message: 'Say why the dead letter is discarded (a note of up to 500 characters).' });
    queue.discard(String(req.params.job), body.data.note).then(
      (letters) => res.json({ ok: true, discarded: letters.length }),
      (err: unknown) => {
        RED.log.warn(`operator view: discard failed: ${err instanceof Error ? err.message : String(err)}`);
        failed(res, err);
      },
    );
  });

  let timer: NodeJS.Timeout | undefined;
  const onChange = () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      RED.comms.publish(OPERATOR_TOPIC, { changed: Date.now() }, false);
    }, PUBLISH_EVERY_MS);
  };
  board.on('changed', onChange);
  return {
    close() {
      board.off('changed', onChange);
      clearTimeout(timer);
    },
  };
}
