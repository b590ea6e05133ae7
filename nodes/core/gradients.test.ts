import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { NodeDef, TensorType } from '../contract.ts';
import { buildNode, spatialType, vectorOf } from '../testing.test-util.ts';
import type { TestNode } from '../testing.test-util.ts';
import { activationNode } from './activation/activation.ts';
import { batchNormNode } from './norm/batch-norm.ts';
import { channelSoftmaxNode } from './activation/channel-softmax.ts';
import { concatNode } from './combine/concat.ts';
import { convTranspose2dNode } from './conv/conv-transpose2d.ts';
import { conv2dNode } from './conv/conv2d.ts';
import { downsampleNode } from './resample/downsample.ts';
import { globalAvgPoolNode } from './dense/global-avg-pool.ts';
import { instanceNormNode } from './norm/instance-norm.ts';
import { linearNode } from './dense/linear.ts';
import { residualBlockNode } from './conv/residual-block.ts';
import { upsampleNode } from './resample/upsample.ts';

const built: TestNode[] = [];
function build(...args: Parameters<typeof buildNode>): TestNode {
  const node = buildNode(...args);
  built.push(node);
  return node;
}
afterEach(() => built.splice(0).forEach((n) => n.dispose()));

function maxAbs(t: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]);
}

function expectUsableGrads(grads: Record<string, tf.Tensor>, names: string[]): void {
  for (const name of names) {
    const g = grads[name];
    expect(g, `gradient for ${name}`).toBeDefined();
    expect(g.dataSync().every(Number.isFinite), `${name} finite`).toBe(true);
    expect(maxAbs(g), `${name} non-zero`).toBeGreaterThan(1e-7);
  }
}

describe('gradients through node stacks', () => {
  it('conv → instance norm → leaky relu → conv → tanh gives finite, non-zero gradients', () => {
    const x = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 1);
    const target = tf.randomUniform([2, 6, 6, 3], -1, 1, 'float32', 2);
    const conv1 = build(conv2dNode, { out_channels: 4, padding_mode: 'reflect' }, { x: spatialType('image', 2, 6, 6, 3) });
    const norm = build(instanceNormNode, { affine: true }, { x: spatialType('feature', 2, 6, 6, 4) });
    const act = build(activationNode, { function: 'leaky-relu' }, { x: spatialType('feature', 2, 6, 6, 4) });
    const conv2 = build(conv2dNode, { out_channels: 3 }, { x: spatialType('feature', 2, 6, 6, 4) });
    const tanh = build(activationNode, { function: 'tanh' }, { x: spatialType('feature', 2, 6, 6, 3) });
    const forward = () => {
      let h = conv1.run({ x }, true).y;
      h = act.run({ x: norm.run({ x: h }, true).y }).y;
      return tanh.run({ x: conv2.run({ x: h }, true).y }).y;
    };
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(forward(), target))) as tf.Scalar);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expectUsableGrads(grads, [
      conv1.variables.get('weight')!.name,
      norm.variables.get('weight')!.name,
      norm.variables.get('bias')!.name,
      conv2.variables.get('weight')!.name,
      conv2.variables.get('bias')!.name,
    ]);
    // A bias right before instance norm is removed by the mean subtraction: its gradient is ~0.
    expect(maxAbs(grads[conv1.variables.get('bias')!.name])).toBeLessThan(1e-5);
    tf.dispose([value, ...Object.values(grads)]);
  });

  it('spectral conv → batch norm (training) → relu → deconv → bilinear up → avg-pool → res-block → pool → linear trains every weight', () => {
    const x = tf.randomNormal([2, 4, 4, 2], 0, 1, 'float32', 3);
    const conv = build(conv2dNode, { out_channels: 3, stride: 2, bias: false, spectral_norm: true }, { x: spatialType('feature', 2, 4, 4, 2) });
    const bn = build(batchNormNode, {}, { x: spatialType('feature', 2, 2, 2, 3) });
    const relu = build(activationNode, {}, { x: spatialType('feature', 2, 2, 2, 3) });
    const deconv = build(convTranspose2dNode, { out_channels: 2 }, { x: spatialType('feature', 2, 2, 2, 3) });
    const up = build(upsampleNode, { mode: 'bilinear' }, { x: spatialType('feature', 2, 4, 4, 2) });
    const down = build(downsampleNode, {}, { x: spatialType('feature', 2, 8, 8, 2) });
    const block = build(residualBlockNode, { norm: 'none' }, { x: spatialType('feature', 2, 4, 4, 2) });
    const pool = build(globalAvgPoolNode, {}, { x: spatialType('feature', 2, 4, 4, 2) });
    const fc = build(linearNode, { out_features: 3 }, { x: vectorOf('vector', 2, 2) });
    const forward = () => {
      let h = conv.run({ x }, true).y;
      h = relu.run({ x: bn.run({ x: h }, true).y }).y;
      h = down.run({ x: up.run({ x: deconv.run({ x: h }).y }).y }).y;
      h = block.run({ x: h }, true).y;
      return fc.run({ x: pool.run({ x: h }).y }).y;
    };
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(forward())) as tf.Scalar);
    const trainable = [conv, bn, deconv, block, fc].flatMap((n) => [...n.variables.values()].filter((v) => v.trainable).map((v) => v.name));
    expect(Object.keys(grads).sort()).toEqual(expect.arrayContaining(trainable));
    expectUsableGrads(grads, trainable);
    // non-trainable state gets no gradient
    expect(grads[conv.variables.get('weight_u')!.name]).toBeUndefined();
    expect(grads[bn.variables.get('running_mean')!.name]).toBeUndefined();
    tf.dispose([value, ...Object.values(grads)]);
  });
});

