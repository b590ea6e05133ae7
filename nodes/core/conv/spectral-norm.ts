/**
 * Spectral normalisation with PyTorch's semantics (torch.nn.utils.spectral_norm, one power
 * iteration per training forward), over tfjs weight layouts.
 *
 * PyTorch views a weight as the matrix mat(W) of shape [out, in·kh·kw] (output channels first,
 * then input channel, kernel row, kernel column). tfjs stores conv filters as [kh, kw, in, out],
 * transposed-conv filters as [kh, kw, out, in] and dense weights as [in, out]. `weightMatrix`
 * builds mat(W) explicitly (a reference, and for tests); the forward pass works on blocks of the
 * weight instead (see `blockView`). The u/v buffers have exactly the official checkpoints' shapes
 * and meaning.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BuildContext, Initializer } from '../../contract.ts';
import { l2Normalize, stopGradient } from '../tensor-utils.ts';
import { hostSigma, matrixIndex, spectralOnHost, type MatrixIndex } from './spectral-norm-host.ts';

export type WeightLayout = 'conv2d' | 'conv2d-transpose' | 'linear';

/** Axis order that turns the tfjs weight into PyTorch's [out, in, (kh, kw)]. */
const TORCH_AXIS_ORDER: Record<WeightLayout, number[]> = {
  conv2d: [3, 2, 0, 1], // [kh, kw, in, out] → [out, in, kh, kw]
  'conv2d-transpose': [2, 3, 0, 1], // [kh, kw, out, in] → [out, in, kh, kw]
  linear: [1, 0], // [in, out] → [out, in]
};

/** Output channels of a weight in `layout` (the length of u). */
export function outputChannels(shape: readonly number[], layout: WeightLayout): number {
  return shape[TORCH_AXIS_ORDER[layout][0]];
}

/** mat(W): the [out, in·kh·kw] matrix PyTorch's spectral norm works on. */
export function weightMatrix(weight: tf.Tensor, layout: WeightLayout): tf.Tensor2D {
  return tf.tidy(() => {
    const torchOrder = tf.transpose(weight, TORCH_AXIS_ORDER[layout]);
    const rows = outputChannels(weight.shape, layout);
    return tf.reshape(torchOrder, [rows, weight.size / rows]) as tf.Tensor2D;
  });
}

/** One power-iteration step: v ← normalize(matᵀu), then u ← normalize(mat·v). */
export function powerIteration(mat: tf.Tensor2D, u: tf.Tensor1D): { u: tf.Tensor1D; v: tf.Tensor1D } {
  return tf.tidy(() => {
    const v = l2Normalize(tf.squeeze(tf.matMul(mat, tf.expandDims(u, 1), true, false), [1])) as tf.Tensor1D;
    const nextU = l2Normalize(tf.squeeze(tf.matMul(mat, tf.expandDims(v, 1)), [1])) as tf.Tensor1D;
    return { u: nextU, v };
  });
}

/** σ = uᵀ·mat·v, differentiable in mat only when u and v carry no gradient. */
export function spectralSigma(mat: tf.Tensor2D, u: tf.Tensor1D, v: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.mul(u, tf.squeeze(tf.matMul(mat, tf.expandDims(v, 1)), [1]))) as tf.Scalar);
}

export interface SpectralState {
  /** The un-normalised weight W (PyTorch's `weight_orig`), trainable. */
  orig: tf.Variable;
  /** Non-trainable power-iteration vectors: u of length out, v of length in·kh·kw. */
  u: tf.Variable;
  v: tf.Variable;
  layout: WeightLayout;
}

/**
 * mat(W) without materialising it: the weight reshaped (free) into k = kh·kw blocks, each block
 * [in, out] (conv2d, linear: k = 1) or [out, in] (transposed conv). Products with mat are one
 * matrix-vector product over the [k·in, out] view (conv2d, linear) or batched matmuls summed over
 * the blocks (transposed conv). Only the short v vector is permuted
 * between PyTorch's (in, kh, kw) order and the blocks' (kh, kw, in) order. The weight-sized
 * transpose of `weightMatrix` (and its copy on the gradient tape) cost a fifth of a generator's
 * forward on wasm; this gives the same numbers up to summation order.
 */
