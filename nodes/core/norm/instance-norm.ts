import type * as tf from '@tensorflow/tfjs-core';
import type { NodeDef, ResolvedParams, TensorType } from '../../contract.ts';
import { checkInstanceNormInput, createInstanceNorm, normCost } from './norm-layers.ts';
import { normAffineParam, normEpsParam } from '../param-presets.ts';
import type { NormSpec } from './norm-layers.ts';
import { boolParam, channelsOf, floatParam, mapType, requireSpatial } from '../rules.ts';
import { layer, inputChannels } from '../../pytorch/emit.ts';
import { f } from '../../pytorch/python-literals.ts';

function specOf(params: ResolvedParams, x: TensorType): NormSpec {
  return { kind: 'instance', channels: channelsOf(x), affine: boolParam(params, 'affine'), eps: floatParam(params, 'eps'), momentum: 0 };
}

export const instanceNormNode: NodeDef = {
  type: 'core/instance-norm',
  version: 1,
  category: 'norm',
  title: 'Instance norm',
  doc:
    'Instance normalisation (PyTorch InstanceNorm2d without running statistics): each sample and ' +
    'channel is shifted and scaled to zero mean and unit variance over its H×W pixels, using the ' +
    'biased variance. With affine, a learned per-channel scale (weight) and shift (bias) follow. ' +
    'The LGGAN generators use it without affine.',
  params: {
    affine: normAffineParam(false),
    eps: normEpsParam,
  },
  /** Bypassed: the map goes through unnormalised / unactivated (same shape). */
  passThrough: [{ input: 'x', output: 'y' }],
  inputs: [{ name: 'x', kind: 'feature', doc: 'B×H×W×C map with more than one pixel.' }],
  outputs: [{ name: 'y', kind: 'feature', doc: 'B×H×W×C normalised feature map.' }],
  infer({ inputs }) {
    const x = requireSpatial(inputs, 'x');
    checkInstanceNormInput(x, 'x');
    const [b, h, w, c] = x.shape;
    return { y: mapType('feature', b, h, w, c) };
  },
  cost({ inputs, params }) {
    return normCost(specOf(params, inputs.x), inputs.x);
  },
  pytorch: (ctx) => layer('NormNode', { kind: 'instance', channels: inputChannels(ctx, 'x'), affine: boolParam(ctx.node.params, 'affine'), eps: f(floatParam(ctx.node.params, 'eps')) }),
  build(ctx, { inputs, params }) {
    const norm = createInstanceNorm(ctx, '', specOf(params, inputs.x));
    return (values, run) => ({ y: norm(values.x as tf.Tensor4D, run) });
  },
};
