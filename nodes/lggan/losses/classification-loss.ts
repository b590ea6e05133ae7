/**
 * lggan/classification-loss: LGGAN's class-discriminative loss (generator side, architecture
 * notes §1.4). The classification module scores each masked feature map F_k; its target is k.
 *   weight · Σ_{b,k} CE(logits[b, k, :], k) · flag[b, k] / Σ flag,
 * and 0 when no class is present (every flag 0). Flags mark the classes present in the sample.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NodeDef, TensorType } from '../../contract.ts';
import { formatShape } from '../../dims.ts';
import { NodeRuleError, describeType, requireInput } from '../../core/rules.ts';
import { stopGradient } from '../../core/tensor-utils.ts';
import { LOSS_OUTPUTS, lossOutputType, lossWeight, weightParam } from './common.ts';
import { lossOf } from '../../pytorch/emit.ts';
import { weightArg } from './pytorch.ts';

function requireLogits(inputs: Record<string, TensorType>): TensorType {
  const logits = requireInput(inputs, 'logits');
  if (logits.shape.length !== 3) {
    throw new NodeRuleError(`port 'logits' expects B×K×K_cls class scores (rank 3), got a ${describeType(logits)}`, { port: 'logits' });
  }
  const [, k, classes] = logits.shape;
  if (classes.value < 2) {
    throw new NodeRuleError(`port 'logits' scores ${classes.value} class; a cross-entropy needs at least 2 classes to choose between`, { port: 'logits' });
  }
  if (classes.value < k.value) {
    throw new NodeRuleError(`port 'logits' scores ${classes.value} classes but has ${k.value} rows: row k's target is class k, so it needs at least ${k.value}`, {
      port: 'logits',
    });
  }
  return logits;
}

export const classificationLossNode: NodeDef = {
  type: 'lggan/classification-loss',
  version: 1,
  category: 'loss',
  title: 'Classification loss',
  doc:
    "LGGAN's classification loss on the class-specific features (generator side): row k of the logits " +
    "scores the k-th masked feature map and its target is class k. The per-row cross-entropy is " +
    'weighted by the validity flags (1 where the class occurs in the sample) and divided by their sum; ' +
    'with no valid class the loss is 0. Multiplied by weight (λ_class = 1).',
  params: {
    weight: weightParam(1, 'λ_class (1).'),
  },
  inputs: [
    { name: 'logits', kind: 'logits', doc: 'B×K×K_cls class scores, row k from the k-th masked feature map (K_cls ≥ K).' },
    { name: 'valid', kind: 'vector', doc: 'B×K validity flags in {0, 1}: 1 where class k is present in the sample.' },
  ],
  outputs: LOSS_OUTPUTS,
  infer({ inputs }) {
    const logits = requireLogits(inputs);
    const flags = requireInput(inputs, 'valid');
    const [b, k] = logits.shape;
    if (flags.shape.length !== 2 || flags.shape[0].value !== b.value || flags.shape[1].value !== k.value) {
      throw new NodeRuleError(
        `port 'valid' must be B×K = ${b.value}×${k.value} to match port 'logits' (${formatShape(logits.shape, true)}), got ${formatShape(flags.shape, true)}`,
        { port: 'valid' },
      );
    }
    return lossOutputType();
  },
  cost() {
    return { params: 0, macs: 0, buffers: 0 };
  },
  pytorch: (ctx) => lossOf('ClassificationLoss', { weight: weightArg(ctx), logits: ctx.source('logits'), valid: ctx.source('valid') }),
  build(_ctx, { inputs, params }) {
    const [, k, classes] = requireLogits(inputs).shape.map((d) => d.value);
    const weight = lossWeight(params);
    return (values) =>
      tf.tidy(() => {
        const logProbabilities = tf.logSoftmax(values.logits); // last axis
        const targets = tf.oneHot(tf.range(0, k, 1, 'int32'), classes); // K×K_cls, row k = class k
        const crossEntropy = tf.neg(tf.sum(tf.mul(logProbabilities, targets), 2)); // B×K
        const flags = stopGradient(values.valid);
        // Flags are 0/1: with none set the numerator is exactly 0, and so is the loss.
        const loss = tf.div(tf.sum(tf.mul(crossEntropy, flags)), tf.maximum(tf.sum(flags), 1e-12));
        return { loss: tf.mul(loss, weight) };
      });
  },
};
