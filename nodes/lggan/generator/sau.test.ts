import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { dim, scaleDim } from '../../dims.ts';
import { inputPorts } from '../../contract.ts';
import type { TensorType } from '../../contract.ts';
import { buildNode, spatialType } from '../../testing.test-util.ts';
import type { TestNode } from '../../testing.test-util.ts';
import { expectClose, expectRuleError, shapeOf, valuesOf } from '../../core/assertions.test-util.ts';
import { allocatedParams, expectGradients, expectNoLeaks, weightedSum } from './local-path.test-util.ts';
import { sauUpsampleNode } from './sau.ts';
import { pixelShuffle, windowTaps } from './sau-layer.ts';

const built: TestNode[] = [];
function build(...args: Parameters<typeof buildNode>): TestNode {
  const node = buildNode(...args);
  built.push(node);
  return node;
}
afterEach(() => built.splice(0).forEach((n) => n.dispose()));

const B = 2;
const H = 3;
const W = 4;
const C = 3;
const xType = spatialType('feature', B, H, W, C);
const idsType = (h: number, w: number): TensorType => spatialType('feature', B, h, w, 1);

/**
 * A plain-JS SAU: per output pixel, the k² logits of its phase, softmax, optional label gating,
 * and the weighted sum over the zero-padded window of the nearest-upsampled (projected) map.
 */
function referenceSau(node: TestNode, x: tf.Tensor4D, k: number, s: number, labels?: number[]): number[] {
  const [b, h, w, c] = x.shape;
  const xs = valuesOf(x);
  const get = (name: string) => (node.variables.has(name) ? valuesOf(node.variables.get(name)!) : undefined);
  const w1 = get('compress.weight')!;
  const b1 = get('compress.bias')!;
  const w2 = get('kernel.weight')!;
  const b2 = get('kernel.bias')!;
  const wp = get('project.weight');
  const bp = get('project.bias');
  const mid = b1.length;
  const nLogits = b2.length;
  const out = bp ? bp.length : c;
  const taps = k * k;
  const r = Math.floor(k / 2);
  const pixel = (bi: number, yi: number, xi: number) => xs.slice(((bi * h + yi) * w + xi) * c, ((bi * h + yi) * w + xi + 1) * c);
  const dense = (v: number[], weight: number[], bias: number[] | undefined, n: number) =>
    Array.from({ length: n }, (_, o) => v.reduce((sum, vi, i) => sum + vi * weight[i * n + o], bias ? bias[o] : 0));
  const source = (bi: number, yi: number, xi: number) => (wp ? dense(pixel(bi, yi, xi), wp, undefined, out) : pixel(bi, yi, xi));
  const H2 = h * s;
  const W2 = w * s;
  const result: number[] = [];
  for (let bi = 0; bi < b; bi++) {
    for (let Y = 0; Y < H2; Y++) {
      for (let X = 0; X < W2; X++) {
        const low = pixel(bi, Math.floor(Y / s), Math.floor(X / s));
        const logits = dense(dense(low, w1, b1, mid), w2, b2, nLogits);
        const phase = (Y % s) * s + (X % s);
        const tapLogits = Array.from({ length: taps }, (_, t) => logits[t * s * s + phase]);
        const max = Math.max(...tapLogits);
        let weights = tapLogits.map((l) => Math.exp(l - max));
        const id = (yy: number, xx: number) => labels![(bi * H2 + yy) * W2 + xx];
        if (labels) {
          weights = weights.map((wt, t) => {
            const yy = Y + Math.floor(t / k) - r;
            const xx = X + (t % k) - r;
            const inside = yy >= 0 && yy < H2 && xx >= 0 && xx < W2;
            return !inside || id(yy, xx) === id(Y, X) ? wt : 0;
          });
        }
        const total = weights.reduce((a, v) => a + v, 0);
        weights = weights.map((v) => v / total);
        const acc = new Array(out).fill(0);
        for (let t = 0; t < taps; t++) {
          const yy = Y + Math.floor(t / k) - r;
          const xx = X + (t % k) - r;
          if (yy < 0 || yy >= H2 || xx < 0 || xx >= W2) continue;
          const v = source(bi, Math.floor(yy / s), Math.floor(xx / s));
          for (let o = 0; o < out; o++) acc[o] += weights[t] * v[o];
        }
        result.push(...acc.map((v, o) => v + (bp ? bp[o] : 0)));
      }
    }
  }
  return result;
}

