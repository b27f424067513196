import { ValidationError } from '../../errors';
import type { NodeMessage } from '../../node-red/types';
import type { JobFailure, QueueJob } from './types';

/** Where the job id comes from when no property is set: the order fetch, the webhook verifier, the raw webhook. */
const DEFAULT_ID_SOURCES = ['orderId', 'resourceId', 'payload.data.id'];

export interface JobIdSettings {
  /** A msg property such as `payload.hash`; blank: the first of msg.orderId, msg.resourceId, msg.payload.data.id. */
  property: string;
  /** Put in front of the value, e.g. `order:`. */
  prefix: string;
}

/** Node-RED's getMessageProperty throws when a step of the path is missing; here that means "no value". */
function readSafely(read: (msg: NodeMessage, path: string) => unknown, msg: NodeMessage, path: string): unknown {
  try {
    return read(msg, path);
  } catch {
    return undefined;
  }
}

/** The job id of a msg: the prefix and the value found, e.g. `order:1042`. */
export function jobIdFor(msg: NodeMessage, settings: JobIdSettings, read: (msg: NodeMessage, path: string) => unknown): string {
  // The default sources name orders: a product's id 250 must never become order 250's job (and be dropped as it).
  if (!settings.property && typeof msg.topic === 'string' && /^store\/(?!order\/)/.test(msg.topic)) {
    throw new ValidationError(`sync-queue: a ${msg.topic} event is not an order, so it has no order job id`, {
      code: 'queue.not_an_order',
      field: 'topic',
      hint: 'Route only store/order/* events to this queue (a Switch node on msg.topic), or set the property that holds the job id.',
    });
  }
  const sources = settings.property ? [settings.property] : DEFAULT_ID_SOURCES;
  for (const path of sources) {
    const value = readSafely(read, msg, path);
    if ((typeof value === 'string' && value.trim() !== '') || (typeof value === 'number' && Number.isFinite(value))) return `${settings.prefix}${value}`;
  }
  const where = sources.map((path) => `msg.${path}`).join(', ');
  throw new ValidationError(`sync-queue: no job id in the msg (looked at ${where})`, {
    code: 'queue.job_id',
    field: sources[0] ?? 'orderId',
    hint: 'Send the queue a msg that names its record, or set the property that holds the job id.',
  });
}

/**
 * The part of a msg that can travel through Redis: JSON only. msg.req and msg.res (an HTTP request and its
 * response) stay behind; so do functions, and Buffers arrive as { type: 'Buffer', data }.
 */
export function portableMessage(msg: NodeMessage): NodeMessage {
  const { req: _req, res: _res, queueJob: _job, ...rest } = msg;
  try {
    return JSON.parse(JSON.stringify(rest)) as NodeMessage;
  } catch (err) {
    throw new ValidationError(`sync-queue: the msg cannot be stored in Redis: ${(err as Error).message}`, {
      code: 'queue.not_serializable',
      hint: 'Remove circular references or BigInt values from the msg before the queue, or use the in-memory backend.',
    });
  }
}

/**
 * A dead letter's msg as it is kept and shown (state file, Redis, the dead-letter output): the JSON part, and
 * no `msg.headers`, where a request's headers (a shared secret among them) would travel.
 */
export function deadLetterMessage(msg: NodeMessage): NodeMessage {
  const { headers: _headers, ...rest } = portableMessage(msg);
  return rest;
}

/** What an operator asks of the dead letters with a msg: `msg.topic` `redrive` or `discard`, `msg.payload` a job id or `all`. */
export interface DeadLetterCommand {
  action: 'redrive' | 'discard';
  /** A job id such as `order:1042`, or `all`. */
  which: string;
  /** Why a dead letter is discarded, for the log. */
  note?: string;
}

export function deadLetterCommand(msg: NodeMessage): DeadLetterCommand | undefined {
  if (msg.topic !== 'redrive' && msg.topic !== 'discard') return undefined;
  const which = typeof msg.payload === 'string' || typeof msg.payload === 'number' ? String(msg.payload).trim() : '';
  if (which === '') {
    throw new ValidationError(`sync-queue: a ${msg.topic} msg needs msg.payload: the job id of a dead letter (e.g. order:1042) or "all"`, {
      code: 'queue.command',
      field: 'payload',
      hint: 'Set msg.payload to the id shown in msg.queueJob.id of the dead letter, or to "all".',
    });
  }
  return { action: msg.topic, which, ...(typeof msg.note === 'string' && msg.note.trim() !== '' && { note: msg.note.trim() }) };
}

/** The job a msg acks, when it carries msg.queueJob from this queue. */
export function ackedJob(msg: NodeMessage, queueName: string): QueueJob | undefined {
  const job = msg.queueJob as Partial<QueueJob> | undefined;
  if (!job || typeof job !== 'object' || job.queue !== queueName) return undefined;
  if (typeof job.id !== 'string' || typeof job.attempt !== 'number') return undefined;
  return { id: job.id, attempt: job.attempt, queue: job.queue };
}

/** A failure from what a Catch node put on the msg: msg.error, plus msg.errorDetails from this package's nodes. */
export function failureFrom(msg: NodeMessage): JobFailure | undefined {
  const error = msg.error as { message?: unknown; source?: unknown } | string | null | undefined;
  if (error === undefined || error === null || error === '') return undefined;
  const message = typeof error === 'object' ? String(error.message ?? 'failed') : String(error);
  const source = typeof error === 'object' ? error.source : undefined;
  return {
    message,
    ...(source !== undefined && { source: JSON.parse(JSON.stringify(source)) as unknown }),
    ...(msg.errorDetails !== undefined && { details: JSON.parse(JSON.stringify(msg.errorDetails)) as unknown }),
  };
}
