import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { customGradient } from '../../nodes/core/tensor-utils.ts';
import { measureBufferPeak } from './buffer-peak.ts';
import { installLeanGradients, withOriginalGradients } from './lean-gradients.ts';

installLeanGradients(); // test-setup installs it too; this file states its dependency

const values = (ts: tf.Tensor[]) => ts.map((t) => Array.from(t.dataSync()));

/** A net with weight sharing (two consumers of w1), a customGrad that returns its dy as is, a gradient through a slice and a concat. */
function lossOf(x: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor): tf.Scalar {
  const passThrough = customGradient(([a], save) => {
    save([a]);
    return { value: tf.clone(a), gradFunc: (dy) => [dy] };
  });
  const h = tf.relu(tf.matMul(x, w1));
  const again = tf.tanh(tf.matMul(passThrough(h), tf.transpose(w1)));
  const joined = tf.concat([again, tf.slice(x, [0, 0], [x.shape[0], 2])], 1);
  return tf.sum(tf.square(tf.matMul(joined, w2))) as tf.Scalar;
}

function inputs(): tf.Tensor[] {
  return [tf.randomNormal([5, 4], 0, 1, 'float32', 1), tf.randomNormal([4, 4], 0, 0.5, 'float32', 2), tf.randomNormal([6, 3], 0, 0.5, 'float32', 3)];
}

describe('lean gradients', () => {
  it('give tfjs’s gradients bit for bit (tf.grads, with and without dy, and variableGrads), and leave no tensors behind', () => {
    const xs = inputs();
    const before = tf.memory().numTensors;
    const lean = tf.grads((x: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor) => lossOf(x, w1, w2))(xs);
    const original = withOriginalGradients(() => tf.grads((x: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor) => lossOf(x, w1, w2))(xs));
    expect(values(lean)).toEqual(values(original));
    tf.dispose([...lean, ...original]);
    expect(tf.memory().numTensors).toBe(before);

    const dy = tf.scalar(0.5);
    const [withDy] = tf.grads((x: tf.Tensor) => lossOf(x, xs[1], xs[2]))([xs[0]], dy);
    const [withDyOriginal] = withOriginalGradients(() => tf.grads((x: tf.Tensor) => lossOf(x, xs[1], xs[2]))([xs[0]], dy));
    expect(values([withDy])).toEqual(values([withDyOriginal]));
    expect(dy.isDisposed).toBe(false); // the caller's dy is theirs
    tf.dispose([withDy, withDyOriginal, dy]);

    const vars = xs.slice(1).map((t, i) => tf.variable(t, true, `lean-test-${i}`));
    const unused = tf.tidy(() => tf.variable(tf.zeros([2]), true, 'lean-test-unused'));
    const leanVars = tf.variableGrads(() => lossOf(xs[0], vars[0], vars[1]), [...vars, unused]);
    const originalVars = withOriginalGradients(() => tf.variableGrads(() => lossOf(xs[0], vars[0], vars[1]), [...vars, unused]));
    expect(Object.keys(leanVars.grads).sort()).toEqual(Object.keys(originalVars.grads).sort());
    for (const name of Object.keys(originalVars.grads)) expect(values([leanVars.grads[name]])).toEqual(values([originalVars.grads[name]]));
    tf.dispose([leanVars.value, originalVars.value, ...Object.values(leanVars.grads), ...Object.values(originalVars.grads), ...vars, unused, ...xs]);
    expect(tf.memory().numTensors).toBe(before - 3);
  });

  it('nested (second-order) gradients still work', () => {
    const x = tf.tensor1d([0.5, -1.5, 2]);
    const second = tf.grad((a: tf.Tensor) => tf.sum(tf.grad((b: tf.Tensor) => tf.sum(tf.pow(b, 3)))(a)))(x); // d/dx Σ 3x² = 6x
    expect(Array.from(second.dataSync())).toEqual([3, -9, 12]);
    tf.dispose([x, second]);
  });

  it('frees activations’ gradients and saved tensors as it goes: a deep chain’s peak is far lower', async () => {
    const x = tf.randomNormal([64, 256], 0, 1, 'float32', 4);
    const ws = Array.from({ length: 24 }, (_, i) => tf.randomNormal([256, 256], 0, 0.06, 'float32', 10 + i));
    const deepLoss = (input: tf.Tensor) => tf.sum(ws.reduce((h, w) => tf.tanh(tf.add(tf.matMul(h, w), h)), input)) as tf.Scalar;
    const run = () => tf.tidy(() => tf.grad(deepLoss)(x).dataSync());
    const lean = await measureBufferPeak(run);
    const original = await measureBufferPeak(() => withOriginalGradients(run));
    // Activations are 64 KiB each; the original holds ~4 per layer to the end, lean about 2 per layer.
    expect(lean.peakBytes).toBeLessThan(0.7 * original.peakBytes);
    tf.dispose([x, ...ws]);
  });

  it('a failing gradient leaves the engine usable and frees the tape', () => {
    const broken = customGradient(([a], save) => {
      save([a]);
      return { value: tf.mul(a, 2), gradFunc: () => [tf.zeros([7])] }; // wrong shape
    });
    const x = tf.ones([3]);
    const before = tf.memory().numTensors;
    expect(() => tf.grad((a: tf.Tensor) => tf.sum(broken(a)))(x)).toThrow(/shape/);
    expect(tf.memory().numTensors).toBe(before);
    const ok = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(a, a)))(x);
    expect(Array.from(ok.dataSync())).toEqual([2, 2, 2]);
    tf.dispose([x, ok]);
  });
});
