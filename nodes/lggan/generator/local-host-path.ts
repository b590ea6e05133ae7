/**
 * The class images' window sums of the disjoint-masks path, for backends whose tensors live in this
 * thread's memory (wasm, cpu): reading a tensor is a copy, not a trip to a device, so the steps
 * that depend on each pixel's class run as plain loops instead of dense tensor ops.
 *
 * For masks with at most one class per pixel, padded pixel p' of class l = l(p') and mask value
 * v(p') projects to Z(p') = v(p') · W_lᵀ F(p') (C → 49·3 taps) and
 *   S(p, k, o) = Σ_{t : l(p+t) = k} Z(p+t, t, o).
 * - Projection: pixels are sorted by class (a counting sort), and each class's rows are multiplied
 *   by its own filters in one matMul: C·147 multiply-adds per pixel, where the dense form on the
 *   device paths spends K·C·147 (every class's filters on every pixel, most of them masked to 0).
 * - Window sums: each (p, t) reads Z(p+t, t, ·) once and adds it into (p, l(p+t)).
 * The gradient runs the same steps backwards: dZ(p+t, t) = dS(p, l(p+t)); per class,
 * dF = v · dZ W_l and dW_l = (v·F)ᵀ dZ. The masks get no gradient, as on the other paths.
 */
import * as tf from '@tensorflow/tfjs-core';
import { customGradient } from '../../core/tensor-utils.ts';

/** Sub-generator conv: 7×7 after a reflect pad of 3, 3 output channels. */
export const SUB_KERNEL = 7;
export const SUB_PAD = 3;
export const RGB = 3;
const TAPS = SUB_KERNEL * SUB_KERNEL;

/** Batch, output and padded sizes of the 7×7 windows. */
export interface WindowGeometry {
  b: number;
  h: number;
  w: number;
  hp: number;
  wp: number;
}

export function windowGeometry([b, hp, wp]: readonly number[]): WindowGeometry {
  return { b, h: hp - 2 * SUB_PAD, w: wp - 2 * SUB_PAD, hp, wp };
}

/** Each padded pixel's class (the first nonzero mask; 0 where none is) and that mask's value. */
interface PixelClasses {
  labels: Int32Array;
  values: Float32Array;
  /** Pixels sorted by class, and where each class's run starts (classes + 1 entries). */
  order: Int32Array;
  starts: Int32Array;
}

function pixelClasses(masks: Float32Array, pixels: number, classes: number): PixelClasses {
  const labels = new Int32Array(pixels);
  const values = new Float32Array(pixels);
  const counts = new Int32Array(classes + 1);
  for (let p = 0; p < pixels; p++) {
    const row = p * classes;
    let label = 0;
    for (let k = 0; k < classes; k++) {
      if (masks[row + k] !== 0) {
        label = k;
        break;
      }
    }
    labels[p] = label;
    values[p] = masks[row + label];
    counts[label + 1]++;
  }
  const starts = new Int32Array(classes + 1);
  for (let k = 0; k < classes; k++) starts[k + 1] = starts[k] + counts[k + 1];
  const next = starts.slice(0, classes);
  const order = new Int32Array(pixels);
  for (let p = 0; p < pixels; p++) order[next[labels[p]]++] = p;
  return { labels, values, order, starts };
}

/** Rows of `source` ([pixels, width]) in `order`, each scaled by `scale[pixel]` when given. */
function permuteRows(source: Float32Array, order: Int32Array, width: number, scale?: Float32Array): Float32Array {
  const out = new Float32Array(order.length * width);
  for (let i = 0; i < order.length; i++) {
    const from = order[i] * width;
    const s = scale ? scale[order[i]] : 1;
    for (let j = 0; j < width; j++) out[i * width + j] = source[from + j] * s;
  }
  return out;
}

/** The inverse of permuteRows: row i of `sorted` goes back to row order[i], scaled when asked. */
function unpermuteRows(sorted: Float32Array, order: Int32Array, width: number, scale?: Float32Array): Float32Array {
  const out = new Float32Array(order.length * width);
  for (let i = 0; i < order.length; i++) {
    const to = order[i] * width;
    const s = scale ? scale[order[i]] : 1;
    for (let j = 0; j < width; j++) out[to + j] = sorted[i * width + j] * s;
  }
  return out;
}

/** One matMul per class over its run of sorted rows; `each` gets the rows and the class. */
function perClass(starts: Int32Array, each: (k: number, start: number, count: number) => tf.Tensor | undefined): tf.Tensor[] {
  const parts: tf.Tensor[] = [];
  for (let k = 0; k + 1 < starts.length; k++) {
    const part = each(k, starts[k], starts[k + 1] - starts[k]);
    if (part) parts.push(part);
  }
  return parts;
}

/** The rows of every part, one after another. */
function concatRows(parts: tf.Tensor[]): tf.Tensor {
  return parts.length === 1 ? parts[0] : tf.concat(parts, 0);
}

/**
 * A tensor's values, and the tensor disposed. Never return typed arrays from tf.tidy: it walks its
 * result looking for tensors, element by element.
 */
