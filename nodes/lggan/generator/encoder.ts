/**
 * The shared encoder E of LGGAN (architecture notes §1.1 and §3): reflect-pad 3 + conv 7×7 to ngf
 * channels, then stride-2 3×3 convs that double the width up to a cap, each followed by instance
 * norm (no affine) and ReLU. Variables are `conv1.weight`, `conv1.bias`, … as in the official
 * state_dicts. This module also holds the official-key helpers for plain convolutions, which the
 * other generator nodes of this pack reuse.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BuildContext, IntParam, NodeCost, NodeDef, OfficialKey, PortDef, ResolvedParams, RunContext, TensorType } from '../../contract.ts';
import { dim, formatShape, scaleDim } from '../../dims.ts';
import type { Dim } from '../../dims.ts';
import { conv2dCost, conv2dOutputType, createConv2d } from '../../core/conv/conv-layers.ts';
import type { Conv2dSpec } from '../../core/conv/conv-layers.ts';
import { createInstanceNorm, normCost } from '../../core/norm/norm-layers.ts';
import type { NormSpec } from '../../core/norm/norm-layers.ts';
import { nearestResize } from '../../core/resample/resample.ts';
import { NodeRuleError, channelsOf, checkParam, intParam, mapType, requireSpatial } from '../../core/rules.ts';
import { conv2dOfficialKeys, officialPath } from '../official-keys.ts';
import { layer, inputChannels } from '../../pytorch/emit.ts';

// ---------------------------------------------------------------------------------------------
// Helpers shared by the generator nodes of this pack

/** Adds costs field by field (buffers and unusedParams default to 0). */
export function sumCosts(...costs: NodeCost[]): NodeCost {
  return costs.reduce(
    (sum, c) => ({
      params: sum.params + c.params,
      macs: sum.macs + c.macs,
      buffers: (sum.buffers ?? 0) + (c.buffers ?? 0),
      unusedParams: (sum.unusedParams ?? 0) + (c.unusedParams ?? 0),
    }),
    { params: 0, macs: 0, buffers: 0, unusedParams: 0 },
  );
}

/** Instance norm without affine or running statistics, as every LGGAN generator uses it. */
export function plainInstanceNorm(channels: number): NormSpec {
  return { kind: 'instance', channels, affine: false, eps: 1e-5, momentum: 0.1 };
}

// ---------------------------------------------------------------------------------------------
// The encoder

export interface EncoderSpec {
  inChannels: number;
  /** Width of the first stage (conv1). */
  ngf: number;
  /** Stride-2 stages after conv1. */
  downsamples: number;
  /** Width cap of the doubling. */
  maxChannels: number;
}

export interface EncoderStage {
  /** Official module name, `conv1` … `conv{1+downsamples}`. */
  name: string;
  conv: Conv2dSpec;
}

/** Index of the stage whose output is x_encode (conv3, at H/4). */
const X_ENCODE_STAGE = 2;

export function encoderStages(spec: EncoderSpec): EncoderStage[] {
  const width = (i: number) => Math.min(spec.ngf * 2 ** i, spec.maxChannels);
  const stages: EncoderStage[] = [
    {
      name: 'conv1',
      conv: { inChannels: spec.inChannels, outChannels: width(0), kernel: 7, stride: 1, padding: 3, paddingMode: 'reflect', bias: true, spectralNorm: false },
    },
  ];
  for (let i = 1; i <= spec.downsamples; i++) {
    stages.push({
      name: `conv${i + 1}`,
      conv: { inChannels: width(i - 1), outChannels: width(i), kernel: 3, stride: 2, padding: 1, paddingMode: 'zero', bias: true, spectralNorm: false },
    });
  }
  return stages;
}

/** The output type of every stage; throws NodeRuleError at port `port` when the input is too small. */
export function encoderStageTypes(x: TensorType, spec: EncoderSpec, port: string): TensorType[] {
  const [, h, w] = x.shape;
  if (h.value <= 3 || w.value <= 3) {
    throw new NodeRuleError(`port '${port}' is ${formatShape(x.shape)}, but conv1's reflect padding of 3 needs H and W of at least 4`, { port });
  }
  const types: TensorType[] = [];
  let current = x;
  for (const stage of encoderStages(spec)) {
    current = conv2dOutputType(current, stage.conv);
    const [, sh, sw] = current.shape;
    if (sh.value * sw.value < 2) {
      throw new NodeRuleError(
        `port '${port}' is ${formatShape(x.shape)}: after ${types.length} downsamples ${stage.name} gives a 1×1 map, which instance norm cannot normalise (use fewer downsamples or a larger input)`,
        { port },
      );
    }
    types.push(current);
  }
  return types;
}

