/**
 * Normalisation layers with PyTorch semantics, built on normMoments (tf.moments, or on wasm
 * stagedMoments, so that its float32 accumulation stays within rounding; gradients on every backend),
 * or on wasm and cpu for maps up to 1M values one fused operation (host-standardize.ts):
 * - instance norm: per sample and channel over H×W, biased variance, no running statistics;
 * - batch norm: per channel over B×H×W; training mode normalises with the batch's biased variance
 *   and updates running_mean/running_var (the latter with the unbiased variance) as
 *   running ← (1 − momentum)·running + momentum·batch; eval mode uses the running statistics.
 * Affine scale/shift variables are `<prefix>.weight` and `<prefix>.bias`, as in PyTorch.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BuildContext, NodeCost, RunContext, TensorType } from '../../contract.ts';
import { NodeRuleError, elementCount } from '../rules.ts';
import { scoped } from '../conv/spectral-norm.ts';
import { normMoments } from '../tensor-utils.ts';
import { hostStandardize, standardizeOnHost, type Standardized, type StandardizeAxes } from './host-standardize.ts';

export type NormKind = 'instance' | 'batch' | 'none';
export const NORM_KINDS: readonly NormKind[] = ['instance', 'batch', 'none'];

export interface NormSpec {
  kind: NormKind;
  channels: number;
  affine: boolean;
  eps: number;
  /** Batch norm only: weight of the new batch in the running statistics (PyTorch's convention). */
  momentum: number;
}


export type NormForward = (x: tf.Tensor4D, run: RunContext) => tf.Tensor4D;

/** Instance norm of a 1×1 map is always zero: PyTorch refuses it in training, so do we, early. */
export function checkInstanceNormInput(x: TensorType, port: string): void {
  const [, h, w] = x.shape;
  if (h.value * w.value < 2) {
    throw new NodeRuleError(`instance norm needs more than one pixel per channel, got a 1×1 map at port '${port}'`, { port });
  }
}

export function normCost(spec: NormSpec, x: TensorType): NodeCost {
  if (spec.kind === 'none') return { params: 0, macs: 0, buffers: 0 };
  const n = elementCount(x);
  return {
    params: spec.affine ? 2 * spec.channels : 0,
    macs: spec.affine ? 2 * n : n,
    buffers: spec.kind === 'batch' ? 2 * spec.channels : 0,
  };
}

function createAffine(ctx: BuildContext, prefix: string, spec: NormSpec): ((x: tf.Tensor4D) => tf.Tensor4D) | undefined {
  if (!spec.affine) return undefined;
  const gamma = ctx.variable(`${scoped(prefix)}weight`, [spec.channels], { kind: 'normal', mean: 1, std: 0.02 });
  const beta = ctx.variable(`${scoped(prefix)}bias`, [spec.channels], { kind: 'zeros' });
  return (x) => tf.add(tf.mul(x, gamma), beta);
}

/** (x − mean)/√(variance + eps) from given statistics (kernels on every backend). */
function standardized(x: tf.Tensor, { mean, variance }: { mean: tf.Tensor; variance: tf.Tensor }, eps: number): tf.Tensor4D {
  return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))) as tf.Tensor4D;
}

/**
 * x standardised over `axes` with its own statistics (kept dims: [B, 1, 1, C] or [1, 1, 1, C]):
 * one fused operation on wasm and cpu for maps up to 1M values, normMoments and kernels elsewhere.
 */
export function standardize(x: tf.Tensor4D, axes: StandardizeAxes, eps: number): Standardized {
  if (standardizeOnHost(x)) return hostStandardize(x, axes, eps);
  const moments = normMoments(x, axes === 'spatial' ? [1, 2] : [0, 1, 2], true);
  return { y: standardized(x, moments, eps), mean: moments.mean as tf.Tensor4D, variance: moments.variance as tf.Tensor4D };
}

export function createInstanceNorm(ctx: BuildContext, prefix: string, spec: NormSpec): NormForward {
  const affine = createAffine(ctx, prefix, spec);
  return (x) =>
    tf.tidy(() => {
      const { y } = standardize(x, 'spatial', spec.eps);
      return affine ? affine(y) : y;
    });
}

export function createBatchNorm(ctx: BuildContext, prefix: string, spec: NormSpec): NormForward {
  const affine = createAffine(ctx, prefix, spec);
  const at = scoped(prefix);
  const runningMean = ctx.variable(`${at}running_mean`, [spec.channels], { kind: 'zeros' }, { trainable: false });
  const runningVar = ctx.variable(`${at}running_var`, [spec.channels], { kind: 'ones' }, { trainable: false });
  const m = spec.momentum;
  return (x, run) =>
    tf.tidy(() => {
      let y: tf.Tensor4D;
      if (run.training) {
        const [b, h, w] = x.shape;
        const count = b * h * w;
        if (count < 2) throw new Error(`batch norm '${prefix || ctx.nodeId}' needs more than one value per channel to train, got ${b}×${h}×${w}`);
        const batch = standardize(x, 'batch-spatial', spec.eps);
        y = batch.y;
        const [mean, variance] = [tf.reshape(batch.mean, [-1]), tf.reshape(batch.variance, [-1])];
        const unbiased = tf.mul(variance, count / (count - 1));
        runningMean.assign(tf.add(tf.mul(runningMean, 1 - m), tf.mul(mean, m)));
        runningVar.assign(tf.add(tf.mul(runningVar, 1 - m), tf.mul(unbiased, m)));
      } else {
        y = standardized(x, { mean: runningMean, variance: runningVar }, spec.eps);
      }
      return affine ? affine(y) : y;
    });
}

/** The norm layer for `spec.kind`, or the identity for 'none'. */
export function createNorm(ctx: BuildContext, prefix: string, spec: NormSpec): NormForward {
  if (spec.kind === 'instance') return createInstanceNorm(ctx, prefix, spec);
  if (spec.kind === 'batch') return createBatchNorm(ctx, prefix, spec);
  return (x) => x;
}

