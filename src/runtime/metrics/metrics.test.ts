import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { SELECTIONGAN_MAX_DB, psnr, psnrPerImage, sharpnessDifference, ssim, type ImageMetricOptions } from './index.ts';
import { at, mapImage, plane, quantised, randomImage, referenceSsim, tensorOf, unit, type Img } from './reference.test-util.ts';

const SG: ImageMetricOptions = { protocol: 'selectiongan' };

/** Runs an async metric on two images, disposing the inputs, and checks no tensor is left behind. */
async function score(metric: typeof psnr, a: Img, b: Img, options?: ImageMetricOptions) {
  const x = tensorOf(a);
  const y = tensorOf(b);
  const before = tf.memory().numTensors;
  const result = await metric(x, y, options);
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([x, y]);
  return result;
}

describe('PSNR', () => {
  const target = randomImage([2, 8, 9, 3], 1);

  it('is +Infinity for identical images, and the documented cap under the SelectionGAN protocol', async () => {
    expect(await score(psnr, target, target)).toEqual({ perImage: [Infinity, Infinity], mean: Infinity });
    const capped = await score(psnr, target, target, SG);
    expect(SELECTIONGAN_MAX_DB).toBeCloseTo(88.1308, 4);
    for (const v of capped.perImage) expect(v).toBeCloseTo(SELECTIONGAN_MAX_DB, 4);
  });

  it('matches 10·log10(1/MSE) on [0, 1] for a known noise level', async () => {
    // ±0.1 in [-1, 1] is ±0.05 in [0, 1]: MSE 0.0025, PSNR 26.0206 dB.
    const noisy = mapImage(target, (v, i) => v + (i % 3 === 0 ? 0.1 : -0.1));
    const result = await score(psnr, noisy, target);
    for (const v of result.perImage) expect(v).toBeCloseTo(10 * Math.log10(1 / 0.0025), 3);
    // Uneven noise: the hand formula per image.
    const uneven = mapImage(target, (v, i) => v + 0.3 * Math.sin(i));
    const perImage = [0, 1].map((b) => {
      let sum = 0;
      const n = 8 * 9 * 3;
      for (let k = 0; k < n; k++) sum += (unit(uneven.values[b * n + k]) - unit(target.values[b * n + k])) ** 2;
      return 10 * Math.log10(1 / (sum / n));
    });
    const got = await score(psnr, uneven, target);
    got.perImage.forEach((v, b) => expect(v).toBeCloseTo(perImage[b], 3));
    expect(got.mean).toBeCloseTo((perImage[0] + perImage[1]) / 2, 3);
  });

  it('gives the same value for any input range', async () => {
    const noisy = mapImage(target, (v, i) => Math.max(-1, Math.min(1, v + 0.2 * Math.cos(i))));
    const a = await score(psnr, noisy, target);
    const b = await score(psnr, mapImage(noisy, (v) => unit(v) * 255), mapImage(target, (v) => unit(v) * 255), { range: [0, 255] });
    a.perImage.forEach((v, i) => expect(b.perImage[i]).toBeCloseTo(v, 3));
  });

  it('SelectionGAN protocol: 10·log10(255² / (128²·MSE)) of the 8-bit images, ≈ 5.99 dB above standard', async () => {
    const grid = randomImage([1, 8, 9, 3], 2, true);
    const other = randomImage([1, 8, 9, 3], 3, true);
    let sum = 0;
    for (let k = 0; k < grid.values.length; k++) sum += (quantised(grid.values[k]) - quantised(other.values[k])) ** 2;
    const mse = sum / grid.values.length;
    const selectionGan = await score(psnr, grid, other, SG);
    expect(selectionGan.perImage[0]).toBeCloseTo(10 * Math.log10((255 * 255) / (128 * 128 * mse)), 3);
    const standard = await score(psnr, grid, other);
    // Differences between grid images are whole 8-bit levels, unchanged by quantisation: the offset is the 128/255 scale alone.
    expect(selectionGan.perImage[0] - standard.perImage[0]).toBeCloseTo(20 * Math.log10(255 / 128), 3);
  });

  it('rejects mismatched shapes', () => {
    const a = tf.zeros([1, 4, 4, 3]);
    const b = tf.zeros([1, 4, 5, 3]);
    expect(() => psnrPerImage(a, b)).toThrow('PSNR: image shapes differ: [1, 4, 4, 3] and [1, 4, 5, 3]');
    tf.dispose([a, b]);
  });
});

