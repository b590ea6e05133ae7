/**
 * lggan/feature-matching-loss: pix2pixHD/SPADE's discriminator feature matching (generator side).
 * For every fake image, scale s and block j except the last (the patch map itself):
 *   L1(D_j(condition ‖ fake), D_j(condition ‖ real).detach()) · weight / num_D,
 * summed (SPADE's GAN_Feat_loss with λ_feat = 10).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DiscriminatorAsk, NodeDef, NodeForward, ResolvedParams } from '../../contract.ts';
import { discriminate } from '../discriminators/discriminate.ts';
import { NodeRuleError, requireSpatial } from '../../core/rules.ts';
import { addTerms, stopGradient } from '../../core/tensor-utils.ts';
import { readDiscriminator, requireDiscriminatorPair } from '../discriminators/signature.ts';
import { IMAGES_PARAM, LOSS_OUTPUTS, fakePorts, fakeTensors, lossOutputType, lossWeight, meanAbsDiff, requireFakeImages, requireImage, weightParam } from './common.ts';
import { lossOf } from '../../pytorch/emit.ts';
import { weightArg, fakeSources } from './pytorch.ts';

export const featureMatchingLossNode: NodeDef = {
  type: 'lggan/feature-matching-loss',
  version: 1,
  category: 'loss',
  title: 'Feature matching loss',
  doc:
    "Generator-side feature matching (pix2pixHD, SPADE): the L1 distance between the discriminator's " +
    'intermediate features on condition ‖ fake and on condition ‖ real (the real features detached), ' +
    'summed over every block but the last (the patch map) and over the fake images, divided by the ' +
    'number of discriminator scales, times weight (λ_feat = 10).',
  params: {
    weight: weightParam(10, 'λ_feat (10 in SPADE/LGGAN).'),
    images: IMAGES_PARAM,
  },
  inputs: (params: ResolvedParams) => [
    { name: 'discriminator', kind: 'network', doc: 'Discriminator handle whose features are matched.' },
    { name: 'condition', kind: 'feature', doc: 'B×H×W×C map the discriminator is conditioned on.' },
    ...fakePorts(params),
    { name: 'real', kind: 'image', doc: 'B×H×W×3 real image, in [-1, 1].' },
  ],
  outputs: LOSS_OUTPUTS,
  infer({ inputs, params }) {
    const d = readDiscriminator(inputs);
    const condition = requireSpatial(inputs, 'condition');
    const real = requireImage(inputs, 'real');
    requireDiscriminatorPair(d, condition, real, 'real');
    for (const fake of requireFakeImages(inputs, params, real, 'real')) requireDiscriminatorPair(d, condition, fake.type, fake.port);
    return lossOutputType();
  },
  cost() {
    return { params: 0, macs: 0, buffers: 0 };
  },
  pytorch: (ctx) => {
    const d = ctx.handle('discriminator');
    return lossOf('FeatureMatchingLoss', {
      weight: weightArg(ctx),
      network: d.network,
      discriminator: d.node,
      condition: ctx.source('condition'),
      fakes: fakeSources(ctx),
      real: ctx.source('real'),
    });
  },
  build(_ctx, { params, handles }) {
    const handle = handles.discriminator;
    if (!handle) throw new NodeRuleError("input 'discriminator' has no network handle wired at build time", { port: 'discriminator' });
    const weight = lossWeight(params);
    const pairsOf = (values: Record<string, tf.Tensor>) => ({
      fakes: fakeTensors(values, params).map((image): DiscriminatorAsk => ({ handle, condition: values.condition, image, detached: false })),
      real: { handle, condition: values.condition, image: values.real, detached: false } satisfies DiscriminatorAsk,
    });
    const forward: NodeForward = (values, run) =>
      tf.tidy(() => {
        const { fakes, real } = pairsOf(values);
        // One application of D to the real image serves every pair (the Judge shares it).
        const realFeatures = discriminate(real, run).features;
        const terms: tf.Scalar[] = [];
        for (const fake of fakes) {
          const fakeFeatures = discriminate(fake, run).features;
          const numD = fakeFeatures.length;
          fakeFeatures.forEach((perScale, s) => {
            for (let j = 0; j < perScale.length - 1; j++) {
              terms.push(tf.div(meanAbsDiff(perScale[j], stopGradient(realFeatures[s][j])), numD) as tf.Scalar);
            }
          });
        }
        const total = terms.length > 0 ? addTerms(terms) : tf.scalar(0);
        return { loss: tf.mul(total, weight) };
      });
    return {
      forward,
      asks: (values) => {
        const { fakes, real } = pairsOf(values);
        return [...fakes, real];
      },
    };
  },
};
