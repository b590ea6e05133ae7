import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeDef } from '../../nodes/contract.ts';
import { coreNodes, lgganNodes } from '../../nodes/index.ts';
import { NodeRegistry } from '../../nodes/registry.ts';
import type { GraphDocument, GraphNode } from '../graph/document.ts';
import { doc, edge, node } from './fixtures.test-util.ts';
import { applyNodeModes } from './modes.ts';
import { compileProgram, type Program } from './program.ts';
import { resolveGraph } from './resolve.ts';

/** A loss-like node whose second input is optional: it must adapt when that input's source is muted. */
const optionalSum: NodeDef = {
  type: 'test/optional-sum',
  version: 1,
  category: 'combine',
  title: 'Optional sum',
  doc: 'a, plus b when wired.',
  params: {},
  inputs: [
    { name: 'a', kind: 'feature', doc: 'any map' },
    { name: 'b', kind: 'feature', doc: 'any map', optional: true },
  ],
  outputs: [{ name: 'y', kind: 'feature', doc: 'a (+ b)' }],
  infer: ({ inputs }) => ({ y: inputs.a }),
  cost: () => ({ params: 0, macs: 0 }),
  build: () => ({ a, b }) => ({ y: b ? tf.add(a, b) : a.clone() }),
};

const registry = new NodeRegistry([...coreNodes, ...lgganNodes, optionalSum]);
const template = { num_classes: 2, height: 4, width: 4, batch: 1 };

const withMode = (n: GraphNode, mode: GraphNode['mode']): GraphNode => ({ ...n, mode });
const errors = (d: GraphDocument) => resolveGraph(d, registry).diagnostics.filter((x) => x.severity === 'error');

/** image → conv → norm → out, plus image → side → out2 */
function graph(modes: Record<string, GraphNode['mode']> = {}): GraphDocument {
  const nodes = [
    node('img', 'core/image-input'),
    node('conv', 'core/conv2d', { out_channels: 3, kernel: 3, padding: 1 }),
    node('norm', 'core/instance-norm'),
    node('out', 'core/output', { name: 'out' }),
    node('side', 'core/activation'),
    node('out2', 'core/output', { name: 'side' }),
  ].map((n) => (modes[n.id] ? withMode(n, modes[n.id]) : n));
  return doc(
    nodes,
    [edge('img', 'image', 'conv', 'x'), edge('conv', 'y', 'norm', 'x'), edge('norm', 'y', 'out', 'value'), edge('img', 'image', 'side', 'x'), edge('side', 'y', 'out2', 'value')],
    template,
  );
}

let programs: Program[] = [];
afterEach(() => {
  programs.forEach((p) => p.dispose());
  programs = [];
});

function run(d: GraphDocument, feed: tf.Tensor): Record<string, number[]> {
  const program = compileProgram(resolveGraph(d, registry));
  programs.push(program);
  const out = program.run({ img: feed });
  const values = Object.fromEntries(Object.entries(out).map(([k, t]) => [k, Array.from(t.dataSync())]));
  Object.values(out).forEach((t) => t.dispose());
  return values;
}

