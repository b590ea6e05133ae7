/**
 * The data side of the Compare view's loss charts (LossCharts.svelte draws it with uPlot): smoothing,
 * several runs' curves of one term on one x axis, thinning long curves, log-scale gaps, a colour per
 * run and the hover text. Pure functions, no DOM, so they are unit-tested.
 *
 * uPlot's aligned data tells "no point here" from "a gap here": `undefined` is skipped (the line
 * goes on to the run's next point), `null` breaks the line. A run that logged every 10 steps has no
 * point at another run's step 5, and that must not break its line; a NaN (diverged) value, or a
 * non-positive one on a log axis, must.
 */
import type { RunCurve } from '../../runs/run-record.ts';

/** The most smoothing the slider offers (TensorBoard's limit): 1 would freeze the curve at its first value. */
export const MAX_SMOOTHING = 0.999;

/** Charts keep at most about this many x values; longer curves are thinned (see alignCurves). */
export const MAX_CHART_POINTS = 2000;

/**
 * TensorBoard-style smoothing: an exponential moving average, debiased so that its start is not
 * pulled towards 0 (the EMA starts at 0, so early values are divided by 1 − weight^n).
 * A non-finite value stays non-finite in the output and is skipped by the average, so one NaN
 * leaves a one-point gap instead of turning every later value into NaN.
 */
export function smoothValues(values: readonly number[], weight: number): number[] {
  if (!(weight >= 0 && weight <= MAX_SMOOTHING)) throw new RangeError(`smoothing weight must be between 0 and ${MAX_SMOOTHING}, got ${weight}`);
  const out = new Array<number>(values.length);
  let average = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    average = average * weight + (1 - weight) * v;
    count++;
    out[i] = weight === 0 ? v : average / (1 - weight ** count);
  }
  return out;
}

/** One chart's data in uPlot's aligned form: the x values (steps) and one y array per input curve. */
export interface AlignedCurves {
  steps: number[];
  /** Per input curve: its value at each step; undefined where it has no point, null for a gap. */
  values: (number | null | undefined)[][];
  /** True when the curves were longer than the limit and thinned (see alignCurves). */
  thinned: boolean;
}

/** A curve's point indices in step order (readers write curves in order; a shuffled one is sorted here). */
function stepOrder(curve: RunCurve): number[] {
  const order = curve.steps.map((_, i) => i).filter((i) => Number.isFinite(curve.steps[i]));
  for (let i = 1; i < order.length; i++) if (curve.steps[order[i]] < curve.steps[order[i - 1]]) return order.sort((a, b) => curve.steps[a] - curve.steps[b]);
  return order;
}

/**
 * Puts several curves (each run's raw and smoothed curve of one term) on one x axis: the union of
 * their steps. A step logged twice keeps its last value.
 *
 * When the union has more than `maxPoints` steps, the curves are thinned by min/max bucketing: the
 * union's steps are cut into maxPoints/2 buckets of consecutive steps, and each bucket becomes two x
 * values, its first and its last step. Each curve puts its lowest and its highest finite value in
 * the bucket into those two slots, in the order they were logged, so spikes and dips survive
 * (an average would flatten them). A bucket where a curve has only non-finite values becomes a gap.
 * The thinned curve is drawn at most a bucket's width (about one pixel) away from where it was.
 */
export function alignCurves(curves: readonly RunCurve[], maxPoints = MAX_CHART_POINTS): AlignedCurves {
  if (!(Number.isInteger(maxPoints) && maxPoints >= 2)) throw new RangeError(`maxPoints must be a whole number ≥ 2, got ${maxPoints}`);
  const orders = curves.map(stepOrder);
  const union = [...new Set(curves.flatMap((c, k) => orders[k].map((i) => c.steps[i])))].sort((a, b) => a - b);
  if (union.length <= maxPoints) {
    const column = new Map(union.map((s, i) => [s, i]));
    const values = curves.map((c, k) => {
      const ys = new Array<number | null | undefined>(union.length).fill(undefined);
      for (const i of orders[k]) ys[column.get(c.steps[i])!] = Number.isFinite(c.values[i]) ? c.values[i] : null;
      return ys;
    });
    return { steps: union, values, thinned: false };
  }
  const buckets = Math.floor(maxPoints / 2);
  // Bucket b holds union[starts[b]] … union[starts[b + 1] - 1]; each has ≥ 2 steps since union.length > maxPoints.
  const starts = Array.from({ length: buckets + 1 }, (_, b) => Math.floor((b * union.length) / buckets));
  const steps: number[] = [];
  for (let b = 0; b < buckets; b++) steps.push(union[starts[b]], union[starts[b + 1] - 1]);
  const values = curves.map((c, k) => {
    const ys = new Array<number | null | undefined>(steps.length).fill(undefined);
    const order = orders[k];
    let p = 0;
    for (let b = 0; b < buckets; b++) {
      const last = union[starts[b + 1] - 1];
      let lo = -1;
      let hi = -1;
      let gap = false;
      for (; p < order.length && c.steps[order[p]] <= last; p++) {
        const i = order[p];
        const v = c.values[i];
        if (!Number.isFinite(v)) gap = true;
        else {
          if (lo < 0 || v < c.values[lo]) lo = i;
          if (hi < 0 || v > c.values[hi]) hi = i;
        }
      }
      if (lo < 0) {
        if (gap) ys[2 * b] = null;
        continue;
      }
      const [first, second] = c.steps[lo] <= c.steps[hi] ? [lo, hi] : [hi, lo];
      ys[2 * b] = c.values[first];
      if (second !== first) ys[2 * b + 1] = c.values[second];
      else if (gap) ys[2 * b + 1] = null;
    }
    return ys;
  });
  return { steps, values, thinned: true };
}

