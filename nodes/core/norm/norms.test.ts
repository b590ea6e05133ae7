import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { buildNode, spatialType } from '../../testing.test-util.ts';
import type { TestNode } from '../../testing.test-util.ts';
import { batchNormNode } from './batch-norm.ts';
import { instanceNormNode } from './instance-norm.ts';
import { expectClose, expectRuleError, shapeOf, valuesOf } from '../assertions.test-util.ts';

const built: TestNode[] = [];
function build(...args: Parameters<typeof buildNode>): TestNode {
  const node = buildNode(...args);
  built.push(node);
  return node;
}
afterEach(() => built.splice(0).forEach((n) => n.dispose()));

const EPS = 1e-5;

describe('core/instance-norm', () => {
  it('infers the input shape and counts affine params', () => {
    const plain = build(instanceNormNode, {}, { x: spatialType('image', 2, 4, 4, 3) });
    expect(shapeOf(plain.outputs.y)).toBe('H×W×3');
    expect(plain.outputs.y.kind).toBe('feature');
    expect(plain.cost).toEqual({ params: 0, macs: 2 * 16 * 3, buffers: 0 });
    expect(plain.variables.size).toBe(0);
    const affine = build(instanceNormNode, { affine: true }, { x: spatialType('feature', 2, 4, 4, 3) });
    expect(affine.cost).toEqual({ params: 6, macs: 2 * 2 * 16 * 3, buffers: 0 });
    expect([...affine.variables.keys()].sort()).toEqual(['bias', 'weight']);
  });

  it('rejects a 1×1 map and a missing input', () => {
    const infer = (inputs: Record<string, ReturnType<typeof spatialType>>) => () =>
      instanceNormNode.infer({ inputs, params: { affine: false, eps: EPS }, template: {} });
    expectRuleError(infer({ x: spatialType('feature', 1, 1, 1, 4) }), { port: 'x' }, 'more than one pixel', '1×1');
    expectRuleError(infer({}), { port: 'x' }, "input 'x' is not connected");
  });

  it('normalises [1, 2, 3, 4] to (x − 2.5)/√1.25 (biased variance)', () => {
    const node = build(instanceNormNode, {}, { x: spatialType('feature', 1, 2, 2, 1) });
    const y = node.run({ x: tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]) }).y;
    const s = Math.sqrt(1.25 + EPS);
    expectClose(y, [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s]);
  });

  it('gives every sample and channel zero mean and unit variance, then applies the affine scale and shift', () => {
    const node = build(instanceNormNode, { affine: true }, { x: spatialType('feature', 2, 4, 4, 3) });
    node.setVariable('weight', [1, 1, 1]);
    node.setVariable('bias', [0, 0, 0]);
    const x = tf.add(tf.mul(tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 1), tf.tensor1d([1, 5, 0.2])), tf.tensor1d([3, -2, 7]));
    const y = node.run({ x }).y;
    const { mean, variance } = tf.moments(y, [1, 2]);
    expectClose(mean, new Array(6).fill(0), 1e-5);
    expectClose(variance, new Array(6).fill(1), 1e-3);
    node.setVariable('weight', [2, 2, 2]);
    node.setVariable('bias', [1, 1, 1]);
    expectClose(node.run({ x }).y, valuesOf(y).map((v) => 2 * v + 1), 1e-5);
  });
});

describe('core/batch-norm', () => {
  // Batch of 2 samples, each 1×2 with one channel: values 1, 2 | 3, 4.
  const x = () => tf.tensor4d([1, 2, 3, 4], [2, 1, 2, 1]);

  it('counts affine params and running-stat buffers', () => {
    const node = build(batchNormNode, {}, { x: spatialType('feature', 2, 4, 4, 3) });
    expect(node.cost).toEqual({ params: 6, macs: 2 * 2 * 16 * 3, buffers: 6 });
    expect([...node.variables.keys()].sort()).toEqual(['bias', 'running_mean', 'running_var', 'weight']);
    expect(node.variables.get('running_var')!.trainable).toBe(false);
    const plain = build(batchNormNode, { affine: false }, { x: spatialType('feature', 2, 4, 4, 3) });
    expect(plain.cost).toEqual({ params: 0, macs: 2 * 16 * 3, buffers: 6 });
  });

  it('normalises with batch statistics in training and updates running stats with momentum 0.1 and the unbiased variance', () => {
    const node = build(batchNormNode, { affine: false }, { x: spatialType('feature', 2, 1, 2, 1) });
    const y = node.run({ x: x() }, true).y;
    const s = Math.sqrt(1.25 + EPS);
    expectClose(y, [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s]);
    // mean 2.5; biased variance 1.25, unbiased 5/3
    expectClose(node.variables.get('running_mean')!, [0.9 * 0 + 0.1 * 2.5]);
    expectClose(node.variables.get('running_var')!, [0.9 * 1 + 0.1 * (5 / 3)]);
    node.run({ x: x() }, true);
    expectClose(node.variables.get('running_mean')!, [0.9 * 0.25 + 0.1 * 2.5]);
  });

  it('uses the running statistics in eval mode, then the affine scale and shift', () => {
    const node = build(batchNormNode, { momentum: 0.5 }, { x: spatialType('feature', 2, 1, 2, 1) });
    node.setVariable('weight', [2]);
    node.setVariable('bias', [1]);
    node.run({ x: x() }, true); // running mean 1.25, running var 0.5 + 0.5·5/3
    const mean = 1.25;
    const variance = 0.5 + (0.5 * 5) / 3;
    const y = node.run({ x: x() }, false).y;
    expectClose(y, [1, 2, 3, 4].map((v) => (2 * (v - mean)) / Math.sqrt(variance + EPS) + 1));
    expectClose(node.variables.get('running_mean')!, [mean]); // eval leaves the stats alone
  });

  it('refuses to train on a single value per channel', () => {
    const node = build(batchNormNode, {}, { x: spatialType('feature', 1, 1, 1, 2) });
    expect(() => node.run({ x: tf.ones([1, 1, 1, 2]) }, true)).toThrow(/more than one value per channel/);
  });
});
