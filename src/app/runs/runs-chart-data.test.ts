/** The Compare view's chart data: smoothing, alignment and thinning, log-scale gaps, run colours, hover text; and the sample strip's snapshot choice. */
import { describe, expect, it } from 'vitest';
import type { RunSampleSnapshot } from '../../runs/run-record.ts';
import { alignCurves, fadedColour, forLogScale, MAX_SMOOTHING, nearestPoint, runColour, smoothValues, termChartData, tickText, valueText } from './runs-chart-data.ts';
import { snapshotAtOrBefore, snapshotSteps } from './sample-strip-data.ts';

describe('smoothValues', () => {
  it('is the identity at weight 0', () => {
    expect(smoothValues([3, 1, 4, 1, 5], 0)).toEqual([3, 1, 4, 1, 5]);
  });

  it('is a debiased exponential moving average: the first value is kept, later ones lean on the past', () => {
    // EMA from 0 with weight 0.5: 1 → 0.5, 3 → 1.75; debiased by 1 − 0.5^n: 0.5/0.5 = 1, 1.75/0.75.
    const out = smoothValues([1, 3], 0.5);
    expect(out[0]).toBeCloseTo(1, 12);
    expect(out[1]).toBeCloseTo(1.75 / 0.75, 12);
    // A constant curve stays constant at any weight (no pull towards 0 at the start).
    for (const v of smoothValues([2, 2, 2, 2], MAX_SMOOTHING)) expect(v).toBeCloseTo(2, 9);
  });

  it('skips NaN and Infinity: they stay gaps and do not spread to later points', () => {
    const out = smoothValues([1, NaN, 1, Infinity, 1], 0.9);
    expect(out[1]).toBeNaN();
    expect(out[3]).toBe(Infinity);
    expect(out[2]).toBeCloseTo(1, 12);
    expect(out[4]).toBeCloseTo(1, 12);
  });

  it('refuses a weight outside 0…0.999', () => {
    expect(() => smoothValues([1], 1)).toThrow(/between 0 and 0.999, got 1/);
    expect(() => smoothValues([1], -0.1)).toThrow(/smoothing weight/);
    expect(() => smoothValues([1], NaN)).toThrow(/got NaN/);
  });
});