export function encoderCost(spec: EncoderSpec, stageTypes: TensorType[]): NodeCost {
  return sumCosts(
    ...encoderStages(spec).flatMap((stage, i) => [conv2dCost(stage.conv, stageTypes[i]), normCost(plainInstanceNorm(stage.conv.outChannels), stageTypes[i])]),
  );
}

export function encoderOfficialKeys(spec: EncoderSpec, prefix = ''): OfficialKey[] {
  return encoderStages(spec).flatMap((stage) => conv2dOfficialKeys(officialPath(prefix, stage.name), officialPath(prefix, stage.name), stage.conv));
}

export interface EncoderOutputs {
  /** The last stage's output. */
  features: tf.Tensor4D;
  /** conv3's output (H/4), present with at least two downsamples. */
  xEncode?: tf.Tensor4D;
}

/** Builds conv → instance norm → ReLU for every stage, with variables `<prefix>.conv1.weight` …. */
export function createEncoder(ctx: BuildContext, prefix: string, spec: EncoderSpec): (x: tf.Tensor4D, run: RunContext) => EncoderOutputs {
  const layers = encoderStages(spec).map((stage) => ({
    conv: createConv2d(ctx, officialPath(prefix, stage.name), stage.conv),
    norm: createInstanceNorm(ctx, '', plainInstanceNorm(stage.conv.outChannels)),
  }));
  return (x, run) =>
    tf.tidy(() => {
      let h = x;
      let xEncode: tf.Tensor4D | undefined;
      layers.forEach(({ conv, norm }, i) => {
        h = tf.relu(norm(conv(h, run), run));
        if (i === X_ENCODE_STAGE) xEncode = h;
      });
      return xEncode ? { features: h, xEncode } : { features: h };
    });
}

// ---------------------------------------------------------------------------------------------
// Node

function specOf(params: ResolvedParams, x: TensorType): EncoderSpec {
  return {
    inChannels: channelsOf(x),
    ngf: intParam(params, 'ngf'),
    downsamples: intParam(params, 'downsamples'),
    maxChannels: intParam(params, 'max_channels'),
  };
}

/** The latent size, or null when both params are 0; throws at the param left at 0 when only one is set. */
function latentSize(params: ResolvedParams): { height: number; width: number } | null {
  const height = intParam(params, 'latent_height');
  const width = intParam(params, 'latent_width');
  if (height === 0 && width === 0) return null;
  checkParam(height > 0, 'latent_height', `latent_height is 0 but latent_width is ${width}: set both (or both to 0 for no latent output)`);
  checkParam(width > 0, 'latent_width', `latent_width is 0 but latent_height is ${height}: set both (or both to 0 for no latent output)`);
  return { height, width };
}

/** A resized dim keeps its symbol when the size ratio is a whole number ("H/16" → "H/64"). */
function resizedDim(from: Dim, size: number): Dim {
  if (size === from.value) return from;
  if (from.value % size === 0) return scaleDim(from, 1, from.value / size);
  if (size % from.value === 0) return scaleDim(from, size / from.value);
  return dim(size);
}

const latentParam = (axis: 'height' | 'width'): IntParam => ({
  type: 'int',
  default: 0,
  min: 0,
  max: 4096,
  template: true,
  doc:
    `Latent ${axis} (the 'latent' output is the features nearest-resized to it); 0 = no latent output. ` +
    `SPADE sizing: ${axis}/64 with 'more' upsampling (Cityscapes 256×512 → 4×8), ${axis}/32 with 'normal'.`,
  ui: { widget: 'number', group: 'latent' },
});

