/**
 * Keeping a bounded number of snapshots spread evenly over a run: all at once (a run folder's
 * sample grids) or one by one as they come (a browser run's sample images).
 */

/** At most `max` of `items`, evenly spaced by index; the first and the last are always kept. */
export function thinEvenly<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  if (max <= 1) return max === 1 ? [items[items.length - 1]] : [];
  const picked: T[] = [];
  for (let k = 0; k < max; k++) picked.push(items[Math.round((k * (items.length - 1)) / (max - 1))]);
  return picked;
}

/**
 * Adds `item` (the newest) to `kept` (oldest first) in place; past `max`, drops the one kept item
 * whose neighbours are closest together (by `stepOf`), never the first or the newest, so what is
 * kept stays spread over the whole run as it grows.
 */
export function keepSpread<T>(kept: T[], item: T, max: number, stepOf: (x: T) => number): void {
  kept.push(item);
  while (kept.length > max && kept.length > 2) {
    let drop = 1;
    let gap = Infinity;
    for (let i = 1; i < kept.length - 1; i++) {
      const g = stepOf(kept[i + 1]) - stepOf(kept[i - 1]);
      if (g < gap) [gap, drop] = [g, i];
    }
    kept.splice(drop, 1);
  }
  if (kept.length > max) kept.splice(0, kept.length - max);
}
