import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { spatialType, TEST_TEMPLATE } from '../../testing.test-util.ts';
import { conv2dNode } from '../../core/conv/conv2d.ts';
import { expectClose, expectRuleError, shapeOf, valuesOf } from '../../core/assertions.test-util.ts';
import {
  checkGradients,
  describeNode,
  expectCostMatchesAllocation,
  expectKeysMatch,
  expectNoLeaks,
  expectVariablesMatchKeys,
  nodeTracker,
  referenceEntries,
} from './global-path.test-util.ts';
import { spadeNormNode, spadeResBlockNode } from './spade.ts';

const { build, disposeAll } = nodeTracker();
afterEach(disposeAll);

const EPS = 1e-5;
const x4 = (b: number, h: number, w: number, c: number) => spatialType('feature', b, h, w, c);
const seg = (b: number, h: number, w: number, c: number) => spatialType('semantic', b, h, w, c);

describe('lggan/spade-norm', () => {
  it('keeps x’s shape and checks the segmap’s batch', () => {
    const { outputs } = describeNode(spadeNormNode, {}, { x: x4(2, 4, 4, 3), semantic: seg(2, 16, 16, 5) });
    expect(shapeOf(outputs.y)).toBe('H×W×3');
    expectRuleError(
      () => describeNode(spadeNormNode, {}, { x: x4(2, 4, 4, 3), semantic: seg(1, 16, 16, 5) }),
      { port: 'semantic' },
      "port 'semantic' has batch 1 but port 'x' has batch 2",
    );
    expectRuleError(() => describeNode(spadeNormNode, { param_free_norm: 'instance' }, { x: x4(2, 1, 1, 3), semantic: seg(2, 4, 4, 5) }), { port: 'x' }, 'instance norm');
  });

  it('warns that batch norm cannot train on one value per channel', () => {
    const inputs = { x: x4(1, 1, 1, 3), semantic: seg(1, 4, 4, 2) };
    const { params } = describeNode(spadeNormNode, {}, inputs);
    expect(spadeNormNode.warnings!({ inputs, params, template: TEST_TEMPLATE })[0]).toContain('cannot train');
  });

  it('costs the norm, three convs and the modulation exactly (hand-computed)', () => {
    const node = build(spadeNormNode, { hidden: 4 }, { x: x4(2, 4, 4, 3), semantic: seg(2, 8, 8, 2) });
    const n = 2 * 4 * 4 * 3;
    expect(node.cost).toEqual({
      params: 2 * 9 * 4 + 4 + 2 * (4 * 9 * 3 + 3), // 298
      macs: 2 * 16 * 9 * 2 * 4 + 2 * (2 * 16 * 9 * 4 * 3) + n + n,
      buffers: 6,
      unusedParams: 0,
    });
    expectCostMatchesAllocation(node);
    const instance = build(spadeNormNode, { hidden: 4, param_free_norm: 'instance' }, { x: x4(2, 4, 4, 3), semantic: seg(2, 8, 8, 2) });
    expect(instance.cost.buffers).toBe(0);
    expectCostMatchesAllocation(instance);
  });

  it('maps onto an official SPADE module when named (running stats, counter, mlp convs)', () => {
    const inputs = { x: x4(1, 4, 8, 1024), semantic: seg(1, 256, 512, 36) };
    expect(describeNode(spadeNormNode, {}, inputs).keys).toEqual([]);
    const { keys } = describeNode(spadeNormNode, { official_name: 'head_0.norm_0' }, inputs);
    expectKeysMatch(keys, referenceEntries('cityscapes_G', ['global_spade_resblocks/spade_norm']).filter((e) => e.key.startsWith('head_0.norm_0.')));
    expect(keys.find((k) => k.key.endsWith('num_batches_tracked'))!.variable).toBeNull();
    const small = { x: x4(1, 4, 4, 3), semantic: seg(1, 4, 4, 2) };
    const node = build(spadeNormNode, { hidden: 4, official_name: 'n' }, small);
    expectVariablesMatchKeys(node, describeNode(spadeNormNode, { hidden: 4, official_name: 'n' }, small).keys);
  });

  it('constant γ, β: (x − running mean)/√(running var + eps)·(1 + γ) + β in eval mode (by hand)', () => {
    const node = build(spadeNormNode, { hidden: 2 }, { x: x4(1, 1, 2, 2), semantic: seg(1, 2, 4, 3) });
    node.setVariable('param_free_norm.running_mean', [1, -1]);
    node.setVariable('param_free_norm.running_var', [4, 0.25]);
    node.setVariable('mlp_gamma.weight', new Array(9 * 2 * 2).fill(0));
    node.setVariable('mlp_gamma.bias', [0.5, -0.5]);
    node.setVariable('mlp_beta.weight', new Array(9 * 2 * 2).fill(0));
    node.setVariable('mlp_beta.bias', [0.1, 0.2]);
    const x = tf.tensor4d([3, 0, -1, 1], [1, 1, 2, 2]); // pixel 0: (3, 0); pixel 1: (−1, 1)
    const y = node.run({ x, semantic: tf.randomUniform([1, 2, 4, 3]) }).y;
    const c0 = (v: number) => ((v - 1) / Math.sqrt(4 + EPS)) * 1.5 + 0.1;
    const c1 = (v: number) => ((v + 1) / Math.sqrt(0.25 + EPS)) * 0.5 + 0.2;
    expectClose(y, [c0(3), c1(0), c0(-1), c1(1)]); // 1.6, 1.2, −1.4, 2.2
    expectClose(y, [1.6, 1.2, -1.4, 2.2], 1e-4);
  });

  it('γ follows the segmap nearest-resized to x (every other pixel of a 4×4 map at 2×2)', () => {
    const node = build(spadeNormNode, { hidden: 1, param_free_norm: 'instance' }, { x: x4(1, 2, 2, 1), semantic: seg(1, 4, 4, 1) });
    const centre = (n: number) => Array.from({ length: n }, (_, i) => (i === 4 ? 1 : 0));
    node.setVariable('mlp_shared.0.weight', centre(9)); // actv = relu(segmap)
    node.setVariable('mlp_shared.0.bias', [0]);
    node.setVariable('mlp_gamma.weight', centre(9)); // γ = actv
    node.setVariable('mlp_gamma.bias', [0]);
    node.setVariable('mlp_beta.weight', new Array(9).fill(0));
    node.setVariable('mlp_beta.bias', [0]);
    const segmap = tf.tensor4d([1, 9, 2, 9, 9, 9, 9, 9, 3, 9, 4, 9, 9, 9, 9, 9], [1, 4, 4, 1]); // picks 1, 2, 3, 4
    const x = tf.tensor4d([1, -1, 1, -1], [1, 2, 2, 1]); // instance-normalised: ±1/√(1 + eps)
    const s = 1 / Math.sqrt(1 + EPS);
    expectClose(node.run({ x, semantic: segmap }).y, [2 * s, -3 * s, 4 * s, -5 * s]);
  });

  it('training mode normalises by batch statistics and updates the running ones (momentum 0.1)', () => {
    const node = build(spadeNormNode, { hidden: 2 }, { x: x4(2, 1, 1, 1), semantic: seg(2, 1, 1, 1) });
    node.setVariable('mlp_gamma.weight', new Array(2 * 9).fill(0));
    node.setVariable('mlp_gamma.bias', [0]);
    node.setVariable('mlp_beta.weight', new Array(18).fill(0));
    node.setVariable('mlp_beta.bias', [0]);
    const y = node.run({ x: tf.tensor4d([1, 3], [2, 1, 1, 1]), semantic: tf.ones([2, 1, 1, 1]) }, true).y;
    expectClose(y, [-1 / Math.sqrt(1 + EPS), 1 / Math.sqrt(1 + EPS)]);
    expectClose(node.variables.get('param_free_norm.running_mean')!, [0.2]); // 0.9·0 + 0.1·2
    expectClose(node.variables.get('param_free_norm.running_var')!, [0.9 + 0.1 * 2]); // unbiased variance 2
  });

  it('trains every weight and leaves no tensors behind', () => {
    const node = build(spadeNormNode, { hidden: 3 }, { x: x4(2, 4, 4, 2), semantic: seg(2, 8, 8, 3) });
    const x = tf.randomNormal([2, 4, 4, 2], 0, 1, 'float32', 1);
    const semantic = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 2);
    for (const training of [false, true]) {
      expect(checkGradients(node, () => tf.sum(tf.mul(node.run({ x, semantic }, training).y, tf.randomNormal([2, 4, 4, 2], 0, 1, 'float32', 3))) as tf.Scalar)).toEqual([]);
    }
    expectNoLeaks((training) => node.run({ x, semantic }, training));
  });
});

