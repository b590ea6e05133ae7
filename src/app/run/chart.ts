/**
 * Loss curves as SVG paths, without a chart library: series of (step, value) points scaled into a
 * plot box, with "nice" y ticks. Pure functions, so the scaling is unit-tested.
 */

export interface Point {
  step: number;
  value: number;
}

export interface Box {
  width: number;
  height: number;
  /** Inner margins: left (tick labels), right, top, bottom. */
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface Scale {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  /** Data → pixel coordinates. */
  x(step: number): number;
  y(value: number): number;
  ticks: number[];
}

/** A step of 1, 2 or 5 × 10^k that cuts [lo, hi] into about `count` parts. */
export function niceStep(lo: number, hi: number, count = 4): number {
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
}

/** The y range and ticks: rounded outwards to the tick step; a flat series gets ±1 or ±10% around its value. */
export function niceRange(values: readonly number[], count = 4): { lo: number; hi: number; ticks: number[] } {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { lo: 0, hi: 1, ticks: [0, 0.5, 1] };
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep(lo, hi, count);
  // toPrecision drops float noise (2.6000000000000005 → 2.6).
  lo = Number((Math.floor(lo / step) * step).toPrecision(12));
  hi = Number((Math.ceil(hi / step) * step).toPrecision(12));
  const ticks: number[] = [];
  for (let t = lo; t <= hi + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
  return { lo, hi, ticks };
}

/** The scale shared by every series of a chart (non-finite values are left out of the range). */
export function chartScale(series: readonly (readonly Point[])[], box: Box): Scale {
  const points = series.flat();
  const steps = points.map((p) => p.step);
  const x0 = steps.length ? Math.min(...steps) : 0;
  const x1 = steps.length ? Math.max(...steps) : 1;
  const { lo, hi, ticks } = niceRange(points.map((p) => p.value));
  const plotW = box.width - box.left - box.right;
  const plotH = box.height - box.top - box.bottom;
  return {
    x0,
    x1,
    y0: lo,
    y1: hi,
    x: (step) => box.left + (x1 === x0 ? plotW / 2 : ((step - x0) / (x1 - x0)) * plotW),
    y: (value) => box.top + plotH - ((value - lo) / (hi - lo)) * plotH,
    ticks,
  };
}

/** An SVG path through the finite points ("M x y L x y …"); a non-finite value breaks the line. */
export function linePath(points: readonly Point[], scale: Scale): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (!Number.isFinite(p.value)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${scale.x(p.step).toFixed(1)} ${scale.y(p.value).toFixed(1)}`;
    pen = true;
  }
  return d;
}

/** Keeps at most `max` points by averaging neighbours in equal buckets (long runs stay drawable). */
export function downsample(points: readonly Point[], max = 400): Point[] {
  if (points.length <= max) return [...points];
  const out: Point[] = [];
  const size = points.length / max;
  for (let b = 0; b < max; b++) {
    const bucket = points.slice(Math.floor(b * size), Math.floor((b + 1) * size));
    const finite = bucket.filter((p) => Number.isFinite(p.value));
    out.push({ step: bucket[bucket.length - 1].step, value: finite.length ? finite.reduce((s, p) => s + p.value, 0) / finite.length : NaN });
  }
  return out;
}

/** A compact tick label: 3 significant digits, exponent form for very small or large values. */
export function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(1) : String(Number(v.toPrecision(3)));
}
