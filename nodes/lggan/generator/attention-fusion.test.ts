import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { inputPorts } from '../../contract.ts';
import type { TensorType } from '../../contract.ts';
import { dim, scaleDim } from '../../dims.ts';
import { buildNode, spatialType } from '../../testing.test-util.ts';
import type { TestNode } from '../../testing.test-util.ts';
import { expectClose, expectRuleError, shapeOf, valuesOf } from '../../core/assertions.test-util.ts';
import { allocatedParams, costAt, expectGradients, expectKeyVariables, expectNoLeaks, expectOfficialKeys, groupParams, weightedSum } from './local-path.test-util.ts';
import { attentionFusionNode } from './attention-fusion.ts';
import { localTrunkNode } from './local-trunk.ts';

const built: TestNode[] = [];
function build(...args: Parameters<typeof buildNode>): TestNode {
  const node = buildNode(...args);
  built.push(node);
  return node;
}
afterEach(() => built.splice(0).forEach((n) => n.dispose()));

function quarterMap(b: number, h: number, w: number, c: number): TensorType {
  return { kind: 'feature', shape: [dim(b, 'B'), scaleDim(dim(h, 'H'), 1, 4), scaleDim(dim(w, 'W'), 1, 4), dim(c)] };
}

const B = 2;
const x = quarterMap(B, 8, 12, 4); // 2×3 at H/4
const image = spatialType('image', B, 8, 12, 3);
const inputs = { x_encode: x, local: image, global: image };
const small = { up_channels: 3, branch_channels: 2 };

describe('lggan/attention-fusion: shapes and rules', () => {
  it('outputs the fused image, the 2 maps and each map alone', () => {
    const node = build(attentionFusionNode, small, inputs);
    expect(shapeOf(node.outputs.image)).toBe('H×W×3');
    expect(shapeOf(node.outputs.attention)).toBe('H×W×2');
    expect(node.outputs.attention.kind).toBe('attention');
    expect(shapeOf(node.outputs.w_local)).toBe('H×W×1');
    expect(shapeOf(node.outputs.w_global)).toBe('H×W×1');
  });

  it('has ports by mode: fixed needs only the images, label-gated adds labels', () => {
    const base = { mode: 'attention', upsampling: 'transposed' };
    expect(inputPorts(attentionFusionNode, base).map((p) => p.name)).toEqual(['x_encode', 'local', 'global']);
    expect(inputPorts(attentionFusionNode, { ...base, mode: 'fixed' }).map((p) => p.name)).toEqual(['local', 'global']);
    expect(inputPorts(attentionFusionNode, { ...base, upsampling: 'sau-label-gated' }).map((p) => p.name)).toEqual(['x_encode', 'local', 'global', 'labels']);
  });

  it('names both sides when x_encode does not upsample to the image size, or the images disagree', () => {
    const params = { ...small, mode: 'attention', upsampling: 'transposed', sau_kernel: 5, sau_mid_channels: 4 };
    const infer = (i: Record<string, TensorType>) => attentionFusionNode.infer({ inputs: i, params, template: {} });
    expectRuleError(() => infer({ ...inputs, x_encode: quarterMap(B, 16, 12, 4) }), { port: 'x_encode' }, "port 'x_encode' is H/4×W/4×4", 'H×W×2', "port 'local' is H×W×3");
    expectRuleError(() => infer({ ...inputs, global: spatialType('image', B, 8, 8, 3) }), { port: 'global' }, 'spatial sizes must agree');
    expectRuleError(() => infer({ ...inputs, local: spatialType('feature', B, 8, 12, 4) }), { port: 'local' }, 'expects 3 channels, got 4');
  });
});

describe('lggan/attention-fusion: cost and official keys', () => {
  it('counts the branch, the score conv and the fusion exactly, equal to the allocated variables', () => {
    const node = build(attentionFusionNode, small, inputs);
    const params = 9 * 4 * 3 + 3 + 9 * 3 * 2 + 2 + 2 * 2 + 2;
    const low = B * 2 * 3;
    const macs =
      low * 9 * 4 * 3 + 4 * low * 3 + // deconv3 + IN
      4 * low * 9 * 3 * 2 + 16 * low * 2 + // deconv4 + IN
      16 * low * 2 * 2 + // 1×1 score conv
      2 * 16 * low * 3; // two multiplies per fused element
    expect(node.cost).toEqual({ params, macs, buffers: 0 });
    expect(allocatedParams(node)).toBe(params);
    const fixed = build(attentionFusionNode, { mode: 'fixed' }, { local: image, global: image });
    expect(fixed.cost).toEqual({ params: 0, macs: 2 * 16 * low * 3, buffers: 0 });
    expect(fixed.variables.size).toBe(0);
  });

  it('matches the official attention branch at full size (368,962) for every network', () => {
    const full = costAt(attentionFusionNode, {}, { x_encode: quarterMap(1, 256, 512, 256), local: spatialType('image', 1, 256, 512, 3), global: spatialType('image', 1, 256, 512, 3) });
    for (const network of ['cityscapes_G', 'ade20k_G', 'crossview_G'] as const) {
      expect(full.cost.params).toBe(groupParams(network, 'attention_branch'));
      expectOfficialKeys(full.keys, network, 'attention_branch');
    }
    expect(full.cost.params).toBe(368_962);
  });

  it('names its variables after the official keys; SAU stages add deconvN_attention_sau.*', () => {
    const node = build(attentionFusionNode, small, inputs);
    const keys = attentionFusionNode.officialKeys!({ inputs, outputs: node.outputs, params: node.params, template: {} });
    expectKeyVariables(node, keys);
    expect(node.variables.size).toBe(keys.length);
    const sau = build(attentionFusionNode, { ...small, upsampling: 'sau', sau_kernel: 3, sau_mid_channels: 2 }, inputs);
    const sauKeys = attentionFusionNode.officialKeys!({ inputs, outputs: sau.outputs, params: sau.params, template: {} });
    expect(sauKeys.map((k) => k.key)).toEqual(['deconv5_attention.weight', 'deconv5_attention.bias']);
    expect(sau.variables.has('deconv3_attention_sau.kernel.weight')).toBe(true);
    expect(allocatedParams(sau)).toBe(sau.cost.params);
  });
});

