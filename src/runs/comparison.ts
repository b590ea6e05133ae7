/**
 * Runs side by side: one row per run (a browser run record or a run folder, read into a RunRecord) with its variant name, graph hash, what its graph
 * changes against the first run's (lggan diff's evaluated diff, counted), steps, wall time, the
 * last value of each loss term and the last held-out PSNR / SSIM / SD. Written as a Markdown table,
 * a CSV file and a JSON document. Page-safe: `lggan compare` and the browser share it.
 */
import type { NodeRegistry } from '../../nodes/registry.ts';
import { diffEvaluated } from '../compiler/diff.ts';
import type { GraphDocument } from '../graph/document.ts';
import { loadGraphValue } from '../graph/load.ts';
import { lastHeldOut } from './run-folder-parse.ts';
import type { RunRecord, RunSource } from './run-record.ts';

export const COMPARE_JSON_VERSION = 1;

/** What a run's graph changes against the first run's: counts, as `lggan diff` finds them. */
export interface DiffCounts {
  /** Nodes added, removed or changed (a param, a bypass/mute mode …). */
  nodes: number;
  /** Params changed on matched nodes, plus template values and init settings. */
  params: number;
  /** Wires added or removed. */
  wires: number;
}

export interface ComparisonRow {
  /** The graph's meta.name, else the folder's name / the run id. */
  variant: string;
  /** Where the run came from: its folder's path, or "browser run <id>" (sourceText). */
  dir: string;
  graphHash: string;
  /** Null for the first run (the reference) and where a graph could not be loaded (`diffProblem` says why). */
  diff: DiffCounts | null;
  diffProblem?: string;
  status: string;
  steps: number;
  wallSeconds: number | null;
  backend: string;
  seed: number;
  /** Last value per loss term (absent: the run has no such term). */
  lastLosses: Record<string, number>;
  /** The last evaluation with finite psnr, ssim and sd; count is null where the recorder did not keep it (a browser run). */
  heldOut: { psnr: number; ssim: number; sd: number; count: number | null; step: number } | null;
}

export interface Comparison {
  /** Every loss term of any run, in first-seen order: the loss columns. */
  terms: string[];
  rows: ComparisonRow[];
}

/** A record's source as one line of text: the folder's path, or "browser run <id>". */
export function sourceText(source: RunSource): string {
  return source.kind === 'folder' ? source.path : `browser run ${source.id}`;
}

function loadDocument(run: RunRecord, registry: NodeRegistry): GraphDocument | string {
  const file = run.source.kind === 'folder' ? `${run.source.path}/run.json (graph)` : `${sourceText(run.source)} (graph)`;
  const loaded = loadGraphValue(run.graph.document, { registry, file });
  if (!loaded.ok) return `its recorded graph does not load (${loaded.diagnostics.length} problem${loaded.diagnostics.length === 1 ? '' : 's'}; see lggan validate)`;
  return loaded.doc;
}

export function diffCounts(a: GraphDocument, b: GraphDocument, registry: NodeRegistry): DiffCounts {
  const d = diffEvaluated(a, b, registry);
  return {
    nodes: d.nodes.added.length + d.nodes.removed.length + d.nodes.changed.length,
    params: d.nodes.changed.reduce((n, c) => n + c.params.length, 0) + d.template.length + d.init.length,
    wires: d.wires.added.length + d.wires.removed.length,
  };
}

export function compareRuns(runs: RunRecord[], registry: NodeRegistry): Comparison {
  const terms = [...new Set(runs.flatMap((r) => r.lossTerms))];
  const docs = runs.map((r) => loadDocument(r, registry));
  const reference = docs[0];
  const rows = runs.map((r, i): ComparisonRow => {
    const lastLosses: Record<string, number> = {};
    for (const [term, curve] of r.curves) if (curve.values.length > 0) lastLosses[term] = curve.values[curve.values.length - 1];
    const doc = docs[i];
    let diff: DiffCounts | null = null;
    let diffProblem: string | undefined;
    if (typeof doc === 'string') diffProblem = doc;
    else if (typeof reference === 'string') diffProblem = 'the first run\'s graph does not load';
    else if (i > 0) diff = diffCounts(reference, doc, registry);
    const m = lastHeldOut(r.metrics);
    return {
      variant: r.variant,
      dir: sourceText(r.source),
      graphHash: r.graph.hash,
      diff,
      ...(diffProblem ? { diffProblem } : {}),
      status: r.status,
      steps: r.steps.done,
      wallSeconds: r.wallSeconds,
      backend: r.backend,
      seed: r.seed,
      lastLosses,
      heldOut: m ? { psnr: m.psnr, ssim: m.ssim, sd: m.sd, count: m.count, step: m.step } : null,
    };
  });
  return { terms, rows };
}

