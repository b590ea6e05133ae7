import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { edgePad1, l2Normalize, reflectPad, stopGradient } from './tensor-utils.ts';
import { expectClose } from './test-support.ts';

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
