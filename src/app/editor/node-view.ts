/**
 * What the canvas draws for each node, derived from the document and its GraphIR: title,
 * category (colour), ports with their inferred shapes, cost badges and the node's problems.
 * Pure data, so the canvas only copies it into its node objects, and Node tests can check it.
 */
import { badgeParams, type NodeCategory, type TensorKind } from '../../../nodes/contract.ts';
import { formatShape, type Dim } from '../../../nodes/dims.ts';
import type { GraphIR, ResolvedNode } from '../../compiler/ir.ts';
import type { Diagnostic, Severity } from '../../graph/diagnostics.ts';
import type { GraphDocument, NodeMode } from '../../graph/document.ts';

export interface PortView {
  name: string;
  kind: TensorKind;
  doc: string;
  optional: boolean;
  /** Outputs: the inferred shape in symbols ("H/4×W/4×256", "loss"); inputs: the shape arriving. */
  shape?: string;
  /** The same shape in numbers at the graph's template size ("16×32×64"), batch left out. */
  dims?: string;
  /** The whole shape with the batch, in numbers ("1×16×32×64"), for the hover text. */
  dimsWithBatch?: string;
  /** The worst problem reported at this port. */
  problem?: { severity: Severity; message: string };
}

export interface NodeView {
  id: string;
  type: string;
  title: string;
  category: NodeCategory | 'unknown';
  network: string;
  known: boolean;
  inputs: PortView[];
  outputs: PortView[];
  params: number;
  macs: number;
  /** Architecture choices the node type shows on its card (its `badges` params), as plain text. */
  badges: BadgeView[];
  severity?: Severity;
  problems: Diagnostic[];
  /** Bypassed or muted by the user, or left out of the program because a node it needs is. */
  mode?: NodeMode | 'left-out';
}

export interface BadgeView {
  param: string;
  /** "sau", "fixed", "35 classes": drawn as text, never as HTML. */
  text: string;
  /** The value differs from the type's default (a variant's choice), so the card marks it. */
  changed: boolean;
}

/** Wide enough for an input and an output row with both names and their shapes in numbers at full size ("features 256×512×64" beside "256×512×105 class_images"). */
export const NODE_WIDTH = 320;
export const HEADER_H = 44;
export const ROW_H = 22;
export const FOOTER_H = 24;
export const BODY_PAD = 6;
/** The node card's top border (category colour) and other borders, as NodeCard.svelte draws them. */
export const BORDER_TOP = 4;
export const BORDER = 1;

/** Every node's box, from its port count alone, so it never changes while the user edits params. */
export function nodeSize(view: Pick<NodeView, 'inputs' | 'outputs'>): { width: number; height: number } {
  const rows = Math.max(1, view.inputs.length, view.outputs.length);
  return { width: NODE_WIDTH, height: BORDER_TOP + HEADER_H + 2 * BODY_PAD + rows * ROW_H + FOOTER_H + BORDER };
}

/**
 * Where a socket's centre sits relative to its node's top-left corner, from the fixed card
 * layout: the canvas never measures the DOM for it (measuring 500 nodes forces a layout each).
 */
export function socketOffset(side: 'input' | 'output', index: number): { x: number; y: number } {
  return { x: side === 'input' ? -1 : NODE_WIDTH + 1, y: BORDER_TOP + HEADER_H + BODY_PAD + index * ROW_H + ROW_H / 2 };
}

type PortTensor = { kind: TensorKind; shape: Dim[] } | undefined;

export function shapeText(t: PortTensor): string | undefined {
  if (!t) return undefined;
  if (t.kind === 'network' || t.kind === 'loss') return t.kind;
  return formatShape(t.shape);
}

/** The shape in numbers ("16×32×64"); the batch is left out unless asked for, as in shapeText. */
export function dimsText(t: PortTensor, withBatch = false): string | undefined {
  if (!t) return undefined;
  if (t.kind === 'network' || t.kind === 'loss') return t.kind;
  const dims = withBatch ? t.shape : t.shape.slice(1);
  return dims.length ? dims.map((d) => d.value).join('×') : 'scalar';
}

/** A port's shape fields: symbolic, in numbers, and in numbers with the batch. */
function shapeFields(t: PortTensor): Pick<PortView, 'shape' | 'dims' | 'dimsWithBatch'> {
  return { shape: shapeText(t), dims: dimsText(t), dimsWithBatch: dimsText(t, true) };
}

/** Port names the edges use, per node and side; built once per document (documents are never changed in place: edits.ts makes new ones), since a scan per node is quadratic. */
const edgePortNames = new WeakMap<GraphDocument, Map<string, { from: Set<string>; to: Set<string> }>>();
function portNamesOf(doc: GraphDocument, id: string, side: 'from' | 'to'): Set<string> | undefined {
  let index = edgePortNames.get(doc);
  if (!index) {
    index = new Map();
    for (const e of doc.edges) {
      for (const end of ['from', 'to'] as const) {
        let entry = index.get(e[end].node);
        if (!entry) index.set(e[end].node, (entry = { from: new Set(), to: new Set() }));
        entry[end].add(e[end].port);
      }
    }
    edgePortNames.set(doc, index);
  }
  return index.get(id)?.[side];
}

