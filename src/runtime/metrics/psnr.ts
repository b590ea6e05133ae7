/**
 * Peak signal-to-noise ratio, per image, over all pixels and channels.
 *
 * - 'standard': PSNR = 10·log10(1 / MSE) on images in [0, 1] (the same as 10·log10(255² / MSE)
 *   on [0, 255]); identical images give +Infinity, as scikit-image's peak_signal_noise_ratio does.
 * - 'selectiongan': on 8-bit-quantised images in [0, 1], PSNR = 10·log10(255² / max(128²·MSE, 1e-4)).
 *   The 128² stands for a [-1, 1] → [0, 255] rescale in the code SelectionGAN took over, but it is
 *   applied to images already in [0, 1], so values run 20·log10(255/128) ≈ 5.99 dB above the
 *   standard PSNR of the same (quantised) images; identical images give the cap ≈ 88.13 dB.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkPair, decibels, selectionGanDecibels, summarise, toUnitRange, type ImageMetricOptions, type MetricResult } from './images.ts';

/** Per-image PSNR in dB as a [B] tensor (the caller disposes it). */
export function psnrPerImage(prediction: tf.Tensor, target: tf.Tensor, options: ImageMetricOptions = {}): tf.Tensor1D {
  checkPair('PSNR', prediction, target);
  return tf.tidy(() => {
    const mse = tf.mean(tf.squaredDifference(toUnitRange(prediction, options), toUnitRange(target, options)), [1, 2, 3]) as tf.Tensor1D;
    return options.protocol === 'selectiongan' ? selectionGanDecibels(mse) : decibels(1, mse);
  });
}

export function psnr(prediction: tf.Tensor, target: tf.Tensor, options: ImageMetricOptions = {}): Promise<MetricResult> {
  return summarise(psnrPerImage(prediction, target, options));
}
