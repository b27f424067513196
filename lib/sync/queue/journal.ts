import { z } from 'zod';
import { asError } from '../../errors';
import type { SavedQueue } from './memory';

export interface JournalOptions<T> {
  /** The saved document, undefined when there is none. */
  read(): Promise<unknown>;
  write(saved: SavedQueue<T>): Promise<void>;
  /** The jobs and dead letters to save now, in the form that can be written (e.g. JSON only). */
  saved(): SavedQueue<T>;
  /** The longest a change waits before it is saved: what a crash can lose. */
  intervalMs: number;
  /** A save or load that failed; the queue runs on in memory. */
  onError(err: Error): void;
}

const msgSchema = z.record(z.string(), z.unknown());
const savedJobsSchema = z.array(
  z.object({ id: z.string().min(1), attempts: z.number().int().min(0), data: msgSchema, queuedAt: z.number().optional(), retryAt: z.number().optional() }),
);
const deadLettersSchema = z.array(
  z.object({
    id: z.string().min(1),
    attempts: z.number().int().min(0),
    failure: z.looseObject({ message: z.string() }),
    queuedAt: z.string(),
    deadAt: z.string(),
    msg: msgSchema,
  }),
);
/** The journal as written now, or as an earlier version wrote it (the unfinished jobs alone). */
const savedQueueSchema = z.union([
  z.object({ jobs: savedJobsSchema, deadLetters: deadLettersSchema.default([]) }),
  savedJobsSchema.transform((jobs) => ({ jobs, deadLetters: [] })),
]);

/**
 * Keeps a memory queue's unfinished jobs and dead letters in a state file, so a redeploy or restart does not
 * lose them, and a crash loses at most the last `intervalMs` of changes. Saves are coalesced (one at a time, always the latest
 * jobs, at most one per interval) and `flush` writes the last one when the queue closes.
 */
export class QueueJournal<T> {
  private timer?: NodeJS.Timeout;
  private saving: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(private readonly options: JournalOptions<T>) {}

  /** What an earlier run left; nothing when the file is missing or not a journal (reported through onError). */
  async load(): Promise<SavedQueue<T>> {
    try {
      const document = await this.options.read();
      if (document === undefined) return { jobs: [], deadLetters: [] };
      const parsed = savedQueueSchema.safeParse(document);
      if (!parsed.success) throw new Error('the saved jobs are not in the expected form, so they were not taken back');
      return parsed.data as unknown as SavedQueue<T>;
    } catch (err) {
      this.options.onError(asError(err));
      return { jobs: [], deadLetters: [] };
    }
  }

  /** The jobs changed: save them within the interval. */
  changed(): void {
    this.dirty = true;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.save();
    }, this.options.intervalMs);
  }

  /** Saves now (after any save under way) and stops waiting for the interval. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty = true;
    await this.save();
  }

  /** The queue is gone for good (its node was deleted): an empty journal, so nothing comes back. */
  async clear(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty = false;
    this.saving = this.saving.then(() => this.options.write({ jobs: [], deadLetters: [] }).catch((err: unknown) => this.options.onError(asError(err))));
    await this.saving;
  }

  private save(): Promise<void> {
    this.saving = this.saving.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      try {
        await this.options.write(this.options.saved());
      } catch (err) {
        this.options.onError(asError(err));
      }
    });
    return this.saving;
  }
}
