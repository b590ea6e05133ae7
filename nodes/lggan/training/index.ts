/**
 * The training family: the trainer node (optimiser settings and schedule) and the VGG19 feature
 * stack the perceptual loss uses (vgg19.ts, weights registered by hosts, not a node type).
 */
import type { NodeDef } from '../../contract.ts';
import { trainerNode } from './trainer.ts';

export const trainingNodes: NodeDef[] = [trainerNode];
