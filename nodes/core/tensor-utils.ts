/**
 * Small tensor helpers that keep to ops with gradients on every tfjs backend (see the machine
 * notes: no stridedSlice, no depthToSpace, norms through `moments`, here stagedMoments).
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Identity in the forward pass, zero gradient in the backward pass (tfjs has no stopGradient).
 * Used where PyTorch computes under `no_grad`, e.g. the spectral-norm power iteration.
 */
export const stopGradient = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
  value: tf.clone(args[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as (x: tf.Tensor) => tf.Tensor;

/**
 * tf.customGrad with the inputs as one array (tfjs types each argument as Tensor | GradSaveFunc).
 * `gradFunc` returns one gradient per input, in order.
 */
export function customGradient(
  f: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[] },
): (...inputs: tf.Tensor[]) => tf.Tensor {
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => f(args.slice(0, -1) as tf.Tensor[], args[args.length - 1] as tf.GradSaveFunc)) as (...inputs: tf.Tensor[]) => tf.Tensor;
}

/**
 * Mean and biased variance over `axes` (tf.moments), accurate where a backend accumulates in float32.
 * tfjs-wasm's Mean and Sum kernels add into one float32 running value per output, so over a whole
 * 64×128 map the mean drifts by ≈1.5e-6 relative (tfjs-cpu, which adds in float64: ≈4e-8), and a
 * norm's output (x − mean)/σ magnifies that by mean/σ. Two remedies, both plain tfjs ops:
 * - staged sums: one axis at a time (rows, then the row means …), so no running sum spans more
 *   than one row or column; equal-sized groups make the mean of the means the mean exactly;
 * - shifted data: the statistics are taken of the deviations from a first staged estimate of the
 *   mean, which are of the size of the spread rather than of the mean.
 * Together: ≈3e-8 relative for the mean and ≈2e-7 for the variance on wasm over 64×128. The
 * estimate is held constant for the gradient, so dmean/dx = 1/n and dvar/dx = 2(x − mean)/n exactly.
 */
export function stagedMoments(x: tf.Tensor, axes: readonly number[], keepDims = false): { mean: tf.Tensor; variance: tf.Tensor } {
  const order = reducedAxes(x, axes);
  return tf.tidy(() => {
    const { mean, deviation, correction } = shiftedMean(x, order);
    // E[(x − e)²] − (E[x] − e)²: the correction is tiny, but for a constant map the two rounded
    // terms can differ by a hair below zero.
    const variance = tf.relu(tf.sub(meanAlong(tf.square(deviation), order), tf.square(correction)));
    if (keepDims || order.length === 0) return { mean, variance };
    return { mean: tf.squeeze(mean, order), variance: tf.squeeze(variance, order) };
  });
}

/** The mean over `axes` as stagedMoments takes it (e.g. a global average pool). */
export function stagedMean(x: tf.Tensor, axes: readonly number[], keepDims = false): tf.Tensor {
  const order = reducedAxes(x, axes);
  return tf.tidy(() => {
    const { mean } = shiftedMean(x, order);
    return keepDims || order.length === 0 ? mean : tf.squeeze(mean, order);
  });
}

/** The mean (kept dims) as a constant estimate plus the mean of the deviations from it. */
function shiftedMean(x: tf.Tensor, order: readonly number[]): { mean: tf.Tensor; deviation: tf.Tensor; correction: tf.Tensor } {
  const estimate = stopGradient(meanAlong(x, order));
  const deviation = tf.sub(x, estimate);
  const correction = meanAlong(deviation, order);
  return { mean: tf.add(estimate, correction), deviation, correction };
}

/** tf.mean over `order` (distinct axes, last first), one axis at a time, dims kept. */
function meanAlong(x: tf.Tensor, order: readonly number[]): tf.Tensor {
  let m = x;
  for (const axis of order) m = tf.mean(m, axis, true);
  return m;
}

/**
 * Whether the active backend adds a reduction into one float32 running value (tfjs-wasm), so that
 * statistics over whole maps need stagedMoments. tfjs-cpu adds in float64; webgl and webgpu reduce
 * in stages of their own (webgl: windows of ≈√n), so there tf.moments is accurate and cheaper.
 */
function reducesInOnePass(): boolean {
  return tf.getBackend() === 'wasm';
}

