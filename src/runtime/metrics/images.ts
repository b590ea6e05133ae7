/**
 * Shared by the image metrics: options, input checks, range mapping, decibels and read-back.
 *
 * Two protocols:
 * - 'standard' (default): the textbook definitions on images mapped linearly to [0, 1] (peak 1),
 *   without quantisation; comparable with scikit-image's metrics given `data_range=1`.
 * - 'selectiongan': what SelectionGAN's evaluation (scripts/evaluation/my_image_error_measures.lua
 *   and compute_ssim_psnr_sharpness.lua in Ha0Tang/SelectionGAN), and so LGGAN's cross-view tables,
 *   computed. Images first go through the official pipeline's 8-bit save and reload: pix2pix's
 *   tensor2im, floor((x + 1) / 2 · 255), then torch's image.load, /255. Each metric documents the
 *   rest of its quirks; in short PSNR and SD carry a 128² scale and an ε = 1e-4 floor (so they top
 *   out at 10·log10(255² / 1e-4) ≈ 88.13 dB) and SSIM is computed on luma with zero-padded 'full'
 *   convolution.
 */
import * as tf from '@tensorflow/tfjs-core';

export type MetricProtocol = 'standard' | 'selectiongan';

export interface ImageMetricOptions {
  /** The value range of the input images, mapped linearly to [0, 1]. Default [-1, 1] (tanh outputs). */
  range?: readonly [number, number];
  /** Default 'standard'. */
  protocol?: MetricProtocol;
}

export interface MetricResult {
  perImage: number[];
  /** The mean of perImage (+Infinity when any image is, e.g. a perfect match under the standard PSNR). */
  mean: number;
}

/** SelectionGAN's Lua measures: error × 128² against a 255² peak, with the error floored at 1e-4. */
export const SELECTIONGAN = { scale: 128 * 128, peakSquared: 255 * 255, epsilon: 1e-4 } as const;

/** The largest PSNR or SD the SelectionGAN protocol can give: 10·log10(255² / 1e-4) ≈ 88.1308 dB. */
export const SELECTIONGAN_MAX_DB = 10 * Math.log10(SELECTIONGAN.peakSquared / SELECTIONGAN.epsilon);

/** Two B×H×W×C float images of the same shape, B ≥ 1, at least `minSize` pixels high and wide. */
export function checkPair(metric: string, a: tf.Tensor, b: tf.Tensor, minSize = 1): void {
  if (a.rank !== 4 || b.rank !== 4) throw new Error(`${metric}: expected B×H×W×C images, got shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  if (a.shape.join(',') !== b.shape.join(',')) throw new Error(`${metric}: image shapes differ: [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  const [batch, height, width] = a.shape;
  if (batch < 1) throw new Error(`${metric}: the batch is empty`);
  if (height < minSize || width < minSize) throw new Error(`${metric}: images must be at least ${minSize}×${minSize} pixels, got ${height}×${width}`);
}

/** Inputs mapped to [0, 1]; under the SelectionGAN protocol also quantised as an 8-bit save and reload would. */
export function toUnitRange(x: tf.Tensor, options: ImageMetricOptions = {}): tf.Tensor4D {
  const [lo, hi] = options.range ?? [-1, 1];
  if (!(hi > lo)) throw new Error(`range must be [low, high] with low < high, got [${lo}, ${hi}]`);
  return tf.tidy(() => {
    const unit = tf.div(tf.sub(tf.cast(x, 'float32'), lo), hi - lo);
    if (options.protocol !== 'selectiongan') return unit as tf.Tensor4D;
    return tf.div(tf.floor(tf.clipByValue(tf.mul(unit, 255), 0, 255)), 255) as tf.Tensor4D;
  });
}

/** 10·log10(peak² / error) per image; +Infinity where the error is 0. */
export function decibels(peakSquared: number, error: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const db = tf.mul(tf.log(tf.div(peakSquared, error)), 10 / Math.LN10);
    return tf.where(tf.lessEqual(error, 0), tf.fill(error.shape, Infinity), db) as tf.Tensor1D;
  });
}

/** SelectionGAN's 10·log10(255² / max(128²·error, 1e-4)). */
export function selectionGanDecibels(error: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const scaled = tf.maximum(tf.mul(error, SELECTIONGAN.scale), SELECTIONGAN.epsilon);
    return tf.mul(tf.log(tf.div(SELECTIONGAN.peakSquared, scaled)), 10 / Math.LN10) as tf.Tensor1D;
  });
}

/** Reads per-image values back (asynchronously: works on WebGPU) and disposes the tensor. */
export async function summarise(perImage: tf.Tensor1D): Promise<MetricResult> {
  try {
    const values = Array.from(await perImage.data());
    return { perImage: values, mean: meanOf(values) };
  } finally {
    perImage.dispose();
  }
}

export function meanOf(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((s, v) => s + v, 0) / values.length;
}
