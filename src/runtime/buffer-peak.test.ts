import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

import { measureBufferPeak } from './buffer-peak.ts';

describe('measureBufferPeak', () => {
  it('counts new buffers once, not the views and clones that share them', async () => {
    const x = tf.zeros([1000]);
    const { peakBytes, endBytes, result } = await measureBufferPeak(() =>
      tf.tidy(() => {
        const views = [tf.reshape(x, [10, 100]), tf.clone(x), tf.reshape(x, [100, 10])];
        const doubled = tf.add(x, x); // one new buffer of 4,000 bytes
        const tripled = tf.add(doubled, x); // another, while the first is alive
        void views;
        return tripled;
      }),
    );
    expect(peakBytes).toBe(8000);
    expect(endBytes).toBe(4000); // the result
    tf.dispose([x, result]);
  });

  it('stops watching when the run throws', async () => {
    await expect(measureBufferPeak(() => { throw new Error('boom'); })).rejects.toThrow('boom');
    const { peakBytes } = await measureBufferPeak(() => tf.tidy(() => void tf.ones([10]).add(1)));
    expect(peakBytes).toBe(40 + 4 + 40); // ones, the scalar 1, the sum
  });
});
