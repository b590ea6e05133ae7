import type * as tf from '@tensorflow/tfjs-core';
import type { NodeDef, ResolvedParams, TensorType } from '../../contract.ts';
import { convTranspose2dCost, convTranspose2dOutputType, createConvTranspose2d } from './conv-layers.ts';
import type { ConvTranspose2dSpec } from './conv-layers.ts';
import { boolParam, channelsOf, intParam, requireSpatial } from '../rules.ts';
import { convBiasParam, convKernelParam, outChannelsParam } from '../param-presets.ts';
import { layer, inputChannels } from '../../pytorch/emit.ts';

function specOf(params: ResolvedParams, x: TensorType): ConvTranspose2dSpec {
  return {
    inChannels: channelsOf(x),
    outChannels: intParam(params, 'out_channels'),
    kernel: intParam(params, 'kernel'),
    stride: intParam(params, 'stride'),
    padding: intParam(params, 'padding'),
    outputPadding: intParam(params, 'output_padding'),
    bias: boolParam(params, 'bias'),
  };
}

export const convTranspose2dNode: NodeDef = {
  type: 'core/conv-transpose2d',
  version: 1,
  category: 'conv',
  title: 'Transposed conv 2D',
  doc:
    'Transposed 2-D convolution with PyTorch ConvTranspose2d semantics: output size is ' +
    '(H − 1)·stride − 2·padding + kernel + output_padding. The defaults (3×3, stride 2, padding 1, ' +
    'output_padding 1) double H and W, as in the pix2pixHD/LGGAN decoders. The weight is stored ' +
    'in tfjs layout [k, k, out, in]; PyTorch stores the same numbers as [in, out, k, k].',
  params: {
    out_channels: outChannelsParam('ngf*2'),
    kernel: convKernelParam,
    stride: { type: 'int', default: 2, min: 1, max: 8, doc: 'Upsampling stride.', ui: { widget: 'number', group: 'shape' } },
    padding: {
      type: 'int',
      default: 1,
      min: 0,
      max: 16,
      doc: 'Cropped from each side of the full result (PyTorch padding).',
      ui: { widget: 'number', group: 'padding' },
    },
    output_padding: {
      type: 'int',
      default: 1,
      min: 0,
      max: 7,
      doc: 'Extra rows/columns at the bottom/right; must be smaller than the stride.',
      ui: { widget: 'number', group: 'padding' },
    },
    bias: convBiasParam,
  },
  inputs: [{ name: 'x', kind: 'feature', doc: 'B×H×W×C_in map of any spatial kind.' }],
  outputs: [
    {
      name: 'y',
      kind: 'feature',
      doc: "B×H'×W'×out_channels feature map, H' = (H − 1)·s − 2p + k + output_padding (2H with the defaults).",
    },
  ],
  infer({ inputs, params }) {
    const x = requireSpatial(inputs, 'x');
    return { y: convTranspose2dOutputType(x, specOf(params, x)) };
  },
  cost({ inputs, params }) {
    return convTranspose2dCost(specOf(params, inputs.x), inputs.x);
  },
  pytorch: (ctx) =>
    layer('ConvTranspose2dNode', {
      in_channels: inputChannels(ctx, 'x'),
      out_channels: intParam(ctx.node.params, 'out_channels'),
      kernel: intParam(ctx.node.params, 'kernel'),
      stride: intParam(ctx.node.params, 'stride'),
      padding: intParam(ctx.node.params, 'padding'),
      output_padding: intParam(ctx.node.params, 'output_padding'),
      bias: boolParam(ctx.node.params, 'bias'),
    }),
  build(ctx, { inputs, params }) {
    const deconv = createConvTranspose2d(ctx, '', specOf(params, inputs.x));
    return (values, run) => ({ y: deconv(values.x as tf.Tensor4D, run) });
  },
};