describe('applyNodeModes', () => {
  it('gives back the very same document when no node has a mode', () => {
    const d = graph();
    const rewrite = applyNodeModes(d, registry);
    expect(rewrite.doc).toBe(d);
    expect(resolveGraph(d, registry).removedByModes).toBeUndefined();
  });

  it('bypass wires the declared input straight to the output: the program skips the node', () => {
    const d = graph({ norm: 'bypass' });
    const rewrite = applyNodeModes(d, registry);
    expect(rewrite.doc.nodes.map((n) => n.id)).toEqual(['img', 'conv', 'out', 'side', 'out2']);
    expect(rewrite.doc.edges).toContainEqual(edge('conv', 'y', 'out', 'value'));
    expect(rewrite.removed).toEqual(['norm']);
    expect(errors(d)).toEqual([]);

    const feed = tf.randomNormal([1, 4, 4, 3], 0, 1, 'float32', 3);
    const bypassed = run(d, feed);
    const convOnly = run({ ...graph(), edges: [...graph().edges.filter((e) => e.to.node !== 'out'), edge('conv', 'y', 'out', 'value')] }, feed);
    const normalised = run(graph(), feed);
    feed.dispose();
    expect(bypassed.out).toEqual(convOnly.out);
    expect(bypassed.out).not.toEqual(normalised.out);
  });

  it('refuses to bypass a node whose type passes nothing through, naming it', () => {
    const d = graph({ conv: 'bypass' });
    expect(errors(d)[0]).toMatchObject({
      code: 'cannot-bypass',
      message: "'conv' (Conv 2D) cannot be bypassed: its type passes no input through to an output; mute it instead",
      where: { node: 'conv', pointer: '/nodes/1/mode' },
    });
  });

  it('mute removes the node and everything that needed it; other branches stay', () => {
    const d = graph({ conv: 'mute' });
    const rewrite = applyNodeModes(d, registry);
    expect(rewrite.removed).toEqual(['conv', 'norm', 'out']);
    expect(rewrite.doc.nodes.map((n) => n.id)).toEqual(['img', 'side', 'out2']);
    expect(rewrite.doc.edges).toEqual([edge('img', 'image', 'side', 'x'), edge('side', 'y', 'out2', 'value')]);
    expect(errors(d)).toEqual([]);
    const ir = resolveGraph(d, registry);
    expect(ir.removedByModes).toEqual(['conv', 'norm', 'out']);
    // What left without being muted itself is named, with the input that took it out.
    expect(ir.diagnostics.filter((x) => x.code === 'left-out').map((x) => [x.where.node, x.where.port, x.where.pointer, x.message])).toEqual([
      ['norm', 'x', '/nodes/2', "'norm' is left out of the program: its input 'x' needs 'conv'.y, which is muted"],
      ['out', 'value', '/nodes/3', "'out' is left out of the program: its input 'value' needs 'norm'.y, which is left out too"],
    ]);
    expect([...ir.nodes.keys()]).toEqual(['img', 'side', 'out2']);
  });

  it('a wire from a muted node into an optional input is dropped and the node adapts', () => {
    const d = doc(
      [node('img', 'core/image-input'), withMode(node('side', 'core/activation'), 'mute'), node('sum', 'test/optional-sum'), node('out', 'core/output')],
      [edge('img', 'image', 'side', 'x'), edge('img', 'image', 'sum', 'a'), edge('side', 'y', 'sum', 'b'), edge('sum', 'y', 'out', 'value')],
      template,
    );
    const rewrite = applyNodeModes(d, registry);
    expect(rewrite.removed).toEqual(['side']);
    expect(rewrite.doc.edges).toEqual([edge('img', 'image', 'sum', 'a'), edge('sum', 'y', 'out', 'value')]);
    expect(errors(d)).toEqual([]);
  });

  it('a bypassed node fed by a muted one is dead too', () => {
    const rewrite = applyNodeModes(graph({ conv: 'mute', norm: 'bypass' }), registry);
    expect(rewrite.removed).toEqual(['conv', 'norm', 'out']);
  });

  it('reports the rewritten graph’s problems at the places of the edited document', () => {
    // side muted removes node #4 and edges #3, #4: a bad param on out2 (node #5) must still say /nodes/5.
    const d = graph({ side: 'mute' });
    d.nodes.push(node('late', 'core/activation', { function: 'nope' }), node('out3', 'core/output', { name: 'late' }));
    d.edges.push(edge('img', 'image', 'late', 'x'), edge('late', 'y', 'out3', 'value'));
    const [problem] = errors(d);
    expect(problem).toMatchObject({ where: { node: 'late', pointer: '/nodes/6/params/function' } });
    // and an edge problem at its original edge index
    const e = graph({ side: 'mute' });
    e.edges.push({ from: { node: 'norm', port: 'nope' }, to: { node: 'out2', port: 'value' } });
    e.nodes = e.nodes.map((n) => (n.id === 'out2' ? { ...n, mode: undefined } : n));
    e.edges = e.edges.filter((x) => !(x.from.node === 'side' && x.to.node === 'out2'));
    const [edgeProblem] = errors(e);
    expect(edgeProblem).toMatchObject({ code: 'missing-port', where: { edge: 4, pointer: '/edges/4/from/port' } });
  });
});

