/**
 * One `lggan train` run folder read into a RunRecord from its files, wherever they come from: a
 * folder dropped or picked in the browser (File objects with their webkitRelativePath) or the
 * CLI's disk (src/cli/runs/run-folder.ts lists it), so both read it the same way.
 *
 * Every file is hostile: its size is checked before it is read (RUN_FILE_LIMITS for run.json,
 * LOG_LIMITS for the logs, SAMPLE_GRID_LIMITS for sample grids), a sample grid's declared size
 * before it is used, and each refusal names the file (and line and column where there is one).
 */
import { parseRunFileText, RUN_FILE, RUN_FILE_LIMITS, RunFileError, type RunFile } from './run-file.ts';
import { LOG_LIMITS, parseLossesCsv, parseMetricsJsonl, RunFolderError } from './run-folder-parse.ts';
import type { RunCurve, RunMetricPoint, RunRecord, RunSampleSnapshot } from './run-record.ts';
import { samplePngSize } from './sample-png.ts';
import { thinEvenly } from './thin.ts';

/** One file of a folder: its path inside what was given ("myrun/run.json"), its size, its bytes on demand. */
export interface FolderFile {
  path: string;
  size: number;
  bytes(): Promise<Uint8Array>;
}

/** How many held-out samples (one a row) each sample grid of `lggan train` shows. */
export const SAMPLE_GRID_ROWS = 4;

/** Bounds on a run folder's sample grids: files, sides, how many are kept (evenly thinned) and their total. */
export const SAMPLE_GRID_LIMITS = { bytes: 16 * 2 ** 20, side: 8192, snapshots: 64, totalBytes: 256 * 2 ** 20 } as const;

/** A sample grid's name in the samples folder: stepName(step) + ".png" (src/cli/train/artifacts.ts). */
const GRID_NAME = /^step-(\d{1,15})\.png$/;