describe('alignCurves', () => {
  it('puts curves on the union of their steps: undefined where a curve has no point, null where it is not finite', () => {
    const a = { steps: [0, 10, 20], values: [1, NaN, 3] };
    const b = { steps: [5, 10], values: [7, 8] };
    expect(alignCurves([a, b])).toEqual({
      steps: [0, 5, 10, 20],
      values: [
        [1, undefined, null, 3],
        [undefined, 7, 8, undefined],
      ],
      thinned: false,
    });
  });

  it('sorts a curve whose steps are out of order and ignores non-finite steps', () => {
    const c = { steps: [2, 1, NaN], values: [20, 10, 99] };
    expect(alignCurves([c])).toEqual({ steps: [1, 2], values: [[10, 20]], thinned: false });
  });

  it('thins a long curve to maxPoints x values, keeping each bucket’s min and max in their logged order', () => {
    const n = 1000;
    const steps = Array.from({ length: n }, (_, i) => i);
    const values = steps.map((i) => Math.sin(i / 7));
    values[333] = 50; // a spike
    values[777] = -50; // a dip
    const { steps: x, values: [ys], thinned } = alignCurves([{ steps, values }], 100);
    expect(thinned).toBe(true);
    expect(x).toHaveLength(100);
    expect(x[0]).toBe(0);
    expect(x.at(-1)).toBe(n - 1);
    for (let i = 1; i < x.length; i++) expect(x[i]).toBeGreaterThan(x[i - 1]);
    expect(Math.max(...(ys as number[]))).toBe(50);
    expect(Math.min(...(ys as number[]))).toBe(-50);
    // 50 buckets of 20 steps; bucket 16 covers steps 320…339: the spike at 333 comes before its lowest value (at 339), so the slots hold them in that order.
    expect(x.slice(32, 34)).toEqual([320, 339]);
    const bucket = values.slice(320, 340);
    const lowest = bucket.indexOf(Math.min(...bucket));
    expect(lowest).toBe(19);
    expect(ys.slice(32, 34)).toEqual([50, bucket[lowest]]);
  });

  it('leaves a gap for a bucket of only non-finite values and undefined for a bucket a curve has no point in', () => {
    const long = { steps: Array.from({ length: 40 }, (_, i) => i), values: Array.from({ length: 40 }, (_, i) => (i >= 30 ? NaN : i)) };
    const short = { steps: [0], values: [5] };
    const { values } = alignCurves([long, short], 8);
    expect(values[0].slice(6)).toEqual([null, undefined]);
    expect(values[1]).toEqual([5, undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it('refuses a maxPoints below 2', () => {
    expect(() => alignCurves([], 1)).toThrow(/maxPoints must be a whole number ≥ 2, got 1/);
  });
});

describe('forLogScale', () => {
  it('turns zero and negative values into gaps and counts them; missing points stay missing', () => {
    expect(forLogScale([[1, 0, -2, undefined, null, 0.5]])).toEqual({ values: [[1, null, null, undefined, null, 0.5]], hidden: 2 });
  });
});

describe('termChartData', () => {
  const runs = [
    { curves: new Map([['g', { steps: [1, 2, 3], values: [4, -1, 2] }]]) },
    { curves: new Map([['other', { steps: [1], values: [1] }]]) },
  ];

  it('gives each run a raw then a smoothed curve on one axis; a run without the term has an empty one', () => {
    const data = termChartData(runs, 'g', 0.5, false);
    expect(data.steps).toEqual([1, 2, 3]);
    expect(data.values[0]).toEqual([4, -1, 2]);
    expect(data.values[1]).toEqual(smoothValues([4, -1, 2], 0.5));
    expect(data.values.slice(2)).toEqual([
      [undefined, undefined, undefined],
      [undefined, undefined, undefined],
    ]);
    expect(data.hiddenOnLog).toBe(0);
  });

  it('on a log axis, gaps non-positive points and counts each bad raw point once', () => {
    const data = termChartData(runs, 'g', 0, true);
    expect(data.values[0]).toEqual([4, null, 2]);
    expect(data.values[1]).toEqual([4, null, 2]);
    expect(data.hiddenOnLog).toBe(1);
  });
});

describe('nearestPoint', () => {
  const steps = [0, 10, 20, 30];
  it('gives the point at the index, else the nearest one the series has, with its own step', () => {
    expect(nearestPoint(steps, [1, 2, 3, 4], 2)).toEqual({ step: 20, value: 3 });
    expect(nearestPoint(steps, [1, undefined, undefined, 4], 2)).toEqual({ step: 30, value: 4 });
    expect(nearestPoint(steps, [1, undefined, null, 4], 1)).toEqual({ step: 0, value: 1 });
    expect(nearestPoint(steps, [undefined, undefined, null, undefined], 0)).toEqual({ step: 20, value: null });
    expect(nearestPoint(steps, [undefined, undefined, undefined, undefined], 1)).toBeNull();
  });
});

describe('valueText', () => {
  it('writes 4 significant digits, exponents for tiny and huge values, a dash for gaps', () => {
    expect(valueText(0.123456)).toBe('0.1235');
    expect(valueText(12.5)).toBe('12.5');
    expect(valueText(0.00012346)).toBe('1.235e-4');
    expect(valueText(123456)).toBe('1.235e+5');
    expect(valueText(0)).toBe('0');
    expect(valueText(null)).toBe('—');
    expect(valueText(undefined)).toBe('—');
    expect(valueText(NaN)).toBe('NaN');
    expect(valueText(-Infinity)).toBe('−∞');
  });

  it('leaves the log axis’s unlabelled minor ticks (null) blank', () => {
    expect(tickText(null)).toBe('');
    expect(tickText(0.01)).toBe('0.01');
  });
});

/** WCAG contrast ratio of two "#rrggbb" colours. */
function contrast(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, b] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

describe('runColour', () => {
  it('gives ten distinct colours per theme, each readable (≥ 3:1) on that theme’s chart background, cycling after ten', () => {
    for (const [theme, background] of [
      ['light', '#ffffff'],
      ['dark', '#1b1f26'],
    ] as const) {
      const colours = Array.from({ length: 10 }, (_, i) => runColour(i, theme));
      expect(new Set(colours).size).toBe(10);
      for (const c of colours) expect(contrast(c, background), `${theme} ${c}`).toBeGreaterThanOrEqual(3);
      expect(runColour(10, theme)).toBe(colours[0]);
    }
  });

  it('fades a colour with an alpha byte', () => {
    expect(fadedColour('#2f5fd0', 0.3)).toBe('#2f5fd04d');
  });
});

describe('sample strip', () => {
  const snap = (step: number): RunSampleSnapshot => ({ step, input: 'training sample 0', images: [] });
  const a = [snap(10), snap(30), snap(20)];
  const b = [snap(25)];

  it('offers the union of the runs’ snapshot steps', () => {
    expect(snapshotSteps([{ samples: a }, { samples: b }, { samples: [] }])).toEqual([10, 20, 25, 30]);
  });

  it('picks the snapshot at the step, else the latest before it, else none', () => {
    expect(snapshotAtOrBefore(a, 20)?.step).toBe(20);
    expect(snapshotAtOrBefore(a, 25)?.step).toBe(20);
    expect(snapshotAtOrBefore(a, 99)?.step).toBe(30);
    expect(snapshotAtOrBefore(b, 20)).toBeNull();
  });
});
