import { afterEach, describe, expect, it, vi } from 'vitest';
import { hostPaths } from '../host-values.ts';
import * as tf from '@tensorflow/tfjs-core';
import { powerIteration, spectralNormalizedWeight, spectralSigma, weightMatrix } from './spectral-norm.ts';
import type { SpectralState, WeightLayout } from './spectral-norm.ts';
import { expectClose, valuesOf } from '../assertions.test-util.ts';

const owned: tf.Tensor[] = [];
afterEach(() => owned.splice(0).forEach((t) => t.dispose()));

/** A spectral-norm state for a 1×1 conv whose PyTorch matrix [out, in] is `rows`. */
function conv1x1State(rows: number[][], u: number[], v: number[]): SpectralState {
  const out = rows.length;
  const inn = rows[0].length;
  // tfjs conv weight [1, 1, in, out]: element (i, o) = rows[o][i]
  const flat: number[] = [];
  for (let i = 0; i < inn; i++) for (let o = 0; o < out; o++) flat.push(rows[o][i]);
  const state: SpectralState = {
    orig: tf.variable(tf.tensor4d(flat, [1, 1, inn, out])),
    u: tf.variable(tf.tensor1d(u), false),
    v: tf.variable(tf.tensor1d(v), false),
    layout: 'conv2d',
  };
  owned.push(state.orig, state.u, state.v);
  return state;
}

function sigmaOf(state: SpectralState): number {
  return tf.tidy(() => spectralSigma(weightMatrix(state.orig, state.layout), state.u as tf.Tensor1D, state.v as tf.Tensor1D).dataSync()[0]);
}

describe('weightMatrix', () => {
  it("flattens every layout in PyTorch's [out, in·kh·kw] order", () => {
    // PyTorch index (o, i, y, x) holds the number 1000·o + 100·i + 10·y + x.
    const [out, inn, kh, kw] = [3, 2, 2, 2];
    const torchValue = (o: number, i: number, y: number, x: number) => 1000 * o + 100 * i + 10 * y + x;
    const expected: number[] = [];
    for (let o = 0; o < out; o++) for (let i = 0; i < inn; i++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) expected.push(torchValue(o, i, y, x));

    const conv = tf.buffer([kh, kw, inn, out]);
    const deconv = tf.buffer([kh, kw, out, inn]);
    for (let o = 0; o < out; o++)
      for (let i = 0; i < inn; i++)
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++) {
            conv.set(torchValue(o, i, y, x), y, x, i, o);
            deconv.set(torchValue(o, i, y, x), y, x, o, i);
          }
    const check = (w: tf.Tensor, layout: WeightLayout) => {
      const mat = weightMatrix(w, layout);
      expect(mat.shape).toEqual([out, inn * kh * kw]);
      expectClose(mat, expected, 0);
      tf.dispose([w, mat]);
    };
    check(conv.toTensor(), 'conv2d');
    check(deconv.toTensor(), 'conv2d-transpose');

    const linear = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]); // [in 2, out 3]
    const mat = weightMatrix(linear, 'linear');
    expectClose(mat, [1, 4, 2, 5, 3, 6], 0);
    tf.dispose([linear, mat]);
  });
});

