/**
 * The comparison marks the canvas draws: one comparison per page at a time. Node cards and wires
 * are mounted by Rete's render plugin, each as its own component, so they read the marks from
 * here rather than through props; the compare panel sets and clears them.
 */
import type { NodeMark } from './compare-view.ts';

let nodes = $state.raw<ReadonlyMap<string, NodeMark>>(new Map());
let wires = $state.raw<ReadonlySet<string>>(new Set());

export const compareMarks = {
  node: (id: string): NodeMark | undefined => nodes.get(id),
  /** Whether the wire (by edge key) is new in the open graph. */
  wireAdded: (key: string): boolean => wires.has(key),
  /** Every mark at once (the litegraph view draws them all itself). */
  get current(): { nodes: ReadonlyMap<string, NodeMark>; wires: ReadonlySet<string> } {
    return { nodes, wires };
  },
  set(next: { nodes: ReadonlyMap<string, NodeMark>; wires: ReadonlySet<string> }): void {
    nodes = next.nodes;
    wires = next.wires;
  },
  clear(): void {
    nodes = new Map();
    wires = new Set();
  },
};