/** The moments the norm layers take: stagedMoments where reductions need it, else tf.moments. */
export function normMoments(x: tf.Tensor, axes: readonly number[], keepDims = false): { mean: tf.Tensor; variance: tf.Tensor } {
  return reducesInOnePass() ? stagedMoments(x, axes, keepDims) : tf.moments(x, [...axes], keepDims);
}

/** The mean over whole maps (e.g. global average pooling): stagedMean where reductions need it, else tf.mean. */
export function mapMean(x: tf.Tensor, axes: readonly number[], keepDims = false): tf.Tensor {
  return reducesInOnePass() ? stagedMean(x, axes, keepDims) : tf.mean(x, [...axes], keepDims);
}

/** `axes` as non-negative, distinct, last first. */
function reducedAxes(x: tf.Tensor, axes: readonly number[]): number[] {
  for (const a of axes) if (!Number.isInteger(a) || a < -x.rank || a >= x.rank) throw new RangeError(`axis ${a} is outside a rank-${x.rank} tensor`);
  return [...new Set(axes.map((a) => (a < 0 ? a + x.rank : a)))].sort((a, b) => b - a);
}

/** x / max(‖x‖₂, eps), as torch.nn.functional.normalize for a vector. */
export function l2Normalize(x: tf.Tensor, eps = 1e-12): tf.Tensor {
  return tf.tidy(() => tf.div(x, tf.maximum(tf.norm(x), eps)));
}

/** Paddings for NHWC height and width, the same amount on every side. */
export function spatialPaddings(amount: number): Array<[number, number]> {
  return [
    [0, 0],
    [amount, amount],
    [amount, amount],
    [0, 0],
  ];
}

function sliceAxis(x: tf.Tensor4D, axis: 1 | 2, start: number, size: number): tf.Tensor4D {
  const begin = [0, 0, 0, 0];
  const sizes = [...x.shape];
  begin[axis] = start;
  sizes[axis] = size;
  return tf.slice(x, begin, sizes);
}

/**
 * PyTorch ReflectionPad2d: [a b c d] → [c b | a b c d | c b] for 2 pixels; needs amount < size.
 * The forward pass is one tf.mirrorPad (a native kernel on every backend); the gradient is our
 * own, because tfjs's mirrorPad gradient only slices the centre out of dy and drops what flowed
 * into the mirrored border pixels. Ours folds each border back onto the pixels it mirrors.
 */
export function reflectPad(x: tf.Tensor4D, amount: number): tf.Tensor4D {
  if (amount === 0) return x;
  const pad = customGradient(([input]) => ({
    value: tf.mirrorPad(input as tf.Tensor4D, spatialPaddings(amount) as Array<[number, number]>, 'reflect'),
    gradFunc: (dy) => [tf.tidy(() => foldReflected(foldReflected(dy as tf.Tensor4D, 2, amount), 1, amount))],
  }));
  return pad(x) as tf.Tensor4D;
}

/**
 * The gradient of a reflect pad along one axis: dy of length n + 2a → dx of length n, where
 * padded index i < a mirrors x[a − i] and padded index a + n + j mirrors x[n − 2 − j].
 */
function foldReflected(dy: tf.Tensor4D, axis: 1 | 2, a: number): tf.Tensor4D {
  const n = dy.shape[axis] - 2 * a;
  const centre = sliceAxis(dy, axis, a, n);
  const before = tf.reverse(sliceAxis(dy, axis, 0, a), axis); // onto x[1 .. a]
  const after = tf.reverse(sliceAxis(dy, axis, a + n, a), axis); // onto x[n − 1 − a .. n − 2]
  if (2 * a + 2 <= n) {
    // The two strips land on separate pixels: add them to thin slices and reassemble (no full-size pad).
    const parts = [
      sliceAxis(centre, axis, 0, 1),
      tf.add(sliceAxis(centre, axis, 1, a), before),
      sliceAxis(centre, axis, a + 1, n - 2 * a - 2),
      tf.add(sliceAxis(centre, axis, n - 1 - a, a), after),
      sliceAxis(centre, axis, n - 1, 1),
    ].filter((part) => (part.shape[axis] ?? 0) > 0);
    return tf.concat(parts, axis) as tf.Tensor4D;
  }
  const along = (lo: number, hi: number): Array<[number, number]> => [0, 1, 2, 3].map((d) => (d === axis ? [lo, hi] : [0, 0]) as [number, number]);
  return tf.addN([centre, tf.pad(before, along(1, n - 1 - a)), tf.pad(after, along(n - 1 - a, 1))]) as tf.Tensor4D;
}

