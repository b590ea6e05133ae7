import type { NodeRegistry } from '../../../nodes/registry.ts';
import { diffEvaluated, type CostTotals, type EvaluatedDiff, type EvaluatedParamChange } from '../../compiler/diff.ts';
import type { GraphDocument } from '../../graph/document.ts';
import type { ValueChange, WireRef } from '../../graph/diff.ts';
import { intFlag, parseCommandArgs } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import { compact, table, thousands } from '../format.ts';
import { EXIT, UsageError, type CliIO } from '../io.ts';
import { readGraphOrReport } from '../read-graph.ts';

/** The --json schema's version: bump it when a field changes meaning or goes away. */
export const DIFF_JSON_VERSION = 1;

/** Names from a file are printed as they are only when plain; anything else is JSON-quoted (no control characters reach the terminal). */
function name(text: string): string {
  return /^[A-Za-z0-9_.:/-]+$/.test(text) ? text : JSON.stringify(text);
}

const wire = (w: WireRef) => `${name(w.from.node)}.${name(w.from.port)} → ${name(w.to.node)}.${name(w.to.port)}`;
const value = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));

/** `"ngf*2" (= 16)` for an expression; a plain value once. */
function evaluatedValue(raw: unknown, evaluated: unknown): string {
  if (raw === undefined || evaluated === undefined || JSON.stringify(raw) === JSON.stringify(evaluated)) return value(raw);
  return `${value(raw)} (= ${value(evaluated)})`;
}

function change(c: ValueChange): string {
  return `${name(c.name)}: ${value(c.before)} → ${value(c.after)}`;
}

function paramChange(c: EvaluatedParamChange): string {
  return `${name(c.name)}: ${evaluatedValue(c.before, c.beforeValue)} → ${evaluatedValue(c.after, c.afterValue)}`;
}

/** The diff as review lines: `-` removed, `+` added, `~` changed; one change per line. */
export function diffLines(d: EvaluatedDiff): string[] {
  const lines: string[] = [];
  for (const c of d.template) lines.push(`~ template ${change(c)}`);
  for (const c of d.init) lines.push(`~ init ${change(c)}`);
  for (const n of d.nodes.removed) lines.push(`- node ${name(n.id)} (${name(n.type)})`);
  for (const n of d.nodes.added) lines.push(`+ node ${name(n.id)} (${name(n.type)})`);
  for (const c of d.nodes.changed) {
    const id = name(c.after);
    if (c.before !== c.after) lines.push(`~ node ${name(c.before)} renamed to ${id} (${name(c.type)}, same content)`);
    for (const p of c.params) lines.push(`~ node ${id} (${name(c.type)}) param ${paramChange(p)}`);
    for (const f of c.fields) lines.push(`~ node ${id} (${name(c.type)}) ${change(f)}`);
  }
  for (const w of d.wires.removed) lines.push(`- wire ${wire(w)}`);
  for (const w of d.wires.added) lines.push(`+ wire ${wire(w)}`);
  return lines;
}

function delta(before: number | undefined, after: number | undefined, format: (n: number) => string): string[] {
  const b = before ?? 0;
  const a = after ?? 0;
  const diff = a - b;
  return [before === undefined ? '-' : format(b), after === undefined ? '-' : format(a), diff === 0 ? '=' : `${diff > 0 ? '+' : '-'}${format(Math.abs(diff))}`];
}

export function networksTable(d: EvaluatedDiff): string {
  const rows = d.networks.map((n) => [name(n.network), ...delta(n.before?.params, n.after?.params, thousands), ...delta(n.before?.macs, n.after?.macs, compact)]);
  return table(['network', '>params A', '>params B', '>change', '>mult-adds A', '>mult-adds B', '>change'], rows);
}

