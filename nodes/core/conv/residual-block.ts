import * as tf from '@tensorflow/tfjs-core';
import type { NodeCost, NodeDef, ResolvedParams, TensorType } from '../../contract.ts';
import { conv2dCost, conv2dOutputType, createConv2d } from './conv-layers.ts';
import type { Conv2dSpec, PaddingMode } from './conv-layers.ts';
import { NORM_KINDS, checkInstanceNormInput, createNorm, normCost } from '../norm/norm-layers.ts';
import { normKindParam } from '../param-presets.ts';
import type { NormKind, NormSpec } from '../norm/norm-layers.ts';
import { boolParam, channelsOf, enumParam, mapType, requireSpatial, stringParam } from '../rules.ts';
import { layer, inputChannels } from '../../pytorch/emit.ts';

const PADDING_MODES: readonly PaddingMode[] = ['reflect', 'zero'];

interface BlockSpec {
  conv: Conv2dSpec;
  norm: NormSpec;
}

function specOf(params: ResolvedParams, x: TensorType): BlockSpec {
  const channels = channelsOf(x);
  return {
    conv: {
      inChannels: channels,
      outChannels: channels,
      kernel: 3,
      stride: 1,
      padding: 1,
      paddingMode: enumParam(params, 'padding_mode', PADDING_MODES),
      bias: boolParam(params, 'bias'),
      spectralNorm: false,
    },
    norm: {
      kind: enumParam<NormKind>(params, 'norm', NORM_KINDS),
      channels,
      affine: boolParam(params, 'norm_affine'),
      eps: 1e-5,
      momentum: 0.1,
    },
  };
}

function addCosts(...costs: NodeCost[]): NodeCost {
  return costs.reduce((sum, c) => ({
    params: sum.params + c.params,
    macs: sum.macs + c.macs,
    buffers: (sum.buffers ?? 0) + (c.buffers ?? 0),
  }));
}

export const residualBlockNode: NodeDef = {
  type: 'core/residual-block',
  version: 1,
  category: 'block',
  title: 'Residual block',
  doc:
    'The pix2pixHD/LGGAN residual block at constant width: pad 1, conv 3×3, norm, ReLU, pad 1, ' +
    'conv 3×3, norm, then add the input (identity skip). Channels come from the input. Variables ' +
    'are conv1.weight, conv1.bias, conv2.weight, conv2.bias, plus norm1.* / norm2.* for affine or ' +
    'batch norms, so official checkpoints (resnet_blocksN.conv1.weight …) map by name.',
  params: {
    padding_mode: {
      type: 'enum',
      options: PADDING_MODES,
      default: 'reflect',
      doc: 'Padding before each conv: reflect (pix2pixHD, LGGAN) or zero.',
      ui: { widget: 'select' },
    },
    norm: normKindParam(NORM_KINDS, 'Normalisation after each conv.'),
    norm_affine: {
      type: 'bool',
      default: false,
      doc: 'Give the norms a learned scale and shift (LGGAN: off).',
      ui: { widget: 'checkbox', advanced: true },
    },
    bias: { type: 'bool', default: true, doc: 'Conv biases (LGGAN: on).', ui: { widget: 'checkbox', advanced: true } },
  },
  /** Bypassed: the map goes through unnormalised / unactivated (same shape). */
  passThrough: [{ input: 'x', output: 'y' }],
  inputs: [{ name: 'x', kind: 'feature', doc: 'B×H×W×C map (H, W ≥ 2 for reflect padding).' }],
  outputs: [{ name: 'y', kind: 'feature', doc: 'B×H×W×C feature map, x + block(x).' }],
  infer({ inputs, params }) {
    const x = requireSpatial(inputs, 'x');
    const spec = specOf(params, x);
    conv2dOutputType(x, spec.conv); // checks that the padding fits
    if (spec.norm.kind === 'instance') checkInstanceNormInput(x, 'x');
    const [b, h, w, c] = x.shape;
    return { y: mapType('feature', b, h, w, c) };
  },
  cost({ inputs, params }) {
    const x = inputs.x;
    const spec = specOf(params, x);
    const conv = conv2dCost(spec.conv, x);
    const norm = normCost(spec.norm, x);
    return addCosts(conv, norm, conv, norm);
  },
  pytorch: (ctx) =>
    layer('ResidualBlockNode', {
      channels: inputChannels(ctx, 'x'),
      padding_mode: stringParam(ctx.node.params, 'padding_mode'),
      norm: stringParam(ctx.node.params, 'norm'),
      norm_affine: boolParam(ctx.node.params, 'norm_affine'),
      bias: boolParam(ctx.node.params, 'bias'),
    }),
  build(ctx, { inputs, params }) {
    const spec = specOf(params, inputs.x);
    const conv1 = createConv2d(ctx, 'conv1', spec.conv);
    const norm1 = createNorm(ctx, 'norm1', spec.norm);
    const conv2 = createConv2d(ctx, 'conv2', spec.conv);
    const norm2 = createNorm(ctx, 'norm2', spec.norm);
    return (values, run) => {
      const x = values.x as tf.Tensor4D;
      const y = tf.tidy(() => {
        const h = tf.relu(norm1(conv1(x, run), run));
        return tf.add(x, norm2(conv2(h, run), run));
      });
      return { y };
    };
  },
};
