import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { buildNode, spatialType } from '../../testing.test-util.ts';
import type { TestNode } from '../../testing.test-util.ts';
import { activationNode } from '../activation/activation.ts';
import { conv2dNode } from './conv2d.ts';
import { instanceNormNode } from '../norm/instance-norm.ts';
import { residualBlockNode } from './residual-block.ts';
import { expectClose, expectRuleError, shapeOf, valuesOf } from '../assertions.test-util.ts';

const built: TestNode[] = [];
function build(...args: Parameters<typeof buildNode>): TestNode {
  const node = buildNode(...args);
  built.push(node);
  return node;
}
afterEach(() => built.splice(0).forEach((n) => n.dispose()));

const C = 3;
const map = spatialType('feature', 2, 4, 4, C);

describe('core/residual-block', () => {
  it('keeps the shape and names its variables like the official checkpoints', () => {
    const node = build(residualBlockNode, {}, { x: map });
    expect(shapeOf(node.outputs.y)).toBe('H×W×3');
    expect([...node.variables.keys()].sort()).toEqual(['conv1.bias', 'conv1.weight', 'conv2.bias', 'conv2.weight']);
    expect(node.variables.get('conv1.weight')!.shape).toEqual([3, 3, C, C]);
    const bn = build(residualBlockNode, { norm: 'batch', norm_affine: true }, { x: map });
    expect([...bn.variables.keys()].sort()).toEqual([
      'conv1.bias',
      'conv1.weight',
      'conv2.bias',
      'conv2.weight',
      'norm1.bias',
      'norm1.running_mean',
      'norm1.running_var',
      'norm1.weight',
      'norm2.bias',
      'norm2.running_mean',
      'norm2.running_var',
      'norm2.weight',
    ]);
  });

  it('counts two 3×3 convs and two norms', () => {
    const numel = 2 * 4 * 4 * C;
    const convMacs = 2 * 4 * 4 * 9 * C * C;
    expect(build(residualBlockNode, {}, { x: map }).cost).toEqual({ params: 2 * (9 * C * C + C), macs: 2 * convMacs + 2 * numel, buffers: 0 });
    expect(build(residualBlockNode, { norm: 'batch', norm_affine: true }, { x: map }).cost).toEqual({
      params: 2 * (9 * C * C + C) + 4 * C,
      macs: 2 * convMacs + 4 * numel,
      buffers: 4 * C,
    });
    expect(build(residualBlockNode, { norm: 'none', bias: false }, { x: map }).cost).toEqual({ params: 2 * 9 * C * C, macs: 2 * convMacs, buffers: 0 });
  });

  it('rejects maps too small for reflect padding', () => {
    const infer = () =>
      residualBlockNode.infer({
        inputs: { x: spatialType('feature', 1, 1, 1, 4) },
        params: { padding_mode: 'reflect', norm: 'instance', norm_affine: false, bias: true },
        template: {},
      });
    expectRuleError(infer, { param: 'padding' }, 'reflect padding 1', 'H×W×4');
  });

  it('is the identity when the second conv outputs zeros', () => {
    const node = build(residualBlockNode, {}, { x: map });
    node.setVariable('conv2.weight', new Array(9 * C * C).fill(0));
    const x = tf.randomNormal([2, 4, 4, C], 0, 1, 'float32', 5);
    expectClose(node.run({ x }).y, valuesOf(x));
  });

  it('equals pad-conv-norm-relu-pad-conv-norm plus the input, built from the standalone nodes', () => {
    const block = build(residualBlockNode, {}, { x: map });
    const convParams = { out_channels: C, padding_mode: 'reflect' };
    const conv1 = build(conv2dNode, convParams, { x: map });
    const conv2 = build(conv2dNode, convParams, { x: map });
    const norm = build(instanceNormNode, {}, { x: map });
    const relu = build(activationNode, { function: 'relu' }, { x: map });
    for (const [name, conv] of [['conv1', conv1], ['conv2', conv2]] as const) {
      const w = tf.randomNormal([3, 3, C, C], 0, 0.3, 'float32', name === 'conv1' ? 11 : 12);
      const b = tf.randomNormal([C], 0, 0.3, 'float32', name === 'conv1' ? 13 : 14);
      block.setVariable(`${name}.weight`, w);
      block.setVariable(`${name}.bias`, b);
      conv.setVariable('weight', w);
      conv.setVariable('bias', b);
    }
    const x = tf.randomNormal([2, 4, 4, C], 0, 1, 'float32', 6);
    const h = relu.run({ x: norm.run({ x: conv1.run({ x }).y }).y }).y;
    const expected = tf.add(x, norm.run({ x: conv2.run({ x: h }).y }).y);
    expectClose(block.run({ x }).y, valuesOf(expected), 1e-5);
  });
});