export const encoderNode: NodeDef = {
  type: 'lggan/encoder',
  version: 1,
  category: 'lggan',
  title: 'LGGAN encoder',
  doc:
    "LGGAN's shared encoder E: reflect-pad 3 and conv 7×7 to ngf channels, then `downsamples` stride-2 " +
    'conv 3×3 stages (padding 1) that double the width up to max_channels, each followed by instance ' +
    'norm (no affine) and ReLU. Semantic synthesis uses 4 downsamples (64→128→256→512→1024) and resizes ' +
    'the H/16 features to the SPADE latent size (nearest); cross-view uses 2 (64→128→256). x_encode is ' +
    "conv3's H/4 output, where the local and attention branches start. Variables and official keys: " +
    'conv1.weight/bias … conv{1+downsamples}.weight/bias.',
  params: {
    ngf: {
      type: 'int',
      default: 'ngf',
      min: 1,
      max: 1024,
      template: true,
      doc: 'Width of conv1; each downsample doubles it (official: 64).',
      ui: { widget: 'number', group: 'widths' },
    },
    downsamples: {
      type: 'int',
      default: 4,
      min: 0,
      max: 8,
      doc: 'Stride-2 stages after conv1: 4 for Cityscapes/ADE20K, 2 for cross-view.',
      ui: { widget: 'number', group: 'widths' },
    },
    max_channels: {
      type: 'int',
      default: 1024,
      min: 1,
      max: 8192,
      template: true,
      doc: 'Cap on the doubling widths (official: 1024).',
      ui: { widget: 'number', group: 'widths', advanced: true },
    },
    latent_height: latentParam('height'),
    latent_width: latentParam('width'),
  },
  inputs: [
    {
      name: 'x',
      kind: 'feature',
      doc: 'B×H×W×C_in input: the semantic map (B×H×W×36 for Cityscapes) or image ⊕ colour semantic map (B×H×W×6, cross-view); H, W ≥ 4.',
    },
  ],
  outputs: (params) => {
    const ports: PortDef[] = [{ name: 'features', kind: 'feature', doc: 'B×H/2^d×W/2^d×min(ngf·2^d, max_channels) features of the last stage (d = downsamples).' }];
    if (intParam(params, 'downsamples') >= X_ENCODE_STAGE) {
      ports.push({ name: 'x_encode', kind: 'feature', doc: "B×H/4×W/4×4·ngf: conv3's output, input of the local and attention branches." });
    }
    if (intParam(params, 'latent_height') > 0 || intParam(params, 'latent_width') > 0) {
      ports.push({ name: 'latent', kind: 'feature', doc: 'B×latent_height×latent_width×C: the features nearest-resized to the latent size (the SPADE generator input).' });
    }
    return ports;
  },
  infer({ inputs, params }) {
    const x = requireSpatial(inputs, 'x');
    const spec = specOf(params, x);
    const types = encoderStageTypes(x, spec, 'x');
    const features = types[types.length - 1];
    const outputs: Record<string, TensorType> = { features };
    if (spec.downsamples >= X_ENCODE_STAGE) outputs.x_encode = types[X_ENCODE_STAGE];
    const latent = latentSize(params);
    if (latent) {
      const [b, h, w, c] = features.shape;
      outputs.latent = mapType('feature', b, resizedDim(h, latent.height), resizedDim(w, latent.width), c);
    }
    return outputs;
  },
  warnings({ inputs, params }) {
    const x = inputs.x;
    const latent = latentSize(params);
    if (!x || !latent) return [];
    const features = encoderStageTypes(x, specOf(params, x), 'x').at(-1)!;
    const integral = (n: number, m: number) => n % m === 0 || m % n === 0;
    const [, h, w] = features.shape;
    if (integral(h.value, latent.height) && integral(w.value, latent.width)) return [];
    return [
      `the ${h.value}×${w.value} features resize to ${latent.height}×${latent.width} by a non-integer ratio: that resize uses tfjs's resizeNearestNeighbor, whose cpu gradient is wrong for batch > 1`,
    ];
  },
  cost({ inputs, params }) {
    const spec = specOf(params, inputs.x);
    return encoderCost(spec, encoderStageTypes(inputs.x, spec, 'x'));
  },
  pytorch: (ctx) => {
    const [h, w] = [intParam(ctx.node.params, 'latent_height'), intParam(ctx.node.params, 'latent_width')];
    return layer('Encoder', {
      in_channels: inputChannels(ctx, 'x'),
      ngf: intParam(ctx.node.params, 'ngf'),
      downsamples: intParam(ctx.node.params, 'downsamples'),
      max_channels: intParam(ctx.node.params, 'max_channels'),
      latent: h > 0 || w > 0 ? [h, w] : null,
    });
  },
  build(ctx, { inputs, params }) {
    const encode = createEncoder(ctx, '', specOf(params, inputs.x));
    const latent = latentSize(params);
    return (values, run) => {
      const { features, xEncode } = encode(values.x as tf.Tensor4D, run);
      const outputs: Record<string, tf.Tensor> = { features };
      if (xEncode) outputs.x_encode = xEncode;
      if (latent) outputs.latent = nearestResize(features, latent.height, latent.width);
      return outputs;
    };
  },
  officialKeys({ inputs, params }) {
    return encoderOfficialKeys(specOf(params, inputs.x));
  },
};
