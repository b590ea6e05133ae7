/**
 * Small fake node types for compiler tests, so the compiler is tested apart from the real node pack.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NodeDef, TensorType } from '../../nodes/contract.ts';
import { dim } from '../../nodes/dims.ts';
import { NodeRuleError } from '../graph/diagnostics.ts';
import { GRAPH_FORMAT, GRAPH_VERSION, type GraphDocument, type GraphNode } from '../graph/document.ts';
import { NodeRegistry } from '../../nodes/registry.ts';

export const fakeInput: NodeDef = {
  type: 'test/input',
  version: 2,
  category: 'input',
  title: 'Input',
  doc: 'Feeds a B×H×W×C map.',
  params: { channels: { type: 'int', default: 'num_classes', min: 1, max: 8192, template: true, doc: 'channels' } },
  inputs: [],
  outputs: [{ name: 'out', kind: 'semantic', doc: 'B×H×W×C' }],
  infer: ({ params, template }) => ({
    out: { kind: 'semantic', shape: [dim(template.batch, 'B'), dim(template.height, 'H'), dim(template.width, 'W'), dim(params.channels as number)] },
  }),
  cost: () => ({ params: 0, macs: 0 }),
  build: () => (inputs) => ({ out: inputs.value }),
};

/** y = x · w + b per channel; w ∈ R^C. */
export const fakeScale: NodeDef = {
  type: 'test/scale',
  version: 2,
  category: 'conv',
  title: 'Scale',
  doc: 'Per-channel scale and shift.',
  params: { expect_channels: { type: 'int', default: 0, min: 0, max: 1024, template: true, doc: '0 = any' } },
  inputs: [{ name: 'x', kind: 'feature', doc: 'B×H×W×C feature map' }],
  outputs: [{ name: 'y', kind: 'feature', doc: 'B×H×W×C' }],
  infer: ({ inputs, params }) => {
    const x = inputs.x;
    const want = params.expect_channels as number;
    if (want && x.shape[3].value !== want) throw new NodeRuleError(`expects ${want} channels, got ${x.shape[3].value}`, { port: 'x' });
    return { y: { kind: 'feature', shape: x.shape } };
  },
  cost: ({ inputs }) => {
    const c = inputs.x.shape[3].value;
    return { params: 2 * c, macs: inputs.x.shape.reduce((n, d) => n * d.value, 1) };
  },
  build: (ctx, { inputs }) => {
    const c = inputs.x.shape[3].value;
    const w = ctx.variable('weight', [c], { kind: 'weight', fanIn: c, fanOut: c });
    const b = ctx.variable('bias', [c], { kind: 'zeros' });
    return ({ x }) => ({ y: tf.add(tf.mul(x, w), b) });
  },
};

export const fakeOutput: NodeDef = {
  type: 'test/output',
  version: 2,
  category: 'output',
  title: 'Output',
  doc: 'Returns its input.',
  params: {},
  inputs: [{ name: 'value', kind: 'feature', doc: 'any map' }],
  outputs: [],
  infer: () => ({}),
  cost: () => ({ params: 0, macs: 0 }),
  build: () => ({ value }) => ({ value }),
};

export function fakeRegistry(): NodeRegistry {
  return new NodeRegistry([fakeInput, fakeScale, fakeOutput]);
}

export function node(id: string, type: string, params: GraphNode['params'] = {}, extra: Partial<GraphNode> = {}): GraphNode {
  return { id, type, typeVersion: 1, params, position: { x: 0, y: 0 }, ...extra };
}

export function edge(from: string, fromPort: string, to: string, toPort: string) {
  return { from: { node: from, port: fromPort }, to: { node: to, port: toPort } };
}

export function doc(nodes: GraphNode[], edges: GraphDocument['edges'], template: Record<string, number> = { num_classes: 2, height: 4, width: 6 }): GraphDocument {
  return { format: GRAPH_FORMAT, version: GRAPH_VERSION, meta: { name: 'test' }, template, nodes, edges, groups: [], comments: [], extra: {} };
}

/** input → scale → scale → output */
export function chain(): GraphDocument {
  return doc(
    [node('in', 'test/input'), node('s1', 'test/scale'), node('s2', 'test/scale', {}, { network: 'D' }), node('out', 'test/output')],
    [edge('in', 'out', 's1', 'x'), edge('s1', 'y', 's2', 'x'), edge('s2', 'y', 'out', 'value')],
  );
}

export type { TensorType };
