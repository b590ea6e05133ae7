/**
 * A PNG of the loss curves of several runs: one panel per loss term (title, y range at the ticks,
 * "step" under the x axis with its first and last step), one line per run in that run's colour,
 * and a legend under the panels naming each run by number and variant. Drawn pixel by pixel into
 * an RGB buffer with the built-in bitmap font, so no text from a file is ever interpreted.
 */
import { imageToPng } from '../../runtime/images/index.ts';
import { fitText, glyph, GLYPH_HEIGHT, textWidth, ADVANCE } from './bitmap-font.ts';
import type { RunCurve } from '../../runs/run-record.ts';

export interface ChartSeries {
  label: string;
  curves: Map<string, RunCurve>;
}

type Rgb = readonly [number, number, number];

/** Ten colours told apart easily (a qualitative palette); runs beyond ten reuse them in order. */
export const SERIES_COLOURS: readonly Rgb[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];

const WHITE: Rgb = [255, 255, 255];
const INK: Rgb = [34, 34, 34];
const GRID: Rgb = [225, 225, 225];

export class Canvas {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = WHITE,
  ) {
    this.data = new Uint8Array(width * height * 3);
    this.fill(0, 0, width, height, background);
  }

  set(x: number, y: number, c: Rgb): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y * this.width + x) * 3;
    this.data[i] = c[0];
    this.data[i + 1] = c[1];
    this.data[i + 2] = c[2];
  }

  fill(x: number, y: number, w: number, h: number, c: Rgb): void {
    for (let yy = y; yy < y + h; yy++) for (let xx = x; xx < x + w; xx++) this.set(xx, yy, c);
  }

  /** A line `thickness` pixels wide (a square pen stepped along the longer axis). */
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb, thickness = 1): void {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    const half = Math.floor((thickness - 1) / 2);
    for (let s = 0; s <= steps; s++) {
      const x = Math.round(x0 + ((x1 - x0) * s) / steps);
      const y = Math.round(y0 + ((y1 - y0) * s) / steps);
      this.fill(x - half, y - half, thickness, thickness, c);
    }
  }

  text(x: number, y: number, text: string, c: Rgb, scale = 1): void {
    let cx = x;
    for (const ch of text) {
      glyph(ch).forEach((row, gy) => row.forEach((on, gx) => on && this.fill(cx + gx * scale, y + gy * scale, scale, scale, c)));
      cx += ADVANCE * scale;
    }
  }

  png(): Uint8Array {
    return imageToPng({ width: this.width, height: this.height, channels: 3, data: this.data });
  }
}

/**
 * A tick label in the font's characters, with enough decimals to tell ticks `span` apart
 * (a panel whose values differ only in the fifth digit still gets distinct labels).
 */
export function tickLabel(v: number, span = Math.abs(v)): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(span > 0 && span < a / 100 ? 5 : 2);
  const decimals = span > 0 ? Math.min(8, Math.max(0, Math.ceil(-Math.log10(span)) + 2)) : 3;
  return v.toFixed(decimals);
}

const PANEL = { width: 440, height: 250, left: 90, right: 16, top: 30, bottom: 36 } as const;
const COLUMNS = 2;
const LEGEND_ROW = 14;
const MARGIN = 12;

/** A curve thinned to at most one point per pixel column (the mean of the column's values), as pixel positions. */
function polyline(curve: RunCurve, x: (step: number) => number, y: (v: number) => number): ([number, number] | null)[] {
  const out: ([number, number] | null)[] = [];
  let column = NaN;
  let sum = 0;
  let n = 0;
  const flush = () => {
    if (n > 0) out.push([column, y(sum / n)]);
    n = 0;
    sum = 0;
  };
  curve.steps.forEach((step, i) => {
    const v = curve.values[i];
    const px = Math.round(x(step));
    if (px !== column) flush();
    column = px;
    if (Number.isFinite(v)) {
      sum += v;
      n++;
    } else {
      flush();
      out.push(null); // a gap where the loss was not finite
    }
  });
  flush();
  return out;
}

