/**
 * The generator family: semantic input, shared encoder, SPADE layers, the global generator and
 * the cross-view global decoder (the global path); semantic-aware upsampling, the local trunk,
 * class masks, the class-specific sub-generators, the classification module and attention fusion
 * (the local path).
 */
import type { NodeDef } from '../../contract.ts';
import { attentionFusionNode } from './attention-fusion.ts';
import { classMasksNode } from './class-masks.ts';
import { classificationNode } from './classification.ts';
import { encoderNode } from './encoder.ts';
import { globalDecoderNode } from './global-decoder.ts';
import { globalGeneratorNode } from './global-generator.ts';
import { localGeneratorsNode } from './local-generators.ts';
import { localTrunkNode } from './local-trunk.ts';
import { sauUpsampleNode } from './sau.ts';
import { semanticInputNode } from './semantic-input.ts';
import { spadeNormNode, spadeResBlockNode } from './spade.ts';

export const generatorNodes: NodeDef[] = [
  semanticInputNode,
  encoderNode,
  spadeNormNode,
  spadeResBlockNode,
  globalGeneratorNode,
  globalDecoderNode,
  sauUpsampleNode,
  localTrunkNode,
  classMasksNode,
  localGeneratorsNode,
  classificationNode,
  attentionFusionNode,
];
