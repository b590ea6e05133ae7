import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { plainSpatialType, spatialType } from '../../testing.test-util.ts';
import { expectClose, expectRuleError, shapeOf } from '../../core/assertions.test-util.ts';
import { multiscaleDiscriminatorNode as node } from './multiscale-discriminator.ts';
import { readDiscriminator } from './signature.ts';
import { buildWithHandles, plan, readReference, singleTap, tfjsShapeOf } from './handles.test-util.ts';
import type { BuiltTestNode } from './handles.test-util.ts';

const built: BuiltTestNode[] = [];
function build(...args: Parameters<typeof buildWithHandles>): BuiltTestNode {
  const n = buildWithHandles(...args);
  built.push(n);
  return n;
}
afterEach(() => built.splice(0).forEach((n) => n.dispose()));

const pair = (c: number, h = 16, w = 16, b = 1) => ({ condition: spatialType('semantic', b, h, w, c), image: spatialType('image', b, h, w, 3) });

describe('lggan/multiscale-discriminator infer', () => {
  it('outputs a network handle typed with its input and per-scale patch logits', () => {
    const t = plan(node, {}, pair(2)).outputs.network;
    expect(t.kind).toBe('network');
    expect(t.shape).toEqual([]);
    const d = readDiscriminator({ discriminator: t });
    expect(d.probabilities).toBe(false);
    expect(shapeOf(d.input)).toBe('H×W×5');
    // 16: conv s2 p2 → 9 → 5 → 3, stride-1 conv → 4, output conv → 5; scale 1 starts at 8 → 5 → 3 → 2 → 3 → 4
    expect(Object.keys(d.signature.outputs)).toEqual(['logits_0', 'logits_1']);
    expect(d.outputs.map(shapeOf)).toEqual(['5×5×1', '4×4×1']);
  });

  it('keeps symbolic channel counts (num_classes + 3)', () => {
    const types = { condition: spatialType('semantic', 1, 16, 16, { value: 4, sym: { name: 'num_classes', num: 1, den: 1, add: 0 } }), image: spatialType('image', 1, 16, 16, 3) };
    expect(shapeOf(readDiscriminator({ discriminator: plan(node, {}, types).outputs.network }).input)).toBe('H×W×num_classes+3');
  });

  it('reports a non-RGB image, mismatched sizes and an input too small for the scales', () => {
    const infer = (inputs: Record<string, ReturnType<typeof spatialType>>, params: Record<string, unknown> = {}) => () =>
      node.infer({ inputs, params: { num_D: 2, n_layers: 4, ndf: 4, spectral_norm: true, norm: 'instance', ...params } as never, template: {} });
    expectRuleError(infer({ condition: spatialType('semantic', 1, 16, 16, 2), image: spatialType('image', 1, 16, 16, 1) }), { port: 'image' }, 'expects 3 channels');
    expectRuleError(infer({ condition: plainSpatialType('semantic', 1, 16, 16, 2), image: plainSpatialType('image', 1, 8, 16, 3) }), { port: 'image' }, '8×16×3', '16×16×2');
    expectRuleError(infer({ condition: plainSpatialType('semantic', 1, 2, 2, 2), image: plainSpatialType('image', 1, 2, 2, 3) }), { port: 'image' }, 'scale 1', 'instance norm');
    expectRuleError(infer({ image: spatialType('image', 1, 16, 16, 3) }), { port: 'condition' }, 'not connected');
  });
});

describe('lggan/multiscale-discriminator cost', () => {
  it('counts a 2-scale, 2-layer D exactly (by hand)', () => {
    // in = 2 + 3 = 5, ndf 4, 8×8:
    // scale 0: model0 4×4 s2 p2 5→4 → 5×5: 16·5·4 + 4 = 324 params, 25·320 = 8000 MACs
    //          model1 SN s1 4→8 → 6×6: 512 params, 36·512 = 18432 MACs, u 8 + v 64 buffers, IN 36·8 = 288
    //          model2 8→1 → 7×7: 129 params, 49·128 = 6272 MACs
    // pool 8 → 4: in-image taps per axis 2 + 3 + 3 + 3 = 11, so 5·11·11 = 605 MACs
    // scale 1: model0 → 3×3: 9·320 = 2880; model1 → 4×4: 16·512 = 8192, IN 128; model2 → 5×5: 25·128 = 3200
    const { cost } = plan(node, { ndf: 4, n_layers: 2 }, pair(2, 8, 8));
    expect(cost).toEqual({ params: 2 * (324 + 512 + 129), macs: 8000 + 18432 + 288 + 6272 + 605 + 2880 + 8192 + 128 + 3200, buffers: 2 * 72 });
  });

  it.each([
    ['cityscapes_D', 36, 256, 512],
    ['ade20k_D', 151, 256, 256],
  ])('matches the official totals of %s at full size', (name, channels, h, w) => {
    const reference = readReference(name);
    const { cost } = plan(node, { ndf: 64 }, pair(channels, h, w));
    expect(cost.params).toBe(reference.totals.parameters);
    expect(cost.buffers).toBe(reference.totals.buffers_float_elements);
  });
});