describe('lggan/spade-resblock', () => {
  it('outputs out_channels at x’s size', () => {
    const { outputs } = describeNode(spadeResBlockNode, { out_channels: 'ngf*2' }, { x: x4(2, 4, 4, 3), semantic: seg(2, 16, 16, 5) });
    expect(shapeOf(outputs.y)).toBe('H×W×8');
  });

  it('costs both SPADE-conv stages and the learned shortcut exactly (hand-computed)', () => {
    const inputs = { x: x4(2, 2, 2, 4), semantic: seg(2, 4, 4, 2) };
    const node = build(spadeResBlockNode, { out_channels: 2, hidden: 3 }, inputs);
    const px = 2 * 2 * 2;
    const spade = (c: number) => ({ params: 2 * 9 * 3 + 3 + 2 * (3 * 9 * c + c), macs: px * 9 * 2 * 3 + 2 * px * 9 * 3 * c + 2 * px * c, buffers: 2 * c });
    const conv = (cin: number, cout: number, k: number, bias: boolean) => ({ params: k * k * cin * cout + (bias ? cout : 0), macs: px * k * k * cin * cout, buffers: cout + cin * k * k });
    const parts = [spade(4), conv(4, 2, 3, true), spade(2), conv(2, 2, 3, true), spade(4), conv(4, 2, 1, false)];
    const sum = (f: 'params' | 'macs' | 'buffers') => parts.reduce((n, p) => n + p[f], 0);
    expect(node.cost).toEqual({ params: sum('params'), macs: sum('macs'), buffers: sum('buffers'), unusedParams: 0 });
    expectCostMatchesAllocation(node);
    const plain = build(spadeResBlockNode, { out_channels: 4, hidden: 3, spectral_norm: false, param_free_norm: 'instance' }, inputs);
    expect(plain.variables.has('conv_s.weight')).toBe(false);
    expect(plain.cost.buffers).toBe(0);
    expectCostMatchesAllocation(plain);
  });

  it('maps head_0 and up_0 of the official Cityscapes G key for key', () => {
    const semantic = seg(1, 256, 512, 36);
    const head = describeNode(spadeResBlockNode, { out_channels: 1024, official_name: 'head_0' }, { x: x4(1, 4, 8, 1024), semantic });
    const up0 = describeNode(spadeResBlockNode, { out_channels: 512, official_name: 'up_0' }, { x: x4(1, 64, 128, 1024), semantic });
    const groups = ['global_spade_resblocks/conv', 'global_spade_resblocks/spade_norm'];
    expectKeysMatch(head.keys, referenceEntries('cityscapes_G', groups).filter((e) => e.key.startsWith('head_0.')));
    expectKeysMatch(up0.keys, referenceEntries('cityscapes_G', groups).filter((e) => e.key.startsWith('up_0.')));
    const official = referenceEntries('cityscapes_G', groups).filter((e) => e.key.startsWith('up_0.') && e.kind === 'parameter');
    expect(up0.cost.params).toBe(official.reduce((n, e) => n + e.numel, 0));
  });

  it('names its variables as the official keys say', () => {
    const inputs = { x: x4(1, 2, 2, 4), semantic: seg(1, 4, 4, 2) };
    const params = { out_channels: 2, hidden: 3, official_name: 'up_9' };
    const node = build(spadeResBlockNode, params, inputs);
    const keys = describeNode(spadeResBlockNode, params, inputs).keys;
    expect(keys.every((k) => k.key.startsWith('up_9.'))).toBe(true);
    expectVariablesMatchKeys(node, keys);
  });

  it('is the identity when fin = fout and conv_1 is zero (without spectral norm: σ of a zero weight is 0)', () => {
    const node = build(spadeResBlockNode, { out_channels: 3, hidden: 2, spectral_norm: false }, { x: x4(2, 4, 4, 3), semantic: seg(2, 8, 8, 2) });
    node.setVariable('conv_1.weight', new Array(9 * 9).fill(0));
    node.setVariable('conv_1.bias', [0, 0, 0]);
    const x = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 4);
    expectClose(node.run({ x, semantic: tf.randomUniform([2, 8, 8, 2]) }).y, valuesOf(x));
  });

  it('equals SPADE-norm, LeakyReLU and spectral conv nodes wired by hand (learned shortcut)', () => {
    const inputs = { x: x4(2, 4, 4, 4), semantic: seg(2, 8, 8, 3) };
    const block = build(spadeResBlockNode, { out_channels: 2, hidden: 3 }, inputs);
    const norm0 = build(spadeNormNode, { hidden: 3 }, inputs);
    const normS = build(spadeNormNode, { hidden: 3 }, inputs);
    const norm1 = build(spadeNormNode, { hidden: 3 }, { x: x4(2, 4, 4, 2), semantic: seg(2, 8, 8, 3) });
    const conv0 = build(conv2dNode, { out_channels: 2, spectral_norm: true }, { x: x4(2, 4, 4, 4) });
    const conv1 = build(conv2dNode, { out_channels: 2, spectral_norm: true }, { x: x4(2, 4, 4, 2) });
    const convS = build(conv2dNode, { out_channels: 2, kernel: 1, bias: false, spectral_norm: true }, { x: x4(2, 4, 4, 4) });
    const parts = { norm_0: norm0, norm_1: norm1, norm_s: normS, conv_0: conv0, conv_1: conv1, conv_s: convS };
    for (const [name, v] of block.variables) {
      const [part, ...rest] = name.split('.');
      const target = parts[part as keyof typeof parts];
      const values = name.endsWith('bias') || name.endsWith('running_mean') ? tf.randomNormal(v.shape, 0, 0.3) : v;
      target.setVariable(rest.join('.'), values);
      if (values !== v) block.setVariable(name, values);
    }
    const x = tf.randomNormal([2, 4, 4, 4], 0, 1, 'float32', 5);
    const semantic = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 6);
    const lrelu = (t: tf.Tensor) => tf.leakyRelu(t, 0.2);
    const shortcut = convS.run({ x: normS.run({ x, semantic }).y }).y;
    const dx0 = conv0.run({ x: lrelu(norm0.run({ x, semantic }).y) }).y;
    const dx1 = conv1.run({ x: lrelu(norm1.run({ x: dx0, semantic }).y) }).y;
    expectClose(block.run({ x, semantic }).y, valuesOf(tf.add(shortcut, dx1)), 1e-5);
  });

  it('trains every weight in eval mode; in training conv_0’s bias feeds a batch norm (~0)', () => {
    const inputs = { x: x4(2, 4, 4, 4), semantic: seg(2, 4, 4, 2) };
    const node = build(spadeResBlockNode, { out_channels: 2, hidden: 3 }, inputs);
    const x = tf.randomNormal([2, 4, 4, 4], 0, 1, 'float32', 7);
    const semantic = tf.randomUniform([2, 4, 4, 2], 0, 1, 'float32', 8);
    const weights = tf.randomNormal([2, 4, 4, 2], 0, 1, 'float32', 9);
    const loss = (training: boolean) => () => tf.sum(tf.mul(node.run({ x, semantic }, training).y, weights)) as tf.Scalar;
    expect(checkGradients(node, loss(false))).toEqual([]);
    expect(checkGradients(node, loss(true), { nearZero: ['conv_0.bias'] })).toEqual([]);
    expectNoLeaks((training) => node.run({ x, semantic }, training));
  });
});
