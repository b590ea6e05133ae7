import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { BuildContext } from '../../contract.ts';
import { plainSpatialType, spatialType } from '../../testing.test-util.ts';
import { expectClose, expectRuleError, shapeOf } from '../../core/assertions.test-util.ts';
import { patchDiscriminatorNode as node } from './patch-discriminator.ts';
import { readDiscriminator } from './signature.ts';
import { buildWithHandles, plan, readReference, singleTap, tfjsShapeOf } from './handles.test-util.ts';
import type { BuiltTestNode } from './handles.test-util.ts';
import { createTrackedInstanceNorm } from './tracked-instance-norm.ts';

const built: BuiltTestNode[] = [];
function build(...args: Parameters<typeof buildWithHandles>): BuiltTestNode {
  const n = buildWithHandles(...args);
  built.push(n);
  return n;
}
afterEach(() => built.splice(0).forEach((n) => n.dispose()));

const pair = (c: number, h = 32, w = 32, b = 1) => ({ condition: spatialType('image', b, h, w, c), image: spatialType('image', b, h, w, 3) });
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const leaky = (v: number) => (v < 0 ? 0.2 * v : v);

describe('lggan/patch-discriminator infer', () => {
  it('outputs a handle with one probability map (sigmoid) or logits', () => {
    // 32 → 16 → 8 → 4 (stride 2, padding 1), → 3 (stride 1), → 2
    const d = readDiscriminator({ discriminator: plan(node, { ndf: 2 }, pair(3)).outputs.network });
    expect(d.probabilities).toBe(true);
    expect(Object.keys(d.signature.outputs)).toEqual(['probabilities_0']);
    expect(d.outputs.map(shapeOf)).toEqual(['2×2×1']);
    expect(shapeOf(d.input)).toBe('H×W×6');
    const logits = readDiscriminator({ discriminator: plan(node, { ndf: 2, sigmoid: false }, pair(3)).outputs.network });
    expect(Object.keys(logits.signature.outputs)).toEqual(['logits_0']);
  });

  it('reports an input too small for its layers and a non-RGB image', () => {
    const infer = (inputs: Record<string, ReturnType<typeof spatialType>>) => () =>
      node.infer({ inputs, params: { ndf: 2, n_layers: 3, sigmoid: true, norm: 'instance' } as never, template: {} });
    expectRuleError(infer({ condition: plainSpatialType('image', 1, 16, 16, 3), image: plainSpatialType('image', 1, 16, 16, 3) }), { port: 'image' }, 'too small');
    expectRuleError(infer({ condition: spatialType('image', 1, 32, 32, 3), image: spatialType('feature', 1, 32, 32, 4) }), { port: 'image' }, 'expects 3 channels');
  });
});

describe('lggan/patch-discriminator cost', () => {
  it('counts a one-layer D exactly (by hand)', () => {
    // in = 1 + 3 = 4, ndf 2, 8×8:
    // model.0 4×4 s2 p1 4→2 → 4×4: 16·4·2 + 2 = 130 params, 16·128 = 2048 MACs
    // model.2 s1 2→4 → 3×3: 16·2·4 + 4 = 132 params, 9·128 = 1152 MACs; model.3 norm: 36 MACs, 8 buffers
    // model.5 4→1 → 2×2: 65 params, 4·64 = 256 MACs
    expect(plan(node, { ndf: 2, n_layers: 1 }, pair(1, 8, 8)).cost).toEqual({ params: 327, macs: 2048 + 1152 + 36 + 256, buffers: 8 });
  });

  it.each([256, 64])('matches the official cross-view totals at %i×%i', (size) => {
    const reference = readReference('crossview_D1');
    const { cost } = plan(node, { ndf: 64 }, pair(3, size, size));
    expect(cost.params).toBe(reference.totals.parameters);
    expect(cost.buffers).toBe(reference.totals.buffers_float_elements);
  });
});

describe('lggan/patch-discriminator official keys', () => {
  it.each(['crossview_D1', 'crossview_D2'])('lists every entry of %s in state_dict order', (name) => {
    const reference = readReference(name);
    const keys = plan(node, { ndf: 64 }, pair(3, 64, 64)).officialKeys;
    expect(keys.map((k) => [k.key, k.shape, k.kind])).toEqual(reference.entries.map((e) => [e.key, e.shape, e.kind]));
    expect(keys.filter((k) => k.variable === null).map((k) => k.key)).toEqual(['model.3.num_batches_tracked', 'model.6.num_batches_tracked', 'model.9.num_batches_tracked']);
  });

  it('names a variable of the tfjs shape for every kept key, and no other (full size)', () => {
    const d = build(node, { ndf: 64 }, pair(3, 64, 64));
    const kept = d.officialKeys.filter((k) => k.variable !== null);
    expect([...d.variables.keys()].sort()).toEqual(kept.map((k) => k.variable).sort());
    for (const key of kept) expect(d.variables.get(key.variable!)!.shape, key.key).toEqual(tfjsShapeOf(key));
    expect(d.variables.get('model.9.running_var')!.trainable).toBe(false);
    expect([...d.variables.values()].filter((v) => v.trainable).reduce((n, v) => n + v.size, 0)).toBe(2_767_809);
  });
});

