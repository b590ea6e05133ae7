/**
 * Spectral norm's power iteration and σ in one pass over the weight, for the backends whose
 * tensors live in this thread (wasm, cpu) and weights small enough that ~30 small kernels a call
 * (the block products, two normalisations, σ and their tape entries) cost more than the
 * arithmetic: a tiny LGGAN step applies 48 spectral norms. Same mathematics as spectral-norm.ts's
 * kernels (PyTorch's: v ← normalize(matᵀu), u ← normalize(mat·v), σ = uᵀ·mat·v, differentiated
 * in W only, with u and v fixed), summed in double precision.
 */
import * as tf from '@tensorflow/tfjs-core';
import { hostPaths, valuesInPlace } from '../host-values.ts';
import { customGradient } from '../tensor-utils.ts';

/** Weights up to this many elements take the host path (bigger ones: the vectorised kernels win, and the index maps would be large). */
export const HOST_SPECTRAL_MAX_ELEMENTS = 1 << 18;

export function spectralOnHost(weight: tf.Tensor): boolean {
  return weight.size <= HOST_SPECTRAL_MAX_ELEMENTS && hostPaths.onHost(tf.getBackend());
}

/** Where each weight element sits in PyTorch's matrix mat(W) [out, in·kh·kw]. */
export interface MatrixIndex {
  rows: Int32Array;
  cols: Int32Array;
  out: number;
  inner: number;
}

/**
 * The index for a tfjs weight of `shape` whose PyTorch axis order is `torchOrder` (tfjs axes:
 * the first is mat's row axis, the rest flatten into its columns in that order).
 */
export function matrixIndex(shape: readonly number[], torchOrder: readonly number[]): MatrixIndex {
  const size = shape.reduce((a, b) => a * b, 1);
  const tfStrides = shape.map((_, a) => shape.slice(a + 1).reduce((x, y) => x * y, 1));
  const colStrides = new Array<number>(shape.length).fill(0); // by tfjs axis; the row axis has none
  for (let j = torchOrder.length - 1, stride = 1; j >= 1; j--) {
    colStrides[torchOrder[j]] = stride;
    stride *= shape[torchOrder[j]];
  }
  const rowAxis = torchOrder[0];
  const rows = new Int32Array(size);
  const cols = new Int32Array(size);
  for (let idx = 0; idx < size; idx++) {
    let col = 0;
    for (let a = 0; a < shape.length; a++) {
      const c = Math.floor(idx / tfStrides[a]) % shape[a];
      if (a === rowAxis) rows[idx] = c;
      else col += c * colStrides[a];
    }
    cols[idx] = col;
  }
  return { rows, cols, out: shape[rowAxis], inner: size / shape[rowAxis] };
}

/** x / max(‖x‖, 1e-12), as PyTorch's normalize. */
function normalized(x: Float64Array): Float32Array {
  let squares = 0;
  for (let i = 0; i < x.length; i++) squares += x[i] * x[i];
  const scale = 1 / Math.max(Math.sqrt(squares), 1e-12);
  return Float32Array.from(x, (value) => value * scale);
}

export interface HostSpectralState {
  orig: tf.Variable;
  u: tf.Variable;
  v: tf.Variable;
}

/**
 * σ of `state` as a scalar whose gradient in `orig` is dy·u·vᵀ (laid out as the weight); in
 * training mode one power-iteration step first, stored in u and v.
 */
export function hostSigma(state: HostSpectralState, index: MatrixIndex, training: boolean): tf.Scalar {
  const { rows, cols } = index;
  // Views into the backend's memory: everything is read before the first new tensor is made.
  const w = valuesInPlace(state.orig);
  let u: Float32Array = Float32Array.from(valuesInPlace(state.u));
  let v: Float32Array = Float32Array.from(valuesInPlace(state.v));
  if (training) {
    const matTu = new Float64Array(index.inner);
    for (let i = 0; i < w.length; i++) matTu[cols[i]] += w[i] * u[rows[i]];
    v = normalized(matTu);
    const matV = new Float64Array(index.out);
    for (let i = 0; i < w.length; i++) matV[rows[i]] += w[i] * v[cols[i]];
    u = normalized(matV);
  }
  let sigma = 0;
  for (let i = 0; i < w.length; i++) sigma += u[rows[i]] * w[i] * v[cols[i]];
  if (training) {
    state.u.assign(tf.tensor1d(u));
    state.v.assign(tf.tensor1d(v));
  }
  const [fixedU, fixedV] = [u, v];
  const sigmaOf = customGradient(([weight]) => ({
    value: tf.scalar(sigma),
    gradFunc: (dy) => {
      const outer = new Float32Array(weight.size);
      for (let i = 0; i < outer.length; i++) outer[i] = fixedU[rows[i]] * fixedV[cols[i]];
      return [tf.mul(dy, tf.tensor(outer, weight.shape))];
    },
  }));
  return sigmaOf(state.orig) as tf.Scalar;
}
