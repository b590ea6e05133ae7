import type * as tf from '@tensorflow/tfjs-core';
import type { NodeDef, ResolvedParams, TensorType } from '../../contract.ts';
import { createBatchNorm, normCost } from './norm-layers.ts';
import { normAffineParam, normEpsParam } from '../param-presets.ts';
import type { NormSpec } from './norm-layers.ts';
import { boolParam, channelsOf, floatParam, mapType, requireSpatial } from '../rules.ts';
import { layer, inputChannels } from '../../pytorch/emit.ts';
import { f } from '../../pytorch/python-literals.ts';

function specOf(params: ResolvedParams, x: TensorType): NormSpec {
  return {
    kind: 'batch',
    channels: channelsOf(x),
    affine: boolParam(params, 'affine'),
    eps: floatParam(params, 'eps'),
    momentum: floatParam(params, 'momentum'),
  };
}

export const batchNormNode: NodeDef = {
  type: 'core/batch-norm',
  version: 1,
  category: 'norm',
  title: 'Batch norm',
  doc:
    'Batch normalisation with PyTorch BatchNorm2d semantics. In training mode each channel is ' +
    'normalised with the mean and biased variance over B×H×W, and the non-trainable running_mean ' +
    'and running_var are updated as running ← (1 − momentum)·running + momentum·batch, using the ' +
    'unbiased variance for running_var. In eval mode the running statistics are used. With affine, ' +
    "a learned per-channel scale (weight) and shift (bias) follow; SPADE's parameter-free norm is affine off.",
  params: {
    affine: normAffineParam(true),
    eps: normEpsParam,
    momentum: {
      type: 'float',
      default: 0.1,
      min: 0,
      max: 1,
      doc: "Weight of the current batch in the running statistics (PyTorch's convention, not Keras's).",
      ui: { widget: 'number', step: 0.01, advanced: true },
    },
  },
  /** Bypassed: the map goes through unnormalised / unactivated (same shape). */
  passThrough: [{ input: 'x', output: 'y' }],
  inputs: [{ name: 'x', kind: 'feature', doc: 'B×H×W×C map.' }],
  outputs: [{ name: 'y', kind: 'feature', doc: 'B×H×W×C normalised feature map.' }],
  infer({ inputs }) {
    const x = requireSpatial(inputs, 'x');
    const [b, h, w, c] = x.shape;
    return { y: mapType('feature', b, h, w, c) };
  },
  cost({ inputs, params }) {
    return normCost(specOf(params, inputs.x), inputs.x);
  },
  pytorch: (ctx) =>
    layer('NormNode', {
      kind: 'batch',
      channels: inputChannels(ctx, 'x'),
      affine: boolParam(ctx.node.params, 'affine'),
      eps: f(floatParam(ctx.node.params, 'eps')),
      momentum: f(floatParam(ctx.node.params, 'momentum')),
    }),
  build(ctx, { inputs, params }) {
    const norm = createBatchNorm(ctx, '', specOf(params, inputs.x));
    return (values, run) => ({ y: norm(values.x as tf.Tensor4D, run) });
  },
};
