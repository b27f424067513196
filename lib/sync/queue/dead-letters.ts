import { ConnectorError } from '../../errors';
import type { DeadLetter, JobQueue } from './types';

/**
 * What an operator does with dead letters, for the queue node's `redrive` / `discard` msgs and for anything
 * else that lists them (e.g. an admin route): by job id, or `all`.
 */

function noDeadLetter(queue: JobQueue<unknown>, id: string): ConnectorError {
  return new ConnectorError(`queue ${queue.name} has no dead letter ${id}`, {
    code: 'queue.no_dead_letter',
    record: id,
    hint: 'Use the job id from msg.queueJob.id of the dead letter (e.g. order:1042); it may have been re-driven or discarded already.',
  });
}

async function chosen<T>(queue: JobQueue<T>, which: string): Promise<string[]> {
  if (which === 'all') return (await queue.deadLetters()).map((letter) => letter.id);
  return [which];
}

/** Queues the chosen dead letters again as new jobs; returns their ids. An id that is no dead letter is an error. */
export async function redriveDeadLetters<T>(queue: JobQueue<T>, which: string): Promise<string[]> {
  const ids = await chosen(queue, which);
  for (const id of ids) if (!(await queue.redrive(id))) throw noDeadLetter(queue, id);
  return ids;
}

/** Removes the chosen dead letters for good; returns them. An id that is no dead letter is an error. */
export async function discardDeadLetters<T>(queue: JobQueue<T>, which: string): Promise<Array<DeadLetter<T>>> {
  const discarded: Array<DeadLetter<T>> = [];
  for (const id of await chosen(queue, which)) {
    const letter = await queue.discard(id);
    if (!letter) throw noDeadLetter(queue, id);
    discarded.push(letter);
  }
  return discarded;
}
