import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { MAX_ADDN_INPUTS, MAX_MATMUL_BATCH, addTerms, batchedMatMul, edgePad1, l2Normalize, reflectPad, stagedMean, stagedMoments, stopGradient } from './tensor-utils.ts';
import { expectClose, valuesOf } from './assertions.test-util.ts';

describe('reflectPad', () => {
  it('mirrors without repeating the edge (PyTorch ReflectionPad2d)', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const y = reflectPad(x, 1);
    expect(y.shape).toEqual([1, 5, 5, 1]);
    expectClose(y, [5, 4, 5, 6, 5, 2, 1, 2, 3, 2, 5, 4, 5, 6, 5, 8, 7, 8, 9, 8, 5, 4, 5, 6, 5], 0);
    const wide = reflectPad(tf.tensor4d([1, 2, 3, 4], [1, 1, 4, 1]).tile([1, 3, 1, 1]) as tf.Tensor4D, 2);
    expectClose(wide.slice([0, 2, 0, 0], [1, 1, 8, 1]), [3, 2, 1, 2, 3, 4, 3, 2], 0);
  });

  it('sends the gradient of mirrored pixels back to their sources (unlike tf.mirrorPad)', () => {
    // [a b c] → [b a b c b] along each axis: a and c are used once, b three times,
    // so d sum / dx is the outer product of (1, 3, 1) with itself.
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const grad = tf.grad((t: tf.Tensor) => tf.sum(reflectPad(t as tf.Tensor4D, 1)))(x);
    expectClose(grad, [1, 3, 1, 3, 9, 3, 1, 3, 1], 0);
  });

  it('gives the gradient of the slice-and-reverse construction for wide and narrow maps', () => {
    // The reference builds the pad from slices, reverses and concats, whose gradients tfjs knows.
    const reference = (t: tf.Tensor4D, a: number) => {
      let y = t;
      for (const axis of [1, 2] as const) {
        const n = y.shape[axis];
        const strip = (start: number) => tf.reverse(tf.slice(y, axis === 1 ? [0, start, 0, 0] : [0, 0, start, 0], axis === 1 ? [y.shape[0], a, y.shape[2], y.shape[3]] : [y.shape[0], y.shape[1], a, y.shape[3]]), axis);
        y = tf.concat([strip(1), y, strip(n - 1 - a)], axis);
      }
      return y;
    };
    for (const [h, w, a] of [[9, 11, 3], [4, 5, 3], [6, 7, 2], [3, 8, 1]]) {
      const x = tf.randomNormal([2, h, w, 3], 0, 1, 'float32', h * w) as tf.Tensor4D;
      const dy = tf.randomNormal([2, h + 2 * a, w + 2 * a, 3], 0, 1, 'float32', a) as tf.Tensor4D;
      expectClose(reflectPad(x, a), valuesOf(reference(x, a)), 0);
      const ours = tf.grad((t: tf.Tensor) => reflectPad(t as tf.Tensor4D, a))(x, dy);
      const theirs = tf.grad((t: tf.Tensor) => reference(t as tf.Tensor4D, a))(x, dy);
      expectClose(ours, valuesOf(theirs), 1e-6);
    }
  });
});

describe('edgePad1', () => {
  it('repeats the edge pixel and differentiates exactly', () => {
    const x = tf.tensor4d([1, 2, 3], [1, 1, 3, 1]);
    expectClose(edgePad1(x, 2), [1, 1, 2, 3, 3], 0);
    const grad = tf.grad((t: tf.Tensor) => tf.sum(edgePad1(t as tf.Tensor4D, 2)))(x);
    expectClose(grad, [2, 1, 2], 0);
  });
});

describe('stopGradient and l2Normalize', () => {
  it('passes values and blocks gradients', () => {
    const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, stopGradient(tf.mul(x, 2)))))(tf.tensor1d([1, 2, 3]));
    expectClose(grad, [2, 4, 6], 0); // d/dx of x·c with c = 2x held constant
  });

  it('normalises to unit length and leaves a zero vector at zero', () => {
    expectClose(l2Normalize(tf.tensor1d([3, 4])), [0.6, 0.8]);
    expectClose(l2Normalize(tf.tensor1d([0, 0])), [0, 0], 0);
  });
});

describe('addTerms (tf.addN in WebGPU-sized chunks)', () => {
  /** Values whose float32 sum depends on the order of additions, so a reordering would show. */
  const terms = (n: number) => Array.from({ length: n }, (_, i) => tf.tensor1d([1e7 * (i % 2 ? -1 : 1) + i * 0.37, Math.sin(i) * 1e-3 + 1, 2 ** (i - 5)]));

  it('equals one tf.addN bit for bit on cpu, for every count around the chunk size', () => {
    for (let n = 1; n <= 3 * MAX_ADDN_INPUTS + 2; n++) {
      const t = terms(n);
      const [ours, theirs] = [addTerms(t), tf.addN(t)];
      expect(Array.from(ours.dataSync()), `${n} terms`).toEqual(Array.from(theirs.dataSync()));
      tf.dispose([...t, ours, theirs]);
    }
  });

  it('never gives one AddN kernel more than MAX_ADDN_INPUTS inputs (WebGPU binds 8 storage buffers: 7 inputs + the output)', async () => {
    expect(MAX_ADDN_INPUTS).toBe(7);
    const t = terms(20);
    const info = await tf.profile(() => tf.dispose(addTerms(t)));
    // 7, then the running sum + 6 more, twice, then the running sum + the last one.
    expect(info.kernels.filter((k) => k.name === 'AddN').map((k) => k.inputShapes.length)).toEqual([7, 7, 7, 2]);
    tf.dispose(t);
  });

  it('passes the gradient to every term, leaves no intermediate tensors behind and rejects an empty list', () => {
    const xs = Array.from({ length: 10 }, (_, i) => tf.scalar(i));
    const grads = tf.grads((...v: tf.Tensor[]) => tf.mul(addTerms(v), 3))(xs);
    expect(grads.map((g) => g.dataSync()[0])).toEqual(Array(10).fill(3));
    tf.dispose(grads);
    const before = tf.memory().numTensors;
    tf.dispose(addTerms(xs));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(xs);
    expect(() => addTerms([])).toThrow(/at least one tensor/);
  });
});