interface BlockView {
  blocks: tf.Tensor3D;
  /** The blocks are [in, out] (so mat·v needs them transposed). */
  inputFirst: boolean;
  k: number;
  inputs: number;
}

function blockView(weight: tf.Tensor, layout: WeightLayout): BlockView {
  const s = weight.shape as [number, number, number, number]; // linear weights use the first two
  if (layout === 'linear') return { blocks: tf.reshape(weight, [1, s[0], s[1]]) as tf.Tensor3D, inputFirst: true, k: 1, inputs: s[0] };
  const k = s[0] * s[1];
  if (layout === 'conv2d') return { blocks: tf.reshape(weight, [k, s[2], s[3]]) as tf.Tensor3D, inputFirst: true, k, inputs: s[2] };
  return { blocks: tf.reshape(weight, [k, s[2], s[3]]) as tf.Tensor3D, inputFirst: false, k, inputs: s[3] };
}

/** v (PyTorch's (in, kh, kw) order) in the blocks' (kh, kw, in) order. */
function toBlockOrder(view: BlockView, v: tf.Tensor1D): tf.Tensor {
  return tf.transpose(tf.reshape(v, [view.inputs, view.k]), [1, 0]);
}

/**
 * mat·v for v in PyTorch's order: Σ_blocks block·v_block, length out. With [in, out] blocks this is
 * one product [k·in, out]ᵀ·v. (Not v·[k·in, out]: on wasm that hands the weight to XNNPACK, which
 * first packs all of it, ≈ 6× the time of the product itself.)
 */
function matTimesV(view: BlockView, v: tf.Tensor1D): tf.Tensor1D {
  if (view.inputFirst) {
    const rows = tf.reshape(view.blocks, [view.k * view.inputs, -1]);
    return tf.reshape(tf.matMul(rows, tf.reshape(toBlockOrder(view, v), [-1, 1]), true, false), [-1]) as tf.Tensor1D;
  }
  const perBlock = tf.reshape(toBlockOrder(view, v), [view.k, view.inputs, 1]); // [k, in, 1]
  return tf.reshape(tf.sum(tf.matMul(view.blocks, perBlock), 0), [-1]) as tf.Tensor1D;
}

/** matᵀ·u, in PyTorch's (in, kh, kw) order; with [in, out] blocks one matrix-vector product [k·in, out]·u (XNNPACK packs only u). */
function matTransposeTimesU(view: BlockView, u: tf.Tensor1D): tf.Tensor1D {
  const perBlock = view.inputFirst
    ? tf.reshape(tf.matMul(tf.reshape(view.blocks, [view.k * view.inputs, -1]), tf.reshape(u, [-1, 1])), [view.k, view.inputs])
    : tf.reshape(tf.matMul(view.blocks, tf.tile(tf.reshape(u, [1, -1, 1]), [view.k, 1, 1]), true, false), [view.k, view.inputs]);
  return tf.reshape(tf.transpose(perBlock, [1, 0]), [-1]) as tf.Tensor1D;
}

/** Each state's place map for the host path, made on first use. */
const hostIndices = new WeakMap<SpectralState, MatrixIndex>();

function hostIndexOf(state: SpectralState): MatrixIndex {
  let index = hostIndices.get(state);
  if (!index) hostIndices.set(state, (index = matrixIndex(state.orig.shape, TORCH_AXIS_ORDER[state.layout])));
  return index;
}

/**
 * σ = uᵀ·mat(W)·v. In training mode one power-iteration step runs first and stores the new u and
 * v; like PyTorch, that step is not differentiated, and σ uses the fresh vectors rather than the
 * variables, so a later update in the same pass cannot change what the gradient sees.
 */
