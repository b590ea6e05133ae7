import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { inputPorts } from '../../contract.ts';
import { addToDim, dim } from '../../dims.ts';
import { buildNode, spatialType } from '../../testing.test-util.ts';
import type { TestNode } from '../../testing.test-util.ts';
import { addNode } from './add.ts';
import { concatNode } from './concat.ts';
import { multiplyNode } from './multiply.ts';
import { expectClose, expectRuleError, shapeOf } from '../assertions.test-util.ts';

const built: TestNode[] = [];
function build(...args: Parameters<typeof buildNode>): TestNode {
  const node = buildNode(...args);
  built.push(node);
  return node;
}
afterEach(() => built.splice(0).forEach((n) => n.dispose()));

describe('core/concat', () => {
  it('has one port per input, in0 … in{N−1}', () => {
    expect(inputPorts(concatNode, { inputs: 3 }).map((p) => p.name)).toEqual(['in0', 'in1', 'in2']);
  });

  it('sums channels and keeps one symbolic term', () => {
    const semantic = spatialType('semantic', 1, 8, 8, addToDim(dim(4, 'num_classes'), 1));
    const node = build(concatNode, { inputs: 3 }, { in0: semantic, in1: spatialType('image', 1, 8, 8, 3), in2: spatialType('feature', 1, 8, 8, 2) });
    expect(shapeOf(node.outputs.y)).toBe('H×W×num_classes+6');
    expect(node.outputs.y.kind).toBe('feature');
    expect(node.outputs.y.shape[3].value).toBe(10);
    const plain = build(concatNode, {}, { in0: spatialType('feature', 1, 8, 8, 3), in1: spatialType('feature', 1, 8, 8, 4) });
    expect(shapeOf(plain.outputs.y)).toBe('H×W×7');
  });

  it('names the port and both shapes when spatial sizes differ, and a missing port', () => {
    const infer = (inputs: Record<string, ReturnType<typeof spatialType>>) => () => concatNode.infer({ inputs, params: { inputs: 2 }, template: {} });
    expectRuleError(
      infer({ in0: spatialType('feature', 1, 8, 8, 3), in1: { kind: 'feature', shape: [dim(1, 'B'), dim(4), dim(4), dim(3)] } }),
      { port: 'in1' },
      "port 'in1' is 4×4×3",
      "port 'in0' is H×W×3",
    );
    expectRuleError(infer({ in0: spatialType('feature', 1, 8, 8, 3) }), { port: 'in1' }, "input 'in1' is not connected");
  });

  it('concatenates along channels in port order', () => {
    const node = build(concatNode, {}, { in0: spatialType('feature', 1, 1, 2, 1), in1: spatialType('feature', 1, 1, 2, 2) });
    const y = node.run({ in0: tf.tensor4d([1, 2], [1, 1, 2, 1]), in1: tf.tensor4d([10, 20, 30, 40], [1, 1, 2, 2]) }).y;
    expectClose(y, [1, 10, 20, 2, 30, 40], 0);
  });
});

describe('core/add and core/multiply', () => {
  const a = tf.tensor4d([1, 2, 3, 4], [1, 1, 2, 2]);
  const mask = tf.tensor4d([0, 1], [1, 1, 2, 1]);

  it('adds and multiplies equal shapes elementwise', () => {
    const types = { a: spatialType('feature', 1, 1, 2, 2), b: spatialType('feature', 1, 1, 2, 2) };
    expectClose(build(addNode, {}, types).run({ a, b: a }).y, [2, 4, 6, 8], 0);
    expectClose(build(multiplyNode, {}, types).run({ a, b: a }).y, [1, 4, 9, 16], 0);
  });

  it('broadcasts a 1-channel map over the channels (class masking)', () => {
    const types = { a: spatialType('feature', 1, 1, 2, 2), b: spatialType('mask', 1, 1, 2, 1) };
    const node = build(multiplyNode, {}, types);
    expect(shapeOf(node.outputs.y)).toBe('H×W×2');
    expect(node.outputs.y.kind).toBe('feature');
    expectClose(node.run({ a, b: mask }).y, [0, 0, 3, 4], 0);
    const flipped = build(addNode, {}, { a: types.b, b: types.a });
    expect(shapeOf(flipped.outputs.y)).toBe('H×W×2');
    expectClose(flipped.run({ a: mask, b: a }).y, [1, 2, 4, 5], 0);
  });

  it('keeps a shared kind and counts multiplies', () => {
    const images = { a: spatialType('image', 2, 4, 4, 3), b: spatialType('image', 2, 4, 4, 3) };
    expect(build(addNode, {}, images).outputs.y.kind).toBe('image');
    expect(build(addNode, {}, images).cost).toEqual({ params: 0, macs: 0, buffers: 0 });
    expect(build(multiplyNode, {}, images).cost).toEqual({ params: 0, macs: 2 * 4 * 4 * 3, buffers: 0 });
  });

  it('rejects channel and spatial mismatches, naming both sides', () => {
    const infer = (node: typeof addNode, inputs: Record<string, ReturnType<typeof spatialType>>) => () => node.infer({ inputs, params: {}, template: {} });
    expectRuleError(
      infer(addNode, { a: spatialType('feature', 1, 8, 8, 4), b: spatialType('feature', 1, 8, 8, 3) }),
      { port: 'b' },
      "port 'b' is H×W×3",
      "port 'a' is H×W×4",
      'equal channels (3 vs 4)',
    );
    expectRuleError(
      infer(multiplyNode, { a: spatialType('feature', 1, 8, 8, 4), b: spatialType('feature', 1, 4, 4, 4) }),
      { port: 'b' },
      'H×W×4',
      'spatial sizes must agree',
    );
    expectRuleError(infer(addNode, { a: spatialType('feature', 1, 8, 8, 4) }), { port: 'b' }, "input 'b' is not connected");
  });
});