describe('bypass of the LGGAN nodes', () => {
  const fusionGraph = (modes: Record<string, GraphNode['mode']>) =>
    doc(
      [
        node('local', 'core/image-input'),
        node('global', 'core/image-input'),
        node('x', 'core/image-input', { channels: 8, height: 'height/4', width: 'width/4' }),
        node('fusion', 'lggan/attention-fusion', { up_channels: 4, branch_channels: 4 }),
        node('out', 'core/output'),
      ].map((n) => (modes[n.id] ? withMode(n, modes[n.id]) : n)),
      [edge('x', 'image', 'fusion', 'x_encode'), edge('local', 'image', 'fusion', 'local'), edge('global', 'image', 'fusion', 'global'), edge('fusion', 'image', 'out', 'value')],
      template,
    );

  it('an output with no pass-through feeds nothing while bypassed, and the warning says so', () => {
    const d = fusionGraph({ fusion: 'bypass' });
    d.nodes.push(node('maps', 'core/output', { name: 'maps' }));
    d.edges.push(edge('fusion', 'attention', 'maps', 'value'));
    const ir = resolveGraph(d, registry);
    expect(ir.removedByModes).toEqual(['fusion', 'maps']);
    expect(ir.diagnostics.find((x) => x.code === 'left-out')?.message).toBe(
      "'maps' is left out of the program: its input 'value' needs 'fusion'.attention, which is bypassed and passes nothing through to 'attention'",
    );
  });

  it('attention fusion passes its global image through, or the local one when global is muted', () => {
    expect(applyNodeModes(fusionGraph({ fusion: 'bypass' }), registry).doc.edges).toEqual([edge('global', 'image', 'out', 'value')]);
    expect(applyNodeModes(fusionGraph({ fusion: 'bypass', global: 'mute' }), registry).doc.edges).toEqual([edge('local', 'image', 'out', 'value')]);
    expect(errors(fusionGraph({ fusion: 'bypass' }))).toEqual([]);
  });

  const sauGraph = (params: GraphNode['params']) =>
    doc(
      [node('x', 'core/image-input', { channels: 4 }), withMode(node('sau', 'lggan/sau-upsample', { mid_channels: 4, ...params }), 'bypass'), node('out', 'core/output')],
      [edge('x', 'image', 'sau', 'x'), edge('sau', 'y', 'out', 'value')],
      { ...template, height: 8, width: 8 },
    );

  it('the semantic-aware upsampler bypassed is plain nearest upsampling of the same shape', () => {
    const d = sauGraph({ scale: 2 });
    const active = resolveGraph({ ...d, nodes: d.nodes.map((n) => ({ ...n, mode: undefined })) }, registry);
    const ir = resolveGraph(d, registry);
    expect(ir.diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
    expect(ir.nodes.get('sau')!.node).toMatchObject({ type: 'core/upsample', params: { scale_factor: 2, mode: 'nearest' } });
    expect(ir.nodes.get('sau')!.outputs.y.shape).toEqual(active.nodes.get('sau')!.outputs.y.shape);
    expect(ir.networks.get('G')!.params).toBe(0);
    expect(active.networks.get('G')!.params).toBeGreaterThan(0);
  });

  it('SAU cannot be bypassed when it changes the channel count, and says which param', () => {
    expect(errors(sauGraph({ out_channels: 8 }))[0]).toMatchObject({
      code: 'cannot-bypass',
      message: expect.stringContaining("'sau' (SAU upsample) cannot bypass: out_channels = 8 changes the channel count"),
      where: { node: 'sau', param: 'out_channels', pointer: '/nodes/1/params/out_channels' },
    });
  });
});
