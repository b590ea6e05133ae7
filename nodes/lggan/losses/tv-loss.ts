/**
 * lggan/tv-loss: total variation of each generated image, as LGGAN's cross-view code:
 * weight · Σ_i (Σ|x[:, :, 1:] − x[:, :, :−1]| + Σ|x[:, 1:, :] − x[:, :−1, :]|), sums (not means)
 * over batch, pixels and channels, λ_tv = 1e-6.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NodeDef, ResolvedParams } from '../../contract.ts';
import { NodeRuleError, requireSameSpatial } from '../../core/rules.ts';
import { addTerms } from '../../core/tensor-utils.ts';
import { IMAGES_PARAM, LOSS_OUTPUTS, connectedFakePorts, fakePorts, fakeTensors, lossOutputType, lossWeight, requireImage, weightParam } from './common.ts';
import { lossOf } from '../../pytorch/emit.ts';
import { code } from '../../pytorch/python-literals.ts';
import { weightArg, fakeSources } from './pytorch.ts';

/** Σ|horizontal neighbour differences| + Σ|vertical neighbour differences| (slices only: gradients everywhere). */
export function totalVariation(x: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    const [b, h, w, c] = x.shape;
    const horizontal = tf.sub(tf.slice(x, [0, 0, 1, 0], [b, h, w - 1, c]), tf.slice(x, [0, 0, 0, 0], [b, h, w - 1, c]));
    const vertical = tf.sub(tf.slice(x, [0, 1, 0, 0], [b, h - 1, w, c]), tf.slice(x, [0, 0, 0, 0], [b, h - 1, w, c]));
    return tf.add(tf.sum(tf.abs(horizontal)), tf.sum(tf.abs(vertical))) as tf.Scalar;
  });
}

export const tvLossNode: NodeDef = {
  type: 'lggan/tv-loss',
  version: 1,
  category: 'loss',
  title: 'Total variation loss',
  doc:
    'Total variation (generator side), as in the cross-view code: the sum of absolute differences ' +
    'between horizontally and vertically neighbouring pixels over the whole batch and all channels ' +
    '(a sum, not a mean), summed over the fake images and multiplied by weight (λ_tv = 1e-6).',
  params: {
    weight: weightParam(1e-6, 'λ_tv (1e-6 cross-view).'),
    images: IMAGES_PARAM,
  },
  inputs: (params: ResolvedParams) => fakePorts(params),
  outputs: LOSS_OUTPUTS,
  infer({ inputs, params }) {
    const names = connectedFakePorts(inputs, params);
    const first = requireImage(inputs, names[0]);
    if (first.shape[1].value * first.shape[2].value < 2) {
      throw new NodeRuleError(`port '${names[0]}' needs an image with more than one pixel`, { port: names[0] });
    }
    for (const port of names.slice(1)) requireSameSpatial(first, names[0], requireImage(inputs, port), port);
    return lossOutputType();
  },
  cost() {
    return { params: 0, macs: 0, buffers: 0 };
  },
  pytorch: (ctx) => lossOf('TvLoss', { weight: weightArg(ctx), fakes: fakeSources(ctx), scale: code('world_size') }),
  build(_ctx, { params }) {
    const weight = lossWeight(params);
    return (values) => tf.tidy(() => ({ loss: tf.mul(addTerms(fakeTensors(values, params).map(totalVariation)), weight) }));
  },
};
