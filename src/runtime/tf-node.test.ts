import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';

describe('tfjs in node', () => {
  it('runs on cpu with gradients registered', () => {
    expect(tf.getBackend()).toBe('cpu');
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(a, a)))(tf.tensor([1, 2, 3]));
    expect(Array.from(g.dataSync())).toEqual([2, 4, 6]);
    const conv = tf.grad((x: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, tf.ones([3, 3, 1, 1]) as tf.Tensor4D, 1, 'same')))(tf.ones([1, 4, 4, 1]));
    expect(conv.shape).toEqual([1, 4, 4, 1]);
  });
});
