import { describe, expect, it } from 'vitest';
import { keepSpread, thinEvenly } from './thin.ts';

describe('thinEvenly', () => {
  it('keeps everything up to the bound, else evenly spaced items with the first and the last', () => {
    expect(thinEvenly([1, 2, 3], 5)).toEqual([1, 2, 3]);
    expect(thinEvenly(Array.from({ length: 101 }, (_, i) => i), 5)).toEqual([0, 25, 50, 75, 100]);
    expect(thinEvenly([1, 2, 3], 1)).toEqual([3]);
    expect(thinEvenly([1, 2, 3], 0)).toEqual([]);
  });
});

describe('keepSpread', () => {
  it('bounds what it keeps as items come, the first and the newest always kept, the rest spread out', () => {
    const kept: number[] = [];
    for (let step = 10; step <= 1000; step += 10) keepSpread(kept, step, 16, (s) => s);
    expect(kept).toHaveLength(16);
    expect(kept[0]).toBe(10);
    expect(kept.at(-1)).toBe(1000);
    const gaps = kept.slice(1).map((s, i) => s - kept[i]);
    // Spread: no gap beyond twice the even spacing (990 / 15 = 66 steps).
    expect(Math.max(...gaps)).toBeLessThanOrEqual(2 * 66);
  });

  it('keeps the newest when the bound is tiny', () => {
    const kept: number[] = [];
    for (const s of [1, 2, 3]) keepSpread(kept, s, 1, (x) => x);
    expect(kept).toEqual([3]);
  });
});