/** The diff column: "reference" for the first run, else "nodes 2 · params 3 · wires 1" ("same graph" when all are 0). */
export function diffText(row: ComparisonRow, index: number): string {
  if (row.diffProblem) return `? (${row.diffProblem})`;
  if (index === 0 || !row.diff) return 'reference';
  const { nodes, params, wires } = row.diff;
  return nodes + params + wires === 0 ? 'same graph' : `nodes ${nodes} · params ${params} · wires ${wires}`;
}

const num = (v: number | undefined, digits = 4) => (v === undefined ? '' : Number.isFinite(v) ? v.toPrecision(digits) : String(v));

/** The table's header and rows as plain strings (shared by Markdown and the terminal). */
export function comparisonCells(c: Comparison): { header: string[]; rows: string[][] } {
  const header = ['run', 'variant', 'graph hash', 'diff vs run 1', 'steps', 'time (s)', ...c.terms, 'PSNR (dB)', 'SSIM', 'SD (dB)'];
  const rows = c.rows.map((r, i) => [
    String(i + 1),
    r.variant,
    r.graphHash.slice(0, 12),
    diffText(r, i),
    `${r.steps}${r.status === 'finished' ? '' : ` (${r.status})`}`,
    r.wallSeconds === null ? '' : r.wallSeconds.toFixed(1),
    ...c.terms.map((t) => num(r.lastLosses[t])),
    r.heldOut ? r.heldOut.psnr.toFixed(2) : '',
    r.heldOut ? r.heldOut.ssim.toFixed(4) : '',
    r.heldOut ? r.heldOut.sd.toFixed(2) : '',
  ]);
  return { header, rows };
}

/** A Markdown cell: text from a file stays text (pipes, backslashes, HTML and line breaks escaped). */
export function markdownCell(text: string): string {
  return text
    .replace(/[\\|`*_[\]<>#]/g, (ch) => `\\${ch}`)
    .replace(/[\r\n\t\0-\x1f\x7f]/g, ' ');
}

export function comparisonMarkdown(c: Comparison, options: { chart?: string } = {}): string {
  const { header, rows } = comparisonCells(c);
  const line = (cells: string[]) => `| ${cells.map(markdownCell).join(' | ')} |`;
  const out = [
    '# Runs compared',
    '',
    line(header),
    `|${header.map((_, i) => (i === 0 || i >= 4 ? ' ---: ' : ' --- ')).join('|')}|`,
    ...rows.map(line),
    '',
    'Losses are the last logged value of each loss term (by loss node id); PSNR, SSIM and SD are the last held-out evaluation.',
    '"diff vs run 1" counts what `lggan diff` finds against the first run\'s graph: nodes added, removed or changed; params changed; wires added or removed.',
    '',
    'Runs (the colours of the loss chart):',
    '',
    ...c.rows.map((r, i) => `${i + 1}. ${markdownCell(r.variant)} — ${markdownCell(r.dir)}, seed ${r.seed}, ${markdownCell(r.backend)} backend, graph ${r.graphHash}`),
  ];
  if (options.chart) out.push('', `![loss curves per term](${options.chart})`);
  return out.join('\n') + '\n';
}

/** RFC 4180: quoted where needed; a cell that a spreadsheet would run as a formula gets a leading quote mark. */
export function csvCell(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) && !/^-?\d/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function comparisonCsv(c: Comparison): string {
  const header = ['run', 'variant', 'dir', 'graph_hash', 'diff_nodes', 'diff_params', 'diff_wires', 'status', 'steps', 'wall_seconds', 'backend', 'seed', ...c.terms, 'psnr', 'ssim', 'sd', 'held_out_count'];
  const rows = c.rows.map((r, i) => [
    String(i + 1),
    r.variant,
    r.dir,
    r.graphHash,
    r.diff ? String(r.diff.nodes) : '',
    r.diff ? String(r.diff.params) : '',
    r.diff ? String(r.diff.wires) : '',
    r.status,
    String(r.steps),
    r.wallSeconds === null ? '' : String(r.wallSeconds),
    r.backend,
    String(r.seed),
    ...c.terms.map((t) => (r.lastLosses[t] === undefined ? '' : String(r.lastLosses[t]))),
    r.heldOut ? String(r.heldOut.psnr) : '',
    r.heldOut ? String(r.heldOut.ssim) : '',
    r.heldOut ? String(r.heldOut.sd) : '',
    r.heldOut && r.heldOut.count !== null ? String(r.heldOut.count) : '',
  ]);
  return [header, ...rows].map((cells) => cells.map(csvCell).join(',')).join('\n') + '\n';
}

export function comparisonJson(c: Comparison) {
  return { version: COMPARE_JSON_VERSION, terms: c.terms, runs: c.rows };
}
