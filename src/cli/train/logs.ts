/**
 * The run's logs in --out: losses.csv and losses.jsonl (one row per step) and metrics.jsonl (one
 * row per evaluation). Rows are appended as they come, so a crash keeps what was done. A resumed
 * run first drops the rows after the step it resumes from (a run that went on past its last
 * checkpoint leaves some), so the logs read as one uninterrupted run.
 */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepReport } from '../../runtime/training/index.ts';

export const LOSSES_CSV = 'losses.csv';
export const LOSSES_JSONL = 'losses.jsonl';
export const METRICS_JSONL = 'metrics.jsonl';

/** One step's row: `step` counts steps done (1 for the first), losses by loss node id. */
export type LossRow = Record<string, number | undefined>;

export function lossRow(report: StepReport, lossNames: readonly string[]): LossRow {
  const row: LossRow = { step: report.step + 1, lrG: report.lrG, lrD: report.lrD };
  for (const name of lossNames) row[name] = report.losses[name];
  row.gTotal = report.gTotal;
  row.dTotal = report.dTotal;
  row.ms = Math.round(report.ms * 10) / 10;
  return row;
}

/** Full precision, so two runs compare exactly; an empty cell where a step had no such value. */
function csvCell(v: number | undefined): string {
  return v === undefined ? '' : String(v);
}

async function readOrEmpty(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Keeps the lines whose step is ≤ `step` (CSV: after the header). */
async function truncateAfter(path: string, step: number, stepOf: (line: string) => number): Promise<void> {
  const text = await readOrEmpty(path);
  if (text === undefined) return;
  const lines = text.split('\n').filter((l) => l !== '');
  const header = path.endsWith('.csv') ? lines.splice(0, 1) : [];
  const kept = lines.filter((l) => stepOf(l) <= step);
  await writeFile(path, [...header, ...kept].map((l) => l + '\n').join(''));
}

/** losses.csv's columns (the exported PyTorch package's train.py writes the same). */
export function lossColumns(lossNames: readonly string[]): string[] {
  return ['step', 'lrG', 'lrD', ...lossNames, 'gTotal', 'dTotal', 'ms'];
}

export class RunLogs {
  private constructor(
    private readonly dir: string,
    private readonly columns: string[],
  ) {}

  static async open(dir: string, lossNames: readonly string[], options: { resumeFrom?: number } = {}): Promise<RunLogs> {
    const columns = lossColumns(lossNames);
    const logs = new RunLogs(dir, columns);
    const csv = join(dir, LOSSES_CSV);
    if (options.resumeFrom !== undefined) {
      const jsonStep = (l: string) => Number(JSON.parse(l).step);
      await truncateAfter(csv, options.resumeFrom, (l) => Number(l.split(',')[0]));
      await truncateAfter(join(dir, LOSSES_JSONL), options.resumeFrom, jsonStep);
      await truncateAfter(join(dir, METRICS_JSONL), options.resumeFrom, jsonStep);
    } else {
      await writeFile(join(dir, LOSSES_JSONL), '');
      await writeFile(join(dir, METRICS_JSONL), '');
    }
    const existing = await readOrEmpty(csv);
    const header = columns.join(',');
    if (existing === undefined || existing === '' || options.resumeFrom === undefined) await writeFile(csv, header + '\n');
    else if (!existing.startsWith(header + '\n')) throw new Error(`${csv} has other columns than this graph's losses (${header}): resume into another --out`);
    return logs;
  }

  async step(row: LossRow): Promise<void> {
    await appendFile(join(this.dir, LOSSES_CSV), this.columns.map((c) => csvCell(row[c])).join(',') + '\n');
    await appendFile(join(this.dir, LOSSES_JSONL), JSON.stringify(row) + '\n');
  }

  async metrics(row: Record<string, unknown>): Promise<void> {
    await appendFile(join(this.dir, METRICS_JSONL), JSON.stringify(row) + '\n');
  }
}
