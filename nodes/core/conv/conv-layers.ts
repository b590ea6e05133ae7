/**
 * Convolution layers as reusable pieces: shape rules, costs and builders for conv2d and
 * transposed conv2d, shared by the core nodes, the residual block and the LGGAN pack.
 * Weights use tfjs layouts: conv [kh, kw, in, out], transposed conv [kh, kw, out, in].
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BuildContext, NodeCost, RunContext, TensorType } from '../../contract.ts';
import { dim, formatShape, transposedOutDim, windowOutDim } from '../../dims.ts';
import { NodeRuleError, mapType } from '../rules.ts';
import { createLayerWeight, scoped, spectralNormBuffers } from './spectral-norm.ts';
import { reflectPad } from '../tensor-utils.ts';

export type PaddingMode = 'zero' | 'reflect';

export interface Conv2dSpec {
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  /** Pixels added on each side. */
  padding: number;
  paddingMode: PaddingMode;
  bias: boolean;
  spectralNorm: boolean;
}

export interface ConvTranspose2dSpec {
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  padding: number;
  outputPadding: number;
  bias: boolean;
}

/** A param value of -1 means "same"-style padding: floor(kernel/2). */
export function resolvePadding(kernel: number, padding: number): number {
  return padding < 0 ? Math.floor(kernel / 2) : padding;
}

/** Output type of a conv2d on map `x`; throws at the param that makes the window not fit. */
export function conv2dOutputType(x: TensorType, spec: Conv2dSpec): TensorType {
  const [b, h, w] = x.shape;
  const { kernel, stride, padding } = spec;
  if (spec.paddingMode === 'reflect' && (padding >= h.value || padding >= w.value)) {
    throw new NodeRuleError(
      `reflect padding ${padding} needs an input larger than ${padding} pixels on each side, got ${formatShape(x.shape)}`,
      { param: 'padding' },
    );
  }
  const outH = windowOutDim(h, kernel, stride, 2 * padding);
  const outW = windowOutDim(w, kernel, stride, 2 * padding);
  if (outH.value < 1 || outW.value < 1) {
    throw new NodeRuleError(
      `kernel ${kernel}×${kernel} with padding ${padding} does not fit the ${formatShape(x.shape)} input`,
      { param: 'kernel' },
    );
  }
  return mapType('feature', b, outH, outW, spec.outChannels);
}

export function conv2dWeightShape(spec: Conv2dSpec): number[] {
  return [spec.kernel, spec.kernel, spec.inChannels, spec.outChannels];
}

/** Cost at output map `y`: k²·in·out MACs per output pixel. */
export function conv2dCost(spec: Conv2dSpec, y: TensorType): NodeCost {
  const taps = spec.kernel * spec.kernel * spec.inChannels;
  const [b, h, w] = y.shape.map((d) => d.value);
  return {
    params: taps * spec.outChannels + (spec.bias ? spec.outChannels : 0),
    macs: b * h * w * taps * spec.outChannels,
    buffers: spec.spectralNorm ? spectralNormBuffers(conv2dWeightShape(spec), 'conv2d') : 0,
  };
}

/**
 * Builds a conv2d with variables `<prefix>.weight` (or the spectral-norm trio) and `<prefix>.bias`.
 * Reflect padding pads explicitly and then runs a valid convolution.
 */
export function createConv2d(
  ctx: BuildContext,
  prefix: string,
  spec: Conv2dSpec,
): (x: tf.Tensor4D, run: RunContext) => tf.Tensor4D {
  const k = spec.kernel;
  const applyWeight = createLayerWeight(
    ctx,
    prefix,
    conv2dWeightShape(spec),
    { kind: 'weight', fanIn: spec.inChannels * k * k, fanOut: spec.outChannels * k * k },
    'conv2d',
    spec.spectralNorm,
  );
  const bias = spec.bias ? ctx.variable(`${scoped(prefix)}bias`, [spec.outChannels], { kind: 'zeros' }) : undefined;
  const reflect = spec.paddingMode === 'reflect';
  return (x, run) =>
    tf.tidy(() => {
      const input = reflect ? reflectPad(x, spec.padding) : x;
      const pad = reflect || spec.padding === 0 ? 'valid' : spec.padding;
      const weightShape = conv2dWeightShape(spec) as [number, number, number, number];
      const outputSize = tf.util.sizeFromShape(tf.backend_util.computeConv2DInfo(input.shape, weightShape, spec.stride, 1, pad).outShape);
      const y = applyWeight(run.training, outputSize, (w) => tf.conv2d(input, w as tf.Tensor4D, spec.stride, pad));
      return bias ? tf.add(y, bias) : y;
    });
}

