/** Formatting for the run panel's metrics table. */

/** A metric with `digits` decimals; ∞ for a perfect match (PSNR), – for a value that is not a number. */
export function formatMetric(value: number, digits: number): string {
  if (Number.isNaN(value)) return '–';
  if (value === Infinity) return '∞';
  if (value === -Infinity) return '−∞';
  return value.toFixed(digits);
}

/** Index of the largest value (the first of equals), ignoring NaN; -1 when there is none. */
export function bestIndex(values: readonly number[]): number {
  let best = -1;
  values.forEach((v, i) => {
    if (!Number.isNaN(v) && (best < 0 || v > values[best])) best = i;
  });
  return best;
}