describe('lggan/multiscale-discriminator official keys', () => {
  it.each([
    ['cityscapes_D', 36],
    ['ade20k_D', 151],
  ])('lists every entry of %s in state_dict order with shapes and kinds', (name, channels) => {
    const reference = readReference(name);
    const keys = plan(node, { ndf: 64 }, pair(channels, 64, 64)).officialKeys;
    expect(keys.map((k) => [k.key, k.shape, k.kind])).toEqual(reference.entries.map((e) => [e.key, e.shape, e.kind]));
  });

  it('names a variable of the tfjs shape for every key, and no other variable (full Cityscapes size)', () => {
    const d = build(node, { ndf: 64 }, pair(36, 32, 32));
    expect([...d.variables.keys()].sort()).toEqual(d.officialKeys.map((k) => k.variable).sort());
    for (const key of d.officialKeys) expect(d.variables.get(key.variable!)!.shape, key.key).toEqual(tfjsShapeOf(key));
    expect(d.variables.get('discriminator_1.model3.0.0.weight_u')!.trainable).toBe(false);
    const trainable = [...d.variables.values()].filter((v) => v.trainable).reduce((n, v) => n + v.size, 0);
    expect(trainable).toBe(5_601_410);
    expect(d.cost.params).toBe(trainable);
  });

  it("follows SPADE's module layout without norm or without spectral norm", () => {
    const noNorm = plan(node, { ndf: 4, n_layers: 2, num_D: 1, norm: 'none' }, pair(1, 8, 8)).officialKeys.map((k) => k.key);
    expect(noNorm).toEqual([
      'discriminator_0.model0.0.weight',
      'discriminator_0.model0.0.bias',
      'discriminator_0.model1.0.bias',
      'discriminator_0.model1.0.weight_orig',
      'discriminator_0.model1.0.weight_u',
      'discriminator_0.model1.0.weight_v',
      'discriminator_0.model2.0.weight',
      'discriminator_0.model2.0.bias',
    ]);
    const noSpectral = plan(node, { ndf: 4, n_layers: 2, num_D: 1, spectral_norm: false }, pair(1, 8, 8)).officialKeys.map((k) => k.key);
    expect(noSpectral).toEqual([
      'discriminator_0.model0.0.weight',
      'discriminator_0.model0.0.bias',
      'discriminator_0.model1.0.0.weight',
      'discriminator_0.model2.0.weight',
      'discriminator_0.model2.0.bias',
    ]);
  });
});