/** Repeats the edge pixel once on each side of `axis`: [a b c] → [a | a b c | c]. */
export function edgePad1(x: tf.Tensor4D, axis: 1 | 2): tf.Tensor4D {
  return tf.tidy(() => {
    const n = x.shape[axis];
    return tf.concat([sliceAxis(x, axis, 0, 1), x, sliceAxis(x, axis, n - 1, 1)], axis);
  });
}

/** Zero-pads height and width. */
export function zeroPad(x: tf.Tensor4D, amount: number): tf.Tensor4D {
  if (amount === 0) return x;
  return tf.pad(x, spatialPaddings(amount));
}

/**
 * Inputs per tfjs AddN kernel. tfjs-backend-webgpu 4.22's AddN binds each input and the output as
 * storage buffers and, unlike its concat, never splits: 8 inputs need 9 bindings, over the
 * maxStorageBuffersPerShaderStage of 8 that it requests its device with. The pipeline is then
 * invalid and so is the whole command buffer it was batched into: the sum and every kernel
 * recorded with it keep stale memory (garbage, zeros or NaN in unrelated tensors, e.g. the
 * "non-finite G gradients" of a SPADE graph whose feature-matching loss sums 2 D × 4 layers).
 */
export const MAX_ADDN_INPUTS = 7;

/**
 * Element-wise sum of same-shape tensors, as tf.addN, in AddN kernels of at most MAX_ADDN_INPUTS
 * inputs: the running sum is the first input of the next chunk. tfjs-cpu's AddN adds its inputs
 * one by one from zero, so the order of additions, and the cpu result, are exactly tf.addN's.
 */
export function addTerms<T extends tf.Tensor>(terms: readonly T[]): T {
  if (terms.length === 0) throw new Error('addTerms needs at least one tensor');
  if (terms.length <= MAX_ADDN_INPUTS) return terms.length === 1 ? tf.clone(terms[0]) : tf.addN([...terms]);
  return tf.tidy(() => {
    let sum = tf.addN(terms.slice(0, MAX_ADDN_INPUTS));
    for (let i = MAX_ADDN_INPUTS; i < terms.length; i += MAX_ADDN_INPUTS - 1) {
      sum = tf.addN([sum, ...terms.slice(i, i + MAX_ADDN_INPUTS - 1)]);
    }
    return sum;
  });
}

/**
 * The most matrices one batched matMul multiplies. tfjs-backend-webgpu dispatches a batched matMul
 * with the batch as the Z workgroup count, and WebGPU allows at most 65,535 workgroups per
 * dimension (maxComputeWorkgroupsPerDimension's default, also what Dawn reports on NVIDIA):
 * beyond it tfjs fails with "Dispatch size exceeds WebGPU limits in Y or Z dimension".
 */
export const MAX_MATMUL_BATCH = 65535;

/**
 * tf.matMul of two 3-D tensors with the same batch, split along the batch into runs of at most
 * `maxBatch` and joined again: per-pixel products (a batch of B·H·W, 131,072 at 256×512) then run
 * on every backend. One matMul, as before, where the batch fits.
 */
export function batchedMatMul(a: tf.Tensor3D, b: tf.Tensor3D, transposeA = false, transposeB = false, maxBatch = MAX_MATMUL_BATCH): tf.Tensor3D {
  const batch = a.shape[0];
  if (batch <= maxBatch) return tf.matMul(a, b, transposeA, transposeB);
  const parts: tf.Tensor3D[] = [];
  for (let start = 0; start < batch; start += maxBatch) {
    const size = Math.min(maxBatch, batch - start);
    parts.push(tf.tidy(() => tf.matMul(tf.slice(a, [start, 0, 0], [size, -1, -1]), tf.slice(b, [start, 0, 0], [size, -1, -1]), transposeA, transposeB)));
  }
  const joined = tf.concat(parts, 0);
  tf.dispose(parts);
  return joined;
}
