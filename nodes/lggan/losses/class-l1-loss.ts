/**
 * lggan/class-l1-loss: LGGAN's local per-class L1 (generator side). Each class sub-generator's
 * image I_k is compared with the real image masked to the class:
 *   weight · Σ_k mean|I_k − real ⊙ M_k|,
 * each mean over all B×H×W×3 values (nn.L1Loss), so pixels outside the class are pulled to 0.
 * The official Cityscapes code pairs one class image with a neighbouring class's mask
 * (classes 26/27 mixed up); this node compares every class with its own mask.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NodeDef } from '../../contract.ts';
import { NodeRuleError, channelsOf, describeType, requireSameSpatial, requireSpatial } from '../../core/rules.ts';
import { LOSS_OUTPUTS, lossOutputType, lossWeight, requireImage, weightParam } from './common.ts';
import { lossOf } from '../../pytorch/emit.ts';
import { weightArg } from './pytorch.ts';

export const classL1LossNode: NodeDef = {
  type: 'lggan/class-l1-loss',
  version: 1,
  category: 'loss',
  title: 'Per-class L1 loss',
  doc:
    "LGGAN's local class-specific L1 (generator side): for every class k, the mean absolute " +
    'difference between the class image I_k (channels 3k…3k+2 of class_images) and the real image ' +
    'masked by M_k, summed over the classes and multiplied by weight (1 for semantic synthesis, 100 ' +
    'cross-view). Means run over all pixels, as the official nn.L1Loss, so each sub-generator is also ' +
    "pushed to 0 outside its class. The official Cityscapes code's mix-up of classes 26 and 27 is not " +
    'reproduced: every class is compared with its own mask.',
  params: {
    weight: weightParam(1, 'λ_l1 for the local branch (1 semantic synthesis, 100 cross-view).'),
  },
  inputs: [
    { name: 'class_images', kind: 'feature', doc: 'B×H×W×3K per-class images, class k in channels 3k…3k+2.' },
    { name: 'masks', kind: 'feature', doc: 'B×H×W×K class masks in {0, 1} (one channel per class image).' },
    { name: 'real', kind: 'image', doc: 'B×H×W×3 real image, in [-1, 1].' },
  ],
  outputs: LOSS_OUTPUTS,
  infer({ inputs }) {
    const images = requireSpatial(inputs, 'class_images');
    const masks = requireSpatial(inputs, 'masks');
    const real = requireImage(inputs, 'real');
    requireSameSpatial(real, 'real', images, 'class_images');
    requireSameSpatial(real, 'real', masks, 'masks');
    const k = channelsOf(masks);
    if (channelsOf(images) !== 3 * k) {
      throw new NodeRuleError(
        `port 'class_images' must hold 3 channels per mask: masks has ${k} classes, so ${3 * k} channels, got ${channelsOf(images)} (${describeType(images)})`,
        { port: 'class_images' },
      );
    }
    return lossOutputType();
  },
  cost() {
    return { params: 0, macs: 0, buffers: 0 };
  },
  pytorch: (ctx) =>
    lossOf('ClassL1Loss', { weight: weightArg(ctx), class_images: ctx.source('class_images'), masks: ctx.source('masks'), real: ctx.source('real') }),
  build(_ctx, { inputs, params }) {
    const k = channelsOf(inputs.masks);
    const weight = lossWeight(params);
    return (values) =>
      tf.tidy(() => {
        const [b, h, w] = values.real.shape;
        const perClass = tf.reshape(values.class_images, [b, h, w, k, 3]);
        const masked = tf.mul(tf.reshape(values.real, [b, h, w, 1, 3]), tf.reshape(values.masks, [b, h, w, k, 1]));
        // Σ_k mean_k |·| = (Σ over everything) / (B·H·W·3): every class mean has the same count.
        const total = tf.div(tf.sum(tf.abs(tf.sub(perClass, masked))), b * h * w * 3);
        return { loss: tf.mul(total, weight) };
      });
  },
};
