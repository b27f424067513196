import type { JsonStateStore } from '../node-red/state-store';

/**
 * The durable local record of the sales orders this Node-RED made, by Sage number: the second memory of "this web
 * order was imported" next to the marker on the BigCommerce order (lib/bigcommerce/metafields.ts). SOAP mode cannot
 * read Sage's history, so once an order is invoiced and moved there, only these two remember it. Kept in a state
 * file (owner-only) per Sage company, read once and rewritten on every new entry.
 */

export interface ImportedSalesOrder {
  salesOrderNo: string;
  /** The web order reference it carries (CustomerPONo). */
  reference: string;
  /** The BigCommerce order id, when the msg named it. */
  orderId?: number;
  /** ISO time it was recorded. */
  at: string;
}

type Entries = Record<string, ImportedSalesOrder>;

const sameReference = (a: string, b: string) => a.trim().toUpperCase() === b.trim().toUpperCase();

export class ImportRecord {
  private entries?: Promise<Entries>;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly files: Pick<JsonStateStore, 'read' | 'write'>,
    private readonly key: string,
  ) {}

  private load(): Promise<Entries> {
    this.entries ??= this.files.read<Entries>(this.key).then((stored) => stored ?? {});
    return this.entries;
  }

  /** The entry for this number when it was made for this reference; another reference is not ours to answer. */
  async find(salesOrderNo: string, reference: string): Promise<ImportedSalesOrder | undefined> {
    const entry = (await this.load())[salesOrderNo];
    return entry && sameReference(entry.reference, reference) ? entry : undefined;
  }

  /** Every recorded number of one web order (its split parts), in number order. */
  async numbersFor(reference: string): Promise<string[]> {
    return Object.values(await this.load())
      .filter((entry) => sameReference(entry.reference, reference))
      .map((entry) => entry.salesOrderNo)
      .sort();
  }

  /** Records the order; writes are queued so two orders finishing together both stay in the file. */
  async add(entry: Omit<ImportedSalesOrder, 'at'>, now = new Date()): Promise<void> {
    const entries = await this.load();
    if (entries[entry.salesOrderNo] && sameReference(entries[entry.salesOrderNo]!.reference, entry.reference)) return;
    entries[entry.salesOrderNo] = { ...entry, at: now.toISOString() };
    const write = this.writing.then(() => this.files.write(this.key, entries));
    this.writing = write.catch(() => undefined);
    await write;
  }
}
