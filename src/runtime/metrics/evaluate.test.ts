import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { Feeds } from '../../compiler/program.ts';
import { evaluate, psnr, sharpnessDifference, ssim, type HeldOutSample } from './index.ts';
import { mapImage, randomImage, tensorOf } from './reference.test-util.ts';

/** A "generator" that darkens its input a little: output = 0.9·x − 0.05. */
const generate = (feeds: Feeds) => tf.sub(tf.mul(feeds.image, 0.9), 0.05);

function split(): HeldOutSample[] {
  // Uneven batches: 2 images, then 1.
  return [randomImage([2, 12, 12, 3], 1), randomImage([1, 12, 12, 3], 2)].map((img) => {
    const target = tensorOf(mapImage(img, (v, i) => v + 0.05 * Math.sin(i)));
    return { feeds: { image: tensorOf(img) }, target };
  });
}

describe('evaluate', () => {
  it('averages SSIM, PSNR and SD per image over the whole split', async () => {
    const samples = split();
    const result = await evaluate(generate, samples);
    expect(result.count).toBe(3);
    for (const [key, metric] of [['ssim', ssim], ['psnr', psnr], ['sd', sharpnessDifference]] as const) {
      const direct: number[] = [];
      for (const s of samples) {
        const generated = generate(s.feeds);
        direct.push(...(await metric(generated, s.target)).perImage);
        generated.dispose();
      }
      result[key].perImage.forEach((v, i) => expect(v).toBeCloseTo(direct[i], 5));
      expect(result[key].mean).toBeCloseTo((direct[0] + direct[1] + direct[2]) / 3, 5);
    }
    tf.dispose(samples.flatMap((s) => [s.feeds.image, s.target]));
  });

  it('passes the protocol on, takes async splits, and leaks nothing', async () => {
    const samples = split();
    const before = tf.memory().numTensors;
    async function* stream() {
      yield* samples;
    }
    const standard = await evaluate(generate, stream());
    const selectionGan = await evaluate(generate, samples, { protocol: 'selectiongan' });
    expect(tf.memory().numTensors).toBe(before);
    expect(selectionGan.psnr.mean).not.toBeCloseTo(standard.psnr.mean, 1);
    tf.dispose(samples.flatMap((s) => [s.feeds.image, s.target]));
  });

  it('disposes the samples when asked to', async () => {
    const before = tf.memory().numTensors;
    const result = await evaluate(generate, split(), { disposeSamples: true });
    expect(result.count).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
  });
});
