import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { buildNode, spatialType, vectorOf } from '../../testing.test-util.ts';
import type { TestNode } from '../../testing.test-util.ts';
import { conv2dNode } from './conv2d.ts';
import { expectClose, expectRuleError, shapeOf, valuesOf } from '../assertions.test-util.ts';

const built: TestNode[] = [];
function build(...args: Parameters<typeof buildNode>): TestNode {
  const node = buildNode(...args);
  built.push(node);
  return node;
}
afterEach(() => built.splice(0).forEach((n) => n.dispose()));

const grid4 = Array.from({ length: 16 }, (_, i) => i + 1); // 1..16 row-major, a 4×4 map

describe('core/conv2d infer', () => {
  it('keeps H×W with same padding and halves it with stride 2', () => {
    const x = { x: spatialType('image', 1, 8, 8, 3) };
    expect(shapeOf(build(conv2dNode, { out_channels: 8 }, x).outputs.y)).toBe('H×W×8');
    expect(shapeOf(build(conv2dNode, { out_channels: 8, stride: 2 }, x).outputs.y)).toBe('H/2×W/2×8');
    expect(shapeOf(build(conv2dNode, { out_channels: 8, kernel: 7, padding_mode: 'reflect' }, x).outputs.y)).toBe('H×W×8');
    expect(build(conv2dNode, { out_channels: 8 }, x).outputs.y.kind).toBe('feature');
  });

  it('evaluates template expressions for out_channels', () => {
    const node = build(conv2dNode, { out_channels: 'ngf*4' }, { x: spatialType('feature', 1, 4, 4, 2) });
    expect(shapeOf(node.outputs.y)).toBe('H×W×16');
  });

  it('computes unpadded sizes without a symbolic form', () => {
    const node = build(conv2dNode, { out_channels: 2, kernel: 3, padding: 0 }, { x: spatialType('feature', 1, 8, 8, 1) });
    expect(shapeOf(node.outputs.y)).toBe('6×6×2');
  });

  it('reports a missing input, a vector input, an oversized reflect pad and an oversized kernel', () => {
    const infer = (inputs: Parameters<typeof conv2dNode.infer>[0]['inputs'], params: Record<string, unknown> = {}) => () =>
      conv2dNode.infer({
        inputs,
        params: { out_channels: 8, kernel: 3, stride: 1, padding: -1, padding_mode: 'zero', bias: true, spectral_norm: false, ...params } as never,
        template: {},
      });
    expectRuleError(infer({}), { port: 'x' }, "input 'x' is not connected");
    expectRuleError(infer({ x: vectorOf('vector', 1, 16) }), { port: 'x' }, "port 'x'", 'vector of 16');
    expectRuleError(infer({ x: spatialType('feature', 1, 2, 2, 1) }, { kernel: 7, padding_mode: 'reflect' }), { param: 'padding' }, 'reflect padding 3', 'H×W×1');
    expectRuleError(infer({ x: spatialType('feature', 1, 2, 2, 1) }, { kernel: 5, padding: 0 }), { param: 'kernel' }, 'kernel 5×5', 'H×W×1');
  });
});

describe('core/conv2d cost', () => {
  it('counts a 3×3 conv 3→8 with bias: 224 params, H·W·B·9·3·8 MACs', () => {
    const node = build(conv2dNode, { out_channels: 8 }, { x: spatialType('image', 2, 8, 8, 3) });
    expect(node.cost).toEqual({ params: 224, macs: 2 * 8 * 8 * 9 * 3 * 8, buffers: 0 });
  });

  it('counts MACs at the output size and spectral-norm buffers (out + in·k·k)', () => {
    const node = build(conv2dNode, { out_channels: 8, stride: 2, bias: false, spectral_norm: true }, { x: spatialType('image', 1, 8, 8, 3) });
    expect(node.cost).toEqual({ params: 216, macs: 4 * 4 * 9 * 3 * 8, buffers: 8 + 27 });
  });
});

