/**
 * One run folder of `lggan train`, read for comparison: run.json (strict), the per-step losses of
 * losses.csv and the last held-out evaluation of metrics.jsonl. Every file is hostile input: sizes
 * are checked before reading, rows and cells are counted, and a bad one is named by file, line and
 * column.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { readRunFile, RUN_FILE, type RunFile } from './run-file.ts';

/** Bounds on the log files: a million steps of a dozen losses fits. */
export const LOG_LIMITS = { bytes: 256 * 2 ** 20, rows: 1_000_000, columns: 300, lineChars: 65_536 } as const;

export class RunFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunFolderError';
  }
}

/** One loss term's curve: step numbers and values (steps without a value are left out). */
export interface LossCurve {
  steps: number[];
  values: number[];
}

export interface HeldOutMetrics {
  step: number;
  count: number;
  psnr: number;
  ssim: number;
  sd: number;
}

export interface RunFolder {
  dir: string;
  run: RunFile;
  /** Loss term (loss node id) → its curve, in run.lossTerms order. */
  curves: Map<string, LossCurve>;
  /** The last step in losses.csv (0 when none). */
  lastStep: number;
  /** The last held-out evaluation, if the run made one. */
  metrics?: HeldOutMetrics;
}

async function readLimited(file: string): Promise<string> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new RunFolderError(`${file}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? (e as Error).message})`}`);
  }
  if (size > LOG_LIMITS.bytes) throw new RunFolderError(`${file}: is ${size} bytes; at most ${LOG_LIMITS.bytes} are read`);
  return readFile(file, 'utf8');
}

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
export function parseLossesCsv(text: string, file: string, terms: readonly string[]): { curves: Map<string, LossCurve>; lastStep: number } {
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
  const curves = new Map(terms.map((t): [string, LossCurve] => [t, { steps: [], values: [] }]));
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

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The last line of metrics.jsonl with finite psnr, ssim and sd; undefined when there is none. */
export function parseLastMetrics(text: string, file: string): HeldOutMetrics | undefined {
  const rows = lines(text, file);
  for (let i = rows.length - 1; i >= 0; i--) {
    if (rows[i].trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(rows[i]);
    } catch (e) {
      throw new RunFolderError(`${file}:${i + 1}: not JSON (${(e as Error).message})`);
    }
    const m = value as Record<string, unknown>;
    if (typeof m !== 'object' || m === null || !finite(m.step) || !finite(m.count) || !finite(m.psnr) || !finite(m.ssim) || !finite(m.sd)) {
      throw new RunFolderError(`${file}:${i + 1}: expected an object with numbers step, count, psnr, ssim and sd`);
    }
    return { step: m.step, count: m.count, psnr: m.psnr, ssim: m.ssim, sd: m.sd };
  }
  return undefined;
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readLimited(file);
  } catch (e) {
    if (e instanceof RunFolderError && e.message.endsWith('no such file')) return undefined;
    throw e;
  }
}

/** Reads a run folder (or a run.json path); RunFileError / RunFolderError name the file at fault. */
export async function readRunFolder(path: string): Promise<RunFolder> {
  const dir = basename(path) === RUN_FILE ? resolve(path, '..') : path;
  const run = await readRunFile(join(dir, RUN_FILE));
  const lossesFile = join(dir, run.files.losses);
  const { curves, lastStep } = parseLossesCsv(await readLimited(lossesFile), lossesFile, run.lossTerms);
  const metricsFile = join(dir, run.files.metrics);
  const metricsText = await readOptional(metricsFile);
  const metrics = metricsText === undefined ? undefined : parseLastMetrics(metricsText, metricsFile);
  return { dir, run, curves, lastStep, metrics };
}