function readAndDispose(t: tf.Tensor): Float32Array {
  const values = t.dataSync() as Float32Array;
  t.dispose();
  return values;
}

/**
 * S [B·H·W, K, 3] from the reflect-padded features [B, Hp, Wp, C] and masks [B, Hp, Wp, K] and the
 * stacked filters [K, C, 49·3] (row (k, c), column (tap, o)).
 */
export function hostClassSums(paddedF: tf.Tensor4D, paddedM: tf.Tensor4D, weights: tf.Tensor3D): tf.Tensor3D {
  const geometry = windowGeometry(paddedF.shape);
  const [classes, channels, width] = weights.shape;
  const pixels = geometry.b * geometry.hp * geometry.wp;
  const rows = geometry.b * geometry.h * geometry.w;
  const sums = customGradient(([fIn, wIn]) => {
    const classesOf = pixelClasses(paddedM.dataSync() as Float32Array, pixels, classes);
    const { order, starts, labels, values } = classesOf;
    const sortedF = permuteRows(fIn.dataSync() as Float32Array, order, channels, values); // v·F, by class
    const filters = (w: tf.Tensor, k: number) => tf.reshape(tf.slice(w, [k, 0, 0], [1, channels, width]), [channels, width]);
    const z = unpermuteRows(
      readAndDispose(
        tf.tidy(() => {
          const f = tf.tensor2d(sortedF, [pixels, channels]);
          return concatRows(perClass(starts, (k, start, count) => (count > 0 ? tf.matMul(tf.slice(f, [start, 0], [count, channels]), filters(wIn, k)) : undefined)));
        }),
      ),
      order,
      width,
    );
    const pairs = windowPairs(labels, geometry, classes);
    const value = tf.tensor3d(windowSums(z, pairs, rows * classes * RGB), [rows, classes, RGB]);
    return {
      value,
      gradFunc: (ds) => {
        const dzSorted = tf.tensor2d(permuteRows(windowGradient(ds.dataSync() as Float32Array, pairs, pixels * width), order, width), [pixels, width]);
        const f = tf.tensor2d(sortedF, [pixels, channels]);
        const rowsOf = (t: tf.Tensor2D, start: number, count: number, cols: number) => tf.slice(t, [start, 0], [count, cols]);
        const dfSorted = tf.tidy(() => concatRows(perClass(starts, (k, start, count) => (count > 0 ? tf.matMul(rowsOf(dzSorted, start, count, width), filters(wIn, k), false, true) : undefined))));
        const dw = tf.tidy(() =>
          tf.stack(perClass(starts, (_, start, count) => (count > 0 ? tf.matMul(rowsOf(f, start, count, channels), rowsOf(dzSorted, start, count, width), true, false) : tf.zeros([channels, width])))),
        );
        tf.dispose([dzSorted, f]);
        return [tf.tensor4d(unpermuteRows(readAndDispose(dfSorted), order, channels, values), paddedF.shape), dw];
      },
    };
  });
  return sums(paddedF, weights) as tf.Tensor3D;
}

/**
 * For every output pixel p and tap t, in that order: where Z(p + t, t, ·) is (`from`, an offset into
 * Z [B·Hp·Wp·49·3]) and where S(p, l(p + t), ·) is (`to`, into S [B·H·W·K·3]). The forward pass adds
 * along these pairs and the gradient copies back along them: each `from` occurs exactly once.
 */
function windowPairs(labels: Int32Array, { b, h, w, hp, wp }: WindowGeometry, classes: number): { from: Int32Array; to: Int32Array } {
  const from = new Int32Array(b * h * w * TAPS);
  const to = new Int32Array(b * h * w * TAPS);
  let pixel = 0;
  let i = 0;
  for (let n = 0; n < b; n++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++, pixel++) {
        const origin = (n * hp + y) * wp + x;
        for (let ty = 0, t = 0; ty < SUB_KERNEL; ty++) {
          for (let tx = 0; tx < SUB_KERNEL; tx++, t++, i++) {
            const source = origin + ty * wp + tx;
            from[i] = (source * TAPS + t) * RGB;
            to[i] = (pixel * classes + labels[source]) * RGB;
          }
        }
      }
    }
  }
  return { from, to };
}

/** S from Z: each window tap added into its pixel's class. */
function windowSums(z: Float32Array, { from, to }: { from: Int32Array; to: Int32Array }, size: number): Float32Array {
  const sums = new Float32Array(size);
  for (let i = 0; i < from.length; i++) {
    const [f, t] = [from[i], to[i]];
    sums[t] += z[f];
    sums[t + 1] += z[f + 1];
    sums[t + 2] += z[f + 2];
  }
  return sums;
}

/** dZ from dS: the same pairs the other way round (taps no window reaches stay 0). */
function windowGradient(ds: Float32Array, { from, to }: { from: Int32Array; to: Int32Array }, size: number): Float32Array {
  const dz = new Float32Array(size);
  for (let i = 0; i < from.length; i++) {
    const [f, t] = [from[i], to[i]];
    dz[f] = ds[t];
    dz[f + 1] = ds[t + 1];
    dz[f + 2] = ds[t + 2];
  }
  return dz;
}
