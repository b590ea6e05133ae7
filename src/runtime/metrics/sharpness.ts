/**
 * Sharpness difference (SD): how far the prediction's edges are from the target's, in dB (higher
 * is better). Defined by Mathieu, Couprie & LeCun, "Deep multi-scale video prediction beyond mean
 * square error" (ICLR 2016) as
 *
 *   SD = 10·log10( max² / ( (1/N) Σ_ij |(∇i T + ∇j T) − (∇i P + ∇j P)| ) ),
 *   ∇i I = |I(i, j) − I(i−1, j)|,  ∇j I = |I(i, j) − I(i, j−1)|,
 *
 * and used for cross-view synthesis by Regmi & Borji, SelectionGAN and LGGAN. Here, per image:
 *
 * - 'standard': the formula above on images in [0, 1] (max = 1), summed over channels, at every
 *   pixel that has both an upper and a left neighbour (rows 1…H−1, columns 1…W−1, 0-based), N being
 *   the number of such values, C·(H−1)·(W−1). Identical images give +Infinity.
 * - 'selectiongan': SelectionGAN's Lua `computel1difference` exactly: on 8-bit-quantised images in
 *   [0, 1], the two directions are compared separately and only on the interior (rows and columns
 *   1…H−2 / 1…W−2), and the sum is divided by all C·H·W values and scaled by 128²:
 *
 *     S  = Σ_c Σ_{i=1..H−2} Σ_{j=1..W−2} ( |∇i P − ∇i T| + |∇j P − ∇j T| )
 *     SD = 10·log10( 255² / max(128²·S/(C·H·W), 1e-4) ),
 *
 *   so identical images give the cap 10·log10(255²/1e-4) ≈ 88.13 dB.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkPair, decibels, selectionGanDecibels, summarise, toUnitRange, type ImageMetricOptions, type MetricResult } from './images.ts';

/** |vertical| and |horizontal| neighbour differences at rows first…last and columns first…last (inclusive, ≥ 1). */
function neighbourDifferences(x: tf.Tensor4D, first: number, lastRow: number, lastColumn: number): { dy: tf.Tensor; dx: tf.Tensor } {
  const size: [number, number, number, number] = [-1, lastRow - first + 1, lastColumn - first + 1, -1];
  const here = tf.slice(x, [0, first, first, 0], size);
  const above = tf.slice(x, [0, first - 1, first, 0], size);
  const left = tf.slice(x, [0, first, first - 1, 0], size);
  return { dy: tf.abs(tf.sub(here, above)), dx: tf.abs(tf.sub(here, left)) };
}

/** Per-image SD in dB as a [B] tensor (the caller disposes it). */
export function sharpnessDifferencePerImage(prediction: tf.Tensor, target: tf.Tensor, options: ImageMetricOptions = {}): tf.Tensor1D {
  const selectionGan = options.protocol === 'selectiongan';
  checkPair('SD', prediction, target, selectionGan ? 3 : 2);
  const [, height, width, channels] = prediction.shape;
  return tf.tidy(() => {
    const p = toUnitRange(prediction, options);
    const t = toUnitRange(target, options);
    if (selectionGan) {
      const gp = neighbourDifferences(p, 1, height - 2, width - 2);
      const gt = neighbourDifferences(t, 1, height - 2, width - 2);
      const perPixel = tf.add(tf.abs(tf.sub(gp.dy, gt.dy)), tf.abs(tf.sub(gp.dx, gt.dx)));
      const error = tf.div(tf.sum(perPixel, [1, 2, 3]), channels * height * width) as tf.Tensor1D;
      return selectionGanDecibels(error);
    }
    const gp = neighbourDifferences(p, 1, height - 1, width - 1);
    const gt = neighbourDifferences(t, 1, height - 1, width - 1);
    const perPixel = tf.abs(tf.sub(tf.add(gt.dy, gt.dx), tf.add(gp.dy, gp.dx)));
    return decibels(1, tf.mean(perPixel, [1, 2, 3]) as tf.Tensor1D);
  });
}

export function sharpnessDifference(prediction: tf.Tensor, target: tf.Tensor, options: ImageMetricOptions = {}): Promise<MetricResult> {
  return summarise(sharpnessDifferencePerImage(prediction, target, options));
}
