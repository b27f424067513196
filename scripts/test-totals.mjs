// How one mocha run counts in `npm test`'s closing line. A run that exits non-zero without a "failing" count
// crashed before reporting (e.g. a test file threw while loading): that is a failure, never "0 failed".

/** @param {string} output mocha's stdout  @param {number | null} status its exit status */
export function mochaTotals(output, status) {
  const count = (re) => Number(output.match(re)?.[1] ?? 0);
  const totals = { passed: count(/^\s*(\d+) passing/m), failed: count(/^\s*(\d+) failing/m), skipped: count(/^\s*(\d+) pending/m), crashed: 0 };
  if (status !== 0 && totals.failed === 0) {
    totals.failed = 1;
    totals.crashed = 1;
  }
  return totals;
}

/** The closing line, e.g. `tests: 812 passed, 1 failed (1 run crashed before reporting), 3 skipped`. */
export function closingLine(totals) {
  const crashed = totals.crashed > 0 ? ` (${totals.crashed} run${totals.crashed > 1 ? 's' : ''} crashed before reporting)` : '';
  return `tests: ${totals.passed} passed, ${totals.failed} failed${crashed}, ${totals.skipped} skipped`;
}
