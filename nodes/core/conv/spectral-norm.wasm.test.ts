/**
 * Spectral norm on tfjs-wasm: the one-pass host path (reading the weight straight from the wasm
 * heap) gives what the kernels give, for u, v, W/σ and the gradient. The engine switches to wasm in
 * here and back to cpu after.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { hostPaths } from '../host-values.ts';
import { spectralNormalizedWeight, type SpectralState, type WeightLayout } from './spectral-norm.ts';

function run(onHost: boolean, layout: WeightLayout, shape: number[], out: number) {
  vi.spyOn(hostPaths, 'onHost').mockReturnValue(onHost);
  return tf.tidy(() => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed));
    const state: SpectralState = {
      orig: tf.variable(tf.tensor(values(size, 1), shape)),
      u: tf.variable(tf.tensor1d(values(out, 2)), false),
      v: tf.variable(tf.tensor1d(values(size / out, 3)), false),
      layout,
    };
    const upstream = tf.tensor(values(size, 4), shape);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(spectralNormalizedWeight(state, true), upstream)) as tf.Scalar, [state.orig]);
    const result = { value: value.dataSync()[0], grad: Array.from(grads[state.orig.name].dataSync()), u: Array.from(state.u.dataSync()), v: Array.from(state.v.dataSync()) };
    tf.dispose([state.orig, state.u, state.v]);
    return result;
  });
}

describe('spectral norm on wasm', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  const cases: [WeightLayout, number[], number][] = [
    ['conv2d', [3, 3, 8, 5], 5],
    ['conv2d-transpose', [3, 3, 5, 4], 5],
    ['linear', [6, 3], 3],
  ];
  for (const [layout, shape, out] of cases) {
    it(`one pass on the host equals the kernels for ${layout} ${shape.join('×')}`, () => {
      const before = tf.memory().numTensors;
      const host = run(true, layout, shape, out);
      vi.restoreAllMocks();
      const kernels = run(false, layout, shape, out);
      expect(tf.memory().numTensors).toBe(before);
      expect(host.value).toBeCloseTo(kernels.value, 4);
      for (const key of ['grad', 'u', 'v'] as const) {
        const worst = Math.max(...host[key].map((x, i) => Math.abs(x - kernels[key][i])));
        expect(worst, key).toBeLessThan(1e-5);
      }
    });
  }
});