describe('lggan/multiscale-discriminator forward', () => {
  it('applies padding 2, strides, LeakyReLU and the count_include_pad=False pooling (by hand)', () => {
    // One-layer D (model0 + output conv), ndf 1. Both convs read a single tap, so
    // model0(i, j) = condition[2i][2j] + 0.5 (zero outside) and out(i, j) = LReLU(model0)(i, j) − 1.
    const d = build(node, { ndf: 1, n_layers: 1, num_D: 2, spectral_norm: false, norm: 'none' }, pair(1, 4, 4));
    for (const s of [0, 1]) {
      d.setVariable(`discriminator_${s}.model0.0.weight`, singleTap(4, 4, 1, [[2, 2, 0, 0, 1]]));
      d.setVariable(`discriminator_${s}.model0.0.bias`, [0.5]);
      d.setVariable(`discriminator_${s}.model1.0.weight`, singleTap(4, 1, 1, [[2, 2, 0, 0, 1]]));
      d.setVariable(`discriminator_${s}.model1.0.bias`, [-1]);
    }
    const condition = tf.tensor4d(Array.from({ length: 16 }, (_, i) => i - 7), [1, 4, 4, 1]); // 4r + c − 7
    const image = tf.randomNormal([1, 4, 4, 3], 0, 1, 'float32', 5); // zero taps: ignored
    const result = tf.tidy(() => {
      const { outputs, features } = d.handles.network.apply({ x: tf.concat([condition, image], 3) }, { training: false });
      return { out0: outputs[0], out1: outputs[1], feature0: features[0][0], count: features.map((f) => f.length) };
    });
    // scale 0: model0 is 3×3 (rows 0, 2, 4 of the input, row 4 padding); output 4×4
    expectClose(result.feature0, [-1.3, -0.9, 0.5, 1.5, 3.5, 0.5, 0.5, 0.5, 0.5]);
    expectClose(result.out0, [-2.3, -1.9, -0.5, -1, 0.5, 2.5, -0.5, -1, -0.5, -0.5, -0.5, -1, -1, -1, -1, -1]);
    // scale 1: pooled 2×2 = means of in-image pixels: (−7−6−3−2)/4 = −4.5, −18/6 = −3, 9/6 = 1.5, 27/9 = 3;
    // model0 reads only pooled(0, 0): LReLU(−4) = −0.8, the rest is padding → 0.5
    expectClose(result.out1, [-1.8, -0.5, -1, -0.5, -0.5, -1, -1, -1, -1]);
    expect(result.count).toEqual([2, 2]);
    tf.dispose([condition, image, ...Object.values(result).filter((v): v is tf.Tensor => v instanceof tf.Tensor)]);
  });

  it('returns n_layers + 1 block outputs per scale with the signature shapes', () => {
    const d = build(node, { ndf: 2 }, pair(2, 16, 16, 2));
    const info = readDiscriminator(d.outputs, 'network');
    tf.tidy(() => {
      const { outputs, features } = d.handles.network.apply({ x: tf.randomNormal([2, 16, 16, 5]) }, { training: false });
      expect(features.map((f) => f.length)).toEqual([5, 5]);
      expect(features[0].map((f) => f.shape[3])).toEqual([2, 4, 8, 16, 1]);
      expect(outputs.map((o) => o.shape)).toEqual(info.outputs.map((t) => t.shape.map((dim) => dim.value)));
      expect(outputs[1]).toBe(features[1][4]);
    });
  });

  it('refuses an input with the wrong channel count', () => {
    const d = build(node, { ndf: 2 }, pair(2));
    expect(() => tf.tidy(() => void d.handles.network.apply({ x: tf.zeros([1, 16, 16, 4]) }, { training: false }))).toThrow('[B, H, W, 5]');
  });

  it('trains every weight: finite, non-zero gradients; the power iteration updates u only in training', () => {
    const d = build(node, { ndf: 2 }, pair(2, 16, 16, 2));
    const x = tf.randomNormal([2, 16, 16, 5], 0, 1, 'float32', 1);
    const u = d.variables.get('discriminator_0.model1.0.0.weight_u')!;
    const u0 = Array.from(u.dataSync());
    tf.tidy(() => void d.handles.network.apply({ x }, { training: false }));
    expect(Array.from(u.dataSync())).toEqual(u0);
    const { value, grads } = tf.variableGrads(() =>
      tf.tidy(() => {
        const { outputs } = d.handles.network.apply({ x }, { training: true });
        return tf.addN(outputs.map((o) => tf.mean(tf.square(o)))) as tf.Scalar;
      }),
    );
    expect(Array.from(u.dataSync())).not.toEqual(u0);
    const trainable = [...d.variables.values()].filter((v) => v.trainable);
    expect(Object.keys(grads).sort()).toEqual(trainable.map((v) => v.name).sort());
    for (const v of trainable) {
      const g = grads[v.name].dataSync();
      expect(g.every(Number.isFinite), v.name).toBe(true);
      expect(Math.max(...Array.from(g, Math.abs)), v.name).toBeGreaterThan(1e-8);
    }
    tf.dispose([x, value, ...Object.values(grads)]);
  });

  it('leaves no tensors behind across repeated applications', () => {
    const d = build(node, { ndf: 2 }, pair(2, 16, 16, 2));
    const x = tf.randomNormal([2, 16, 16, 5]);
    for (const training of [false, true]) {
      const before = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) tf.tidy(() => void d.handles.network.apply({ x }, { training }));
      expect(tf.memory().numTensors).toBe(before);
    }
    expect(d.forward({}, { training: true })).toEqual({});
    x.dispose();
  });
});
