/** Byte counts as people read them, in messages and tooltips: one formatter for the CLI, the compiler and the app. */

const UNITS: [number, string][] = [
  [2 ** 30, 'GiB'],
  [2 ** 20, 'MiB'],
  [2 ** 10, 'KiB'],
];

export interface ByteSizeStyle {
  /** Write a whole count of the unit without its ".0" ("20 MiB" rather than "20.0 MiB"): reads better for limits. */
  dropZeroDecimal?: boolean;
}

/** 1536 → "1.5 KiB", 2 ** 20 → "1.0 MiB" (or "1 MiB" with dropZeroDecimal), 512 → "512 B"; not a number → "—". */
export function formatBytes(n: number, style: ByteSizeStyle = {}): string {
  if (!Number.isFinite(n)) return '—';
  for (const [size, unit] of UNITS) {
    if (n < size) continue;
    const value = (n / size).toFixed(1);
    return `${style.dropZeroDecimal ? +value : value} ${unit}`;
  }
  return `${n} B`;
}
