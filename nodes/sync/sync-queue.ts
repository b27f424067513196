import { asError } from '../../lib/errors';
import { errorStatus, numberSetting, onInput, requireConfigNode, shortText } from '../../lib/node-red/node';
import type { NodeAPI, NodeDefinition, NodeMessage, NodeStatus, RuntimeNode } from '../../lib/node-red/types';
import { BullQueue } from '../../lib/sync/queue/bullmq';
import { MemoryQueue } from '../../lib/sync/queue/memory';
import { ackedJob, failureFrom, jobIdFor, portableMessage } from '../../lib/sync/queue/messages';
import { queuePolicy, type JobQueue, type QueueCounts, type QueueEvents } from '../../lib/sync/queue/types';
import type { SyncRedisNode } from './sync-redis';

function statusOf(counts: QueueCounts): NodeStatus {
  const parts = [`run ${counts.running}`];
  if (counts.waiting !== undefined) parts.push(`wait ${counts.waiting}`);
  if (counts.dropped > 0) parts.push(`dup ${counts.dropped}`);
  if (counts.dead > 0) parts.push(`dead ${counts.dead}`);
  return { fill: counts.dead > 0 ? 'yellow' : counts.running > 0 ? 'blue' : 'green', shape: 'dot', text: shortText(parts.join(' · ')) };
}

export default function register(RED: NodeAPI): void {
  function SyncQueue(this: RuntimeNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    const name = String(definition.queueName || 'orders');
    const useRedis = definition.backend === 'bullmq';
    const idSettings = { property: String(definition.idProperty ?? ''), prefix: String(definition.idPrefix ?? 'order:') };
    const troubleSeen = new Set<string>();
    // The queue starts with the flow, so retries and jobs queued by other instances run without a new msg.
    // A setting that makes that impossible fails every msg with the reason, where Catch sees it.
    let queue: JobQueue<NodeMessage> | Error = new Error(`queue ${name} is starting`);

    const events: QueueEvents<NodeMessage> = {
      start: (job, data) => {
        const msg = RED.util.cloneMessage(data);
        msg.queueJob = job;
        this.send([msg, null]);
      },
      dead: (job, data, failure) => {
        const msg = RED.util.cloneMessage(data);
        msg.queueJob = job;
        msg.error = failure;
        this.send([null, msg]);
      },
      changed: () => {
        if (!(queue instanceof Error)) this.status(statusOf(queue.counts()));
      },
      trouble: (err) => {
        this.status(errorStatus(err));
        // ioredis reports every reconnect attempt; the log gets each distinct problem once.
        if (!troubleSeen.has(err.message)) {
          troubleSeen.add(err.message);
          this.error(`queue ${name}: ${err.message}`);
        }
      },
    };

    try {
      const policy = queuePolicy({
        concurrency: numberSetting(definition.concurrency, 2),
        attempts: numberSetting(definition.attempts, 5),
        backoffMs: numberSetting(definition.backoff, 10) * 1000,
        maxBackoffMs: numberSetting(definition.maxBackoff, 600) * 1000,
        ackTimeoutMs: numberSetting(definition.ackTimeout, 120) * 1000,
      });
      queue = useRedis
        ? new BullQueue(name, requireConfigNode<SyncRedisNode>(RED, definition.redis, 'sync-redis', this).connection(), policy, events)
        : new MemoryQueue(name, policy, events);
      this.status(statusOf(queue.counts()));
    } catch (err) {
      queue = asError(err);
      this.status(errorStatus(queue));
      this.error(queue.message);
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
      const id = jobIdFor(msg, idSettings, RED.util.getMessageProperty);
      await queue.add(id, useRedis ? portableMessage(msg) : RED.util.cloneMessage(msg));
    });

    this.on('close', (_removed, done) => {
      if (queue instanceof Error) return done();
      if (queue instanceof MemoryQueue && queue.unfinished > 0) {
        this.warn(`queue ${name}: ${queue.unfinished} job(s) still queued or running are dropped with this redeploy; the order poll finds orders that never reached Sage`);
      }
      queue.close().then(done, (err: unknown) => {
        this.error(`queue ${name}: closing failed: ${asError(err).message}`);
        done();
      });
    });
  }
  RED.nodes.registerType('sync-queue', SyncQueue);
}