describe('tracked instance norm', () => {
  it('normalises per sample in training, updates running stats as PyTorch, and uses them in eval', () => {
    const variables = new Map<string, tf.Variable>();
    const ctx: BuildContext = {
      nodeId: 'in',
      network: 'D',
      variable(name, shape, init, options) {
        const v = tf.variable(init.kind === 'ones' ? tf.ones(shape) : tf.zeros(shape), options?.trainable ?? true);
        variables.set(name, v);
        return v;
      },
    };
    const norm = createTrackedInstanceNorm(ctx, 'model.3', { channels: 1, eps: 1e-5, momentum: 0.1 });
    expect([...variables.keys()]).toEqual(['model.3.running_mean', 'model.3.running_var']);
    // sample 0: [1, 3] → mean 2, biased var 1, unbiased 2; sample 1: [0, 4] → mean 2, var 4, unbiased 8
    const x = tf.tensor4d([1, 3, 0, 4], [2, 1, 2, 1]);
    const trained = norm(x, { training: true });
    expectClose(trained, [-1 / Math.sqrt(1 + 1e-5), 1 / Math.sqrt(1 + 1e-5), -2 / Math.sqrt(4 + 1e-5), 2 / Math.sqrt(4 + 1e-5)]);
    // running ← 0.9·running + 0.1·(batch mean of per-instance stats)
    expectClose(variables.get('model.3.running_mean')!, [0.2]);
    expectClose(variables.get('model.3.running_var')!, [0.9 + 0.1 * 5]);
    const evaluated = norm(x, { training: false });
    expectClose(evaluated, [1, 3, 0, 4].map((v) => (v - 0.2) / Math.sqrt(1.4 + 1e-5)));
    expectClose(variables.get('model.3.running_mean')!, [0.2]);
    expect(() => norm(tf.zeros([1, 1, 1, 1]), { training: true })).toThrow('more than one pixel');
    tf.dispose([x, trained, evaluated, ...variables.values()]);
  });
});

describe('lggan/patch-discriminator forward', () => {
  it('applies padding 1, strides, LeakyReLU and the sigmoid (by hand)', () => {
    const d = build(node, { ndf: 1, n_layers: 1, norm: 'none' }, pair(1, 8, 8));
    d.setVariable('model.0.weight', singleTap(4, 4, 1, [[1, 1, 0, 0, 1]]));
    d.setVariable('model.0.bias', [0.5]);
    d.setVariable('model.2.weight', singleTap(4, 1, 2, [[1, 1, 0, 0, 1]]));
    d.setVariable('model.2.bias', [-1, 0]);
    d.setVariable('model.5.weight', singleTap(4, 2, 1, [[1, 1, 0, 0, 1]]));
    d.setVariable('model.5.bias', [0.25]);
    // y(i, j) = σ(LReLU(LReLU(condition[2i][2j] + 0.5) − 1) + 0.25): one tap at (1, 1) undoes padding 1
    const condition = tf.tensor4d(Array.from({ length: 64 }, (_, i) => (i - 10) / 4), [1, 8, 8, 1]);
    const x = tf.concat([condition, tf.randomNormal([1, 8, 8, 3], 0, 1, 'float32', 2)], 3);
    const expected = [-2.5, -2, 1.5, 2].map((v) => sigmoid(leaky(leaky(v + 0.5) - 1) + 0.25));
    const out = tf.tidy(() => d.handles.network.apply({ x }, { training: false }).outputs[0]);
    expect(out.shape).toEqual([1, 2, 2, 1]);
    expectClose(out, expected);
    tf.dispose([condition, x, out]);
  });

  it('updates running statistics in training only, and the output differs between the modes', () => {
    const d = build(node, { ndf: 2 }, pair(3, 32, 32, 2));
    const x = tf.randomNormal([2, 32, 32, 6], 0, 1, 'float32', 4);
    const mean = d.variables.get('model.3.running_mean')!;
    const evalOut = tf.tidy(() => d.handles.network.apply({ x }, { training: false }).outputs[0]);
    expect(Array.from(mean.dataSync()).every((v) => v === 0)).toBe(true);
    const trainOut = tf.tidy(() => d.handles.network.apply({ x }, { training: true }).outputs[0]);
    expect(Array.from(mean.dataSync()).some((v) => v !== 0)).toBe(true);
    expect(Array.from(trainOut.dataSync())).not.toEqual(Array.from(evalOut.dataSync()));
    expect(Array.from(trainOut.dataSync()).every((v) => v > 0 && v < 1)).toBe(true);
    tf.dispose([x, evalOut, trainOut]);
  });

  it('returns the output of every block, the last being the probability map', () => {
    const d = build(node, { ndf: 2 }, pair(3));
    tf.tidy(() => {
      const { outputs, features } = d.handles.network.apply({ x: tf.randomNormal([1, 32, 32, 6]) }, { training: false });
      expect(features[0].map((f) => f.shape.slice(1))).toEqual([
        [16, 16, 2],
        [8, 8, 4],
        [4, 4, 8],
        [3, 3, 16],
        [2, 2, 1],
      ]);
      expect(outputs[0]).toBe(features[0][4]);
    });
  });

  it('trains every weight with finite, non-zero gradients and leaks no tensors', () => {
    const d = build(node, { ndf: 2 }, pair(3, 32, 32, 2));
    const x = tf.randomNormal([2, 32, 32, 6], 0, 1, 'float32', 7);
    const { value, grads } = tf.variableGrads(() => tf.tidy(() => tf.mean(tf.square(d.handles.network.apply({ x }, { training: true }).outputs[0])) as tf.Scalar));
    const trainable = [...d.variables.values()].filter((v) => v.trainable);
    expect(Object.keys(grads).sort()).toEqual(trainable.map((v) => v.name).sort());
    for (const v of trainable) {
      const g = Array.from(grads[v.name].dataSync());
      expect(g.every(Number.isFinite), v.name).toBe(true);
      expect(Math.max(...g.map(Math.abs)), v.name).toBeGreaterThan(1e-9);
    }
    tf.dispose([value, ...Object.values(grads)]);
    for (const training of [false, true]) {
      const before = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) tf.tidy(() => void d.handles.network.apply({ x }, { training }));
      expect(tf.memory().numTensors).toBe(before);
    }
    x.dispose();
  });
});
