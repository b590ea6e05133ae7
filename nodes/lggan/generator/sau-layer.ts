/**
 * Semantic-aware upsampling (SAU, TPAMI 2023 §2) as a reusable layer.
 *
 * Kernel prediction (SAKG): 1×1 conv C→mid ("compress"), 1×1 conv mid→k²·s² ("kernel"), pixel
 * shuffle by s (written as reshape/transpose: tfjs has no depthToSpace gradient) → k² logits per
 * output pixel, softmax over the k² taps.
 * Reassembly (SAFU): nearest-upsample by s, take the zero-padded k×k window around each output
 * pixel (k² shifted slices of a padded tensor) and sum window·kernel over the taps.
 *
 * The optional 1×1 output conv ("project", C→out) runs *before* the reassembly, at low resolution,
 * without its bias; the bias is added afterwards. Reassembly is a per-pixel weighted sum shared by
 * every channel, so it commutes with a bias-free channel mix: the result equals "SAU, then 1×1
 * conv" exactly, with s² fewer projection MACs and the windows built on out instead of C channels.
 *
 * Label gating (our own ablation, not from the paper): taps whose class differs from the centre
 * pixel's class get weight 0 and the remaining weights are renormalised to sum to 1. Taps in the
 * zero padding outside the image keep their weight, exactly as in the ungated layer, so with a
 * single class everywhere the gated layer equals the ungated one.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BuildContext, NodeCost, RunContext, TensorType } from '../../contract.ts';
import { dim, formatShape, scaleDim } from '../../dims.ts';
import { createConv2d } from '../../core/conv/conv-layers.ts';
import type { Conv2dSpec } from '../../core/conv/conv-layers.ts';
import { nearestResize, nearestUpsample } from '../../core/resample/resample.ts';
import { NodeRuleError, describeType, mapType } from '../../core/rules.ts';
import { scoped } from '../../core/conv/spectral-norm.ts';
import { zeroPad } from '../../core/tensor-utils.ts';

export type SauGating = 'none' | 'label-gated';
export const SAU_GATINGS: readonly SauGating[] = ['none', 'label-gated'];

export interface SauSpec {
  /** Input channels C. */
  channels: number;
  /** Reassembly window k (odd). */
  kernel: number;
  /** Upsampling factor s. */
  scale: number;
  /** Width of the kernel-prediction branch ("compress" output). */
  midChannels: number;
  /** Output channels after the 1×1 projection; 0 keeps C and creates no projection. */
  outChannels: number;
  gating: SauGating;
}

/** Channels the layer returns. */
export function sauOutChannels(spec: SauSpec): number {
  return spec.outChannels > 0 ? spec.outChannels : spec.channels;
}

function pointwise(inChannels: number, outChannels: number, bias: boolean): Conv2dSpec {
  return { inChannels, outChannels, kernel: 1, stride: 1, padding: 0, paddingMode: 'zero', bias, spectralNorm: false };
}

/** B×sH×sW×out, keeping H/W symbols ("H/2" upsampled by 2 reads "H"). */
export function sauOutputType(x: TensorType, spec: SauSpec): TensorType {
  const [b, h, w] = x.shape;
  return mapType('feature', b, scaleDim(h, spec.scale), scaleDim(w, spec.scale), dim(sauOutChannels(spec)));
}

/**
 * The labels that gate the taps: B×h×w×1 class ids or a B×h×w×L one-hot (or mask) map, where h×w
 * is the output size or an integer multiple of it (nearest-subsampled to the output size).
 */
export function checkSauLabels(labels: TensorType, port: string, output: TensorType): void {
  if (labels.shape.length !== 4) {
    throw new NodeRuleError(`port '${port}' expects a B×H×W×1 id map or a one-hot map, got a ${describeType(labels)}`, { port });
  }
  const [lb, lh, lw] = labels.shape;
  const [ob, oh, ow] = output.shape;
  if (lh.value % oh.value !== 0 || lw.value % ow.value !== 0) {
    throw new NodeRuleError(
      `port '${port}' is ${shapeWithSizes(labels)} but the upsampled map is ${shapeWithSizes(output)}: ` +
        'the labels must be at the output size or an integer multiple of it',
      { port },
    );
  }
  if (lb.value !== ob.value) {
    throw new NodeRuleError(`port '${port}' has batch ${lb.value} but the upsampled map has batch ${ob.value}`, { port });
  }
}

/** "H×W×1 (5×8)": the symbolic shape plus the pixel sizes when they are not plain numbers. */
export function shapeWithSizes(t: TensorType): string {
  const symbolic = formatShape(t.shape);
  const sizes = `${t.shape[1].value}×${t.shape[2].value}`;
  return symbolic.startsWith(sizes) ? symbolic : `${symbolic} (${sizes})`;
}

/**
 * Exact cost on input map x (B×H×W×C): the two 1×1 kernel convs and the projection at H×W, k²
 * multiply-accumulates per output element for the reassembly, and for gating one multiply (gate)
 * plus one division (renormalisation) per tap and output pixel.
 */
export function sauCost(spec: SauSpec, x: TensorType): NodeCost {
  const [b, h, w] = x.shape.map((d) => d.value);
  const { channels: c, kernel: k, scale: s, midChannels: mid } = spec;
  const taps = k * k;
  const logits = taps * s * s;
  const out = sauOutChannels(spec);
  const lowPixels = b * h * w;
  const highPixels = lowPixels * s * s;
  const projectParams = spec.outChannels > 0 ? c * out + out : 0;
  const projectMacs = spec.outChannels > 0 ? lowPixels * c * out : 0;
  return {
    params: c * mid + mid + mid * logits + logits + projectParams,
    macs:
      lowPixels * c * mid +
      lowPixels * mid * logits +
      projectMacs +
      highPixels * out * taps +
      (spec.gating === 'label-gated' ? 2 * highPixels * taps : 0),
    buffers: 0,
  };
}