/** k×k box filter (zero padding, divided by k²) of the nearest ×s upsampled map. */
function boxOfUpsampled(x: tf.Tensor4D, k: number, s: number): number[] {
  const [b, h, w, c] = x.shape;
  const xs = valuesOf(x);
  const r = Math.floor(k / 2);
  const result: number[] = [];
  for (let bi = 0; bi < b; bi++)
    for (let Y = 0; Y < h * s; Y++)
      for (let X = 0; X < w * s; X++)
        for (let ch = 0; ch < c; ch++) {
          let sum = 0;
          for (let dy = -r; dy <= r; dy++)
            for (let dx = -r; dx <= r; dx++) {
              const yy = Y + dy;
              const xx = X + dx;
              if (yy < 0 || yy >= h * s || xx < 0 || xx >= w * s) continue;
              sum += xs[((bi * h + Math.floor(yy / s)) * w + Math.floor(xx / s)) * c + ch];
            }
          result.push(sum / (k * k));
        }
  return result;
}

/** Two classes split down the middle: ids 0 left of column `split`, 1 from it on. */
function splitIds(h: number, w: number, split: number): number[] {
  const ids: number[] = [];
  for (let b = 0; b < B; b++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) ids.push(x < split + b ? 0 : 1);
  return ids;
}

describe('lggan/sau-upsample: shapes and rules', () => {
  it('upsamples by s and keeps or changes the channels', () => {
    expect(shapeOf(build(sauUpsampleNode, {}, { x: xType }).outputs.y)).toBe('2H×2W×3');
    expect(shapeOf(build(sauUpsampleNode, { scale: 3, out_channels: 2, mid_channels: 4 }, { x: xType }).outputs.y)).toBe('3H×3W×2');
    // H/4 upsampled by 2 reads H/2, as the decoder's labels expect.
    const quarter: TensorType = { kind: 'feature', shape: [dim(1, 'B'), scaleDim(dim(16, 'H'), 1, 4), scaleDim(dim(16, 'W'), 1, 4), dim(8)] };
    expect(shapeOf(sauUpsampleNode.infer({ inputs: { x: quarter }, params: { kernel: 5, scale: 2, mid_channels: 4, out_channels: 4, gating: 'none' }, template: {} }).y)).toBe(
      'H/2×W/2×4',
    );
  });

  it('has a labels port only when label-gated, and checks it', () => {
    const params = { kernel: 5, scale: 2, mid_channels: 4, out_channels: 0, gating: 'label-gated' };
    expect(inputPorts(sauUpsampleNode, params).map((p) => p.name)).toEqual(['x', 'labels']);
    expect(inputPorts(sauUpsampleNode, { ...params, gating: 'none' }).map((p) => p.name)).toEqual(['x']);
    const infer = (labels?: TensorType) => sauUpsampleNode.infer({ inputs: labels ? { x: xType, labels } : { x: xType }, params, template: {} });
    expectRuleError(() => infer(), { port: 'labels' }, "input 'labels' is not connected");
    expectRuleError(() => infer(idsType(5, 8)), { port: 'labels' }, '5×8', '6×8', 'integer multiple');
    expectRuleError(() => infer(spatialType('feature', 1, 6, 8, 1)), { port: 'labels' }, 'batch 1', 'batch 2');
    expect(shapeOf(infer(idsType(6, 8)).y)).toBe('2H×2W×3');
    expect(shapeOf(infer(idsType(12, 16)).y)).toBe('2H×2W×3'); // an integer multiple is subsampled
  });

  it('rejects an even kernel', () => {
    const infer = () => sauUpsampleNode.infer({ inputs: { x: xType }, params: { kernel: 4, scale: 2, mid_channels: 4, out_channels: 0, gating: 'none' }, template: {} });
    expectRuleError(infer, { param: 'kernel' }, 'odd', '4');
  });
});

describe('lggan/sau-upsample: cost', () => {
  it('counts params and MACs exactly, equal to the allocated variables', () => {
    // C=3, mid=4, k=3, s=2, out=2 on B×H×W = 2×3×4 (24 low-res, 96 high-res pixels)
    const node = build(sauUpsampleNode, { kernel: 3, mid_channels: 4, out_channels: 2 }, { x: xType });
    const params = 3 * 4 + 4 + 4 * 36 + 36 + 3 * 2 + 2;
    expect(node.cost).toEqual({ params, macs: 24 * 3 * 4 + 24 * 4 * 36 + 24 * 3 * 2 + 96 * 2 * 9, buffers: 0 });
    expect(allocatedParams(node)).toBe(params);
    const gated = build(sauUpsampleNode, { kernel: 3, mid_channels: 4, gating: 'label-gated' }, { x: xType, labels: idsType(6, 8) });
    expect(gated.cost).toEqual({ params: 3 * 4 + 4 + 4 * 36 + 36, macs: 24 * 3 * 4 + 24 * 4 * 36 + 96 * 3 * 9 + 2 * 96 * 9, buffers: 0 });
    expect(allocatedParams(gated)).toBe(gated.cost.params);
    expect([...gated.variables.keys()].sort()).toEqual(['compress.bias', 'compress.weight', 'kernel.bias', 'kernel.weight']);
  });
});

