import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initNodeBackend, parseNodeBackend } from './tf-node.ts';

describe('tfjs in node', () => {
  afterAll(async () => {
    await initNodeBackend('cpu');
  });

  it('runs on cpu with gradients registered', () => {
    expect(tf.getBackend()).toBe('cpu');
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(a, a)))(tf.tensor([1, 2, 3]));
    expect(Array.from(g.dataSync())).toEqual([2, 4, 6]);
    const conv = tf.grad((x: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, tf.ones([3, 3, 1, 1]) as tf.Tensor4D, 1, 'same')))(tf.ones([1, 4, 4, 1]));
    expect(conv.shape).toEqual([1, 4, 4, 1]);
  });

  it('keeps the backend it was pinned to when called without one, and switches when asked', async () => {
    // test-setup pinned cpu: a bare call (what the CLI makes without --backend) keeps it.
    expect(await initNodeBackend()).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(await initNodeBackend('wasm')).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(await initNodeBackend()).toBe('wasm');
    // wasm trains: the conv filter gradient is one of the kernels we add.
    const dw = tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(tf.ones([1, 4, 4, 1]) as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')))(tf.ones([3, 3, 1, 1]));
    expect(Array.from(dw.dataSync())).toEqual([9, 12, 9, 12, 16, 12, 9, 12, 9]);
    dw.dispose();
    expect(await initNodeBackend('cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('names the choices for an unknown backend', () => {
    expect(parseNodeBackend('wasm')).toBe('wasm');
    expect(parseNodeBackend('cpu')).toBe('cpu');
    expect(parseNodeBackend('webgpu')).toBe('webgpu');
    expect(() => parseNodeBackend('webgl', '--backend')).toThrow('unknown --backend "webgl": use wasm, cpu or webgpu');
  });
});
