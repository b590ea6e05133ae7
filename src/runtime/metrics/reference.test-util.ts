/**
 * Direct JavaScript implementations of the metric formulas (float64, loops, no tfjs) that the
 * tfjs versions are checked against, plus seeded test images. Images are flat NHWC arrays.
 */
import * as tf from '@tensorflow/tfjs-core';
import { uniformStream } from '../../compiler/rng.ts';

export interface Img {
  values: number[];
  shape: [number, number, number, number];
}

export const at = (img: Img, b: number, i: number, j: number, c: number) => {
  const [, h, w, ch] = img.shape;
  return img.values[((b * h + i) * w + j) * ch + c];
};

export function randomImage(shape: Img['shape'], seed: number, grid = false): Img {
  const u = uniformStream(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  // On the 8-bit grid: half a level above level k, so the SelectionGAN quantisation lands on k exactly.
  const values = Array.from({ length: n }, () => (grid ? ((Math.floor(u() * 255) + 0.5) / 255) * 2 - 1 : u() * 2 - 1));
  return { values, shape };
}

export function mapImage(img: Img, f: (v: number, index: number) => number): Img {
  return { values: img.values.map(f), shape: img.shape };
}

export const tensorOf = (img: Img) => tf.tensor4d(img.values, img.shape);

/** [-1, 1] → [0, 1], and for SelectionGAN the 8-bit save and reload. */
export const unit = (v: number) => (v + 1) / 2;
export const quantised = (v: number) => Math.floor(Math.min(255, Math.max(0, unit(v) * 255))) / 255;

/** One channel as rows of numbers. */
export function plane(img: Img, b: number, f: (i: number, j: number) => number): number[][] {
  const [, h, w] = img.shape;
  return Array.from({ length: h }, (_, i) => Array.from({ length: w }, (_, j) => f(i, j)));
}

function gaussian2d(): number[][] {
  const g = Array.from({ length: 11 }, (_, i) => Math.exp(-((i - 5) ** 2) / (2 * 1.5 * 1.5)));
  const total = g.reduce((a, b) => a + b, 0) ** 2;
  return g.map((a) => g.map((b) => (a * b) / total));
}

/** Mean SSIM of two planes: 'valid' window positions, or 'full' with zero padding. */
export function referenceSsim(x: number[][], y: number[][], peak: number, full: boolean): number {
  const g = gaussian2d();
  const pad = full ? 10 : 0;
  const h = x.length;
  const w = x[0].length;
  const value = (p: number[][], i: number, j: number) => (i < 0 || j < 0 || i >= h || j >= w ? 0 : p[i][j]);
  const c1 = (0.01 * peak) ** 2;
  const c2 = (0.03 * peak) ** 2;
  let total = 0;
  let count = 0;
  for (let i = -pad; i + 10 < h + pad; i++) {
    for (let j = -pad; j + 10 < w + pad; j++) {
      let mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
      for (let a = 0; a < 11; a++) {
        for (let b = 0; b < 11; b++) {
          const p = value(x, i + a, j + b);
          const q = value(y, i + a, j + b);
          mx += g[a][b] * p;
          my += g[a][b] * q;
          xx += g[a][b] * p * p;
          yy += g[a][b] * q * q;
          xy += g[a][b] * p * q;
        }
      }
      const vx = xx - mx * mx;
      const vy = yy - my * my;
      const cxy = xy - mx * my;
      total += ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
      count++;
    }
  }
  return total / count;
}