// ---------------------------------------------------------------------------------------------
// Transposed convolution

export function convTranspose2dOutputType(x: TensorType, spec: ConvTranspose2dSpec): TensorType {
  const [b, h, w] = x.shape;
  const { kernel, stride, padding, outputPadding } = spec;
  if (outputPadding >= stride) {
    throw new NodeRuleError(`output_padding ${outputPadding} must be smaller than the stride ${stride}`, {
      param: 'output_padding',
    });
  }
  const outH = transposedOutDim(h, kernel, stride, 2 * padding, outputPadding);
  const outW = transposedOutDim(w, kernel, stride, 2 * padding, outputPadding);
  if (outH.value < 1 || outW.value < 1) {
    throw new NodeRuleError(
      `padding ${padding} leaves no output for a ${formatShape(x.shape)} input (kernel ${kernel}, stride ${stride})`,
      { param: 'padding' },
    );
  }
  return mapType('feature', b, outH, outW, dim(spec.outChannels));
}

export function convTranspose2dWeightShape(spec: ConvTranspose2dSpec): number[] {
  return [spec.kernel, spec.kernel, spec.outChannels, spec.inChannels];
}

/** Cost at input map `x`: every input pixel scatters k²·in·out multiply-accumulates. */
export function convTranspose2dCost(spec: ConvTranspose2dSpec, x: TensorType): NodeCost {
  const taps = spec.kernel * spec.kernel * spec.inChannels;
  const [b, h, w] = x.shape.map((d) => d.value);
  return {
    params: taps * spec.outChannels + (spec.bias ? spec.outChannels : 0),
    macs: b * h * w * taps * spec.outChannels,
    buffers: 0,
  };
}

/**
 * Builds a transposed conv2d with PyTorch's output size (n−1)·s − 2p + k + output_padding:
 * the full "valid" result ((n−1)·s + k) is cropped by `padding` at the top/left, and
 * `output_padding` extends the bottom/right. Rows past the full result get only the bias, as in
 * PyTorch. Fan-in follows PyTorch's [in, out, kh, kw] weight: out·kh·kw.
 */
export function createConvTranspose2d(
  ctx: BuildContext,
  prefix: string,
  spec: ConvTranspose2dSpec,
): (x: tf.Tensor4D, run: RunContext) => tf.Tensor4D {
  const { kernel: k, stride: s, padding: p, outputPadding } = spec;
  const weight = ctx.variable(`${scoped(prefix)}weight`, convTranspose2dWeightShape(spec), {
    kind: 'weight',
    fanIn: spec.outChannels * k * k,
    fanOut: spec.inChannels * k * k,
  });
  const bias = spec.bias ? ctx.variable(`${scoped(prefix)}bias`, [spec.outChannels], { kind: 'zeros' }) : undefined;
  return (x) =>
    tf.tidy(() => {
      const [batch, h, w] = x.shape;
      const fullH = (h - 1) * s + k;
      const fullW = (w - 1) * s + k;
      let y: tf.Tensor4D = tf.conv2dTranspose(x, weight as tf.Tensor4D, [batch, fullH, fullW, spec.outChannels], s, 'valid');
      const extra = outputPadding - p; // rows output_padding adds beyond the full result
      if (extra > 0) y = tf.pad(y, [[0, 0], [0, extra], [0, extra], [0, 0]]);
      const outH = fullH - 2 * p + outputPadding;
      const outW = fullW - 2 * p + outputPadding;
      if (outH !== y.shape[1] || outW !== y.shape[2]) y = tf.slice(y, [0, p, p, 0], [batch, outH, outW, spec.outChannels]);
      return bias ? tf.add(y, bias) : y;
    });
}