describe('lggan/attention-fusion: numerics', () => {
  const xIn = () => tf.randomNormal([B, 2, 3, 4], 0, 1, 'float32', 51) as tf.Tensor4D;
  const local = () => tf.randomUniform([B, 8, 12, 3], -1, 1, 'float32', 52) as tf.Tensor4D;
  const global = () => tf.randomUniform([B, 8, 12, 3], -1, 1, 'float32', 53) as tf.Tensor4D;

  it('with a constant score conv: W_local = softmax(b)_0 everywhere and image = W_l·local + W_g·global', () => {
    const node = build(attentionFusionNode, small, inputs);
    node.setVariable('deconv5_attention.weight', [0, 0, 0, 0]);
    node.setVariable('deconv5_attention.bias', [1, -1]);
    const wl = Math.exp(1) / (Math.exp(1) + Math.exp(-1));
    const l = local();
    const g = global();
    const out = node.run({ x_encode: xIn(), local: l, global: g });
    const n = B * 8 * 12;
    expectClose(out.w_local, new Array(n).fill(wl), 1e-6);
    expectClose(out.w_global, new Array(n).fill(1 - wl), 1e-6);
    expectClose(out.attention, Array.from({ length: n }, () => [wl, 1 - wl]).flat(), 1e-6);
    const lv = valuesOf(l);
    const gv = valuesOf(g);
    expectClose(out.image, lv.map((v, i) => wl * v + (1 - wl) * gv[i]), 1e-6);
  });

  it('learned maps sum to 1, and the branch equals the trunk\'s decoder with the same weights', () => {
    const node = build(attentionFusionNode, small, inputs);
    const trunk = build(localTrunkNode, { blocks: 0, up_channels: 3, out_channels: 2 }, { x_encode: x });
    for (const stage of ['deconv3', 'deconv4']) {
      for (const part of ['weight', 'bias']) trunk.setVariable(`${stage}_local.${part}`, node.variables.get(`${stage}_attention.${part}`)!);
    }
    const input = xIn();
    const out = node.run({ x_encode: input, local: local(), global: global() });
    expectClose(tf.sum(out.attention, 3), new Array(B * 8 * 12).fill(1), 1e-6);
    const branch = trunk.run({ x_encode: input }).features as tf.Tensor4D;
    const w = node.variables.get('deconv5_attention.weight')! as tf.Tensor4D;
    const scores = tf.add(tf.conv2d(branch, w, 1, 'valid'), node.variables.get('deconv5_attention.bias')!);
    expectClose(out.attention, valuesOf(tf.softmax(scores)), 1e-6);
  });

  it('fixed mode averages the two images', () => {
    const node = build(attentionFusionNode, { mode: 'fixed' }, { local: image, global: image });
    const l = local();
    const g = global();
    const out = node.run({ local: l, global: g });
    expectClose(out.image, valuesOf(tf.mul(tf.add(l, g), 0.5)), 1e-7);
    expectClose(out.w_local, new Array(B * 8 * 12).fill(0.5), 0);
  });
});

describe('lggan/attention-fusion: gradients and memory', () => {
  const beforeNorm = (name: string) => /deconv\d_attention(_sau\.project)?\.bias$/.test(name) && !name.startsWith('deconv5');

  it('trains every weight (transposed and label-gated SAU)', () => {
    const xIn = tf.randomNormal([B, 2, 3, 4], 0, 1, 'float32', 54) as tf.Tensor4D;
    const l = tf.randomUniform([B, 8, 12, 3], -1, 1, 'float32', 55);
    const g = tf.randomUniform([B, 8, 12, 3], -1, 1, 'float32', 56);
    const node = build(attentionFusionNode, small, inputs);
    expectGradients(node, () => weightedSum(node.run({ x_encode: xIn, local: l, global: g }, true).image), (n) => !beforeNorm(n));
    const labelsType = spatialType('feature', B, 8, 12, 1);
    const gated = build(attentionFusionNode, { ...small, upsampling: 'sau-label-gated', sau_kernel: 3, sau_mid_channels: 2 }, { ...inputs, labels: labelsType });
    const labels = tf.randomUniformInt([B, 8, 12, 1], 0, 3, 57).toFloat();
    expectGradients(gated, () => weightedSum(gated.run({ x_encode: xIn, local: l, global: g, labels }, true).image), (n) => !beforeNorm(n));
  });

  it('leaves no tensors behind', () => {
    const feed = { x_encode: tf.ones([B, 2, 3, 4]), local: tf.zeros([B, 8, 12, 3]), global: tf.ones([B, 8, 12, 3]) };
    expectNoLeaks(build(attentionFusionNode, small, inputs), feed);
    expectNoLeaks(build(attentionFusionNode, { mode: 'fixed' }, { local: image, global: image }), { local: feed.local, global: feed.global });
  });
});
