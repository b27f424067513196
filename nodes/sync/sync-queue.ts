import { asError } from '../../lib/errors';
import { onInput, requireConfigNode, statusLine, type StatusLine } from '../../lib/node-red/node';
import { stateStoreFor } from '../../lib/node-red/state-store';
import { operatorBoard } from '../../lib/operator/board';
import type { NodeAPI, NodeDefinition, NodeMessage, RuntimeNode } from '../../lib/node-red/types';
import { BullQueue } from '../../lib/sync/queue/bullmq';
import { QueueJournal } from '../../lib/sync/queue/journal';
import { discardDeadLetters, redriveDeadLetters } from '../../lib/sync/queue/dead-letters';
import { MemoryQueue, type SavedJob, type SavedQueue } from '../../lib/sync/queue/memory';
import { ackedJob, deadLetterCommand, deadLetterMessage, failureFrom, jobIdFor, portableMessage } from '../../lib/sync/queue/messages';
import { queuePolicy, type DeadLetter, type JobQueue, type QueueCounts, type QueueEvents } from '../../lib/sync/queue/types';
import type { SyncRedisNode } from './sync-redis';
import { readSettings } from '../../lib/settings/definition';
import { queueSettings } from '../../lib/settings/sync';

/** How long a change to an in-memory queue may wait before it is saved: what a crash of Node-RED can lose. */
const JOURNAL_INTERVAL_MS = 2000;

/** Only what is there, dead letters first: a person scans for them; "idle" when nothing is. */
function showCounts(status: StatusLine, counts: QueueCounts): void {
  const parts: string[] = [];
  if (counts.dead > 0) parts.push(status.words('dead', { count: counts.dead }));
  if (counts.running > 0) parts.push(status.words('running', { count: counts.running }));
  if (counts.waiting) parts.push(status.words('waiting', { count: counts.waiting }));
  if (counts.dropped > 0) parts.push(status.words('duplicates', { count: counts.dropped }));
  status.show(counts.dead > 0 ? 'yellow' : counts.running > 0 ? 'blue' : 'green', 'dot', parts.length > 0 ? parts.join(' · ') : status.words('idle'));
}

/** What other parts of the package (e.g. an admin route) can ask of a queue node: its dead letters. */
export interface SyncQueueNode extends RuntimeNode {
  deadLetters(): Promise<Array<DeadLetter<NodeMessage>>>;
  redrive(which: string): Promise<string[]>;
  discard(which: string, note?: string): Promise<Array<DeadLetter<NodeMessage>>>;
}