/** "a/b" from "a" and "b", either possibly empty. */
export function joinPath(a: string, b: string): string {
  if (a === '') return b;
  if (b === '') return a;
  return `${a.replace(/\/+$/, '')}/${b}`;
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** A browser path without a leading "./" or "/". */
function clean(path: string): string {
  return path.replace(/^(\.?\/)+/, '');
}

const isRunFile = (path: string) => baseName(path) === RUN_FILE;

/** The folders holding a run.json, each with the files under it (a file in nested run folders goes to the deepest). */
export function groupRunFolders(files: readonly FolderFile[]): { path: string; files: FolderFile[] }[] {
  const roots = [...new Set(files.map((f) => clean(f.path)).filter(isRunFile).map(parentOf))].sort((a, b) => b.length - a.length);
  const groups = new Map(roots.map((r): [string, FolderFile[]] => [r, []]));
  for (const f of files) {
    const path = clean(f.path);
    const root = roots.find((r) => r === '' || path.startsWith(`${r}/`));
    if (root !== undefined) groups.get(root)!.push(f);
  }
  return [...groups].map(([path, files]) => ({ path, files })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The files of a dropped or picked folder (an <input webkitdirectory> or a drop's File list). */
export function folderFilesFromFileList(files: ArrayLike<File>): FolderFile[] {
  return Array.from(files, (file) => ({
    path: clean(file.webkitRelativePath || file.name),
    size: file.size,
    bytes: async () => new Uint8Array(await file.arrayBuffer()),
  }));
}

/** The files of one run folder by their path inside it, with size-checked reading and error names. */
class RunFolderFiles {
  private readonly byPath = new Map<string, FolderFile>();

  constructor(
    files: readonly FolderFile[],
    /** The run folder inside what was given ('' for its root). */
    readonly root: string,
    /** What the given paths are relative to, for error messages ('' for nothing). */
    private readonly where: string,
  ) {
    const prefix = root === '' ? '' : `${root}/`;
    for (const f of files) {
      const path = clean(f.path);
      if (path.startsWith(prefix)) this.byPath.set(path.slice(prefix.length), f);
    }
  }

  /** The name of a file in errors: where / root / path. */
  name(path: string): string {
    return joinPath(this.where, joinPath(this.root, path));
  }

  has(path: string): boolean {
    return this.byPath.has(path);
  }

  paths(): string[] {
    return [...this.byPath.keys()];
  }

  /** The file's bytes; its size is checked first, and again once read (a size can be wrong). */
  async bytes(path: string, limit: number, refuse: (detail: string) => Error): Promise<Uint8Array> {
    const file = this.byPath.get(path);
    if (!file) throw refuse('no such file');
    if (file.size > limit) throw refuse(`is ${file.size} bytes; at most ${limit} are read`);
    const bytes = await file.bytes();
    if (bytes.length > limit) throw refuse(`is ${bytes.length} bytes (its listing said ${file.size}); at most ${limit} are read`);
    return bytes;
  }

  async text(path: string, limit: number, refuse: (detail: string) => Error): Promise<string> {
    return new TextDecoder().decode(await this.bytes(path, limit, refuse));
  }
}

/** The run folder among `files`: the directory of the one shallowest run.json. */
function findRoot(files: readonly FolderFile[], where: string): string {
  const runFiles = files.map((f) => clean(f.path)).filter(isRunFile);
  if (runFiles.length === 0) {
    // Name run.json where it was looked for: in the one folder every file is in, if there is one.
    const tops = new Set(files.map((f) => clean(f.path)).map((p) => (p.includes('/') ? p.slice(0, p.indexOf('/')) : '')));
    const top = tops.size === 1 ? [...tops][0] : '';
    throw new RunFileError(joinPath(where, joinPath(top, RUN_FILE)), undefined, 'no such file (not a run folder of lggan train?)');
  }
  const depth = (p: string) => p.split('/').length;
  const least = Math.min(...runFiles.map(depth));
  const shallowest = runFiles.filter((p) => depth(p) === least);
  if (shallowest.length > 1) {
    const names = shallowest.slice(0, 3).map((p) => JSON.stringify(parentOf(p))).join(', ');
    throw new RunFolderError(`${where || 'the folder'}: holds ${shallowest.length} run folders (${names}${shallowest.length > 3 ? ', …' : ''}); read each alone`);
  }
  return parentOf(shallowest[0]);
}

export interface ReadRunFolderOptions {
  /** Read the sample grids (default true); without them `samples` is empty (the CLI's table and chart need none). */
  samples?: boolean;
}

/** Reads the files of ONE run folder (run.json at their root or in their one top folder) into a RunRecord. */
export async function readRunFolderFiles(files: readonly FolderFile[], where: string, options: ReadRunFolderOptions = {}): Promise<RunRecord> {
  const folder = new RunFolderFiles(files, findRoot(files, where), where);
  const runName = folder.name(RUN_FILE);
  const runText = await folder.text(RUN_FILE, RUN_FILE_LIMITS.bytes, (d) => new RunFileError(runName, undefined, d));
  const run = parseRunFileText(runText, runName);
  const logError = (path: string) => (detail: string) => new RunFolderError(`${folder.name(path)}: ${detail}`);

  const losses = run.files.losses;
  const { curves, lastStep } = parseLossesCsv(await folder.text(losses, LOG_LIMITS.bytes, logError(losses)), folder.name(losses), run.lossTerms);
  const metricsPath = run.files.metrics;
  const metrics = folder.has(metricsPath) ? parseMetricsJsonl(await folder.text(metricsPath, LOG_LIMITS.bytes, logError(metricsPath)), folder.name(metricsPath)) : [];
  const samples = options.samples === false ? [] : await readSampleGrids(folder, run);
  const path = joinPath(where, folder.root) || '.';
  return recordOfRunFolder(run, path, { curves, lastStep, metrics, samples });
}

/** The sample grids of samples/ (direct children named step-N.png), at most SAMPLE_GRID_LIMITS.snapshots, evenly thinned. */
async function readSampleGrids(folder: RunFolderFiles, run: RunFile): Promise<RunSampleSnapshot[]> {
  const prefix = `${run.files.samples}/`;
  const grids = new Map<number, string>();
  for (const path of folder.paths()) {
    const match = path.startsWith(prefix) ? GRID_NAME.exec(path.slice(prefix.length)) : null;
    if (match && !grids.has(Number(match[1]))) grids.set(Number(match[1]), path);
  }
  const kept = thinEvenly([...grids].sort((a, b) => a[0] - b[0]), SAMPLE_GRID_LIMITS.snapshots);
  const rows = Math.min(SAMPLE_GRID_ROWS, run.data.heldOutSamples);
  // train.ts renders the first `rows` held-out samples, one a row (condition, outputs, real).
  const input = rows === 1 ? 'held-out sample 0' : `held-out samples 0–${rows - 1}, one a row`;
  let total = 0;
  const snapshots: RunSampleSnapshot[] = [];
  for (const [step, path] of kept) {
    const fail = (detail: string) => new RunFolderError(`${folder.name(path)}: ${detail}`);
    const png = await folder.bytes(path, SAMPLE_GRID_LIMITS.bytes, fail);
    total += png.length;
    if (total > SAMPLE_GRID_LIMITS.totalBytes) throw fail(`brings the sample grids read to ${total} bytes; at most ${SAMPLE_GRID_LIMITS.totalBytes} are read`);
    const size = samplePngSize(png, SAMPLE_GRID_LIMITS.side);
    if ('problem' in size) throw fail(size.problem);
    snapshots.push({ step, input, images: [{ name: 'grid', width: size.width, height: size.height, png }] });
  }
  return snapshots;
}

/** The record of a checked run.json and the parsed contents of its folder. */
export function recordOfRunFolder(
  run: RunFile,
  path: string,
  found: { curves: Map<string, RunCurve>; lastStep: number; metrics: RunMetricPoint[]; samples: RunSampleSnapshot[] },
): RunRecord {
  return {
    source: { kind: 'folder', path },
    variant: run.graph.name.trim() || baseName(path.replace(/\/+$/, '')) || path,
    status: run.status,
    graph: { name: run.graph.name, hash: run.graph.hash, document: run.graph.document },
    seed: run.seed,
    dataSeed: run.dataSeed,
    backend: run.backend,
    batch: run.batch,
    data: { kind: run.data.kind, description: run.data.description, fingerprint: run.data.fingerprint, trainSamples: run.data.trainSamples, heldOutSamples: run.data.heldOutSamples },
    // losses.csv is written every step, run.json at the start and the end: a crashed run's csv is ahead.
    steps: { requested: run.steps.requested, done: Math.max(run.steps.done, found.lastStep), resumedFrom: run.steps.resumedFrom },
    startedAt: run.startedAt,
    wallSeconds: run.wallSeconds,
    lossTerms: [...run.lossTerms],
    curves: found.curves,
    metrics: found.metrics,
    samples: found.samples,
  };
}
