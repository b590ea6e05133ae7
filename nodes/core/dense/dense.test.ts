import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { buildNode, spatialType, vectorOf } from '../../testing.test-util.ts';
import type { TestNode } from '../../testing.test-util.ts';
import { channelSoftmaxNode } from '../activation/channel-softmax.ts';
import { globalAvgPoolNode } from './global-avg-pool.ts';
import { linearNode } from './linear.ts';
import { expectClose, expectRuleError, shapeOf } from '../assertions.test-util.ts';

const built: TestNode[] = [];
function build(...args: Parameters<typeof buildNode>): TestNode {
  const node = buildNode(...args);
  built.push(node);
  return node;
}
afterEach(() => built.splice(0).forEach((n) => n.dispose()));

describe('core/linear', () => {
  it('maps B×N to B×M, also from a B×1×1×N map, with template expressions', () => {
    const node = build(linearNode, { out_features: 'num_classes' }, { x: vectorOf('vector', 2, 8) });
    expect(node.outputs.y).toEqual(vectorOf('vector', 2, 4));
    expect(build(linearNode, { out_features: 3, output_kind: 'logits' }, { x: spatialType('feature', 2, 1, 1, 8) }).outputs.y.kind).toBe('logits');
  });

  it('counts N·M + M params and B·N·M MACs', () => {
    expect(build(linearNode, { out_features: 3 }, { x: vectorOf('vector', 2, 8) }).cost).toEqual({ params: 27, macs: 48, buffers: 0 });
    expect(build(linearNode, { out_features: 3, bias: false }, { x: vectorOf('vector', 2, 8) }).cost.params).toBe(24);
  });

  it('rejects maps larger than 1×1 and a missing input', () => {
    const params = { out_features: 3, bias: true, output_kind: 'vector' };
    expectRuleError(
      () => linearNode.infer({ inputs: { x: spatialType('feature', 1, 2, 2, 8) }, params, template: {} }),
      { port: 'x' },
      'B×1×1×N',
      'H×W×8 feature map',
    );
    expectRuleError(() => linearNode.infer({ inputs: {}, params, template: {} }), { port: 'x' }, "input 'x' is not connected");
  });

  it('computes x·W + b with W stored as [in, out]', () => {
    const node = build(linearNode, { out_features: 3 }, { x: vectorOf('vector', 1, 2) });
    node.setVariable('weight', [1, 2, 3, 4, 5, 6]);
    node.setVariable('bias', [0.5, 0, -0.5]);
    expectClose(node.run({ x: tf.tensor2d([1, 2], [1, 2]) }).y, [9.5, 12, 14.5]);
    expectClose(node.run({ x: tf.tensor4d([1, 2], [1, 1, 1, 2]) }).y, [9.5, 12, 14.5]);
  });
});

describe('core/channel-softmax', () => {
  it('outputs an attention map of the same shape and needs 2+ channels', () => {
    const node = build(channelSoftmaxNode, {}, { x: spatialType('feature', 1, 8, 8, 2) });
    expect(node.outputs.y.kind).toBe('attention');
    expect(shapeOf(node.outputs.y)).toBe('H×W×2');
    expectRuleError(
      () => channelSoftmaxNode.infer({ inputs: { x: spatialType('feature', 1, 8, 8, 1) }, params: {}, template: {} }),
      { port: 'x' },
      'at least 2 channels',
      'got 1',
    );
  });

  it('gives (1/4, 3/4) for scores (0, ln 3) and sums to 1 at every pixel', () => {
    const node = build(channelSoftmaxNode, {}, { x: spatialType('feature', 1, 1, 1, 2) });
    expectClose(node.run({ x: tf.tensor4d([0, Math.log(3)], [1, 1, 1, 2]) }).y, [0.25, 0.75]);
    const big = build(channelSoftmaxNode, {}, { x: spatialType('feature', 2, 3, 3, 4) });
    const y = big.run({ x: tf.randomNormal([2, 3, 3, 4], 0, 3, 'float32', 2) }).y;
    expectClose(tf.sum(y, 3), new Array(18).fill(1), 1e-6);
  });
});

describe('core/global-avg-pool', () => {
  it('averages each channel over H×W into a B×C vector', () => {
    const node = build(globalAvgPoolNode, {}, { x: spatialType('feature', 2, 2, 2, 2) });
    expect(node.outputs.y).toEqual(vectorOf('vector', 2, 2));
    expect(node.cost).toEqual({ params: 0, macs: 16, buffers: 0 });
    const x = tf.tensor4d([1, 10, 2, 20, 3, 30, 4, 40, 0, 0, 0, 0, 0, 0, 4, 8], [2, 2, 2, 2]);
    expectClose(node.run({ x }).y, [2.5, 25, 1, 2]);
  });

  it('rejects vectors', () => {
    expectRuleError(() => globalAvgPoolNode.infer({ inputs: { x: vectorOf('vector', 1, 4) }, params: {}, template: {} }), { port: 'x' }, 'vector of 4');
  });
});
