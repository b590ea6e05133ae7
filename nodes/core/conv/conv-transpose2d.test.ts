import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { buildNode, spatialType } from '../../testing.test-util.ts';
import type { TestNode } from '../../testing.test-util.ts';
import { convTranspose2dNode } from './conv-transpose2d.ts';
import { expectClose, expectRuleError, shapeOf } from '../assertions.test-util.ts';

const built: TestNode[] = [];
function build(...args: Parameters<typeof buildNode>): TestNode {
  const node = buildNode(...args);
  built.push(node);
  return node;
}
afterEach(() => built.splice(0).forEach((n) => n.dispose()));

const kernel1to9 = [1, 2, 3, 4, 5, 6, 7, 8, 9];
const onePixel = (value: number) => tf.tensor4d([value], [1, 1, 1, 1]);

describe('core/conv-transpose2d infer', () => {
  it('doubles H×W with the defaults (3×3, s2, p1, output_padding 1)', () => {
    const node = build(convTranspose2dNode, { out_channels: 8 }, { x: spatialType('feature', 1, 4, 4, 16) });
    expect(shapeOf(node.outputs.y)).toBe('2H×2W×8');
  });

  it('follows (n−1)s − 2p + k + output_padding', () => {
    const x = { x: spatialType('feature', 1, 4, 4, 2) };
    expect(shapeOf(build(convTranspose2dNode, { out_channels: 2, kernel: 4, padding: 1, output_padding: 0 }, x).outputs.y)).toBe('2H×2W×2');
    expect(shapeOf(build(convTranspose2dNode, { out_channels: 2, kernel: 3, padding: 0, output_padding: 0 }, x).outputs.y)).toBe('9×9×2');
    expect(shapeOf(build(convTranspose2dNode, { out_channels: 2, kernel: 3, stride: 1, padding: 1, output_padding: 0 }, x).outputs.y)).toBe(
      'H×W×2',
    );
  });

  it('rejects output_padding ≥ stride, a missing input and an empty output', () => {
    const params = { out_channels: 2, kernel: 3, stride: 2, padding: 1, output_padding: 1, bias: true };
    const infer = (inputs: Record<string, ReturnType<typeof spatialType>>, overrides = {}) => () =>
      convTranspose2dNode.infer({ inputs, params: { ...params, ...overrides }, template: {} });
    expectRuleError(infer({ x: spatialType('feature', 1, 4, 4, 2) }, { output_padding: 2 }), { param: 'output_padding' }, 'output_padding 2', 'stride 2');
    expectRuleError(infer({}), { port: 'x' }, "input 'x' is not connected");
    expectRuleError(infer({ x: spatialType('feature', 1, 1, 1, 2) }, { kernel: 1, padding: 1, output_padding: 0 }), { param: 'padding' }, 'H×W×2');
  });
});

describe('core/conv-transpose2d cost', () => {
  it('counts k²·in·out + out params and MACs at the input size', () => {
    const node = build(convTranspose2dNode, { out_channels: 2 }, { x: spatialType('feature', 2, 4, 4, 4) });
    expect(node.cost).toEqual({ params: 9 * 4 * 2 + 2, macs: 2 * 4 * 4 * 9 * 4 * 2, buffers: 0 });
  });
});

describe('core/conv-transpose2d forward', () => {
  it('stamps the kernel, unflipped, for a 1-pixel input', () => {
    const node = build(convTranspose2dNode, { out_channels: 1, padding: 0, output_padding: 0, bias: false }, { x: spatialType('feature', 1, 1, 1, 1) });
    node.setVariable('weight', kernel1to9);
    expectClose(node.run({ x: onePixel(2) }).y, kernel1to9.map((k) => 2 * k));
  });

  it('crops padding at the top/left and keeps output_padding rows (p1, op1 → 2×2)', () => {
    const node = build(convTranspose2dNode, { out_channels: 1, bias: false }, { x: spatialType('feature', 1, 1, 1, 1) });
    node.setVariable('weight', kernel1to9);
    const y = node.run({ x: onePixel(2) }).y;
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expectClose(y, [10, 12, 16, 18]);
  });

  it('adds output_padding rows past the full result that hold only the bias (p0, op1 → 4×4)', () => {
    const node = build(convTranspose2dNode, { out_channels: 1, padding: 0, output_padding: 1 }, { x: spatialType('feature', 1, 1, 1, 1) });
    node.setVariable('weight', kernel1to9);
    node.setVariable('bias', [0.5]);
    const y = node.run({ x: onePixel(2) }).y;
    expect(y.shape).toEqual([1, 4, 4, 1]);
    expectClose(y, [2, 4, 6, 0, 8, 10, 12, 0, 14, 16, 18, 0, 0, 0, 0, 0].map((v) => v + 0.5));
  });

  it('uses the [k, k, out, in] layout and overlaps strided stamps', () => {
    // 2 input channels → 1 output channel with a 2×2 kernel, stored as w[y][x][out 0][in]
    const node = build(convTranspose2dNode, { out_channels: 1, kernel: 2, stride: 1, padding: 0, output_padding: 0, bias: false }, {
      x: spatialType('feature', 1, 1, 2, 2),
    });
    node.setVariable('weight', [1, 10, 2, 20, 3, 30, 4, 40]);
    // pixel (0,0) has channels (1, 0), pixel (0,1) has channels (0, 1)
    const y = node.run({ x: tf.tensor4d([1, 0, 0, 1], [1, 1, 2, 2]) }).y;
    expect(y.shape).toEqual([1, 2, 3, 1]);
    // stamp of channel 0 at column 0: [[1,2],[3,4]]; stamp of channel 1 at column 1: [[10,20],[30,40]]
    expectClose(y, [1, 2 + 10, 20, 3, 4 + 30, 40]);
  });

  it('gives a 2H×2W map for a 2×2 input with the defaults', () => {
    const node = build(convTranspose2dNode, { out_channels: 3 }, { x: spatialType('feature', 2, 2, 2, 2) });
    expect(node.run({ x: tf.ones([2, 2, 2, 2]) }).y.shape).toEqual([2, 4, 4, 3]);
  });
});
