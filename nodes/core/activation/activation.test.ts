import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { buildNode, spatialType, vectorOf } from '../../testing.test-util.ts';
import type { TestNode } from '../../testing.test-util.ts';
import { activationNode } from './activation.ts';
import { expectClose, expectRuleError, shapeOf } from '../assertions.test-util.ts';

const built: TestNode[] = [];
function build(...args: Parameters<typeof buildNode>): TestNode {
  const node = buildNode(...args);
  built.push(node);
  return node;
}
afterEach(() => built.splice(0).forEach((n) => n.dispose()));

const input = [-2, -0.5, 0, 3];
const x = () => tf.tensor4d(input, [1, 2, 2, 1]);
const map = spatialType('feature', 1, 2, 2, 1);

describe('core/activation', () => {
  it('computes relu, leaky relu (slope 0.2), tanh and sigmoid', () => {
    expectClose(build(activationNode, { function: 'relu' }, { x: map }).run({ x: x() }).y, [0, 0, 0, 3]);
    expectClose(build(activationNode, { function: 'leaky-relu' }, { x: map }).run({ x: x() }).y, [-0.4, -0.1, 0, 3]);
    expectClose(build(activationNode, { function: 'leaky-relu', slope: 0.01 }, { x: map }).run({ x: x() }).y, [-0.02, -0.005, 0, 3]);
    expectClose(build(activationNode, { function: 'tanh' }, { x: map }).run({ x: x() }).y, input.map(Math.tanh));
    expectClose(build(activationNode, { function: 'sigmoid' }, { x: map }).run({ x: x() }).y, input.map((v) => 1 / (1 + Math.exp(-v))));
  });

  it('keeps the kind, except tanh on 3 channels gives an image', () => {
    const kindOf = (fn: string, t: ReturnType<typeof spatialType>) => build(activationNode, { function: fn }, { x: t }).outputs.y.kind;
    expect(kindOf('tanh', spatialType('feature', 1, 8, 8, 3))).toBe('image');
    expect(kindOf('tanh', spatialType('feature', 1, 8, 8, 4))).toBe('feature');
    expect(kindOf('sigmoid', spatialType('feature', 1, 8, 8, 3))).toBe('feature');
    expect(kindOf('relu', spatialType('semantic', 1, 8, 8, 5))).toBe('semantic');
    const node = build(activationNode, { function: 'leaky-relu' }, { x: spatialType('feature', 1, 8, 8, 16) });
    expect(shapeOf(node.outputs.y)).toBe('H×W×16');
    expect(node.cost).toEqual({ params: 0, macs: 0, buffers: 0 });
  });

  it('accepts B×N vectors and keeps their kind', () => {
    const node = build(activationNode, { function: 'relu' }, { x: vectorOf('logits', 2, 10) });
    expect(node.outputs.y).toEqual(vectorOf('logits', 2, 10));
  });

  it('rejects integer label maps and a missing input', () => {
    const infer = (inputs: Record<string, ReturnType<typeof spatialType>>) => () =>
      activationNode.infer({ inputs, params: { function: 'relu', slope: 0.2 }, template: {} });
    expectRuleError(infer({ x: spatialType('labels', 1, 8, 8, 1) }), { port: 'x' }, "port 'x'", 'H×W×1 labels map');
    expectRuleError(infer({}), { port: 'x' }, "input 'x' is not connected");
  });
});
