import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { chain, doc, edge, fakeRegistry, node } from './fixtures.test-util.ts';
import { CompileError, compileProgram } from './program.ts';
import { resolveGraph } from './resolve.ts';
import { weightStd } from './init.ts';

const registry = fakeRegistry();

function compile(d = chain(), seed = 0) {
  d.init = { scheme: 'xavier-normal', gain: 0.02, seed };
  return compileProgram(resolveGraph(d, registry));
}

describe('compileProgram', () => {
  it('creates variables under stable names, grouped by network', () => {
    const p = compile();
    expect([...p.variables.keys()]).toEqual(['s1.weight', 's1.bias', 's2.weight', 's2.bias']);
    expect(p.networks).toEqual(['G', 'D']);
    expect(p.trainableNames('D')).toEqual(['s2.weight', 's2.bias']);
    expect(p.trainableVariables('D')).toEqual([p.variables.get('s2.weight'), p.variables.get('s2.bias')]);
    expect(p.inputNodes.map((n) => n.id)).toEqual(['in']);
    expect(p.sinkNodes.map((n) => n.id)).toEqual(['out']);
    p.dispose();
  });

  it('initialises deterministically per variable name, independent of other nodes', () => {
    const a = compile();
    const b = compile();
    expect(Array.from(a.variables.get('s1.weight')!.dataSync())).toEqual(Array.from(b.variables.get('s1.weight')!.dataSync()));
    const c = compile(chain(), 1);
    expect(Array.from(c.variables.get('s1.weight')!.dataSync())).not.toEqual(Array.from(a.variables.get('s1.weight')!.dataSync()));
    // Adding a node in front does not change s2's weights.
    const d = chain();
    d.nodes.splice(1, 0, node('extra', 'test/scale'));
    d.edges.push(edge('in', 'out', 'extra', 'x'));
    d.nodes.push(node('out2', 'test/output'));
    d.edges.push(edge('extra', 'y', 'out2', 'value'));
    const e = compile(d);
    expect(Array.from(e.variables.get('s2.weight')!.dataSync())).toEqual(Array.from(a.variables.get('s2.weight')!.dataSync()));
    expect(Array.from(a.variables.get('s1.bias')!.dataSync())).toEqual([0, 0]);
    for (const p of [a, b, c, e]) p.dispose();
  });

  it('draws xavier-normal weights with the official standard deviation', () => {
    const d = doc([node('in', 'test/input', { channels: 4096 }), node('s', 'test/scale'), node('o', 'test/output')], [edge('in', 'out', 's', 'x'), edge('s', 'y', 'o', 'value')]);
    d.init = { scheme: 'xavier-normal', gain: 0.02, seed: 3 };
    const p = compileProgram(resolveGraph(d, registry));
    const w = p.variables.get('s.weight')!;
    const { mean, variance } = tf.moments(w);
    const expected = weightStd(d.init, 4096, 4096); // 0.02·sqrt(2/8192)
    expect(Math.abs(mean.dataSync()[0])).toBeLessThan(3 * expected / Math.sqrt(4096) * 2);
    expect(Math.sqrt(variance.dataSync()[0]) / expected).toBeCloseTo(1, 1);
    tf.dispose([mean, variance]);
    p.dispose();
  });

  it('runs the graph on fed inputs and returns the sinks', () => {
    const p = compile();
    p.variables.get('s1.weight')!.assign(tf.tensor([2, 3]));
    p.variables.get('s2.weight')!.assign(tf.tensor([10, 100]));
    p.variables.get('s2.bias')!.assign(tf.tensor([1, 0]));
    const x = tf.ones([1, 4, 6, 2]);
    const out = p.run({ in: x });
    expect(Object.keys(out)).toEqual(['out']);
    expect(out.out.shape).toEqual([1, 4, 6, 2]);
    expect(Array.from(out.out.dataSync().slice(0, 2))).toEqual([21, 300]);
    const mid = p.run({ in: x }, { outputs: ['s1:y'] });
    expect(Array.from(mid['s1:y'].dataSync().slice(0, 2))).toEqual([2, 3]);
    tf.dispose([x, out.out, mid['s1:y']]);
    p.dispose();
  });

  it('runs one network alone when the other network’s values are fed', () => {
    const d = chain();
    d.nodes[3].network = 'D';
    const p = compile(d);
    const x = tf.ones([2, 4, 6, 2]);
    expect(() => p.run({ in: x }, { network: 'D' })).toThrow(/network 'D' needs the output of 's1' \(network 'G'\); feed it as 's1:<port>'/);
    const out = p.run({ 's1:y': x }, { network: 'D' });
    expect(out.out.shape).toEqual([2, 4, 6, 2]);
    tf.dispose([x, out.out]);
    p.dispose();
  });

  it('checks fed shapes against the inferred input shape', () => {
    const p = compile();
    const bad = tf.ones([1, 4, 4, 2]);
    expect(() => p.run({ in: bad })).toThrow("input node 'in' expects a tensor of shape [B, 4, 6, 2], got [1, 4, 4, 2]");
    bad.dispose();
    p.dispose();
  });

  it('leaks no tensors across 100 forward calls', () => {
    const p = compile();
    const x = tf.ones([1, 4, 6, 2]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) tf.dispose(p.run({ in: x }));
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    p.dispose();
  });

  it('refuses to compile a graph with errors or placeholders, listing each', () => {
    const d = chain();
    d.nodes[2].params.expect_channels = 5;
    expect(() => compile(d)).toThrow(CompileError);
    const withPlaceholder = chain();
    withPlaceholder.nodes.push(node('future', 'lggan/quantum', {}));
    withPlaceholder.edges.push(edge('s1', 'y', 'future', 'x'), edge('future', 'y', 'out', 'value'));
    withPlaceholder.edges.splice(2, 1); // out now fed by the placeholder
    try {
      compile(withPlaceholder);
      expect.unreachable();
    } catch (e) {
      expect((e as CompileError).diagnostics.map((x) => x.code)).toContain('placeholder');
      expect((e as CompileError).message).toContain("node 'future'");
    }
  });

  it('frees its variables on dispose', () => {
    const before = tf.memory().numTensors;
    const p = compile();
    expect(tf.memory().numTensors).toBe(before + 4);
    p.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
