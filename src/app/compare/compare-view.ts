/**
 * What "Compare with…" shows for an evaluated diff of a reference graph (A) against the open
 * graph (B): marks for the nodes and wires drawn on the canvas (those of the open graph), and one
 * list entry per change. Removed nodes and wires are not on the canvas: only the list names them.
 */
import type { EvaluatedDiff, EvaluatedParamChange } from '../../compiler/diff.ts';
import type { ValueChange, WireRef } from '../../graph/diff.ts';
import { edgeKey } from '../editor/edits.ts';

export type NodeMark = 'added' | 'changed';

export interface CompareItem {
  change: 'added' | 'removed' | 'changed';
  /** The node to select and centre on in the open graph; absent for what is not on the canvas. */
  node?: string;
  /** Plain text (rendered as text, never as HTML). */
  text: string;
}

export interface CompareView {
  nodes: Map<string, NodeMark>;
  /** Added wires of the open graph, by the canvas's edge key. */
  wires: Set<string>;
  items: CompareItem[];
}

const show = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));
const wireText = (w: WireRef) => `${w.from.node}.${w.from.port} → ${w.to.node}.${w.to.port}`;

function paramText(p: EvaluatedParamChange): string {
  const side = (raw: unknown, value: unknown) => (typeof raw === 'string' && value !== undefined && value !== raw ? `${show(raw)} (= ${show(value)})` : show(raw));
  return `${p.name}: ${side(p.before, p.beforeValue)} → ${side(p.after, p.afterValue)}`;
}

const valueText = (c: ValueChange) => `${c.name}: ${show(c.before)} → ${show(c.after)}`;

export function compareView(d: EvaluatedDiff): CompareView {
  const nodes = new Map<string, NodeMark>();
  const items: CompareItem[] = [];
  for (const c of d.template) items.push({ change: 'changed', text: `template ${valueText(c)}` });
  for (const c of d.init) items.push({ change: 'changed', text: `init ${valueText(c)}` });
  for (const n of d.nodes.added) {
    nodes.set(n.id, 'added');
    items.push({ change: 'added', node: n.id, text: `${n.id} (${n.type}) added` });
  }
  for (const n of d.nodes.removed) items.push({ change: 'removed', text: `${n.id} (${n.type}) removed` });
  for (const c of d.nodes.changed) {
    nodes.set(c.after, 'changed');
    if (c.before !== c.after) items.push({ change: 'changed', node: c.after, text: `${c.before} renamed to ${c.after}` });
    for (const p of c.params) items.push({ change: 'changed', node: c.after, text: `${c.after} ${paramText(p)}` });
    for (const f of c.fields) items.push({ change: 'changed', node: c.after, text: `${c.after} ${valueText(f)}` });
  }
  for (const w of d.wires.removed) items.push({ change: 'removed', text: `wire ${wireText(w)} removed` });
  const wires = new Set<string>();
  for (const w of d.wires.added) {
    wires.add(edgeKey(w));
    items.push({ change: 'added', node: w.to.node, text: `wire ${wireText(w)} added` });
  }
  return { nodes, wires, items };
}
