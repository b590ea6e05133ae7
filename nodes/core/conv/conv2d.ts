import type * as tf from '@tensorflow/tfjs-core';
import type { NodeDef, ResolvedParams, TensorType } from '../../contract.ts';
import { conv2dCost, conv2dOutputType, createConv2d, resolvePadding } from './conv-layers.ts';
import type { Conv2dSpec, PaddingMode } from './conv-layers.ts';
import { boolParam, channelsOf, enumParam, intParam, requireSpatial, stringParam } from '../rules.ts';
import { convBiasParam, convKernelParam, outChannelsParam } from '../param-presets.ts';
import { layer, inputChannels } from '../../pytorch/emit.ts';

const PADDING_MODES: readonly PaddingMode[] = ['zero', 'reflect'];

function specOf(params: ResolvedParams, x: TensorType): Conv2dSpec {
  const kernel = intParam(params, 'kernel');
  return {
    inChannels: channelsOf(x),
    outChannels: intParam(params, 'out_channels'),
    kernel,
    stride: intParam(params, 'stride'),
    padding: resolvePadding(kernel, intParam(params, 'padding')),
    paddingMode: enumParam(params, 'padding_mode', PADDING_MODES),
    bias: boolParam(params, 'bias'),
    spectralNorm: boolParam(params, 'spectral_norm'),
  };
}

export const conv2dNode: NodeDef = {
  type: 'core/conv2d',
  version: 1,
  category: 'conv',
  title: 'Conv 2D',
  doc:
    '2-D convolution (cross-correlation, as PyTorch) over a B×H×W×C map; input channels come from ' +
    'the connected map. Output size is floor((H + 2·padding − kernel)/stride) + 1. Padding is zeros ' +
    'or a reflection of the border (PyTorch ReflectionPad2d followed by an unpadded conv, as the ' +
    'pix2pixHD/LGGAN encoders use). With spectral_norm the weight is stored as weight_orig plus ' +
    'the power-iteration vectors weight_u and weight_v, and the layer uses weight_orig/σ (PyTorch semantics).',
  params: {
    out_channels: outChannelsParam('ngf*4'),
    kernel: convKernelParam,
    stride: { type: 'int', default: 1, min: 1, max: 8, doc: 'Stride in both directions.', ui: { widget: 'number', group: 'shape' } },
    padding: {
      type: 'int',
      default: -1,
      min: -1,
      max: 16,
      doc: 'Pixels added on each side; -1 means floor(kernel/2), which keeps H×W at stride 1.',
      ui: { widget: 'number', group: 'padding' },
    },
    padding_mode: {
      type: 'enum',
      options: PADDING_MODES,
      default: 'zero',
      doc: 'zero: zero padding; reflect: mirror the border (padding must be smaller than H and W).',
      ui: { widget: 'select', group: 'padding' },
    },
    bias: convBiasParam,
    spectral_norm: {
      type: 'bool',
      default: false,
      doc: 'Spectrally normalise the weight (one power iteration per training step).',
      ui: { widget: 'checkbox', advanced: true },
    },
  },
  inputs: [{ name: 'x', kind: 'feature', doc: 'B×H×W×C_in map of any spatial kind.' }],
  outputs: [{ name: 'y', kind: 'feature', doc: "B×H'×W'×out_channels feature map, H' = floor((H + 2p − k)/s) + 1." }],
  infer({ inputs, params }) {
    const x = requireSpatial(inputs, 'x');
    return { y: conv2dOutputType(x, specOf(params, x)) };
  },
  cost({ inputs, outputs, params }) {
    return conv2dCost(specOf(params, inputs.x), outputs.y);
  },
  pytorch: (ctx) => {
    const kernel = intParam(ctx.node.params, 'kernel');
    return layer('Conv2dNode', {
      in_channels: inputChannels(ctx, 'x'),
      out_channels: intParam(ctx.node.params, 'out_channels'),
      kernel,
      stride: intParam(ctx.node.params, 'stride'),
      padding: resolvePadding(kernel, intParam(ctx.node.params, 'padding')),
      padding_mode: stringParam(ctx.node.params, 'padding_mode'),
      bias: boolParam(ctx.node.params, 'bias'),
      spectral_norm: boolParam(ctx.node.params, 'spectral_norm'),
    });
  },
  build(ctx, { inputs, params }) {
    const conv = createConv2d(ctx, '', specOf(params, inputs.x));
    return (values, run) => ({ y: conv(values.x as tf.Tensor4D, run) });
  },
};