/**
 * Checks tf.grad against a central finite difference along random directions:
 * for f(x) = Σ forward(x)·r, ⟨∇f, d⟩ ≈ (f(x + εd) − f(x − εd)) / 2ε.
 */
function checkInputGradient(def: NodeDef, params: Record<string, number | boolean | string>, port: string, types: Record<string, TensorType>, training = false): void {
  const node = build(def, params, types);
  const feeds = Object.fromEntries(Object.entries(types).map(([p, t], i) => [p, tf.randomNormal(t.shape.map((d) => d.value), 0, 1, 'float32', 10 + i)]));
  const [outPort] = Object.keys(node.outputs);
  const weights = tf.randomNormal(node.outputs[outPort].shape.map((d) => d.value), 0, 1, 'float32', 20);
  const f = (x: tf.Tensor) => tf.sum(tf.mul(node.run({ ...feeds, [port]: x }, training)[outPort], weights));
  const x = feeds[port];
  const gradient = tf.grad(f)(x);
  const eps = 1e-3; // small enough that few ReLU kinks are crossed
  for (let k = 0; k < 3; k++) {
    const d = tf.randomNormal(x.shape, 0, 1, 'float32', 30 + k);
    const analytic = tf.sum(tf.mul(gradient, d)).dataSync()[0];
    const numeric = (f(tf.add(x, tf.mul(d, eps))).dataSync()[0] - f(tf.sub(x, tf.mul(d, eps))).dataSync()[0]) / (2 * eps);
    expect(Math.abs(analytic - numeric), `${def.type} ${JSON.stringify(params)}: ${analytic} vs ${numeric}`).toBeLessThan(2e-2 * Math.max(1, Math.abs(numeric)));
  }
}

describe('input gradients match finite differences', () => {
  const map = (c: number, h = 4, w = 4) => spatialType('feature', 2, h, w, c);
  it.each([
    ['conv2d reflect', conv2dNode, { out_channels: 2, kernel: 3, padding_mode: 'reflect' }, { x: map(2) }],
    ['conv2d reflect 7×7', conv2dNode, { out_channels: 1, kernel: 7, padding_mode: 'reflect' }, { x: map(1, 5, 5) }],
    ['conv2d zero pad stride 2', conv2dNode, { out_channels: 2, stride: 2 }, { x: map(2) }],
    ['conv-transpose2d p1 op1', convTranspose2dNode, { out_channels: 2 }, { x: map(2) }],
    ['instance-norm', instanceNormNode, {}, { x: map(2) }],
    ['upsample nearest', upsampleNode, {}, { x: map(2) }],
    ['upsample bilinear ×3', upsampleNode, { mode: 'bilinear', scale_factor: 3 }, { x: map(2, 3, 3) }],
    ['downsample', downsampleNode, {}, { x: map(2, 5, 5) }],
    ['residual-block', residualBlockNode, {}, { x: map(2) }],
    ['channel-softmax', channelSoftmaxNode, {}, { x: map(3) }],
    ['concat', concatNode, {}, { in0: map(2), in1: map(1) }],
  ] as const)('%s', (_name, def, params, types) => {
    checkInputGradient(def, params, Object.keys(types)[0], types as Record<string, TensorType>);
  });

  it('batch-norm in training mode', () => {
    checkInputGradient(batchNormNode, {}, 'x', { x: map(2) }, true);
  });
});
