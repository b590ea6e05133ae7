/**
 * Graph shapes that once made the resolver slow or overflow its stack, built from real core nodes:
 * a wide fan-out, a wide fan-in, one long cycle and a long chain. Shared by the resolver tests
 * (sizes that run in a moment) and bench/resolve-scale.ts (sizes at the document limits).
 */
import { GRAPH_FORMAT, GRAPH_VERSION, type GraphDocument, type GraphEdge, type GraphNode } from '../graph/document.ts';

export type ScaleShape = 'fan-out' | 'fan-in' | 'cycle' | 'chain';

export const SCALE_SHAPES: readonly ScaleShape[] = ['fan-out', 'fan-in', 'cycle', 'chain'];

const activation = (id: string): GraphNode => ({ id, type: 'core/activation', typeVersion: 1, params: {}, position: { x: 0, y: 0 } });
const wire = (from: string, fromPort: string, to: string, toPort: string): GraphEdge => ({ from: { node: from, port: fromPort }, to: { node: to, port: toPort } });

/**
 * `nodes` nodes in one of the shapes:
 * - fan-out: one input feeding every activation, the last of which feeds the output;
 * - fan-in: every activation fed by the input and wired into the one output port (nodes − 2 edges into it);
 * - cycle: a ring of activations, a0 → a1 → … → a0, that feeds the output (the input feeds nothing);
 * - chain: input → a0 → a1 → … → output.
 */
export function scaleGraph(shape: ScaleShape, nodes: number): GraphDocument {
  const count = nodes - 2;
  const ids = Array.from({ length: count }, (_, i) => `a${i}`);
  const list: GraphNode[] = [
    { id: 'in', type: 'core/semantic-input', typeVersion: 1, params: {}, position: { x: 0, y: 0 } },
    ...ids.map(activation),
    { id: 'out', type: 'core/output', typeVersion: 1, params: { name: 'out', role: 'feature' }, position: { x: 0, y: 0 } },
  ];
  const edges: GraphEdge[] = [];
  if (shape === 'fan-out') {
    for (const id of ids) edges.push(wire('in', 'semantic', id, 'x'));
    edges.push(wire(ids[count - 1], 'y', 'out', 'value'));
  } else if (shape === 'fan-in') {
    for (const id of ids) edges.push(wire('in', 'semantic', id, 'x'), wire(id, 'y', 'out', 'value'));
  } else {
    if (shape === 'chain') edges.push(wire('in', 'semantic', ids[0], 'x'));
    for (let i = 1; i < count; i++) edges.push(wire(ids[i - 1], 'y', ids[i], 'x'));
    if (shape === 'cycle') edges.push(wire(ids[count - 1], 'y', ids[0], 'x'));
    edges.push(wire(ids[count - 1], 'y', 'out', 'value'));
  }
  return {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    meta: { name: `${shape} of ${nodes} nodes` },
    template: { num_classes: 2, height: 4, width: 4 },
    nodes: list,
    edges,
    groups: [],
    comments: [],
    extra: {},
  };
}