/**
 * The same values made safe for a log axis: zero and negative values become gaps (null).
 * Returns how many points were hidden so the chart can say so.
 */
export function forLogScale(values: readonly (number | null | undefined)[][]): { values: (number | null | undefined)[][]; hidden: number } {
  let hidden = 0;
  const out = values.map((ys) =>
    ys.map((v) => {
      if (v == null || v > 0) return v;
      hidden++;
      return null;
    }),
  );
  return { values: out, hidden };
}

/** The point of a series nearest to index `index` that the series has (undefined = no point there), or null. */
export function nearestPoint(steps: readonly number[], ys: readonly (number | null | undefined)[], index: number): { step: number; value: number | null } | null {
  for (let d = 0; d < steps.length; d++) {
    for (const i of d === 0 ? [index] : [index - d, index + d]) {
      if (i >= 0 && i < steps.length && ys[i] !== undefined) return { step: steps[i], value: ys[i] ?? null };
    }
    if (index - d < 0 && index + d >= steps.length) break;
  }
  return null;
}

/** A loss value for the legend: 4 significant digits, exponent form for very small or large values; "—" for a gap. */
export function valueText(v: number | null | undefined): string {
  if (v == null) return '—';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e5 || a < 1e-3 ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

/** A y-axis tick label; blank for the minor ticks of a log axis, which uPlot passes as null. */
export function tickText(v: number | null): string {
  return v == null ? '' : valueText(v);
}

export type Theme = 'light' | 'dark';

// Ten hues in a fixed order, each picked for at least 3:1 contrast with the theme's chart
// background (--surface: #ffffff light, #1b1f26 dark): darker shades on light, lighter on dark.
const PALETTE: Record<Theme, readonly string[]> = {
  light: ['#2f5fd0', '#c8450f', '#23803a', '#9b34b3', '#a86a00', '#0b7a8a', '#c2255c', '#5b7a12', '#7a5230', '#4a5568'],
  dark: ['#7d9bff', '#ff8a4c', '#5cd17a', '#d68cf0', '#f2c14e', '#4fd1e0', '#ff7aa8', '#b5d65a', '#d2a77c', '#a8b3c7'],
};

/** The colour of the run at `index` (stable: a run keeps its colour when others are toggled off); cycles after ten. */
export function runColour(index: number, theme: Theme): string {
  const palette = PALETTE[theme];
  return palette[((index % palette.length) + palette.length) % palette.length];
}

/** "#rrggbb" with an alpha byte, for the faint raw curve behind the smoothed one. */
export function fadedColour(hex: string, alpha = 0.3): string {
  return `${hex}${Math.round(alpha * 255)
    .toString(16)
    .padStart(2, '0')}`;
}

/** What one term's chart draws: per run, its raw curve then its smoothed curve, on one x axis. */
export interface TermChartData extends AlignedCurves {
  /** Points not drawn because the log axis cannot show them (zero or negative values). */
  hiddenOnLog: number;
}

/**
 * One term's chart data for these runs: each run's raw and smoothed curve (a run without the term
 * gets an empty curve), aligned (values[2i] is run i's raw curve, values[2i + 1] its smoothed one)
 * and, on a log axis, with non-positive values made gaps.
 */
export function termChartData(runs: readonly { curves: ReadonlyMap<string, RunCurve> }[], term: string, smoothing: number, log: boolean, maxPoints = MAX_CHART_POINTS): TermChartData {
  const curves = runs.flatMap((run) => {
    const raw = run.curves.get(term) ?? { steps: [], values: [] };
    return [raw, { steps: raw.steps, values: smoothValues(raw.values, smoothing) }];
  });
  const aligned = alignCurves(curves, maxPoints);
  if (!log) return { ...aligned, hiddenOnLog: 0 };
  const safe = forLogScale(aligned.values);
  // Raw and smoothed curves hide the same bad points twice: count each run's once, on its raw curve.
  const hiddenOnLog = forLogScale(aligned.values.filter((_, i) => i % 2 === 0)).hidden;
  return { ...aligned, values: safe.values, hiddenOnLog };
}