describe('spectral normalisation', () => {
  it('converges to σ = 3 for diag(3, 1), so the effective weight is diag(1, 1/3)', () => {
    const state = conv1x1State([[3, 0], [0, 1]], [0.6, 0.8], [0.8, 0.6]);
    for (let step = 0; step < 30; step++) tf.tidy(() => spectralNormalizedWeight(state, true));
    expect(sigmaOf(state)).toBeCloseTo(3, 5);
    const w = spectralNormalizedWeight(state, false);
    expectClose(w, [1, 0, 0, 1 / 3]);
    w.dispose();
  });

  it('finds the largest singular value √(3+√5) of [[2, 1], [0, 1]]', () => {
    // AᵀA = [[4, 2], [2, 2]] has eigenvalues 3 ± √5.
    const state = conv1x1State([[2, 1], [0, 1]], [1, 0], [0, 1]);
    for (let step = 0; step < 50; step++) tf.tidy(() => spectralNormalizedWeight(state, true));
    expect(sigmaOf(state)).toBeCloseTo(Math.sqrt(3 + Math.sqrt(5)), 5);
  });

  it('runs one power iteration per training call, none in eval mode', () => {
    const state = conv1x1State([[2, 1], [0, 1]], [1, 0], [0, 1]);
    tf.tidy(() => spectralNormalizedWeight(state, false));
    expectClose(state.u, [1, 0], 0);
    tf.tidy(() => spectralNormalizedWeight(state, true));
    // v = normalize(Aᵀu) = normalize([2, 1]); u = normalize(A·v) = normalize([5, 1]/√5)
    expectClose(state.v, [2 / Math.sqrt(5), 1 / Math.sqrt(5)]);
    expectClose(state.u, [5 / Math.sqrt(26), 1 / Math.sqrt(26)]);
    const step = tf.tidy(() => {
      const mat = tf.tensor2d([2, 1, 0, 1], [2, 2]);
      return powerIteration(mat, tf.tensor1d([1, 0]));
    });
    expectClose(step.u, valuesOf(state.u));
    tf.dispose([step.u, step.v]);
  });

  it('does not differentiate through the power iteration (as PyTorch)', () => {
    // Far from convergence, a gradient through u and v would differ from one with u, v fixed.
    const state = conv1x1State([[2, 1], [0.5, 1]], [1, 0], [0, 1]);
    const weights = tf.tensor4d([0.3, -1.2, 0.7, 2.0], [1, 1, 2, 2]);
    owned.push(weights);
    const loss = (training: boolean) => () => tf.sum(tf.mul(spectralNormalizedWeight(state, training), weights)) as tf.Scalar;

    const inTraining = tf.variableGrads(loss(true), [state.orig]); // updates u, v to u₁, v₁
    const withFixedUV = tf.variableGrads(loss(false), [state.orig]); // eval: uses u₁, v₁ as constants
    expectClose(inTraining.grads[state.orig.name], valuesOf(withFixedUV.grads[state.orig.name]), 1e-6);
    tf.dispose([inTraining.value, withFixedUV.value, ...Object.values(inTraining.grads), ...Object.values(withFixedUV.grads)]);
  });
});

describe('spectral normalisation on weight blocks', () => {
  afterEach(() => vi.restoreAllMocks());
  /** Reference: one power-iteration step and W/σ on the explicit PyTorch matrix. */
  function reference(w: tf.Tensor, layout: WeightLayout, u: tf.Tensor1D) {
    return tf.tidy(() => {
      const mat = weightMatrix(w, layout);
      const next = powerIteration(mat, u);
      return { u: next.u, v: next.v, weight: tf.div(w, spectralSigma(mat, next.u, next.v)) };
    });
  }

  const cases: [WeightLayout, number[], number][] = [
    ['conv2d', [3, 3, 4, 5], 5],
    ['conv2d', [4, 4, 3, 2], 2],
    ['conv2d-transpose', [3, 3, 5, 4], 5],
    ['linear', [6, 3], 3],
  ];
  for (const [layout, shape, out] of cases) for (const onHost of [true, false]) {
    it(`matches the explicit matrix for ${layout} ${shape.join('×')}: u, v, W/σ and the gradient (${onHost ? 'one pass on the host' : 'kernels'})`, () => {
      vi.spyOn(hostPaths, 'onHost').mockReturnValue(onHost);
      const size = shape.reduce((a, b) => a * b, 1);
      const w = tf.randomNormal(shape, 0, 1, 'float32', 7);
      const u0 = tf.randomNormal([out], 0, 1, 'float32', 8) as tf.Tensor1D;
      const state: SpectralState = { orig: tf.variable(w), u: tf.variable(u0, false), v: tf.variable(tf.zeros([size / out]), false), layout };
      const upstream = tf.randomNormal(shape, 0, 1, 'float32', 9);
      owned.push(w, u0, state.orig, state.u, state.v, upstream);

      const expected = reference(w, layout, u0);
      // As PyTorch: the power iteration is not differentiated, σ is, with the new u and v fixed.
      const expectedGrad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.div(x, spectralSigma(weightMatrix(x, layout), expected.u, expected.v)), upstream)))(w);
      const { grads, value } = tf.variableGrads(() => tf.sum(tf.mul(spectralNormalizedWeight(state, true), upstream)) as tf.Scalar, [state.orig]);
      expectClose(state.u, valuesOf(expected.u), 1e-5);
      expectClose(state.v, valuesOf(expected.v), 1e-5);
      const evalWeight = spectralNormalizedWeight(state, false);
      expectClose(evalWeight, valuesOf(expected.weight), 1e-5);
      expectClose(grads[state.orig.name], valuesOf(expectedGrad), 1e-4);
      tf.dispose([expected.u, expected.v, expected.weight, expectedGrad, value, evalWeight, ...Object.values(grads)]);
    });
  }
});