describe('core/conv2d forward', () => {
  it('sums 3×3 neighbourhoods with an all-ones kernel and zero padding', () => {
    const node = build(conv2dNode, { out_channels: 1, bias: false }, { x: spatialType('feature', 1, 4, 4, 1) });
    node.setVariable('weight', new Array(9).fill(1));
    const y = node.run({ x: tf.tensor4d(grid4, [1, 4, 4, 1]) }).y;
    expectClose(y, [14, 24, 30, 22, 33, 54, 63, 45, 57, 90, 99, 69, 46, 72, 78, 54]);
  });

  it('is a cross-correlation (PyTorch), not a flipped convolution', () => {
    const node = build(conv2dNode, { out_channels: 1, bias: true }, { x: spatialType('feature', 1, 4, 4, 1) });
    node.setVariable('weight', [1, 0, 0, 0, 0, 0, 0, 0, 0]); // only the top-left tap
    node.setVariable('bias', [0.5]);
    const y = node.run({ x: tf.tensor4d(grid4, [1, 4, 4, 1]) }).y;
    // y[i][j] = x[i−1][j−1] + bias, zero outside
    expectClose(y, [0, 0, 0, 0, 0, 1, 2, 3, 0, 5, 6, 7, 0, 9, 10, 11].map((v) => v + 0.5));
  });

  it('reflect-pads without repeating the edge pixel', () => {
    const node = build(conv2dNode, { out_channels: 1, bias: false, padding_mode: 'reflect' }, { x: spatialType('feature', 1, 3, 3, 1) });
    node.setVariable('weight', [1, 0, 0, 0, 0, 0, 0, 0, 0]);
    const y = node.run({ x: tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]) }).y;
    // padded row −1 is row 1 and column −1 is column 1: y[0][0] = x[1][1] = 5, y[0][1] = x[1][0] = 4
    expectClose(y, [5, 4, 5, 2, 1, 2, 5, 4, 5]);
  });

  it('uses the [kh, kw, in, out] weight layout and strides', () => {
    const node = build(conv2dNode, { out_channels: 2, kernel: 1, stride: 2, bias: false }, { x: spatialType('feature', 1, 4, 4, 2) });
    node.setVariable('weight', [1, 10, 2, 20]); // w[0][0][in][out]: out0 = x0 + 2·x1, out1 = 10·x0 + 20·x1
    const x = tf.stack([tf.tensor(grid4, [4, 4]), tf.ones([4, 4])], 2).expandDims(0);
    const y = node.run({ x }).y;
    expect(y.shape).toEqual([1, 2, 2, 2]);
    // sampled pixels (0,0)=1, (0,2)=3, (2,0)=9, (2,2)=11
    expectClose(y, [3, 30, 5, 50, 11, 110, 13, 130]);
  });

  it('names spectral-norm variables like PyTorch and keeps u, v fixed in eval mode', () => {
    const node = build(conv2dNode, { out_channels: 3, spectral_norm: true }, { x: spatialType('feature', 1, 4, 4, 2) });
    expect([...node.variables.keys()].sort()).toEqual(['bias', 'weight_orig', 'weight_u', 'weight_v']);
    expect(node.variables.get('weight_u')!.shape).toEqual([3]);
    expect(node.variables.get('weight_v')!.shape).toEqual([2 * 3 * 3]);
    expect(node.variables.get('weight_u')!.trainable).toBe(false);
    const u0 = valuesOf(node.variables.get('weight_u')!);
    const x = tf.randomNormal([1, 4, 4, 2], 0, 1, 'float32', 3);
    node.run({ x }, false);
    expectClose(node.variables.get('weight_u')!, u0, 0);
    node.run({ x }, true);
    expect(valuesOf(node.variables.get('weight_u')!)).not.toEqual(u0);
  });

  it('spectral norm divides the output or the weight, whichever is smaller: both equal conv(x, W/σ), values and gradients', () => {
    // 1×1 conv 2→3 on a 4×4 map: the output (48 values) is larger than the weight (6): W/σ.
    // 3×3 conv 8→8 on a 2×2 map: the weight (576) is larger than the output (32): conv(x, W)/σ.
    for (const [size, cin, cout, kernel] of [[4, 2, 3, 1], [2, 8, 8, 3]] as const) {
      const node = build(conv2dNode, { out_channels: cout, kernel, spectral_norm: true, bias: false }, { x: spatialType('feature', 1, size, size, cin) });
      const x = tf.randomNormal([1, size, size, cin], 0, 1, 'float32', 5);
      const w = node.variables.get('weight_orig')!;
      const u = node.variables.get('weight_u')!;
      const v = node.variables.get('weight_v')!;
      // Reference with the (eval-mode) u, v: σ = uᵀ mat(W) v, mat(W)[o, (c, ky, kx)] = W[ky, kx, c, o].
      const explicit = (weight: tf.Tensor) => {
        const mat = tf.reshape(tf.transpose(weight, [3, 2, 0, 1]), [cout, -1]);
        const sigma = tf.sum(tf.mul(u, tf.squeeze(tf.matMul(mat, tf.reshape(v, [-1, 1])), [1])));
        return tf.conv2d(x as tf.Tensor4D, tf.div(weight, sigma) as tf.Tensor4D, 1, 'same');
      };
      expectClose(node.run({ x }, false).y, valuesOf(explicit(w)), 1e-5);
      const upstream = tf.randomNormal([1, size, size, cout], 0, 1, 'float32', 6);
      const ours = tf.variableGrads(() => tf.sum(tf.mul(node.run({ x }, false).y, upstream)) as tf.Scalar, [w as tf.Variable]).grads[w.name];
      const reference = tf.grad((weight: tf.Tensor) => tf.sum(tf.mul(explicit(weight), upstream)))(w);
      expectClose(ours, valuesOf(reference), 1e-5);
    }
  });
});