function summary(d: EvaluatedDiff): string {
  if (d.equal) return 'no differences (layout, titles, groups, comments and metadata are not compared)';
  const parts: [number, string][] = [
    [d.template.length, 'template value'],
    [d.init.length, 'init setting'],
    [d.nodes.removed.length, 'node removed'],
    [d.nodes.added.length, 'node added'],
    [d.nodes.changed.length, 'node changed'],
    [d.wires.removed.length, 'wire removed'],
    [d.wires.added.length, 'wire added'],
  ];
  const said = parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${n === 1 ? what : what.replace(/^(\w+)/, '$1s')}`);
  return `${said.join(', ')}`;
}

/**
 * The --json document (version 1), every list in a fixed order:
 * - `a`, `b`: `{ file, name, errors }` (errors: error diagnostics found resolving that graph);
 * - `equal`, `batch` (the batch the mult-adds are counted at);
 * - `template`, `init`: `[{ name, before?, after? }]` (a side is absent where the value is);
 * - `nodes.added`, `nodes.removed`: `[{ id, type }]` by id;
 * - `nodes.changed`: `[{ before, after, type, matchedBy: "id" | "content", params, fields }]`, where
 *   `before`/`after` are the node's ids in A and B, `params` is `[{ name, before?, after?,
 *   beforeValue?, afterValue? }]` (raw as written, e.g. "ngf*2", and evaluated) and `fields` the
 *   other compared node fields (typeVersion, network, a bypass/mute mode …) as `{ name, before?, after? }`;
 * - `wires.added` (B's ids), `wires.removed` (A's ids): `[{ from: { node, port }, to: { node, port } }]`;
 * - `networks`: `[{ network, a: { params, macs } | null, b: … }]` by name, then "all".
 */
export function diffJson(d: EvaluatedDiff, files: { a: string; b: string }, docs: { a: GraphDocument; b: GraphDocument }, batch: number) {
  const costs = (t?: CostTotals) => t ?? null;
  return {
    version: DIFF_JSON_VERSION,
    a: { file: files.a, name: docs.a.meta.name, errors: d.errors.before },
    b: { file: files.b, name: docs.b.meta.name, errors: d.errors.after },
    equal: d.equal,
    batch,
    template: d.template,
    init: d.init,
    nodes: d.nodes,
    wires: d.wires,
    networks: d.networks.map((n) => ({ network: n.network, a: costs(n.before), b: costs(n.after) })),
  };
}

/**
 * Exit codes as diff(1): 0 equal, 1 different, 2 trouble (a bad command line, or a file that cannot
 * be read or loaded: 1 is taken by "different", so bad input cannot share it as in other commands);
 * 70 an internal error, as everywhere.
 */
export async function diff(argv: string[], registry: NodeRegistry, io: CliIO): Promise<number> {
  const { positional, flags } = parseCommandArgs(argv, COMMAND_SPECS.diff);
  if (positional.length !== 2) throw new UsageError(`diff takes exactly two graph files (A and B), got ${positional.length}`);
  const [fileA, fileB] = positional;
  const batch = intFlag(flags, 'batch', 1, 1);
  const a = (await readGraphOrReport(fileA, registry, io))?.doc;
  const b = (await readGraphOrReport(fileB, registry, io))?.doc;
  if (!a || !b) return EXIT.usage;
  // An unexpected exception is left to main(): exit 70, which cannot be read as "different".
  const d = diffEvaluated(a, b, registry, { batch });
  if (flags.json) {
    io.out(JSON.stringify(diffJson(d, { a: fileA, b: fileB }, { a, b }, batch), null, 2));
  } else {
    io.out(`--- ${fileA} ${JSON.stringify(a.meta.name)}`);
    io.out(`+++ ${fileB} ${JSON.stringify(b.meta.name)}`);
    for (const line of diffLines(d)) io.out(line);
    io.out('');
    io.out(networksTable(d));
    for (const [label, file, count] of [['A', fileA, d.errors.before], ['B', fileB, d.errors.after]] as const) {
      if (count > 0) io.out(`note: ${label} (${file}) has ${count} error${count > 1 ? 's' : ''} (see lggan validate); its totals count only the nodes that resolved`);
    }
    io.out(summary(d));
  }
  return d.equal ? EXIT.ok : EXIT.problems; // 1: different
}