/** The smallest and largest finite number in the lists (a loop: a million values would overflow Math.min(...)); undefined when none. */
function range(lists: number[][]): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const list of lists) {
    for (const v of list) {
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : undefined;
}

function drawPanel(canvas: Canvas, ox: number, oy: number, term: string, series: ChartSeries[]): void {
  const plot = { x: ox + PANEL.left, y: oy + PANEL.top, w: PANEL.width - PANEL.left - PANEL.right, h: PANEL.height - PANEL.top - PANEL.bottom };
  canvas.text(ox + PANEL.left, oy + 8, fitText(term, plot.w, 2), INK, 2);
  const curves = series.map((s) => s.curves.get(term)).filter((c): c is RunCurve => c !== undefined);
  const steps = range(curves.map((c) => c.steps));
  const values = range(curves.map((c) => c.values));
  // Axes and frame.
  canvas.line(plot.x, plot.y + plot.h, plot.x + plot.w, plot.y + plot.h, INK);
  canvas.line(plot.x, plot.y, plot.x, plot.y + plot.h, INK);
  if (!steps || !values) {
    canvas.text(plot.x + 10, plot.y + plot.h / 2, 'NO VALUES', INK);
    return;
  }
  let [lo, hi] = values;
  if (lo === hi) [lo, hi] = [lo - (Math.abs(lo) || 1) * 0.1, hi + (Math.abs(hi) || 1) * 0.1];
  const [first, last] = steps;
  const x = (step: number) => plot.x + (last === first ? plot.w / 2 : ((step - first) / (last - first)) * plot.w);
  const y = (v: number) => plot.y + plot.h - ((v - lo) / (hi - lo)) * plot.h;
  for (const t of [0, 0.5, 1]) {
    const v = lo + (hi - lo) * t;
    const py = Math.round(y(v));
    if (t > 0) canvas.line(plot.x + 1, py, plot.x + plot.w, py, GRID);
    canvas.line(plot.x - 4, py, plot.x, py, INK);
    const label = fitText(tickLabel(v, (hi - lo) / 2), PANEL.left - 10);
    canvas.text(plot.x - 7 - textWidth(label), py - 3, label, INK);
  }
  canvas.text(plot.x, plot.y + plot.h + 6, String(first), INK);
  const lastLabel = String(last);
  canvas.text(plot.x + plot.w - textWidth(lastLabel), plot.y + plot.h + 6, lastLabel, INK);
  canvas.text(plot.x + plot.w / 2 - textWidth('STEP') / 2, plot.y + plot.h + 6 + GLYPH_HEIGHT + 6, 'STEP', INK);
  series.forEach((s, i) => {
    const curve = s.curves.get(term);
    if (!curve) return;
    const colour = SERIES_COLOURS[i % SERIES_COLOURS.length];
    const points = polyline(curve, x, y);
    let previous: [number, number] | null = null;
    for (const p of points) {
      if (p && previous) canvas.line(previous[0], previous[1], p[0], p[1], colour, 2);
      else if (p) canvas.fill(p[0] - 1, p[1] - 1, 3, 3, colour); // a lone point (a 1-step run) stays visible
      previous = p;
    }
  });
}

/** The chart for `terms` (one panel each, two per row) and its legend, as PNG bytes. */
export function lossChartPng(terms: readonly string[], series: ChartSeries[]): Uint8Array {
  const panels = Math.max(1, terms.length);
  const columns = Math.min(COLUMNS, panels);
  const rows = Math.ceil(panels / columns);
  const width = columns * PANEL.width + 2 * MARGIN;
  const legendTop = MARGIN + rows * PANEL.height + MARGIN;
  const height = legendTop + series.length * LEGEND_ROW + MARGIN;
  const canvas = new Canvas(width, height);
  terms.forEach((term, i) => drawPanel(canvas, MARGIN + (i % columns) * PANEL.width, MARGIN + Math.floor(i / columns) * PANEL.height, term, series));
  if (terms.length === 0) canvas.text(MARGIN, MARGIN + 20, 'NO LOSS TERMS', INK);
  series.forEach((s, i) => {
    const top = legendTop + i * LEGEND_ROW;
    const colour = SERIES_COLOURS[i % SERIES_COLOURS.length];
    canvas.fill(MARGIN, top + 1, 18, 5, colour);
    canvas.text(MARGIN + 26, top, fitText(`${i + 1} ${s.label}`, width - MARGIN * 2 - 26), INK);
  });
  return canvas.png();
}
