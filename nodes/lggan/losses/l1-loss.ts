/**
 * lggan/l1-loss: the global pixel L1 between each generated image and the real one,
 * weight · Σ_i mean|fake_i − real| (pix2pix criterionL1; λ_L1 = 100 cross-view, 1 in the
 * semantic-synthesis code, where the provided scripts switch it off with --no_l1_loss).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NodeDef, ResolvedParams } from '../../contract.ts';
import { addTerms } from '../../core/tensor-utils.ts';
import { IMAGES_PARAM, LOSS_OUTPUTS, fakePorts, fakeTensors, lossOutputType, lossWeight, meanAbsDiff, requireFakeImages, requireImage, weightParam } from './common.ts';
import { lossOf } from '../../pytorch/emit.ts';
import { weightArg, fakeSources } from './pytorch.ts';

export const l1LossNode: NodeDef = {
  type: 'lggan/l1-loss',
  version: 1,
  category: 'loss',
  title: 'L1 loss',
  doc:
    'Pixel L1 loss (generator side): the mean absolute difference between each generated image and ' +
    'the real image, summed over the fake images and multiplied by weight (λ_L1: 100 in the ' +
    'cross-view setting; 1 in the semantic-synthesis code, whose scripts disable it).',
  params: {
    weight: weightParam(1, 'λ_L1 (100 for cross-view translation).'),
    images: IMAGES_PARAM,
  },
  inputs: (params: ResolvedParams) => [...fakePorts(params), { name: 'real', kind: 'image', doc: 'B×H×W×3 real image, in [-1, 1].' }],
  outputs: LOSS_OUTPUTS,
  infer({ inputs, params }) {
    requireFakeImages(inputs, params, requireImage(inputs, 'real'), 'real');
    return lossOutputType();
  },
  cost() {
    return { params: 0, macs: 0, buffers: 0 };
  },
  pytorch: (ctx) => lossOf('L1Loss', { weight: weightArg(ctx), fakes: fakeSources(ctx), real: ctx.source('real') }),
  build(_ctx, { params }) {
    const weight = lossWeight(params);
    return (values) =>
      tf.tidy(() => ({ loss: tf.mul(addTerms(fakeTensors(values, params).map((fake) => meanAbsDiff(fake, values.real))), weight) }));
  },
};
