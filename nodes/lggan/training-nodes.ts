/**
 * The LGGAN training node types: discriminators, losses and the trainer, plus the helpers a host
 * needs to run them (loss sides, skipped losses, VGG19 weights, the learning-rate schedule).
 */
import type { NodeDef } from '../contract.ts';
import { multiscaleDiscriminatorNode } from './discriminators/multiscale-discriminator.ts';
import { patchDiscriminatorNode } from './discriminators/patch-discriminator.ts';
import { adversarialLossNode } from './losses/adversarial-loss.ts';
import { classL1LossNode } from './losses/class-l1-loss.ts';
import { classificationLossNode } from './losses/classification-loss.ts';
import { featureMatchingLossNode } from './losses/feature-matching-loss.ts';
import { l1LossNode } from './losses/l1-loss.ts';
import { perceptualLossNode } from './losses/perceptual-loss.ts';
import { tvLossNode } from './losses/tv-loss.ts';
import { trainerNode } from './trainer.ts';

export const trainingNodes: NodeDef[] = [
  multiscaleDiscriminatorNode,
  patchDiscriminatorNode,
  adversarialLossNode,
  featureMatchingLossNode,
  l1LossNode,
  classL1LossNode,
  classificationLossNode,
  tvLossNode,
  perceptualLossNode,
  trainerNode,
];

export {
  adversarialLossNode,
  classL1LossNode,
  classificationLossNode,
  featureMatchingLossNode,
  l1LossNode,
  multiscaleDiscriminatorNode,
  patchDiscriminatorNode,
  perceptualLossNode,
  trainerNode,
  tvLossNode,
};
export { lossSide, lossSkipReason } from './losses/sides.ts';
export type { LossSide } from './losses/common.ts';
export { perceptualSkipReason, perceptualWeightSource } from './losses/perceptual-loss.ts';
export { learningRateAt, trainerSettings } from './trainer.ts';
export type { TrainerSettings } from './trainer.ts';
export { ensureVgg19Weights, loadVgg19Weights, registerVgg19Weights, releaseVgg19Weights, vgg19WeightsFor } from './vgg19.ts';
export { readDiscriminator } from './discriminators/signature.ts';
