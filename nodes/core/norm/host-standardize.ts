/**
 * (x − mean)/√(variance + eps) over the spatial (instance norm) or batch and spatial (batch norm)
 * axes of an NHWC map as one operation with its own gradient, computed in passes over the values
 * on the backends whose tensors live in this thread (wasm, cpu). The kernel form (staged means, the
 * deviations, their squares, rsqrt, products, and their gradients) is ~30 small kernels per norm,
 * which on a small graph cost more than the arithmetic: a tiny LGGAN step runs ~240 norms. Sums
 * are taken in double precision, so the statistics are at least as accurate as stagedMoments'.
 *
 * Gradient (biased variance, eps inside the root, x̂ the output): per group of n values,
 * dx = (dy − mean(dy) − x̂·mean(dy·x̂)) / √(variance + eps).
 */
import * as tf from '@tensorflow/tfjs-core';
import { hostPaths, valuesInPlace } from '../host-values.ts';
import { customGradient } from '../tensor-utils.ts';

/** Maps up to this many values take the host path; bigger ones keep the vectorised kernels. */
export const HOST_STANDARDIZE_MAX_ELEMENTS = 1 << 20;

/** The reductions this covers: per sample and channel ([1, 2]), or per channel ([0, 1, 2]). */
export type StandardizeAxes = 'spatial' | 'batch-spatial';

export function standardizeOnHost(x: tf.Tensor): boolean {
  return x.rank === 4 && x.dtype === 'float32' && x.size <= HOST_STANDARDIZE_MAX_ELEMENTS && hostPaths.onHost(tf.getBackend());
}

export interface Standardized {
  /** The normalised map, differentiable in x. */
  y: tf.Tensor4D;
  /** Per group (kept dims: [B, 1, 1, C] or [1, 1, 1, C]), not differentiable: for running statistics. */
  mean: tf.Tensor4D;
  variance: tf.Tensor4D;
}

/** Each value's group, sample·C + channel (spatial) or channel (batch-spatial), for NHWC [b, h, w, c]; kept for the shapes last seen. */
const groupCache = new Map<string, { count: number; group: Int32Array }>();
const GROUP_CACHE_ENTRIES = 32;

function groupsOf(shape: readonly number[], axes: StandardizeAxes): { count: number; group: Int32Array } {
  const key = `${shape.join('x')}:${axes}`;
  let entry = groupCache.get(key);
  if (!entry) {
    const [b, h, w, c] = shape;
    const group = new Int32Array(b * h * w * c);
    for (let bi = 0, i = 0; bi < b; bi++) {
      const base = axes === 'spatial' ? bi * c : 0;
      for (let p = 0; p < h * w; p++) for (let ci = 0; ci < c; ci++) group[i++] = base + ci;
    }
    entry = { count: axes === 'spatial' ? b * c : c, group };
    if (groupCache.size >= GROUP_CACHE_ENTRIES) groupCache.delete(groupCache.keys().next().value!);
    groupCache.set(key, entry);
  }
  return entry;
}

export function hostStandardize(x: tf.Tensor4D, axes: StandardizeAxes, eps: number): Standardized {
  const [b, , , c] = x.shape;
  const groups = groupsOf(x.shape, axes);
  const { group } = groups;
  const n = x.size / groups.count;

  // A view into the backend's memory: read through before any new tensor is made.
  const values = valuesInPlace(x);
  const sums = new Float64Array(groups.count);
  for (let i = 0; i < values.length; i++) sums[group[i]] += values[i];
  const mean = sums.map((s) => s / n);
  const squares = new Float64Array(groups.count);
  for (let i = 0; i < values.length; i++) {
    const d = values[i] - mean[group[i]];
    squares[group[i]] += d * d;
  }
  const variance = squares.map((s) => s / n);
  const scale = variance.map((v) => 1 / Math.sqrt(v + eps));
  const y = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) y[i] = (values[i] - mean[group[i]]) * scale[group[i]];

  const statShape: [number, number, number, number] = axes === 'spatial' ? [b, 1, 1, c] : [1, 1, 1, c];
  const standardize = customGradient(([input], save) => {
    const out = tf.tensor(y, input.shape, 'float32');
    save([out]);
    return {
      value: out,
      gradFunc: (dy, [saved]) => {
        const dyValues = valuesInPlace(dy);
        const yValues = valuesInPlace(saved);
        const sumDy = new Float64Array(groups.count);
        const sumDyY = new Float64Array(groups.count);
        for (let i = 0; i < dyValues.length; i++) {
          sumDy[group[i]] += dyValues[i];
          sumDyY[group[i]] += dyValues[i] * yValues[i];
        }
        const dx = new Float32Array(dyValues.length);
        for (let i = 0; i < dx.length; i++) {
          const g = group[i];
          dx[i] = (dyValues[i] - sumDy[g] / n - yValues[i] * (sumDyY[g] / n)) * scale[g];
        }
        return [tf.tensor(dx, input.shape, 'float32')];
      },
    };
  });
  return {
    y: standardize(x) as tf.Tensor4D,
    mean: tf.tensor(Float32Array.from(mean), statShape, 'float32') as tf.Tensor4D,
    variance: tf.tensor(Float32Array.from(variance), statShape, 'float32') as tf.Tensor4D,
  };
}