function currentSigma(state: SpectralState, training: boolean): tf.Scalar {
  if (spectralOnHost(state.orig)) return tf.tidy(() => hostSigma(state, hostIndexOf(state), training));
  return tf.tidy(() => {
    let u = state.u as tf.Tensor1D;
    let v = state.v as tf.Tensor1D;
    if (training) {
      const frozen = blockView(stopGradient(state.orig), state.layout);
      v = l2Normalize(matTransposeTimesU(frozen, u)) as tf.Tensor1D;
      u = l2Normalize(matTimesV(frozen, v)) as tf.Tensor1D;
      state.u.assign(u);
      state.v.assign(v);
    }
    // uᵀ·(mat·v) computed as vᵀ·(matᵀ·u): for conv weights matᵀ·u needs no transposed product.
    return tf.sum(tf.mul(v, matTransposeTimesU(blockView(state.orig, state.layout), u))) as tf.Scalar;
  });
}

/** The effective weight W/σ (one power-iteration step first in training mode). */
export function spectralNormalizedWeight(state: SpectralState, training: boolean): tf.Tensor {
  return tf.tidy(() => tf.div(state.orig, currentSigma(state, training)));
}

/**
 * Runs a layer's linear op (a conv) with its effective weight: `op(weight)`, or with spectral norm
 * op(W/σ), computed as op(W)/σ when the op's output (`outputSize` values) is smaller than the
 * weight. Both are the same up to rounding; the second keeps the weight-sized W/σ off the gradient
 * tape (a 3×3×1024×1024 filter on a 16×32 map: 36 MiB against 2 MiB) and hands the op the variable
 * itself, whose packed copy XNNPACK can then keep between calls.
 */
export type ApplyWeight = <T extends tf.Tensor>(training: boolean, outputSize: number, op: (weight: tf.Tensor) => T) => T;

/** Buffer elements spectral norm adds for a weight of `shape`: out + in·kh·kw. */
export function spectralNormBuffers(shape: readonly number[], layout: WeightLayout): number {
  const rows = outputChannels(shape, layout);
  const size = shape.reduce((n, d) => n * d, 1);
  return rows + size / rows;
}

/**
 * Creates a layer's weight `<prefix>.weight`, or with spectral norm `<prefix>.weight_orig`,
 * `.weight_u` and `.weight_v` (the official checkpoint names), and returns how to apply it (see
 * ApplyWeight). An empty prefix names the variables `weight`, `weight_orig` ….
 */
export function createLayerWeight(
  ctx: BuildContext,
  prefix: string,
  shape: number[],
  init: Initializer,
  layout: WeightLayout,
  spectralNorm: boolean,
): ApplyWeight {
  const at = scoped(prefix);
  if (!spectralNorm) {
    const weight = ctx.variable(`${at}weight`, shape, init);
    return (_training, _outputSize, op) => op(weight);
  }
  const rows = outputChannels(shape, layout);
  const size = shape.reduce((n, d) => n * d, 1);
  const state: SpectralState = {
    orig: ctx.variable(`${at}weight_orig`, shape, init),
    u: ctx.variable(`${at}weight_u`, [rows], { kind: 'unit-normal-vector' }, { trainable: false }),
    v: ctx.variable(`${at}weight_v`, [size / rows], { kind: 'unit-normal-vector' }, { trainable: false }),
    layout,
  };
  return (training, outputSize, op) =>
    tf.tidy(() => {
      const sigma = currentSigma(state, training);
      if (outputSize < size) return tf.div(op(state.orig), sigma) as ReturnType<typeof op>;
      return op(tf.div(state.orig, sigma));
    });
}

/** "conv1." for a non-empty prefix, "" otherwise: variable names nest like PyTorch module paths. */
export function scoped(prefix: string): string {
  return prefix ? `${prefix}.` : '';
}
