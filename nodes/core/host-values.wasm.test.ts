/**
 * Zero-copy reads on the host backends: a wasm heap view holds what dataSync reads, and the
 * finiteness check catches NaN and both infinities. The engine switches to wasm in here and back
 * to cpu after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { allFinite, valuesInPlace } from './host-values.ts';

describe('valuesInPlace and allFinite', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('reads what dataSync reads, on wasm and on cpu, and refuses other dtypes', async () => {
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend);
      tf.tidy(() => {
        const others = [tf.ones([17]), tf.range(0, 5)]; // neighbours in memory
        const t = tf.mul(tf.range(0, 1000, 1, 'float32'), 0.5);
        const view = valuesInPlace(t);
        expect(view.length).toBe(1000);
        expect(Array.from(view)).toEqual(Array.from(t.dataSync()));
        expect(() => valuesInPlace(tf.tensor([1], [1], 'int32'))).toThrow(/float32 tensors only, got int32/);
        void others;
      });
    }
    await tf.setBackend('wasm');
  });

  it('reads a tensor made on another backend before the switch (its data moves over)', async () => {
    await tf.setBackend('cpu');
    const t = tf.tensor1d([1.5, -2, 3]);
    await tf.setBackend('wasm');
    expect(Array.from(valuesInPlace(t))).toEqual([1.5, -2, 3]);
    expect(Array.from(valuesInPlace(t))).toEqual([1.5, -2, 3]); // now a view of the wasm heap
    t.dispose();
  });

  it('finds NaN, +Infinity and -Infinity anywhere, and passes finite extremes', () => {
    expect(allFinite(new Float32Array([0, -0, 3.4e38, -3.4e38, 1e-45]))).toBe(true);
    expect(allFinite(new Float32Array(0))).toBe(true);
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (const at of [0, 3, 7]) {
        const values = new Float32Array(8).fill(1);
        values[at] = bad;
        expect(allFinite(values)).toBe(false);
      }
    }
  });
});
