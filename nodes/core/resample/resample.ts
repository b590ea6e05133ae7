/**
 * Resampling with PyTorch's conventions and correct gradients on every tfjs backend.
 *
 * - Nearest: PyTorch maps output index i to floor(i·in/out). tfjs's resizeNearestNeighbor with
 *   alignCorners = halfPixelCenters = false does the same forward, but its cpu gradient kernel
 *   reads dy at the wrong offset for every sample after the first (it uses the input's batch
 *   stride). Integer ratios therefore repeat or subsample pixels with reshape/concat/slice.
 * - Bilinear (align_corners=False): PyTorch samples at (i + 0.5)/scale − 0.5, clamped at the
 *   borders. tfjs's resizeBilinear can do that forward (halfPixelCenters), but its gradient
 *   kernels ignore halfPixelCenters, so training would get wrong gradients. For integer scale
 *   factors we instead blend edge-replicated shifted copies, one output phase at a time.
 * - Average pooling with count_include_pad=False: tfjs's avgPool forward excludes padding, but
 *   its cpu gradient divides by k² everywhere. We pool the zero-padded input with 'valid' and
 *   divide by the pooled coverage of a ones mask, which is exact in both directions.
 */
import * as tf from '@tensorflow/tfjs-core';
import { edgePad1, spatialPaddings } from '../tensor-utils.ts';

/**
 * Repeats every row (axis 1) or column (axis 2) `times` times: rank-4 reshapes and one concat of
 * `times` views (its gradient: slices and a sum). Not broadcastTo: its Tile kernel on wasm indexes
 * element by element, ≈ 10× slower than the concat's block copies.
 */
function repeatAxis(x: tf.Tensor4D, axis: 1 | 2, times: number): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const rows = axis === 1 ? tf.reshape(x, [b, h, 1, w * c]) : tf.reshape(x, [b * h, w, 1, c]);
  const repeated = tf.concat(new Array<tf.Tensor>(times).fill(rows), 2);
  return tf.reshape(repeated, axis === 1 ? [b, h * times, w, c] : [b, h, w * times, c]);
}

/** Keeps every `step`-th row (axis 1) or column (axis 2), starting with the first. */
function subsampleAxis(x: tf.Tensor4D, axis: 1 | 2, step: number): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  if (axis === 1) return tf.reshape(tf.slice(tf.reshape(x, [b, h / step, step, w * c]), 0, [b, h / step, 1, w * c]), [b, h / step, w, c]);
  return tf.reshape(tf.slice(tf.reshape(x, [b * h, w / step, step, c]), 0, [b * h, w / step, 1, c]), [b, h, w / step, c]);
}

/** Nearest along one axis to `size`: PyTorch's source index floor(i·n/size). */
function nearestAxis(x: tf.Tensor4D, axis: 1 | 2, size: number): tf.Tensor4D {
  const n = x.shape[axis];
  if (size === n) return x;
  if (size % n === 0) return repeatAxis(x, axis, size / n);
  if (n % size === 0) return subsampleAxis(x, axis, n / size);
  const target: [number, number] = axis === 1 ? [size, x.shape[2]] : [x.shape[1], size];
  // Non-integer ratio: tfjs's resize, whose cpu gradient mis-indexes batches after the first.
  return tf.image.resizeNearestNeighbor(x, target, false, false);
}

/**
 * Nearest-neighbour resize to [height, width] with PyTorch's floor(i·in/out) source index.
 * Integer ratios are built from reshape/concat/slice, whose gradients are exact for any batch.
 */
export function nearestResize(x: tf.Tensor4D, height: number, width: number): tf.Tensor4D {
  return tf.tidy(() => nearestAxis(nearestAxis(x, 1, height), 2, width));
}

export function nearestUpsample(x: tf.Tensor4D, scale: number): tf.Tensor4D {
  if (scale === 1) return x;
  return nearestResize(x, x.shape[1] * scale, x.shape[2] * scale);
}

/** Linear interpolation along one spatial axis (1 = height, 2 = width) by an integer factor. */
function bilinearAxis(x: tf.Tensor4D, scale: number, axis: 1 | 2): tf.Tensor4D {
  const n = x.shape[axis];
  // Neighbours past the border clamp to the edge pixel, as in PyTorch.
  const padded = edgePad1(x, axis);
  const copies = new Map<number, tf.Tensor>();
  const shifted = (offset: -1 | 0 | 1): tf.Tensor => {
    let copy = copies.get(offset);
    if (!copy) {
      const begin = [0, 0, 0, 0];
      begin[axis] = 1 + offset;
      copy = tf.slice(padded, begin, x.shape);
      copies.set(offset, copy);
    }
    return copy;
  };
  const centre = shifted(0);
  const phases: tf.Tensor[] = [];
  for (let r = 0; r < scale; r++) {
    // Output pixel i·scale + r samples the input at i + f.
    const f = (r + 0.5) / scale - 0.5;
    if (f === 0) phases.push(centre);
    else if (f > 0) phases.push(tf.add(tf.mul(centre, 1 - f), tf.mul(shifted(1), f)));
    else phases.push(tf.add(tf.mul(centre, 1 + f), tf.mul(shifted(-1), -f)));
  }
  // Interleave the phases: stacking right after `axis` and merging puts phase r at i·scale + r.
  const outShape: [number, number, number, number] = [...x.shape];
  outShape[axis] = n * scale;
  return tf.reshape(tf.stack(phases, axis + 1), outShape) as tf.Tensor4D;
}

/** Bilinear upsampling by an integer factor, equal to PyTorch's align_corners=False. */
export function bilinearUpsample(x: tf.Tensor4D, scale: number): tf.Tensor4D {
  if (scale === 1) return x;
  return tf.tidy(() => bilinearAxis(bilinearAxis(x, scale, 1), scale, 2));
}

/** Average pooling that averages over the in-image part of each window (count_include_pad=False). */
export function avgPoolExcludePadding(x: tf.Tensor4D, kernel: number, stride: number, padding: number): tf.Tensor4D {
  if (padding === 0) return tf.avgPool(x, kernel, stride, 'valid');
  return tf.tidy(() => {
    const paddings = spatialPaddings(padding);
    const windowMeans = tf.avgPool(tf.pad(x, paddings), kernel, stride, 'valid');
    const inside = tf.pad(tf.ones([1, x.shape[1], x.shape[2], 1]) as tf.Tensor4D, paddings);
    const coverage = tf.avgPool(inside, kernel, stride, 'valid');
    return tf.div(windowMeans, coverage) as tf.Tensor4D;
  });
}
