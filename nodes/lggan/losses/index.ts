/** The loss family: each loss node's output trains one side (losses/sides.ts says which). */
import type { NodeDef } from '../../contract.ts';
import { adversarialLossNode } from './adversarial-loss.ts';
import { classL1LossNode } from './class-l1-loss.ts';
import { classificationLossNode } from './classification-loss.ts';
import { featureMatchingLossNode } from './feature-matching-loss.ts';
import { l1LossNode } from './l1-loss.ts';
import { perceptualLossNode } from './perceptual-loss.ts';
import { tvLossNode } from './tv-loss.ts';

export const lossNodes: NodeDef[] = [
  adversarialLossNode,
  featureMatchingLossNode,
  l1LossNode,
  classL1LossNode,
  classificationLossNode,
  tvLossNode,
  perceptualLossNode,
];
