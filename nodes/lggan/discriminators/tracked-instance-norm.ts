/**
 * InstanceNorm2d(affine=False, track_running_stats=True), as pix2pix's PatchGAN builds it:
 * - training: normalise each sample and channel over H×W (biased variance), then update
 *   running ← (1 − momentum)·running + momentum·stat, where stat is the batch mean of the
 *   per-instance means and of the per-instance *unbiased* variances (PyTorch runs instance norm
 *   as batch norm over B·C channels and averages the B updated copies back into one);
 * - eval: normalise with the running statistics, exactly as the official eval mode does.
 * Buffers `<prefix>.running_mean` / `.running_var` (PyTorch's names); num_batches_tracked is not
 * kept (with a fixed momentum PyTorch never reads it).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BuildContext, RunContext } from '../../contract.ts';
import { scoped } from '../../core/conv/spectral-norm.ts';
import { standardize } from '../../core/norm/norm-layers.ts';

export interface TrackedInstanceNormSpec {
  channels: number;
  eps: number;
  momentum: number;
}

export function createTrackedInstanceNorm(
  ctx: BuildContext,
  prefix: string,
  spec: TrackedInstanceNormSpec,
): (x: tf.Tensor4D, run: RunContext) => tf.Tensor4D {
  const at = scoped(prefix);
  const runningMean = ctx.variable(`${at}running_mean`, [spec.channels], { kind: 'zeros' }, { trainable: false });
  const runningVar = ctx.variable(`${at}running_var`, [spec.channels], { kind: 'ones' }, { trainable: false });
  const m = spec.momentum;
  return (x, run) =>
    tf.tidy(() => {
      if (!run.training) return tf.mul(tf.sub(x, runningMean), tf.rsqrt(tf.add(runningVar, spec.eps))) as tf.Tensor4D;
      const [, h, w] = x.shape;
      const n = h * w;
      if (n < 2) throw new Error(`instance norm '${prefix}' needs more than one pixel per channel to train, got ${h}×${w}`);
      const { y, mean, variance } = standardize(x, 'spatial', spec.eps);
      const batchMean = tf.mean(tf.reshape(mean, [-1, spec.channels]), 0);
      const batchVar = tf.mul(tf.mean(tf.reshape(variance, [-1, spec.channels]), 0), n / (n - 1));
      runningMean.assign(tf.add(tf.mul(runningMean, 1 - m), tf.mul(batchMean, m)));
      runningVar.assign(tf.add(tf.mul(runningVar, 1 - m), tf.mul(batchVar, m)));
      return y;
    });
}
