/**
 * The logs of a `lggan train` run folder, parsed from their text: losses.csv (one row per step,
 * one column per loss term) and metrics.jsonl (one JSON object per held-out evaluation). Every
 * file is hostile input: lines and cells are counted, and a bad one is named by file, line and
 * column (or field). Page-safe: the CLI and a folder dropped in the browser share these.
 */
import { describeValue } from './run-file.ts';
import type { RunCurve, RunMetricPoint } from './run-record.ts';

/** Bounds on the log files: a million steps of a dozen losses fits. */
export const LOG_LIMITS = { bytes: 256 * 2 ** 20, rows: 1_000_000, columns: 300, lineChars: 65_536 } as const;

export class RunFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunFolderError';
  }
}

/** The text's lines (a final empty one dropped), their count and lengths within LOG_LIMITS. */
function lines(text: string, file: string): string[] {
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  if (all.length > LOG_LIMITS.rows + 1) throw new RunFolderError(`${file}: has ${all.length} lines; at most ${LOG_LIMITS.rows + 1} are read`);
  all.forEach((l, i) => {
    if (l.length > LOG_LIMITS.lineChars) throw new RunFolderError(`${file}:${i + 1}: the line is ${l.length} characters long; at most ${LOG_LIMITS.lineChars}`);
  });
  return all;
}

/** losses.csv → one curve per loss term; the header must hold `step` and every term of run.json. */
export function parseLossesCsv(text: string, file: string, terms: readonly string[]): { curves: Map<string, RunCurve>; lastStep: number } {
  const rows = lines(text, file);
  if (rows.length === 0) throw new RunFolderError(`${file}: is empty; expected a header line`);
  const header = rows[0].split(',');
  if (header.length > LOG_LIMITS.columns) throw new RunFolderError(`${file}:1: has ${header.length} columns; at most ${LOG_LIMITS.columns}`);
  if (header[0] !== 'step') throw new RunFolderError(`${file}:1: the first column must be 'step'`);
  const columns = terms.map((t) => {
    const i = header.indexOf(t);
    if (i < 0) throw new RunFolderError(`${file}:1: has no column for the loss ${JSON.stringify(t)} that run.json lists`);
    return i;
  });
  const curves = new Map(terms.map((t): [string, RunCurve] => [t, { steps: [], values: [] }]));
  let lastStep = 0;
  for (let r = 1; r < rows.length; r++) {
    const cells = rows[r].split(',');
    if (cells.length !== header.length) throw new RunFolderError(`${file}:${r + 1}: has ${cells.length} cells, the header ${header.length}`);
    const step = Number(cells[0]);
    if (!Number.isSafeInteger(step) || step <= lastStep) throw new RunFolderError(`${file}:${r + 1}:1: step ${JSON.stringify(cells[0].slice(0, 20))} is not a whole number above the previous row's ${lastStep}`);
    lastStep = step;
    terms.forEach((t, k) => {
      const cell = cells[columns[k]];
      if (cell === '') return;
      const v = Number(cell);
      // NaN/Infinity are written as such by a run that diverged; any other text is not a number.
      if (Number.isNaN(v) && cell !== 'NaN') throw new RunFolderError(`${file}:${r + 1}:${columns[k] + 1}: ${JSON.stringify(cell.slice(0, 20))} in column ${JSON.stringify(t)} is not a number`);
      const curve = curves.get(t)!;
      curve.steps.push(step);
      curve.values.push(v);
    });
  }
  return { curves, lastStep };
}

/**
 * metrics.jsonl → every held-out evaluation, in file order. psnr, ssim and sd are numbers, or
 * null where the evaluation was not finite (JSON has no NaN: the CLI writes null); count is
 * a whole number or null. Blank lines are skipped.
 */
export function parseMetricsJsonl(text: string, file: string): RunMetricPoint[] {
  const points: RunMetricPoint[] = [];
  lines(text, file).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new RunFolderError(`${where}: not JSON (${(e as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RunFolderError(`${where}: expected an object with step, count, psnr, ssim and sd`);
    const m = value as Record<string, unknown>;
    const whole = (field: string, min: number): number => {
      const v = m[field];
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new RunFolderError(`${where}: field '${field}' must be a whole number ≥ ${min}, got ${describeValue(v)}`);
      return v;
    };
    const numberOrNull = (field: string): number | null => {
      const v = m[field];
      if (v === null) return null;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new RunFolderError(`${where}: field '${field}' must be a number or null, got ${describeValue(v)}`);
      return v;
    };
    points.push({ step: whole('step', 1), count: m.count === null ? null : whole('count', 0), psnr: numberOrNull('psnr'), ssim: numberOrNull('ssim'), sd: numberOrNull('sd') });
  });
  return points;
}

/** A fully measured evaluation: psnr, ssim and sd all finite. */
export type HeldOutMetrics = RunMetricPoint & { psnr: number; ssim: number; sd: number };

/** The last evaluation with finite psnr, ssim and sd (what the comparison table shows); undefined when none. */
export function lastHeldOut(points: readonly RunMetricPoint[]): HeldOutMetrics | undefined {
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i];
    if (p.psnr !== null && p.ssim !== null && p.sd !== null) return p as HeldOutMetrics;
  }
  return undefined;
}
