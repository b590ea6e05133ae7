/**
 * PyTorch ⇄ tfjs weight layouts for the official key mapping. The target shapes come from the
 * compiler's `tfjsShape`; the axis permutations here must reproduce them (checked on every call).
 *   conv2d            [out, in, kh, kw] → [kh, kw, in, out]
 *   conv2d-transpose  [in, out, kh, kw] → [kh, kw, out, in]
 *   linear            [out, in]         → [in, out]
 *   vector, scalar    unchanged
 */
import type { OfficialKey } from '../../../nodes/contract.ts';
import { tfjsShape } from '../../compiler/official.ts';
import { TorchCheckpointError } from './errors.ts';

type Layout = OfficialKey['layout'];

/** Output axis i takes input axis PERMUTATION[i] (tf.transpose's convention). */
const TORCH_TO_TFJS: Record<Layout, number[] | null> = {
  conv2d: [2, 3, 1, 0],
  'conv2d-transpose': [2, 3, 1, 0],
  linear: [1, 0],
  vector: null,
  scalar: null,
};

function inverse(perm: readonly number[]): number[] {
  const out = new Array<number>(perm.length);
  perm.forEach((p, i) => (out[p] = i));
  return out;
}

/** Row-major transpose of `values` (shape `shape`) by `perm`. */
export function permute(values: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  if (shape.length === 4) return permute4(values, shape, perm);
  if (shape.length === 2 && perm[0] === 1) return transpose2d(values, shape[0], shape[1]);
  return permuteGeneric(values, shape, perm);
}

/** Any permutation, walking the output in order. */
export function permuteGeneric(values: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const inStrides = new Array<number>(rank);
  let step = 1;
  for (let i = rank - 1; i >= 0; i--) {
    inStrides[i] = step;
    step *= shape[i];
  }
  const stridesByOutAxis = perm.map((p) => inStrides[p]);
  const out = new Float32Array(values.length);
  const index = new Array<number>(rank).fill(0);
  let src = 0;
  for (let n = 0; n < values.length; n++) {
    out[n] = values[src];
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      src += stridesByOutAxis[d];
      if (index[d] < outShape[d]) break;
      src -= stridesByOutAxis[d] * outShape[d];
      index[d] = 0;
    }
  }
  return out;
}

function checkRank(shape: readonly number[], layout: Layout, what: string): void {
  const rank = { conv2d: 4, 'conv2d-transpose': 4, linear: 2, vector: 1, scalar: 0 }[layout];
  if (shape.length !== rank) throw new TorchCheckpointError(`${what}: a ${layout} tensor must have rank ${rank}, got [${shape.join(', ')}]`);
}

/** PyTorch values → the tfjs variable's layout, with the shape tfjsShape gives. */
export function toTfjsLayout(values: Float32Array, torchShape: readonly number[], layout: Layout, what: string): { shape: number[]; values: Float32Array } {
  checkRank(torchShape, layout, what);
  const shape = tfjsShape(torchShape, layout);
  const perm = TORCH_TO_TFJS[layout];
  if (!perm) return { shape, values };
  const permuted = perm.map((p) => torchShape[p]);
  if (permuted.join() !== shape.join()) throw new Error(`internal: the ${layout} permutation gives [${permuted}] but tfjsShape says [${shape}]`);
  return { shape, values: permute(values, torchShape, perm) };
}

/** tfjs variable values → PyTorch's layout `torchShape`. */
export function toTorchLayout(values: Float32Array, torchShape: readonly number[], layout: Layout, what: string): Float32Array {
  checkRank(torchShape, layout, what);
  const perm = TORCH_TO_TFJS[layout];
  if (!perm) return values;
  return permute(values, tfjsShape(torchShape, layout), inverse(perm));
}

/** [rows, cols] → [cols, rows], in cache-sized tiles. */
function transpose2d(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  const TILE = 32;
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = Math.min(rows, r0 + TILE);
    for (let c0 = 0; c0 < cols; c0 += TILE) {
      const c1 = Math.min(cols, c0 + TILE);
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) out[c * rows + r] = values[r * cols + c];
    }
  }
  return out;
}

/** Rows of `width` values reordered from (b, y, x) to (y, x, b) order, or back with `inverse`. */
function reorderRows(values: Float32Array, b: number, yx: number, width: number, inverse: boolean): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < b; i++)
    for (let j = 0; j < yx; j++) {
      const [from, to] = inverse ? [j * b + i, i * yx + j] : [i * yx + j, j * b + i];
      out.set(values.subarray(from * width, (from + 1) * width), to * width);
    }
  return out;
}

/**
 * The two layout changes of 4-D weights without strided walks over hundreds of megabytes:
 * [A, B, H, W] → [H, W, B, A] is a tiled 2-D transpose to [B, H, W, A] and a reordering of
 * A-long rows; the inverse does the same backwards. Other permutations take the generic walk.
 */
function permute4(values: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const key = perm.join();
  if (key === '2,3,1,0') {
    const [a, b, h, w] = shape;
    return reorderRows(transpose2d(values, a, b * h * w), b, h * w, a, false);
  }
  if (key === '3,2,0,1') {
    const [h, w, b, a] = shape;
    return transpose2d(reorderRows(values, b, h * w, a, true), b * h * w, a);
  }
  return permuteGeneric(values, shape, perm);
}