describe('lggan/sau-upsample: numerics', () => {
  it('pixel shuffle follows PyTorch: channel (t·s + i)·s + j goes to channel t at (y·s + i, x·s + j)', () => {
    const x = tf.tensor4d([0, 1, 2, 3, 4, 5, 6, 7], [1, 1, 1, 8]);
    expectClose(pixelShuffle(x, 2), [0, 4, 1, 5, 2, 6, 3, 7], 0);
    // Two low-res pixels side by side: each fills its own 2×2 block.
    const two = tf.tensor4d([0, 1, 2, 3, 10, 11, 12, 13], [1, 1, 2, 4]);
    expectClose(pixelShuffle(two, 2), [0, 1, 10, 11, 2, 3, 12, 13], 0);
  });

  it('window taps are the zero-padded k×k neighbourhood in row-major order', () => {
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    // Pixel (0,0) with k = 3: rows -1..1, cols -1..1.
    const taps = valuesOf(windowTaps(x, 3)).slice(0, 9);
    expect(taps).toEqual([0, 0, 0, 0, 1, 2, 0, 3, 4]);
  });

  it('with equal kernel logits equals a k×k box filter of the nearest-upsampled map', () => {
    for (const k of [3, 5]) {
      const node = build(sauUpsampleNode, { kernel: k, mid_channels: 4 }, { x: xType });
      node.setVariable('kernel.weight', new Array(4 * k * k * 4).fill(0));
      node.setVariable('kernel.bias', new Array(k * k * 4).fill(0));
      const x = tf.randomNormal([B, H, W, C], 0, 1, 'float32', 3) as tf.Tensor4D;
      expectClose(node.run({ x }).y, boxOfUpsampled(x, k, 2), 1e-5);
    }
  });

  it('with a projection equals the box filter followed by the 1×1 conv (reassembly commutes with it)', () => {
    const node = build(sauUpsampleNode, { kernel: 3, mid_channels: 4, out_channels: 2 }, { x: xType });
    node.setVariable('kernel.weight', new Array(4 * 9 * 4).fill(0));
    node.setVariable('kernel.bias', new Array(9 * 4).fill(0));
    node.setVariable('project.weight', [1, -1, 0.5, 2, -0.25, 0]); // [C=3, out=2]
    node.setVariable('project.bias', [0.1, -0.2]);
    const x = tf.randomNormal([B, H, W, C], 0, 1, 'float32', 4) as tf.Tensor4D;
    const box = boxOfUpsampled(x, 3, 2);
    const expected: number[] = [];
    for (let p = 0; p < box.length / 3; p++) {
      const [a, b, c] = box.slice(3 * p, 3 * p + 3);
      expected.push(a * 1 + b * 0.5 - c * 0.25 + 0.1, -a + 2 * b + 0 * c - 0.2);
    }
    expectClose(node.run({ x }).y, expected, 1e-5);
  });

  it('matches a plain-JS SAU with learned (non-uniform) kernels, with and without projection', () => {
    const cases = [
      { kernel: 3, scale: 2, mid_channels: 4, out_channels: 0 },
      { kernel: 5, scale: 2, mid_channels: 3, out_channels: 2 },
      { kernel: 3, scale: 3, mid_channels: 2, out_channels: 0 },
    ];
    for (const params of cases) {
      const node = build(sauUpsampleNode, params, { x: xType });
      const x = tf.randomNormal([B, H, W, C], 0, 1, 'float32', 5) as tf.Tensor4D;
      expectClose(node.run({ x }).y, referenceSau(node, x, params.kernel, params.scale), 1e-5);
    }
  });

  it('label-gated with one class everywhere equals the ungated layer (padding taps keep their weight)', () => {
    const plain = build(sauUpsampleNode, { kernel: 5, mid_channels: 4, out_channels: 2 }, { x: xType });
    const gated = build(sauUpsampleNode, { kernel: 5, mid_channels: 4, out_channels: 2, gating: 'label-gated' }, { x: xType, labels: idsType(6, 8) });
    for (const [name, v] of plain.variables) gated.setVariable(name, v);
    const x = tf.randomNormal([B, H, W, C], 0, 1, 'float32', 6) as tf.Tensor4D;
    const expected = valuesOf(plain.run({ x }).y);
    expectClose(gated.run({ x, labels: tf.fill([B, 6, 8, 1], 3) as tf.Tensor4D }).y, expected, 1e-6);
    // A one-hot map with a single class gives the same.
    const oneHot = tf.concat([tf.zeros([B, 6, 8, 1]), tf.ones([B, 6, 8, 1])], 3) as tf.Tensor4D;
    expectClose(gated.run({ x, labels: oneHot }).y, expected, 1e-6);
  });

  it('label-gated drops taps of other classes and renormalises (plain-JS reference, ids or one-hot, at 1× or 2× size)', () => {
    const gated = build(sauUpsampleNode, { kernel: 3, mid_channels: 4, gating: 'label-gated' }, { x: xType, labels: idsType(6, 8) });
    const x = tf.randomNormal([B, H, W, C], 0, 1, 'float32', 7) as tf.Tensor4D;
    const ids = splitIds(6, 8, 3);
    const expected = referenceSau(gated, x, 3, 2, ids);
    const idMap = tf.tensor4d(ids, [B, 6, 8, 1]);
    expectClose(gated.run({ x, labels: idMap }).y, expected, 1e-5);
    const oneHot = tf.oneHot(tf.tensor1d(ids, 'int32'), 2).reshape([B, 6, 8, 2]).toFloat() as tf.Tensor4D;
    expectClose(gated.run({ x, labels: oneHot }).y, expected, 1e-5);
    // Labels at twice the output size are nearest-subsampled (every other pixel).
    const doubled = tf.tensor4d(
      Array.from({ length: B * 12 * 16 }, (_, i) => {
        const b = Math.floor(i / 192);
        const y = Math.floor((i % 192) / 16);
        const xx = i % 16;
        return ids[(b * 6 + Math.floor(y / 2)) * 8 + Math.floor(xx / 2)];
      }),
      [B, 12, 16, 1],
    );
    expectClose(gated.run({ x, labels: doubled }).y, expected, 1e-5);
  });

  it('label-gated by hand: a uniform kernel averages only the same-class part of the window', () => {
    const gated = build(sauUpsampleNode, { kernel: 3, mid_channels: 2, gating: 'label-gated' }, {
      x: spatialType('feature', 1, 1, 2, 1),
      labels: spatialType('feature', 1, 2, 4, 1),
    });
    gated.setVariable('kernel.weight', new Array(2 * 36).fill(0));
    gated.setVariable('kernel.bias', new Array(36).fill(0));
    // x = [1, 5] upsampled to 2×4: [[1,1,5,5],[1,1,5,5]]; classes: column 0..1 → 0, 2..3 → 1.
    const x = tf.tensor4d([1, 5], [1, 1, 2, 1]);
    const labels = tf.tensor4d([0, 0, 1, 1, 0, 0, 1, 1], [1, 2, 4, 1]);
    // Pixel (0,1): window rows -1..1, cols 0..2. Same-class taps inside: (0,0),(0,1),(1,0),(1,1) = 1 each;
    // padding taps (row -1: 3 taps) keep weight and read 0; column 2 (class 1) is dropped. → 4/7.
    // Pixel (0,0): window cols -1..1; padding taps: row -1 (3) + col -1 (2 more) = 5; same-class inside: 4 → 4/9.
    const y = valuesOf(gated.run({ x, labels }).y);
    expect(y[0]).toBeCloseTo(4 / 9, 6);
    expect(y[1]).toBeCloseTo(4 / 7, 6);
    expect(y[2]).toBeCloseTo((4 * 5) / 7, 6);
    expect(y[3]).toBeCloseTo((4 * 5) / 9, 6);
  });
});

