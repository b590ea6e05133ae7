/**
 * Cross-view style evaluation over a held-out split: SSIM, PSNR and SD of generated images against
 * their targets, averaged per image over the whole split (not per batch, so uneven batches weigh
 * right).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Feeds } from '../../compiler/program.ts';
import { meanOf, type ImageMetricOptions, type MetricResult } from './images.ts';
import { psnrPerImage } from './psnr.ts';
import { sharpnessDifferencePerImage } from './sharpness.ts';
import { ssimPerImage } from './ssim.ts';

export interface HeldOutSample {
  feeds: Feeds;
  /** B×H×W×3, in the same range as the generated images. */
  target: tf.Tensor;
}

export interface EvaluateOptions extends ImageMetricOptions {
  /** Dispose each sample's feeds and target once scored (for splits that make fresh tensors per batch). Default false. */
  disposeSamples?: boolean;
}

export interface Evaluation {
  /** Images scored. */
  count: number;
  ssim: MetricResult;
  psnr: MetricResult;
  sd: MetricResult;
}

/**
 * Runs `generate` on every sample (its intermediates are tidied, its output disposed) and scores
 * the output against the sample's target.
 */
export async function evaluate(
  generate: (feeds: Feeds) => tf.Tensor,
  heldOut: Iterable<HeldOutSample> | AsyncIterable<HeldOutSample>,
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  const values = { ssim: [] as number[], psnr: [] as number[], sd: [] as number[] };
  for await (const sample of heldOut) {
    try {
      const scores = tf.tidy(() => {
        const generated = generate(sample.feeds);
        return tf.stack([
          ssimPerImage(generated, sample.target, options),
          psnrPerImage(generated, sample.target, options),
          sharpnessDifferencePerImage(generated, sample.target, options),
        ]);
      });
      const [ssim, psnr, sd] = (await scores.array()) as number[][];
      scores.dispose();
      values.ssim.push(...ssim);
      values.psnr.push(...psnr);
      values.sd.push(...sd);
    } finally {
      if (options.disposeSamples) tf.dispose([...Object.values(sample.feeds), sample.target]);
    }
  }
  const result = (perImage: number[]): MetricResult => ({ perImage, mean: meanOf(perImage) });
  return { count: values.ssim.length, ssim: result(values.ssim), psnr: result(values.psnr), sd: result(values.sd) };
}
