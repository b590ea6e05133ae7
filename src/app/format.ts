/** Number formatting for the cost tables: short, fixed-width friendly, exact value kept for tooltips. */

const UNITS = ['', 'k', 'M', 'G', 'T', 'P'];

/** 950 → "950", 12_345 → "12.3 k", 4_560_000_000 → "4.56 G". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (Math.abs(n) < 1000) return String(Math.round(n));
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1000 && i < UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toPrecision(3)} ${UNITS[i]}`;
}

const exactFormat = new Intl.NumberFormat('en-US');
/** "12,345,678" for tooltips. One formatter for all calls: toLocaleString builds one per call (slow for 500 nodes). */
export function formatExact(n: number): string {
  return exactFormat.format(n);
}