/** A port list for a node whose ports could not be resolved: those its edges name. */
function portsFromEdges(doc: GraphDocument, id: string, side: 'from' | 'to'): PortView[] {
  return [...(portNamesOf(doc, id, side) ?? [])].map((name) => ({ name, kind: 'feature', doc: 'port named by an edge', optional: true }));
}

function worstAt(problems: Diagnostic[], port: string): PortView['problem'] {
  const here = problems.filter((d) => d.where.port === port);
  const d = here.find((x) => x.severity === 'error') ?? here[0];
  return d ? { severity: d.severity, message: d.message } : undefined;
}

const BADGE_MAX_CHARS = 24;

/**
 * The node type's badge params with their resolved values: an enum or string shows its value
 * ("sau-label-gated"), a number its value and name ("35 classes"), a flag its name or "no name".
 * A param that did not resolve shows nothing (its problem is reported at the field). A value other
 * than the type's default is marked `changed`, so a variant's choices stand out.
 */
export function badgesOf(n: Pick<ResolvedNode, 'def' | 'params'>): BadgeView[] {
  const badges: BadgeView[] = [];
  if (!n.def) return badges;
  let params: readonly string[];
  try {
    params = badgeParams(n.def, n.params);
  } catch {
    return badges; // params that did not resolve: their problems are shown at the fields
  }
  for (const param of params) {
    const value = n.params[param];
    if (value === undefined) continue;
    const words = param.replace(/_/g, ' ');
    const text = typeof value === 'number' ? `${value} ${words}` : typeof value === 'boolean' ? (value ? words : `no ${words}`) : value;
    // A default that is a template expression ("num_classes") is not compared: it is no choice.
    const fallback = n.def.params[param]?.default;
    const changed = typeof fallback === typeof value && fallback !== value;
    badges.push({ param, text: text.length > BADGE_MAX_CHARS ? `${text.slice(0, BADGE_MAX_CHARS - 1)}…` : text, changed });
  }
  return badges;
}

export function nodeView(doc: GraphDocument, n: ResolvedNode, edgeProblems: Diagnostic[] = []): NodeView {
  const problems = [...n.diagnostics, ...edgeProblems];
  const severity = problems.some((d) => d.severity === 'error') ? 'error' : problems.length ? 'warning' : undefined;
  const inputs: PortView[] = n.inputPorts.length || n.outputPorts.length || !problems.length
    ? n.inputPorts.map((p) => ({ name: p.name, kind: p.kind, doc: p.doc, optional: !!p.optional, ...shapeFields(n.inputs[p.name]) }))
    : portsFromEdges(doc, n.id, 'to');
  const outputs: PortView[] = n.inputPorts.length || n.outputPorts.length || !problems.length
    ? n.outputPorts.map((p) => ({ name: p.name, kind: p.kind, doc: p.doc, optional: false, ...shapeFields(n.outputs[p.name]) }))
    : portsFromEdges(doc, n.id, 'from');
  // Ports the edges name but the node lacks stay drawable, so the bad edge can be seen and removed.
  for (const p of portsFromEdges(doc, n.id, 'to')) if (!inputs.some((q) => q.name === p.name)) inputs.push(p);
  for (const p of portsFromEdges(doc, n.id, 'from')) if (!outputs.some((q) => q.name === p.name)) outputs.push(p);
  for (const p of inputs) p.problem = worstAt(problems, p.name);
  return {
    id: n.id,
    type: n.node.type,
    title: n.node.title ?? n.def?.title ?? n.node.type,
    category: n.def?.category ?? 'unknown',
    network: n.network,
    known: n.def !== undefined,
    inputs,
    outputs,
    params: n.cost.params,
    macs: n.cost.macs,
    badges: badgesOf(n),
    severity,
    problems,
  };
}

/** Views for every node; graph-level edge problems (bad port names) are attached to their node. */
export function nodeViews(doc: GraphDocument, ir: GraphIR): Map<string, NodeView> {
  const edgeProblems = new Map<string, Diagnostic[]>();
  for (const d of ir.diagnostics) {
    if (d.where.node === undefined || d.where.edge === undefined) continue;
    const n = ir.nodes.get(d.where.node);
    if (n && !n.diagnostics.includes(d)) edgeProblems.set(d.where.node, [...(edgeProblems.get(d.where.node) ?? []), d]);
  }
  const views = new Map<string, NodeView>();
  const leftOut = new Set(ir.removedByModes ?? []);
  for (const node of doc.nodes) {
    const resolved = ir.nodes.get(node.id);
    // Muted and bypassed nodes, and what they took out, are not in the program but stay on the
    // canvas as the user made them; so does a bypassed node computed as a stand-in (SAU → upsample).
    const edited = ir.asEdited?.get(node.id);
    const n = edited && resolved ? { ...edited, diagnostics: resolved.diagnostics } : (edited ?? resolved);
    if (!n || views.has(node.id)) continue;
    const view = nodeView(doc, n, edgeProblems.get(node.id));
    const mode = node.mode ?? (leftOut.has(node.id) ? 'left-out' : undefined);
    views.set(node.id, mode ? { ...view, mode } : view);
  }
  return views;
}

/** A signature of the node's ports: when it changes, the canvas rebuilds the node's sockets. */
export function portSignature(view: NodeView): string {
  return `${view.inputs.map((p) => `${p.name}:${p.kind}`).join(',')}|${view.outputs.map((p) => `${p.name}:${p.kind}`).join(',')}`;
}