/**
 * PyTorch's PixelShuffle(s) in NHWC: channel (t·s + i)·s + j at (y, x) goes to channel t at
 * (y·s + i, x·s + j). Rank-5 reshape/transpose only, which every backend differentiates.
 */
export function pixelShuffle(x: tf.Tensor4D, scale: number): tf.Tensor4D {
  if (scale === 1) return x;
  return tf.tidy(() => {
    const [b, h, w, c] = x.shape;
    const out = c / (scale * scale);
    const split = tf.reshape(x, [b * h, w, out, scale, scale]); // [bh, x, t, i, j]
    const moved = tf.transpose(split, [0, 3, 1, 4, 2]); // [bh, i, x, j, t]
    return tf.reshape(moved, [b, h * scale, w * scale, out]);
  });
}

/**
 * The zero-padded k×k windows of `x` around every pixel: B×H×W×C×k², taps in row-major order
 * (tap t = dy·k + dx, as PyTorch's unfold). Built from k² slices of one padded tensor.
 */
export function windowTaps(x: tf.Tensor4D, kernel: number): tf.Tensor {
  return tf.tidy(() => {
    const r = Math.floor(kernel / 2);
    const [b, h, w, c] = x.shape;
    const padded = zeroPad(x, r);
    const slices: tf.Tensor[] = [];
    for (let dy = 0; dy < kernel; dy++) {
      for (let dx = 0; dx < kernel; dx++) slices.push(tf.slice(padded, [0, dy, dx, 0], [b, h, w, c]));
    }
    return tf.stack(slices, 4);
  });
}

/**
 * Per-tap gate in {0, 1} (B×H×W×k²): 1 where the tap's class equals the centre pixel's class or
 * the tap lies in the padding. Ids are compared with a ±0.5 tolerance; a one-hot map is reduced to
 * ids by argmax over its channels first. Nothing here is differentiable (labels are data).
 */
function labelGate(labels: tf.Tensor4D, height: number, width: number, kernel: number): tf.Tensor {
  return tf.tidy(() => {
    const resized = nearestResize(labels, height, width);
    const ids: tf.Tensor4D =
      resized.shape[3] === 1 ? resized : (tf.expandDims(tf.cast(tf.argMax(resized, 3), 'float32'), 3) as tf.Tensor4D);
    const tapIds = tf.squeeze(windowTaps(ids, kernel), [3]); // B×H×W×k²
    const sameClass = tf.step(tf.sub(0.5, tf.abs(tf.sub(tapIds, ids))));
    const inside = tf.squeeze(windowTaps(tf.ones([1, height, width, 1]) as tf.Tensor4D, kernel), [3]); // 1×H×W×k²
    return tf.maximum(sameClass, tf.sub(1, inside));
  });
}

export type SauForward = (x: tf.Tensor4D, labels: tf.Tensor4D | undefined, run: RunContext) => tf.Tensor4D;

/**
 * Builds an SAU layer with variables `<prefix>.compress.*`, `<prefix>.kernel.*` and, when
 * outChannels > 0, `<prefix>.project.weight` / `<prefix>.project.bias`.
 */
export function createSau(ctx: BuildContext, prefix: string, spec: SauSpec): SauForward {
  const at = scoped(prefix);
  const { channels, kernel, scale, midChannels } = spec;
  const taps = kernel * kernel;
  const compress = createConv2d(ctx, `${at}compress`, pointwise(channels, midChannels, true));
  const predict = createConv2d(ctx, `${at}kernel`, pointwise(midChannels, taps * scale * scale, true));
  const project = spec.outChannels > 0 ? createConv2d(ctx, `${at}project`, pointwise(channels, spec.outChannels, false)) : undefined;
  const projectBias = spec.outChannels > 0 ? ctx.variable(`${at}project.bias`, [spec.outChannels], { kind: 'zeros' }) : undefined;
  const gated = spec.gating === 'label-gated';

  return (x, labels, run) =>
    tf.tidy(() => {
      if (gated && !labels) throw new Error(`SAU '${prefix || ctx.nodeId}' is label-gated but got no labels`);
      const [b, h, w] = x.shape;
      const outH = h * scale;
      const outW = w * scale;
      // Kernel prediction: one softmax-normalised k×k kernel per output pixel.
      const logits = pixelShuffle(predict(compress(x, run), run), scale);
      let weights: tf.Tensor = tf.softmax(logits);
      if (gated) {
        const kept = tf.mul(weights, labelGate(labels!, outH, outW, kernel));
        // The centre tap always keeps its (positive) weight, so the sum never vanishes.
        weights = tf.div(kept, tf.sum(kept, 3, true));
      }
      // Reassembly on the (projected) map.
      const source = project ? project(x, run) : x;
      const out = source.shape[3];
      const windows = windowTaps(nearestUpsample(source, scale), kernel); // B×sH×sW×out×k²
      const perPixel = tf.reshape(windows, [b * outH * outW, out, taps]);
      const kernelColumn = tf.reshape(weights, [b * outH * outW, taps, 1]);
      const y = tf.reshape(tf.matMul(perPixel, kernelColumn), [b, outH, outW, out]) as tf.Tensor4D;
      return projectBias ? tf.add(y, projectBias) : y;
    });
}

/** Port documentation for the gating labels, shared by every node with a label-gated SAU. */
export const SAU_LABELS_DOC =
  'Gating labels: B×h×w×1 class ids, or a B×h×w×L one-hot/mask map (argmax per pixel), at the ' +
  'upsampled size or an integer multiple of it (nearest-subsampled).';