describe('SSIM', () => {
  const a = randomImage([2, 13, 14, 3], 4);
  const b = mapImage(a, (v, i) => 0.6 * v + 0.4 * randomImage([2, 13, 14, 3], 5).values[i]);

  it('is 1 for identical images', async () => {
    for (const v of (await score(ssim, a, a)).perImage) expect(v).toBeCloseTo(1, 6);
    for (const v of (await score(ssim, a, a, SG)).perImage) expect(v).toBeCloseTo(1, 6);
  });

  it('reduces to (2ab + C1)/(a² + b² + C1) for flat images a and b', async () => {
    const flat = (v: number): Img => ({ values: new Array(2 * 12 * 12 * 3).fill(v), shape: [2, 12, 12, 3] });
    const expected = (2 * 0.25 * 0.75 + 1e-4) / (0.25 ** 2 + 0.75 ** 2 + 1e-4);
    for (const v of (await score(ssim, flat(-0.5), flat(0.5))).perImage) expect(v).toBeCloseTo(expected, 5);
  });

  it('is below 0.1 for an image against its negative', async () => {
    const negative = mapImage(a, (v) => -v);
    for (const v of (await score(ssim, a, negative)).perImage) expect(v).toBeLessThan(0.1);
  });

  it('is symmetric', async () => {
    const ab = await score(ssim, a, b);
    const ba = await score(ssim, b, a);
    ab.perImage.forEach((v, i) => expect(ba.perImage[i]).toBeCloseTo(v, 6));
  });

  it('matches a direct implementation of Wang et al.’s formula (valid window, per-channel mean)', async () => {
    const expected = [0, 1].map((n) => {
      let total = 0;
      for (let c = 0; c < 3; c++) {
        const x = plane(a, n, (i, j) => unit(at(a, n, i, j, c)));
        const y = plane(b, n, (i, j) => unit(at(b, n, i, j, c)));
        total += referenceSsim(x, y, 1, false);
      }
      return total / 3;
    });
    expect(expected[0]).toBeGreaterThan(0.3);
    expect(expected[0]).toBeLessThan(0.95);
    const got = await score(ssim, a, b);
    got.perImage.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
  });

  it('SelectionGAN protocol: luma of the 8-bit image in [0, 255], full zero-padded window', async () => {
    const p = randomImage([1, 12, 11, 3], 6, true);
    const q = mapImage(p, (v, i) => (i % 7 === 0 ? -v : v));
    const luma = (img: Img) => plane(img, 0, (i, j) => 255 * (0.299 * quantised(at(img, 0, i, j, 0)) + 0.587 * quantised(at(img, 0, i, j, 1)) + 0.114 * quantised(at(img, 0, i, j, 2))));
    const expected = referenceSsim(luma(p), luma(q), 255, true);
    expect((await score(ssim, p, q, SG)).perImage[0]).toBeCloseTo(expected, 5);
  });

  it('needs 11×11 images under the standard protocol', () => {
    const x = tf.zeros([1, 10, 12, 3]);
    expect(() => ssim(x, x)).toThrow('SSIM: images must be at least 11×11 pixels, got 10×12');
    x.dispose();
  });
});

describe('sharpness difference', () => {
  const p = randomImage([2, 6, 7, 3], 7, true);
  const t = randomImage([2, 6, 7, 3], 8, true);

  it('is +Infinity for identical images, the documented cap under SelectionGAN', async () => {
    expect((await score(sharpnessDifference, p, p)).perImage).toEqual([Infinity, Infinity]);
    for (const v of (await score(sharpnessDifference, p, p, SG)).perImage) expect(v).toBeCloseTo(SELECTIONGAN_MAX_DB, 4);
  });

  it('matches Mathieu et al.’s formula on [0, 1] (pixels with an upper and a left neighbour)', async () => {
    const expected = [0, 1].map((n) => {
      let sum = 0;
      let count = 0;
      const v = (img: Img, i: number, j: number, c: number) => unit(at(img, n, i, j, c));
      for (let c = 0; c < 3; c++) {
        for (let i = 1; i < 6; i++) {
          for (let j = 1; j < 7; j++) {
            const grad = (img: Img) => Math.abs(v(img, i, j, c) - v(img, i - 1, j, c)) + Math.abs(v(img, i, j, c) - v(img, i, j - 1, c));
            sum += Math.abs(grad(t) - grad(p));
            count++;
          }
        }
      }
      return 10 * Math.log10(1 / (sum / count));
    });
    const got = await score(sharpnessDifference, p, t);
    got.perImage.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 3));
  });

  it('SelectionGAN protocol: per-direction differences on the interior, / (C·H·W), × 128²', async () => {
    const expected = [0, 1].map((n) => {
      let sum = 0;
      const v = (img: Img, i: number, j: number, c: number) => quantised(at(img, n, i, j, c));
      for (let c = 0; c < 3; c++) {
        for (let i = 1; i <= 4; i++) {
          for (let j = 1; j <= 5; j++) {
            const dy = (img: Img) => Math.abs(v(img, i, j, c) - v(img, i - 1, j, c));
            const dx = (img: Img) => Math.abs(v(img, i, j, c) - v(img, i, j - 1, c));
            sum += Math.abs(dy(p) - dy(t)) + Math.abs(dx(p) - dx(t));
          }
        }
      }
      return 10 * Math.log10((255 * 255) / ((128 * 128 * sum) / (3 * 6 * 7)));
    });
    const got = await score(sharpnessDifference, p, t, SG);
    got.perImage.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 3));
  });

  it('is higher for a prediction whose edges are closer to the target’s', async () => {
    const slightlyOff = mapImage(t, (v, i) => v + 0.02 * Math.sin(i));
    const close = await score(sharpnessDifference, slightlyOff, t);
    const far = await score(sharpnessDifference, p, t);
    expect(close.mean).toBeGreaterThan(far.mean + 10);
  });
});
