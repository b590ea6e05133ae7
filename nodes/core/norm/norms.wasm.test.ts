/**
 * Norm statistics on tfjs-wasm against exact (float64) statistics and against tfjs-cpu.
 * tfjs-backend-wasm 4.22's Mean kernel adds in float32 into one running value per output, so a
 * mean over a whole 64×128 map drifts by ≈1.5e-6 relative; on wasm the norms take their statistics
 * with stagedMoments (one axis at a time, of deviations from a first estimate) instead (normMoments). The maps here are 64×128 because the drift only shows
 * over long reductions; the nodes are cheap reductions and element-wise ops on both backends.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { buildNode, spatialType } from '../../testing.test-util.ts';
import { batchNormNode } from './batch-norm.ts';
import { globalAvgPoolNode } from '../dense/global-avg-pool.ts';
import { instanceNormNode } from './instance-norm.ts';
import { normMoments, stagedMoments } from '../tensor-utils.ts';

const [B, H, W, C] = [2, 64, 128, 3];

/** Seeded features around 3 with a small spread: the mean is large against the deviation, as after a ReLU. */
function features(seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: B * H * W * C }, () => 3 + 0.5 * ((s = (s * 16807) % 2147483647) / 2147483647));
}

/** Float64 mean and biased variance per sample and channel (over H×W). */
function exactMoments(values: Float32Array): { mean: number[]; variance: number[] } {
  const mean = new Array(B * C).fill(0);
  const variance = new Array(B * C).fill(0);
  const n = H * W;
  values.forEach((v, i) => (mean[Math.floor(i / (n * C)) * C + (i % C)] += v / n));
  values.forEach((v, i) => {
    const k = Math.floor(i / (n * C)) * C + (i % C);
    variance[k] += (v - mean[k]) ** 2 / n;
  });
  return { mean, variance };
}

function worstRelative(actual: tf.Tensor, exact: number[]): number {
  const values = actual.dataSync();
  return Math.max(...exact.map((e, i) => Math.abs(values[i] - e) / Math.abs(e)));
}

function maxAbsDiff(a: Float32Array | number[], b: Float32Array | number[]): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Runs a node built for a B×H×W×C feature map on `backend` (training mode) and returns its output values. */
async function runOn(backend: 'cpu' | 'wasm', def: typeof instanceNormNode, params: Record<string, boolean | number>, values: Float32Array): Promise<Float32Array> {
  expect(await tf.setBackend(backend)).toBe(true);
  const node = buildNode(def, params, { x: spatialType('feature', B, H, W, C) });
  try {
    const x = tf.tensor4d(values, [B, H, W, C]);
    const before = tf.memory().numTensors;
    const y = tf.tidy(() => node.run({ x }, true).y);
    const out = y.dataSync() as Float32Array;
    tf.dispose([x, y]);
    expect(tf.memory().numTensors, `${backend}: tensors left behind`).toBe(before - 1);
    return out;
  } finally {
    node.dispose();
  }
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('norm statistics on tfjs-wasm', () => {
  it("tfjs-wasm's one-pass mean over a 64×128 map still drifts (the reason for stagedMoments; revisit once this fails); the staged one does not", async () => {
    await tf.setBackend('wasm');
    const values = features(7);
    const exact = exactMoments(values);
    const x = tf.tensor4d(values, [B, H, W, C]);
    const onePass = tf.moments(x, [1, 2]);
    const staged = stagedMoments(x, [1, 2]);
    const drift = worstRelative(onePass.mean, exact.mean);
    expect(drift).toBeGreaterThan(3e-7);
    expect(worstRelative(staged.mean, exact.mean)).toBeLessThan(1e-7);
    expect(worstRelative(staged.variance, exact.variance)).toBeLessThan(5e-7);
    tf.dispose([x, onePass.mean, onePass.variance, staged.mean, staged.variance]);
    await tf.setBackend('cpu');
  });

  it('normMoments takes stagedMoments on wasm and tf.moments on cpu, bit for bit', async () => {
    const values = features(11);
    for (const backend of ['wasm', 'cpu'] as const) {
      await tf.setBackend(backend);
      const x = tf.tensor4d(values, [B, H, W, C]);
      const chosen = normMoments(x, [1, 2], true);
      const expected = backend === 'wasm' ? stagedMoments(x, [1, 2], true) : tf.moments(x, [1, 2], true);
      expect(Array.from(chosen.mean.dataSync()), backend).toEqual(Array.from(expected.mean.dataSync()));
      expect(Array.from(chosen.variance.dataSync()), backend).toEqual(Array.from(expected.variance.dataSync()));
      tf.dispose([x, chosen.mean, chosen.variance, expected.mean, expected.variance]);
    }
  });

  it('instance norm on wasm equals cpu within 2e-6 on a 64×128 map', async () => {
    const values = features(3);
    const cpu = await runOn('cpu', instanceNormNode, { affine: false }, values);
    const wasm = await runOn('wasm', instanceNormNode, { affine: false }, values);
    // Outputs are (x − mean)/σ with σ ≈ 0.14: a mean off by 1.5e-6 × 3.25 moves them by ≈3e-5.
    expect(maxAbsDiff(wasm, cpu)).toBeLessThan(2e-6);
    expect(Math.max(...cpu.map(Math.abs))).toBeGreaterThan(1);
  });

  it('batch norm in training mode (statistics over B×H×W) on wasm equals cpu within 2e-6', async () => {
    const values = features(5);
    const cpu = await runOn('cpu', batchNormNode, { affine: false }, values);
    const wasm = await runOn('wasm', batchNormNode, { affine: false }, values);
    expect(maxAbsDiff(wasm, cpu)).toBeLessThan(2e-6);
  });

  it('global average pooling on wasm equals the exact mean within float32 rounding', async () => {
    const values = features(9);
    const exact = exactMoments(values).mean;
    const wasm = await runOn('wasm', globalAvgPoolNode, {}, values);
    expect(maxAbsDiff(wasm, exact) / 3).toBeLessThan(1.5e-7);
  });
});
