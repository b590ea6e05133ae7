/**
 * LGGAN generator nodes, part B: semantic-aware upsampling, the local trunk, class masks, the
 * class-specific sub-generators, the classification module and attention fusion.
 */
import type { NodeDef } from '../contract.ts';
import { attentionFusionNode } from './attention-fusion.ts';
import { classMasksNode } from './class-masks.ts';
import { classificationNode } from './classification.ts';
import { localGeneratorsNode } from './local-generators.ts';
import { localTrunkNode } from './local-trunk.ts';
import { sauUpsampleNode } from './sau.ts';

export const generatorNodesB: NodeDef[] = [
  sauUpsampleNode,
  localTrunkNode,
  classMasksNode,
  localGeneratorsNode,
  classificationNode,
  attentionFusionNode,
];

export { attentionFusionNode, classMasksNode, classificationNode, localGeneratorsNode, localTrunkNode, sauUpsampleNode };
