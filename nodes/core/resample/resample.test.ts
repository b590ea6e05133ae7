import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { buildNode, spatialType } from '../../testing.test-util.ts';
import type { TestNode } from '../../testing.test-util.ts';
import { downsampleNode } from './downsample.ts';
import { bilinearUpsample, nearestResize } from './resample.ts';
import { upsampleNode } from './upsample.ts';
import { expectClose, expectRuleError, shapeOf, valuesOf } from '../assertions.test-util.ts';

const built: TestNode[] = [];
function build(...args: Parameters<typeof buildNode>): TestNode {
  const node = buildNode(...args);
  built.push(node);
  return node;
}
afterEach(() => built.splice(0).forEach((n) => n.dispose()));

const grid4 = Array.from({ length: 16 }, (_, i) => i + 1);

describe('core/upsample', () => {
  it('infers 2H×2W and keeps one-hot kinds only for nearest', () => {
    const semantic = spatialType('semantic', 1, 4, 4, 5);
    const nearest = build(upsampleNode, {}, { x: semantic });
    expect(shapeOf(nearest.outputs.y)).toBe('2H×2W×5');
    expect(nearest.outputs.y.kind).toBe('semantic');
    expect(build(upsampleNode, { mode: 'bilinear' }, { x: semantic }).outputs.y.kind).toBe('feature');
    expect(build(upsampleNode, { mode: 'bilinear' }, { x: spatialType('image', 1, 4, 4, 3) }).outputs.y.kind).toBe('image');
    expect(shapeOf(build(upsampleNode, { scale_factor: 4 }, { x: spatialType('feature', 1, 2, 2, 1) }).outputs.y)).toBe('4H×4W×1');
  });

  it('costs nothing for nearest and 4 MACs per output element for bilinear', () => {
    const x = { x: spatialType('feature', 2, 4, 4, 3) };
    expect(build(upsampleNode, {}, x).cost).toEqual({ params: 0, macs: 0, buffers: 0 });
    expect(build(upsampleNode, { mode: 'bilinear' }, x).cost).toEqual({ params: 0, macs: 4 * 2 * 8 * 8 * 3, buffers: 0 });
  });

  it('repeats pixels for nearest 2× (source floor(i/2)), checked by hand', () => {
    const node = build(upsampleNode, {}, { x: spatialType('feature', 1, 2, 2, 1) });
    const y = node.run({ x: tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]) }).y;
    expectClose(y, [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4], 0);
  });

  it('repeats pixels for nearest 3× and keeps channels apart', () => {
    const node = build(upsampleNode, { scale_factor: 3 }, { x: spatialType('feature', 1, 1, 2, 2) });
    const y = node.run({ x: tf.tensor4d([1, 10, 2, 20], [1, 1, 2, 2]) }).y;
    expect(y.shape).toEqual([1, 3, 6, 2]);
    const row = [1, 10, 1, 10, 1, 10, 2, 20, 2, 20, 2, 20];
    expectClose(y, [...row, ...row, ...row], 0);
  });

  it("matches PyTorch's bilinear, align_corners=False", () => {
    const node = build(upsampleNode, { mode: 'bilinear' }, { x: spatialType('feature', 1, 2, 2, 1) });
    // torch.nn.functional.interpolate([[1, 2], [3, 4]], scale_factor=2, mode='bilinear')
    expectClose(node.run({ x: tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]) }).y, [
      1, 1.25, 1.75, 2,
      1.5, 1.75, 2.25, 2.5,
      2.5, 2.75, 3.25, 3.5,
      3, 3.25, 3.75, 4,
    ]);
    // 3×: samples at (i + 0.5)/3 − 0.5 = −1/3, 0, 1/3, 2/3, 1, 4/3, clamped into [0, 1]
    const three = build(upsampleNode, { mode: 'bilinear', scale_factor: 3 }, { x: spatialType('feature', 1, 1, 2, 1) });
    expectClose(three.run({ x: tf.tensor4d([0, 3], [1, 1, 2, 1]) }).y, [0, 0, 1, 2, 3, 3, 0, 0, 1, 2, 3, 3, 0, 0, 1, 2, 3, 3]);
  });

  it("agrees with tfjs's half-pixel resizeBilinear forward and has exact gradients", () => {
    const x = tf.randomNormal([2, 3, 4, 2], 0, 1, 'float32', 9);
    for (const scale of [2, 3]) {
      const ours = bilinearUpsample(x as tf.Tensor4D, scale);
      const reference = tf.image.resizeBilinear(x as tf.Tensor4D, [3 * scale, 4 * scale], false, true);
      expectClose(ours, valuesOf(reference), 1e-5);
      // every input pixel spreads a total weight of scale² over the output
      const grad = tf.grad((t: tf.Tensor) => tf.sum(bilinearUpsample(t as tf.Tensor4D, scale)))(x);
      expectClose(grad, new Array(x.size).fill(scale * scale), 1e-4);
    }
  });
});

