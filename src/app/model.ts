/**
 * What the app shows of a graph, derived in one direction: text → loadGraph → resolveGraph (batch 1)
 * → plain rows for the tables. No UI state here, so it is testable in Node.
 */
import type { NodeRegistry } from '../../nodes/registry.ts';
import { formatShape } from '../../nodes/dims.ts';
import type { TensorKind, TensorType } from '../../nodes/contract.ts';
import { loadGraph, loadGraphValue, type LoadResult } from '../graph/load.ts';
import type { Diagnostic, Severity } from '../graph/diagnostics.ts';
import type { GraphDocument } from '../graph/document.ts';
import { resolveGraph } from '../compiler/resolve.ts';
import type { NetworkTotals } from '../compiler/ir.ts';

export interface OutputCell {
  port: string;
  kind: TensorKind;
  /** "H/4×W/4×256" with symbols, or the kind for shapeless values ("loss", "network"). */
  shape: string;
  /** The concrete numbers at batch 1, e.g. "1×8×8×256". */
  concrete: string;
}

export interface NodeRow {
  id: string;
  type: string;
  title?: string;
  network: string;
  /** Empty when inference failed or the type is unknown. */
  outputs: OutputCell[];
  params: number;
  macs: number;
  /** The worst diagnostic about this node, if any. */
  severity?: Severity;
  known: boolean;
}

export interface NetworkRow extends NetworkTotals {
  name: string;
}

export interface GraphView {
  doc: GraphDocument;
  /** The source the graph came from ("tiny-pix2pix.json", the picked file's name). */
  file: string;
  rows: NodeRow[];
  networks: NetworkRow[];
  total: NetworkTotals;
  /** Loader warnings followed by the resolver's diagnostics (errors first). */
  diagnostics: Diagnostic[];
}

export type OpenResult = { ok: true; view: GraphView } | { ok: false; diagnostics: Diagnostic[] };

function outputCells(outputs: Record<string, TensorType>): OutputCell[] {
  return Object.entries(outputs).map(([port, t]) => {
    const shapeless = t.kind === 'network' || t.kind === 'loss' || t.shape.length === 0;
    return {
      port,
      kind: t.kind,
      shape: shapeless ? t.kind : formatShape(t.shape),
      concrete: t.shape.map((d) => d.value).join('×') || 'scalar',
    };
  });
}

/** Loads, validates and resolves a graph file's text at batch 1. Never throws for bad input. */
export function openGraphText(text: string, file: string, registry: NodeRegistry): OpenResult {
  return present(loadGraph(text, { file, registry }), file, registry);
}

/** The same for an already parsed graph (the embedded default graph, a JSON import). */
export function openGraphValue(json: unknown, file: string, registry: NodeRegistry): OpenResult {
  return present(loadGraphValue(json, { file, registry }), file, registry);
}

function present(loaded: LoadResult, file: string, registry: NodeRegistry): OpenResult {
  if (!loaded.ok) return { ok: false, diagnostics: loaded.diagnostics };
  const ir = resolveGraph(loaded.doc, registry, { batch: 1 });

  const orderIndex = new Map(ir.order.map((id, i) => [id, i]));
  const docIndex = new Map(loaded.doc.nodes.map((n, i) => [n.id, i]));
  // Topological order reads like the network; nodes on a cycle follow in document order.
  const ids = [...ir.nodes.keys()].sort(
    (a, b) => (orderIndex.get(a) ?? Infinity) - (orderIndex.get(b) ?? Infinity) || docIndex.get(a)! - docIndex.get(b)!,
  );
  const worst = new Map<string, Severity>();
  const diagnostics = [...loaded.diagnostics, ...ir.diagnostics].sort(
    (a, b) => Number(b.severity === 'error') - Number(a.severity === 'error'),
  );
  for (const d of diagnostics) {
    if (d.where.node === undefined) continue;
    if (d.severity === 'error' || !worst.has(d.where.node)) worst.set(d.where.node, d.severity);
  }

  const rows: NodeRow[] = ids.map((id) => {
    const n = ir.nodes.get(id)!;
    return {
      id,
      type: n.node.type,
      title: n.node.title ?? n.def?.title,
      network: n.network,
      outputs: outputCells(n.outputs),
      params: n.cost.params,
      macs: n.cost.macs,
      severity: worst.get(id),
      known: n.def !== undefined,
    };
  });
  const networks = [...ir.networks.entries()]
    .map(([name, t]) => ({ name, ...t }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { ok: true, view: { doc: loaded.doc, file, rows, networks, total: ir.total, diagnostics } };
}