describe('lggan/sau-upsample: gradients and memory', () => {
  it('gives finite, non-zero gradients on every variable, ungated and label-gated', () => {
    const x = tf.randomNormal([B, H, W, C], 0, 1, 'float32', 8) as tf.Tensor4D;
    const plain = build(sauUpsampleNode, { kernel: 3, mid_channels: 4, out_channels: 2 }, { x: xType });
    expectGradients(plain, () => weightedSum(plain.run({ x }, true).y));
    const gated = build(sauUpsampleNode, { kernel: 3, mid_channels: 4, out_channels: 2, gating: 'label-gated' }, { x: xType, labels: idsType(6, 8) });
    const labels = tf.tensor4d(splitIds(6, 8, 3), [B, 6, 8, 1]);
    expectGradients(gated, () => weightedSum(gated.run({ x, labels }, true).y));
  });

  it('leaves no tensors behind over repeated forward calls', () => {
    const x = tf.randomNormal([B, H, W, C], 0, 1, 'float32', 9) as tf.Tensor4D;
    expectNoLeaks(build(sauUpsampleNode, { kernel: 3, mid_channels: 4, out_channels: 2 }, { x: xType }), { x });
    const labels = tf.tensor4d(splitIds(6, 8, 3), [B, 6, 8, 1]);
    expectNoLeaks(build(sauUpsampleNode, { kernel: 3, mid_channels: 4, gating: 'label-gated' }, { x: xType, labels: idsType(6, 8) }), { x, labels });
  });
});
