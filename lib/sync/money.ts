/**
 * Money as whole numbers, so no amount drifts by float arithmetic. BigCommerce sends amounts with 4 decimals:
 * those become *units* (ten-thousandths); what Sage stores per line and header (11,2) becomes *cents*. Sage's
 * unit prices have 6 decimals (15,6), held as *micros*. Rounding is half away from zero everywhere, as Sage
 * rounds an extension (quantity × unit price) to cents.
 */

export const UNITS_PER_CENT = 100;
const MICROS_PER_CENT = 10_000;

/** Half away from zero of numerator / denominator, for whole numbers (denominator > 0). */
export function divideRounded(numerator: number, denominator: number): number {
  const sign = numerator < 0 ? -1 : 1;
  const magnitude = Math.abs(numerator);
  const quotient = Math.floor(magnitude / denominator);
  const remainder = magnitude - quotient * denominator;
  return sign * (remainder * 2 >= denominator ? quotient + 1 : quotient);
}

/** A parsed BigCommerce amount (already rounded to 4 decimals) as units. */
export function toUnits(amount: number): number {
  return Math.round(amount * 10_000);
}

export function unitsToCents(units: number): number {
  return divideRounded(units, UNITS_PER_CENT);
}

export function centsToAmount(cents: number): number {
  return cents / 100;
}

export function unitsToAmount(units: number): number {
  return units / 10_000;
}

/** `-12.5` cents → `"-0.13"`; for messages. */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const magnitude = Math.abs(cents);
  return `${sign}${Math.floor(magnitude / 100)}.${String(magnitude % 100).padStart(2, '0')}`;
}

export const formatUnits = (units: number): string => formatCents(unitsToCents(units));

/**
 * Rounds each exact amount (units) to cents so that the cents add up to `targetCents` exactly: every amount
 * goes down to its whole cent, then the cents still missing go, one each, to the amounts with the largest
 * remainders (earlier amounts first on a tie). An amount already in whole cents never changes, and no amount
 * moves by a cent or more. Undefined when no such rounding reaches the target: then the parts and the total
 * disagree by more than rounding.
 */
export function apportion(exact: readonly number[], targetCents: number): number[] | undefined {
  const floors = exact.map((units) => Math.floor(units / UNITS_PER_CENT));
  const remainders = exact.map((units, index) => units - (floors[index] as number) * UNITS_PER_CENT);
  let missing = targetCents - floors.reduce((sum, cents) => sum + cents, 0);
  const candidates = remainders
    .map((remainder, index) => ({ remainder, index }))
    .filter(({ remainder }) => remainder > 0)
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  if (missing < 0 || missing > candidates.length) return undefined;
  const cents = [...floors];
  for (const { index } of candidates) {
    if (missing === 0) break;
    cents[index] = (cents[index] as number) + 1;
    missing--;
  }
  return cents;
}

/**
 * A unit price (6 decimals, as micros) whose extension for `quantity` is exactly `lineCents`, as Sage computes
 * it: round(quantity × unit price, 2). Undefined when no 6-decimal price does (only for huge quantities).
 */
export function unitPriceMicros(lineCents: number, quantity: number): number | undefined {
  if (!Number.isSafeInteger(quantity) || quantity < 1) return undefined;
  const micros = divideRounded(lineCents * MICROS_PER_CENT, quantity);
  return extensionCents(micros, quantity) === lineCents ? micros : undefined;
}

/** Sage's extension of a line: quantity × unit price (micros), rounded to cents. */
export function extensionCents(unitMicros: number, quantity: number): number {
  return divideRounded(unitMicros * quantity, MICROS_PER_CENT);
}

export const microsToAmount = (micros: number): number => micros / 1_000_000;

/**
 * `units` of the order's currency in the company's currency, where `rate` company→order says how much of the
 * order's currency one unit of the company's buys (BigCommerce's store_default_to_transactional_exchange_rate).
 * Rounded half away from zero to units; the rate's own precision (10 decimals) is kept by scaling.
 */
export function convertUnits(units: number, rate: number): number {
  const scaledRate = Math.round(rate * 1e10);
  return Number(divideBig(BigInt(units) * 10_000_000_000n, BigInt(scaledRate)));
}

function divideBig(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const quotient = n / d;
  const rounded = (n % d) * 2n >= d ? quotient + 1n : quotient;
  return negative ? -rounded : rounded;
}
