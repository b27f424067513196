import type { SalesOrder } from '../../lib/sage100/types';

/**
 * What Sage will total for a sales order, in cents, computed here on its own (not with the mapper's helpers):
 * each non-comment line's quantity × unit price less its line discount, rounded half up to cents, plus
 * FreightAmt and SalesTaxAmt, less DiscountAmt.
 */
export function sageTotalCents(order: SalesOrder): number {
  let cents = 0;
  for (const line of order.Lines) {
    if (line.ItemType === '4') continue;
    const price = BigInt(Math.round((line.UnitPrice ?? 0) * 1_000_000));
    const kept = BigInt(1_000_000 - Math.round((line.LineDiscountPercent ?? 0) * 10_000));
    const exact = price * BigInt(line.QuantityOrdered ?? 0) * kept; // units of 1e-12
    const divisor = 10_000_000_000n;
    const negative = exact < 0n;
    const magnitude = negative ? -exact : exact;
    const rounded = magnitude / divisor + ((magnitude % divisor) * 2n >= divisor ? 1n : 0n);
    cents += Number(negative ? -rounded : rounded);
  }
  const header = (value: number | undefined) => Math.round((value ?? 0) * 100);
  return cents + header(order.FreightAmt) + header(order.SalesTaxAmt) - header(order.DiscountAmt);
}

/** "12.3456" → 123456 units (ten-thousandths), exactly, for building orders. */
export const units = (text: string): number => Math.round(Number(text) * 10_000);

export const money4 = (unitsValue: number): string => {
  const sign = unitsValue < 0 ? '-' : '';
  const magnitude = Math.abs(unitsValue);
  return `${sign}${Math.floor(magnitude / 10_000)}.${String(magnitude % 10_000).padStart(4, '0')}`;
};

/** Half up (away from zero) of units to cents. */
export const centsOf = (unitsValue: number): number => Math.sign(unitsValue) * Math.floor((Math.abs(unitsValue) + 50) / 100);
