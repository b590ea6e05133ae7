/**
 * `lggan/classification`: LGGAN's class-discriminative feature module (§1.4). For each class mask
 * M_k, F ⊙ M_k is average-pooled over the full H×W (not over the mask area, as official) and
 * classified by Linear C→K_cls (`fc2`); the target of mask k is class k.
 *
 * The pooled features come from one batched matMul, pooled[b] = M_bᵀ·F_b / (H·W) with M_b as
 * HW×K and F_b as HW×C, so the K masked copies of F are never materialised.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NodeDef, ResolvedParams, TensorType } from '../../contract.ts';
import { NodeRuleError, channelsOf, describeType, intParam, requireSameSpatial, requireSpatial, templateDim } from '../../core/rules.ts';
import { linearKeys } from './up-stage.ts';
import { layer, inputChannels } from '../../pytorch/emit.ts';

interface ClassifierSpec {
  channels: number;
  classes: number;
}

function specOf(params: ResolvedParams, features: TensorType): ClassifierSpec {
  return { channels: channelsOf(features), classes: intParam(params, 'classes') };
}

/** Linear C→K_cls: C·K_cls + K_cls (Cityscapes 2,275, ADE20K 3,315). */
export function classifierParams(channels: number, classes: number): number {
  return channels * classes + classes;
}

export const classificationNode: NodeDef = {
  type: 'lggan/classification',
  version: 1,
  category: 'lggan',
  title: 'Class classification',
  doc:
    "LGGAN's classification module: each class mask's features F ⊙ M_k are average-pooled over the full " +
    'H×W (small classes give small vectors, as in the official code) and classified by a linear layer ' +
    'C→classes (fc2); the target of mask k is class k. Only the first `classes` masks are classified ' +
    "(ADE20K: 51 of 52; the merged 'other' mask is not). `valid` flags the masks present in each sample, " +
    'per sample, so batches larger than one work (the official Cityscapes code needs one sample per GPU). ' +
    'Pooling is one batched matMul (Mᵀ·F), without K copies of F.',
  badges: ['classes'],
  params: {
    classes: {
      type: 'int',
      default: 'num_classes',
      // One class makes every target class 0 and the cross-entropy over it constant (and tf.oneHot refuses depth 1).
      min: 2,
      max: 1024,
      template: true,
      doc: 'Classes scored by fc2 and masks classified, at least 2 (Cityscapes 35, ADE20K 51).',
      ui: { widget: 'number' },
    },
  },
  inputs: [
    { name: 'features', kind: 'feature', doc: 'B×H×W×C local feature map F (official C = 64).' },
    { name: 'masks', kind: 'mask', doc: 'B×H×W×K class masks, K ≥ classes.' },
  ],
  outputs: [
    { name: 'logits', kind: 'logits', doc: 'B×classes×classes scores: row k classifies the features of mask k.' },
    { name: 'valid', kind: 'vector', doc: 'B×classes flags: 1 where mask k has a pixel in that sample.' },
  ],
  infer({ inputs, params, template }) {
    const features = requireSpatial(inputs, 'features');
    const masks = requireSpatial(inputs, 'masks', 'mask');
    requireSameSpatial(features, 'features', masks, 'masks');
    const classes = intParam(params, 'classes');
    if (channelsOf(masks) < classes) {
      throw new NodeRuleError(`port 'masks' has ${channelsOf(masks)} masks but param 'classes' asks for ${classes} (${describeType(masks)})`, {
        port: 'masks',
      });
    }
    const b = features.shape[0];
    const k = templateDim(classes, template, 'num_classes', 'num_classes');
    return {
      logits: { kind: 'logits', shape: [b, k, k] },
      valid: { kind: 'vector', shape: [b, k] },
    };
  },
  cost({ inputs, params }) {
    const { channels, classes } = specOf(params, inputs.features);
    const [b, h, w] = inputs.features.shape.map((d) => d.value);
    return {
      params: classifierParams(channels, classes),
      macs: b * h * w * classes * channels + b * classes * channels * classes,
      buffers: 0,
    };
  },
  officialKeys({ inputs, params }) {
    const { channels, classes } = specOf(params, inputs.features);
    return linearKeys('fc2', 'fc2', channels, classes);
  },
  pytorch: (ctx) => layer('Classification', { channels: inputChannels(ctx, 'features'), classes: intParam(ctx.node.params, 'classes') }),
  build(ctx, { inputs, params }) {
    const { channels, classes } = specOf(params, inputs.features);
    const weight = ctx.variable('fc2.weight', [channels, classes], { kind: 'weight', fanIn: channels, fanOut: classes });
    const bias = ctx.variable('fc2.bias', [classes], { kind: 'zeros' });
    return (values) =>
      tf.tidy(() => {
        const features = values.features as tf.Tensor4D;
        const masks = values.masks as tf.Tensor4D;
        const [b, h, w] = features.shape;
        const pixels = h * w;
        const classMasks = tf.reshape(tf.slice(masks, [0, 0, 0, 0], [b, h, w, classes]), [b, pixels, classes]);
        const flatF = tf.reshape(features, [b, pixels, channels]);
        const pooled = tf.div(tf.matMul(classMasks, flatF, true, false), pixels); // [B, K, C]
        const scores = tf.add(tf.matMul(tf.reshape(pooled, [b * classes, channels]), weight), bias);
        const logits = tf.reshape(scores, [b, classes, classes]);
        const valid = tf.step(tf.max(classMasks, 1)); // any pixel > 0
        return { logits, valid };
      }) as Record<string, tf.Tensor>;
  },
};