export default function register(RED: NodeAPI): void {
  function SyncQueue(this: SyncQueueNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    const settings = readSettings(queueSettings, definition);
    const status = statusLine(RED, this);
    const name = settings.queueName;
    const useRedis = settings.backend === 'bullmq';
    const idSettings = { property: settings.idProperty, prefix: settings.idPrefix };
    const troubleSeen = new Set<string>();
    const warnOnce = (message: string) => {
      if (troubleSeen.has(message)) return;
      troubleSeen.add(message);
      this.warn(message);
    };
    // The queue starts with the flow, so retries and jobs queued by other instances run without a new msg.
    // A setting that makes that impossible fails every msg with the reason, where Catch sees it.
    let queue: JobQueue<NodeMessage> | Error = new Error(`queue ${name} is starting`);
    // In memory, unfinished jobs are kept in the node's state file across a redeploy or restart.
    let journal: QueueJournal<NodeMessage> | undefined;
    let restored: Promise<void> = Promise.resolve();

    const events: QueueEvents<NodeMessage> = {
      start: (job, data) => {
        const msg = RED.util.cloneMessage(data);
        msg.queueJob = job;
        this.send([msg, null]);
      },
      dead: (job, data, failure) => {
        // As it is kept: no http request (and its headers) goes on to the debug sidebar.
        const msg = deadLetterMessage(data);
        msg.queueJob = job;
        msg.error = failure;
        this.send([null, msg]);
        operatorBoard.deadLettered(name, job.id, msg, failure.message);
      },
      changed: () => {
        if (!(queue instanceof Error)) showCounts(status, queue.counts());
        journal?.changed();
        operatorBoard.queueChanged();
      },
      trouble: (err) => {
        status.error(err);
        // ioredis reports every reconnect attempt; the log gets each distinct problem once.
        if (!troubleSeen.has(err.message)) {
          troubleSeen.add(err.message);
          this.error(`queue ${name}: ${err.message}`);
        }
      },
    };

    try {
      const policy = queuePolicy({
        concurrency: settings.concurrency,
        attempts: settings.attempts,
        backoffMs: settings.backoff * 1000,
        maxBackoffMs: settings.maxBackoff * 1000,
        ackTimeoutMs: settings.ackTimeout * 1000,
        retryHorizonMs: settings.retryFor * 3_600_000,
      });
      if (useRedis) {
        queue = new BullQueue(name, requireConfigNode<SyncRedisNode>(RED, settings.redis, 'sync-redis', this).connection(), policy, events);
      } else {
        const memory = new MemoryQueue(name, policy, events);
        queue = memory;
        const files = stateStoreFor(RED.settings);
        const key = `sync-queue-${this.id}`;
        journal = new QueueJournal<NodeMessage>({
          read: () => files.read(key),
          write: (jobs) => files.write(key, jobs),
          // Only the JSON part of a msg can be kept; a job that has none is kept in memory only, with a warning.
          saved: (): SavedQueue<NodeMessage> => {
            const { jobs, deadLetters } = memory.saved();
            return {
              jobs: jobs.flatMap((job): Array<SavedJob<NodeMessage>> => {
                try {
                  return [{ ...job, data: portableMessage(job.data) }];
                } catch (err) {
                  warnOnce(`queue ${name}: job ${job.id} cannot be kept across a restart: ${asError(err).message}`);
                  return [];
                }
              }),
              deadLetters: deadLetters.flatMap((letter): Array<DeadLetter<NodeMessage>> => {
                try {
                  return [{ ...letter, msg: deadLetterMessage(letter.msg) }];
                } catch (err) {
                  warnOnce(`queue ${name}: dead letter ${letter.id} cannot be kept across a restart: ${asError(err).message}`);
                  return [];
                }
              }),
            };
          },
          intervalMs: JOURNAL_INTERVAL_MS,
          onError: (err) => warnOnce(`queue ${name}: unfinished jobs could not be kept across a restart: ${err.message}`),
        });
        restored = journal.load().then((saved) => {
          const count = memory.restore(saved);
          if (count > 0) this.log(`queue ${name}: ${count} unfinished job(s) from before the restart or redeploy are queued again`);
        });
      }
      showCounts(status, queue.counts());
    } catch (err) {
      queue = asError(err);
      status.error(queue);
      this.error(queue.message);
    }

    const ready = async (): Promise<JobQueue<NodeMessage>> => {
      if (queue instanceof Error) throw queue;
      await restored;
      return queue;
    };
    this.deadLetters = async () => (await ready()).deadLetters();
    this.redrive = async (which) => {
      const ids = await redriveDeadLetters(await ready(), which);
      if (ids.length > 0) this.log(`queue ${name}: ${ids.length} dead letter(s) queued again: ${ids.join(', ')}`);
      return ids;
    };
    this.discard = async (which, note) => {
      const discarded = await discardDeadLetters(await ready(), which);
      for (const letter of discarded) this.warn(`queue ${name}: dead letter ${letter.id} discarded${note ? `: ${note}` : ' (no note given)'}`);
      return discarded;
    };

    if (!(queue instanceof Error)) {
      const counted = queue;
      operatorBoard.addQueue({
        id: this.id,
        name,
        counts: () => counted.counts(),
        deadLetters: () => this.deadLetters(),
        redrive: (which) => this.redrive(which),
        discard: (which, note) => this.discard(which, note),
      });
    }

    onInput(this, async (msg) => {
      if (queue instanceof Error) throw queue;
      const acked = ackedJob(msg, name);
      if (acked) {
        const failure = failureFrom(msg);
        const outcome = failure ? await queue.fail(acked, failure) : await queue.complete(acked);
        if (outcome === 'stale') this.warn(`queue ${name}: ack for ${acked.id} attempt ${acked.attempt} ignored: that attempt already ended (acked before, or timed out)`);
        return;
      }
      const command = deadLetterCommand(msg);
      if (command?.action === 'redrive') return void (await this.redrive(command.which));
      if (command?.action === 'discard') return void (await this.discard(command.which, command.note));
      const id = jobIdFor(msg, idSettings, RED.util.getMessageProperty);
      await restored;
      await queue.add(id, useRedis ? portableMessage(msg) : RED.util.cloneMessage(msg));
    }, status);

    this.on('close', (removed, done) => {
      operatorBoard.removeQueue(this.id);
      if (queue instanceof Error) return done();
      const closing = queue;
      const keep = async () => {
        await restored;
        await closing.close();
        if (!journal || !(closing instanceof MemoryQueue)) return;
        if (removed) {
          if (closing.unfinished > 0) this.warn(`queue ${name}: ${closing.unfinished} unfinished job(s) are dropped with the node`);
          await journal.clear();
          return;
        }
        await journal.flush();
        if (closing.unfinished > 0) this.log(`queue ${name}: ${closing.unfinished} unfinished job(s) kept for the next start`);
      };
      keep().then(done, (err: unknown) => {
        this.error(`queue ${name}: closing failed: ${asError(err).message}`);
        done();
      });
    });
  }
  RED.nodes.registerType('sync-queue', SyncQueue);
}