describe('stagedMean and stagedMoments', () => {
  /** Seeded values with a mean well away from zero (where float32 accumulation drifts most). */
  const input = (shape: number[], seed: number) => {
    let s = seed;
    const next = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 2 + next()), shape);
  };

  it('equals tf.moments (values and shapes) over whole maps, over B×H×W, with negative axes and without keepDims', () => {
    const x = input([2, 5, 7, 3], 11);
    for (const [axes, keepDims] of [[[1, 2], true], [[1, 2], false], [[0, 1, 2], false], [[-3, -2], true], [[2, 1, 1], false]] as const) {
      const ours = stagedMoments(x, axes, keepDims);
      const theirs = tf.moments(x, [...new Set(axes.map((a) => (a + 4) % 4))], keepDims);
      expect(ours.mean.shape, `${axes} ${keepDims}`).toEqual(theirs.mean.shape);
      expect(ours.variance.shape).toEqual(theirs.variance.shape);
      expectClose(ours.mean, valuesOf(theirs.mean), 1e-6);
      expectClose(ours.variance, valuesOf(theirs.variance), 1e-6);
      expectClose(stagedMean(x, axes, keepDims), valuesOf(theirs.mean), 1e-6);
      tf.dispose([ours.mean, ours.variance, theirs.mean, theirs.variance]);
    }
    expect(stagedMean(x, []).shape).toEqual([2, 5, 7, 3]);
    expect(() => stagedMean(x, [4])).toThrow(/axis 4 is outside a rank-4 tensor/);
  });

  it('has the gradients of tf.moments (instance-norm and batch-norm style uses)', () => {
    const x = input([2, 4, 6, 3], 5);
    const weights = input([2, 4, 6, 3], 9);
    for (const axes of [[1, 2], [0, 1, 2]]) {
      // A loss that uses both statistics the way a norm layer does: (x − mean)·rsqrt(var + eps), weighted.
      const loss = (moments: typeof tf.moments) => (t: tf.Tensor) => {
        const { mean, variance } = moments(t, axes, true);
        return tf.sum(tf.mul(weights, tf.mul(tf.sub(t, mean), tf.rsqrt(tf.add(variance, 1e-5)))));
      };
      const ours = tf.grad(loss(stagedMoments as typeof tf.moments))(x);
      const theirs = tf.grad(loss(tf.moments))(x);
      expect(Math.max(...valuesOf(theirs).map(Math.abs))).toBeGreaterThan(0.1); // not a vacuous comparison
      expectClose(ours, valuesOf(theirs), 1e-4);
      const meanGrad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(stagedMean(t, axes), tf.range(1, 4))))(x);
      const expected = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.mean(t, axes), tf.range(1, 4))))(x);
      expectClose(meanGrad, valuesOf(expected), 1e-7);
      tf.dispose([ours, theirs, meanGrad, expected]);
    }
  });

  it('leaves no tensors behind', () => {
    const x = input([1, 3, 3, 2], 3);
    const before = tf.memory().numTensors;
    const { mean, variance } = stagedMoments(x, [1, 2], true);
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([mean, variance, x]);
  });
});

describe('batchedMatMul', () => {
  it('splits a batch over the limit into runs and gives what one matMul gives, transposes included', () => {
    const a = tf.randomNormal([5, 2, 3], 0, 1, 'float32', 1) as tf.Tensor3D;
    const b = tf.randomNormal([5, 3, 4], 0, 1, 'float32', 2) as tf.Tensor3D;
    const before = tf.memory().numTensors;
    const split = batchedMatMul(a, b, false, false, 2);
    expect(tf.memory().numTensors).toBe(before + 1); // the runs and slices are freed
    expect(split.shape).toEqual([5, 2, 4]);
    expectClose(split, valuesOf(tf.matMul(a, b)), 0);
    const bt = tf.transpose(b, [0, 2, 1]) as tf.Tensor3D;
    const at = tf.transpose(a, [0, 2, 1]) as tf.Tensor3D;
    expectClose(batchedMatMul(at, bt, true, true, 3), valuesOf(tf.matMul(a, b)), 1e-6);
  });

  it("is one matMul up to WebGPU's 65,535 workgroups per dimension", () => {
    expect(MAX_MATMUL_BATCH).toBe(65535);
    const a = tf.ones([2, 1, 3]) as tf.Tensor3D;
    expectClose(batchedMatMul(a, tf.ones([2, 3, 1]) as tf.Tensor3D), [3, 3], 0);
  });

  it('has gradients through the runs', () => {
    const a = tf.randomNormal([3, 1, 2], 0, 1, 'float32', 3) as tf.Tensor3D;
    const b = tf.randomNormal([3, 2, 2], 0, 1, 'float32', 4) as tf.Tensor3D;
    const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(batchedMatMul(x as tf.Tensor3D, y as tf.Tensor3D, false, false, 2)))([a, b]);
    const [ea, eb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x as tf.Tensor3D, y as tf.Tensor3D)))([a, b]);
    expectClose(da, valuesOf(ea), 1e-6);
    expectClose(db, valuesOf(eb), 1e-6);
  });
});
