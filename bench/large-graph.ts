/**
 * A generated graph of N nodes built from core nodes: repeated conv → norm → activation stages
 * with residual blocks and skip additions, at a small template so inference stays cheap to run.
 */
import { GRAPH_FORMAT, GRAPH_VERSION, type GraphDocument, type GraphEdge, type GraphNode } from '../src/graph/document.ts';

export function largeGraph(nodeCount: number): GraphDocument {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const add = (type: string, params: GraphNode['params'] = {}): string => {
    const id = `n${nodes.length}`;
    nodes.push({ id, type, typeVersion: 1, params, position: { x: (nodes.length % 40) * 220, y: Math.floor(nodes.length / 40) * 160 } });
    return id;
  };
  const wire = (from: string, fromPort: string, to: string, toPort: string) => edges.push({ from: { node: from, port: fromPort }, to: { node: to, port: toPort } });

  let last = add('core/semantic-input');
  let lastPort = 'semantic';
  const stem = add('core/conv2d', { out_channels: 'ngf', kernel: 3 });
  wire(last, lastPort, stem, 'x');
  [last, lastPort] = [stem, 'y'];
  // Each stage adds 6 nodes: conv, norm, activation, residual block, add (skip), and keeps width.
  while (nodes.length + 7 <= nodeCount) {
    const skipFrom = last;
    const conv = add('core/conv2d', { out_channels: 'ngf', kernel: 3 });
    wire(last, lastPort, conv, 'x');
    const norm = add('core/instance-norm');
    wire(conv, 'y', norm, 'x');
    const act = add('core/activation', { function: 'leaky-relu' });
    wire(norm, 'y', act, 'x');
    const block = add('core/residual-block');
    wire(act, 'y', block, 'x');
    const sum = add('core/add');
    wire(block, 'y', sum, 'a');
    wire(skipFrom, 'y', sum, 'b');
    [last, lastPort] = [sum, 'y'];
  }
  while (nodes.length < nodeCount - 1) {
    const act = add('core/activation', { function: 'relu' });
    wire(last, lastPort, act, 'x');
    [last, lastPort] = [act, 'y'];
  }
  const out = add('core/output', { name: 'out', role: 'feature' });
  wire(last, lastPort, out, 'value');
  return {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    meta: { name: `generated ${nodeCount}-node graph` },
    template: { num_classes: 8, height: 32, width: 32, ngf: 16, ndf: 16 },
    nodes,
    edges,
    groups: [],
    comments: [],
    extra: {},
  };
}