describe('nearestResize', () => {
  it("picks source pixel floor(i·in/out) like PyTorch's nearest, for any ratio", () => {
    const row = (values: number[]) => tf.tensor4d(values, [1, 1, values.length, 1]);
    expectClose(nearestResize(row([0, 1, 2, 3]), 1, 2), [0, 2], 0); // subsample
    expectClose(nearestResize(row([0, 1, 2]), 1, 2), [0, 1], 0); // floor(i·3/2)
    expectClose(nearestResize(row([0, 1]), 1, 3), [0, 0, 1], 0); // floor(i·2/3)
    expectClose(nearestResize(tf.tensor4d([1, 2, 3, 4], [1, 4, 1, 1]), 2, 1), [1, 3], 0);
  });

  it('sends each sample its own gradient (tfjs-cpu resize gradient mis-indexes batch 2+)', () => {
    const x = tf.zeros([2, 2, 2, 1]);
    const weights = tf.range(0, 32).reshape([2, 4, 4, 1]);
    const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(nearestResize(t as tf.Tensor4D, 4, 4), weights)))(x);
    // each input pixel collects the weights of its 2×2 output block
    expectClose(grad, [10, 18, 42, 50, 74, 82, 106, 114], 0);
  });
});

describe('core/downsample', () => {
  it('halves H×W with the defaults and rejects padding over half the kernel', () => {
    const node = build(downsampleNode, {}, { x: spatialType('image', 1, 8, 8, 3) });
    expect(shapeOf(node.outputs.y)).toBe('H/2×W/2×3');
    expect(node.outputs.y.kind).toBe('image');
    expect(build(downsampleNode, {}, { x: spatialType('semantic', 1, 8, 8, 3) }).outputs.y.kind).toBe('feature');
    const infer = (params: Record<string, number>) => () =>
      downsampleNode.infer({ inputs: { x: spatialType('feature', 1, 8, 8, 3) }, params: { kernel: 3, stride: 2, padding: 1, ...params }, template: {} });
    expectRuleError(infer({ padding: 2 }), { param: 'padding' }, 'padding 2', 'kernel 3');
    expectRuleError(infer({ kernel: 11, padding: 0 }), { param: 'kernel' }, 'kernel 11×11', 'H×W×3');
  });

  it('averages only the in-image pixels at the borders (count_include_pad=False)', () => {
    const node = build(downsampleNode, {}, { x: spatialType('feature', 1, 4, 4, 1) });
    const y = node.run({ x: tf.tensor4d(grid4, [1, 4, 4, 1]) }).y;
    // windows {1,2,5,6}, {2,3,4,6,7,8}, {5,6,9,10,13,14}, {6,7,8,10,11,12,14,15,16}
    expectClose(y, [3.5, 5, 9.5, 11]);
  });

  it('counts the summed in-image pixels as MACs', () => {
    const node = build(downsampleNode, {}, { x: spatialType('feature', 2, 4, 4, 3) });
    expect(node.cost).toEqual({ params: 0, macs: 2 * 3 * (4 + 6 + 6 + 9), buffers: 0 });
  });

  it('differentiates with the same border counts', () => {
    const node = build(downsampleNode, {}, { x: spatialType('feature', 1, 4, 4, 1) });
    const grad = tf.grad((x: tf.Tensor) => tf.sum(node.run({ x }).y))(tf.tensor4d(grid4, [1, 4, 4, 1]));
    const g = valuesOf(grad);
    expect(g[0]).toBeCloseTo(1 / 4, 6); // pixel (0,0) only in the first window
    expect(g[5]).toBeCloseTo(1 / 4 + 1 / 6 + 1 / 6 + 1 / 9, 6); // pixel (1,1) in all four
  });

  it('equals a plain valid avg-pool without padding', () => {
    const node = build(downsampleNode, { kernel: 2, stride: 2, padding: 0 }, { x: spatialType('feature', 1, 4, 4, 1) });
    expectClose(node.run({ x: tf.tensor4d(grid4, [1, 4, 4, 1]) }).y, [3.5, 5.5, 11.5, 13.5]);
  });
});
