import { ValidationError } from '../errors';
import { SAGE_FIELD_LIMITS } from '../sage100/types';

/** What to do with a SKU that is not in the table. */
export type UnmappedSku = 'same' | 'upper' | 'reject';

export interface SkuMapSettings {
  /** One pair per line: `SKU,ItemCode` (a tab or `=` also separates); blank lines and `#` comments are ignored. */
  table: string;
  unmapped: UnmappedSku;
}

/**
 * The one table between BigCommerce SKUs and Sage 100 item codes. The order mapper reads it forwards
 * (SKU → ItemCode) and the inventory push backwards (ItemCode → SKUs), so both always agree.
 */
export class SkuMap {
  private readonly forward = new Map<string, string>();
  private readonly backward = new Map<string, string[]>();

  constructor(private readonly settings: SkuMapSettings) {
    settings.table.split(/\r?\n/).forEach((raw, index) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      const match = /^(.+?)\s*[,\t=]\s*(.+)$/.exec(line);
      const where = `SKU map line ${index + 1}`;
      if (!match) throw new ValidationError(`${where}: expected "SKU,ItemCode", got "${line}"`, { code: 'skumap.syntax', field: 'table', record: where });
      const [, sku, itemCode] = match as unknown as [string, string, string];
      if (itemCode.length > SAGE_FIELD_LIMITS.ItemCode) {
        throw new ValidationError(`${where}: ItemCode "${itemCode}" is longer than ${SAGE_FIELD_LIMITS.ItemCode} characters`, { code: 'skumap.item_code', field: 'table', record: where });
      }
      const existing = this.forward.get(sku);
      if (existing !== undefined && existing !== itemCode) {
        throw new ValidationError(`${where}: SKU "${sku}" is already mapped to "${existing}"`, { code: 'skumap.duplicate', field: 'table', record: where });
      }
      this.forward.set(sku, itemCode);
      this.backward.set(itemCode, [...(this.backward.get(itemCode) ?? []), sku]);
    });
  }

  get size(): number {
    return this.forward.size;
  }

  /** The Sage ItemCode for a SKU, or undefined when the SKU is unmapped and the setting is `reject`. */
  itemCodeFor(sku: string): string | undefined {
    const mapped = this.forward.get(sku);
    if (mapped !== undefined) return mapped;
    switch (this.settings.unmapped) {
      case 'same':
        return sku;
      case 'upper':
        return sku.toUpperCase();
      case 'reject':
        return undefined;
    }
  }

  /** The store SKUs that carry a Sage item: the table's entries, else the item code itself unless unmapped SKUs are rejected. */
  skusFor(itemCode: string): string[] {
    const mapped = this.backward.get(itemCode);
    if (mapped) return mapped;
    return this.settings.unmapped === 'reject' ? [] : [itemCode];
  }
}
