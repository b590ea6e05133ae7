/**
 * Structural similarity (Wang, Bovik, Sheikh & Simoncelli, "Image quality assessment: from error
 * visibility to structural similarity", IEEE TIP 13(4), 2004), per image:
 *
 *   SSIM map = ((2·μx·μy + C1)(2·σxy + C2)) / ((μx² + μy² + C1)(σx² + σy² + C2)),
 *   C1 = (0.01·L)², C2 = (0.03·L)²,
 *
 * with local means, variances and covariance taken under an 11×11 Gaussian window (σ = 1.5,
 * normalised to sum 1; variances divided by the window weight, not N − 1).
 *
 * - 'standard': each channel of the [0, 1] image (L = 1) separately, over the 'valid' window
 *   positions only ((H − 10)×(W − 10)), then the mean over positions and channels. This is
 *   scikit-image's structural_similarity(gaussian_weights=True, sigma=1.5,
 *   use_sample_covariance=False, data_range=1, channel_axis=-1) and Wang et al.'s reference code.
 *   Images must be at least 11×11.
 * - 'selectiongan': the luma Y = 0.299 R + 0.587 G + 0.114 B of the 8-bit-quantised image, scaled
 *   to [0, 255] (L = 255), filtered by 'full' convolution (zero padding of 10 on every side), and
 *   the mean over all (H + 10)×(W + 10) positions — what SelectionGAN's Lua SSIM computes.
 *
 * The filtering is two depthwise convolutions (1×11 then 11×1) over the stacked
 * [x, y, x², y², xy] channels (of mean-centred images, for float32 precision), so it runs on any
 * tfjs backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkPair, summarise, toUnitRange, type ImageMetricOptions, type MetricResult } from './images.ts';

export const SSIM_WINDOW = 11;
export const SSIM_SIGMA = 1.5;
export const SSIM_K1 = 0.01;
export const SSIM_K2 = 0.03;

/** The normalised 1-D Gaussian whose outer product with itself is the SSIM window. */
export function gaussianWindow(size = SSIM_WINDOW, sigma = SSIM_SIGMA): number[] {
  const centre = (size - 1) / 2;
  const weights = Array.from({ length: size }, (_, i) => Math.exp(-((i - centre) ** 2) / (2 * sigma * sigma)));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}

/** ITU-R BT.601 luma, as torch's image.rgb2y. */
const LUMA = [0.299, 0.587, 0.114];

function gaussianBlur(x: tf.Tensor): tf.Tensor {
  const channels = x.shape[3]!;
  const window = gaussianWindow();
  const row = tf.tile(tf.tensor4d(window, [1, SSIM_WINDOW, 1, 1]), [1, 1, channels, 1]) as tf.Tensor4D;
  const column = tf.reshape(row, [SSIM_WINDOW, 1, channels, 1]) as tf.Tensor4D;
  return tf.depthwiseConv2d(tf.depthwiseConv2d(x as tf.Tensor4D, row, 1, 'valid'), column, 1, 'valid');
}

/** Per-image SSIM as a [B] tensor (the caller disposes it). */
export function ssimPerImage(prediction: tf.Tensor, target: tf.Tensor, options: ImageMetricOptions = {}): tf.Tensor1D {
  const selectionGan = options.protocol === 'selectiongan';
  checkPair('SSIM', prediction, target, selectionGan ? 1 : SSIM_WINDOW);
  if (selectionGan && prediction.shape[3] !== 3) throw new Error(`SSIM (selectiongan): expected RGB images, got ${prediction.shape[3]} channels`);
  return tf.tidy(() => {
    let x: tf.Tensor = toUnitRange(prediction, options);
    let y: tf.Tensor = toUnitRange(target, options);
    let peak = 1;
    if (selectionGan) {
      const pad: [number, number][] = [[0, 0], [SSIM_WINDOW - 1, SSIM_WINDOW - 1], [SSIM_WINDOW - 1, SSIM_WINDOW - 1], [0, 0]];
      const luma = tf.tensor1d(LUMA);
      x = tf.pad(tf.mul(tf.sum(tf.mul(x, luma), 3, true), 255), pad);
      y = tf.pad(tf.mul(tf.sum(tf.mul(y, luma), 3, true), 255), pad);
      peak = 255;
    }
    const c1 = (SSIM_K1 * peak) ** 2;
    const c2 = (SSIM_K2 * peak) ** 2;
    // (Co)variances are shift-invariant: take the moments of images centred on their own means, so
    // that float32 does not lose them to cancellation (E[x²] − μ² of a bright, flat patch).
    const meanX = tf.mean(x, [1, 2], true);
    const meanY = tf.mean(y, [1, 2], true);
    const xc = tf.sub(x, meanX);
    const yc = tf.sub(y, meanY);
    const stats = gaussianBlur(tf.concat([xc, yc, tf.square(xc), tf.square(yc), tf.mul(xc, yc)], 3));
    const [muXc, muYc, xx, yy, xy] = tf.split(stats, 5, 3);
    const varX = tf.sub(xx, tf.square(muXc));
    const varY = tf.sub(yy, tf.square(muYc));
    const covXY = tf.sub(xy, tf.mul(muXc, muYc));
    const muX = tf.add(muXc, meanX);
    const muY = tf.add(muYc, meanY);
    const muXY = tf.mul(muX, muY);
    const numerator = tf.mul(tf.add(tf.mul(muXY, 2), c1), tf.add(tf.mul(covXY, 2), c2));
    const denominator = tf.mul(tf.add(tf.add(tf.square(muX), tf.square(muY)), c1), tf.add(tf.add(varX, varY), c2));
    return tf.mean(tf.div(numerator, denominator), [1, 2, 3]) as tf.Tensor1D;
  });
}

export function ssim(prediction: tf.Tensor, target: tf.Tensor, options: ImageMetricOptions = {}): Promise<MetricResult> {
  return summarise(ssimPerImage(prediction, target, options));
}
