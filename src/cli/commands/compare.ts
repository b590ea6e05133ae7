/**
 * `lggan compare RUN_DIR...`: runs of `lggan train` side by side (see src/runs/comparison.ts),
 * printed as a table or as JSON; --out also writes comparison.md, comparison.csv and losses.png.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeRegistry } from '../../../nodes/registry.ts';
import { parseCommandArgs } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import { table } from '../format.ts';
import { EXIT, UsageError, type CliIO } from '../io.ts';
import { comparisonCells, comparisonCsv, comparisonJson, comparisonMarkdown, compareRuns, type Comparison } from '../../runs/comparison.ts';
import type { RunRecord } from '../../runs/run-record.ts';
import { lossChartPng } from '../runs/loss-chart.ts';
import { RunFileError } from '../runs/run-file.ts';
import { readRunFolder, RunFolderError } from '../runs/run-folder.ts';

export const COMPARISON_FILES = { markdown: 'comparison.md', csv: 'comparison.csv', chart: 'losses.png' } as const;

/** Text from a file, safe for a terminal: control characters become '?'. */
export function printable(text: string): string {
  return text.replace(/[\0-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '?');
}

/** Reads every folder; all problems are printed (each with its file) before failing. */
export async function readRunFolders(dirs: string[], io: CliIO): Promise<RunRecord[] | null> {
  const folders: RunRecord[] = [];
  let failed = false;
  for (const dir of dirs) {
    try {
      // The table and the chart use no sample grids: they are left unread.
      folders.push(await readRunFolder(dir, { samples: false }));
    } catch (e) {
      if (!(e instanceof RunFileError || e instanceof RunFolderError)) throw e;
      io.err(`error ${printable(e.message)}`);
      failed = true;
    }
  }
  return failed ? null : folders;
}

/** Writes comparison.md, comparison.csv and losses.png into `dir`; returns their paths. */
export async function writeComparison(c: Comparison, folders: RunRecord[], dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths = [join(dir, COMPARISON_FILES.markdown), join(dir, COMPARISON_FILES.csv), join(dir, COMPARISON_FILES.chart)];
  await writeFile(paths[0], comparisonMarkdown(c, { chart: COMPARISON_FILES.chart }));
  await writeFile(paths[1], comparisonCsv(c));
  const series = folders.map((f, i) => ({ label: c.rows[i].variant, curves: f.curves }));
  await writeFile(paths[2], lossChartPng(c.terms, series));
  return paths;
}

export function printComparison(c: Comparison, io: CliIO): void {
  const { header, rows } = comparisonCells(c);
  const right = (h: string, i: number) => (i === 0 || i >= 4 ? `>${h}` : h);
  io.out(table(header.map(right), rows.map((r) => r.map(printable))));
}

export async function compare(argv: string[], registry: NodeRegistry, io: CliIO): Promise<number> {
  const { positional, flags } = parseCommandArgs(argv, COMMAND_SPECS.compare);
  if (positional.length === 0) throw new UsageError('compare needs at least one run folder (the --out of lggan train)');
  const folders = await readRunFolders(positional, io);
  if (!folders) return EXIT.problems;
  const c = compareRuns(folders, registry);
  if (flags.json) io.out(JSON.stringify(comparisonJson(c), null, 2));
  else printComparison(c, io);
  if (typeof flags.out === 'string') {
    const paths = await writeComparison(c, folders, flags.out);
    (flags.json ? io.err : io.out)(`wrote ${paths.join(', ')}`);
  }
  return EXIT.ok;
}
