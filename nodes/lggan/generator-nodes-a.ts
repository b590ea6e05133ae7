/**
 * Generator nodes, part A: semantic input, shared encoder, SPADE layers, global generator and the
 * cross-view global decoder.
 */
import type { NodeDef } from '../contract.ts';
import { encoderNode } from './encoder.ts';
import { globalDecoderNode } from './global-decoder.ts';
import { globalGeneratorNode } from './global-generator.ts';
import { semanticInputNode } from './semantic-input.ts';
import { spadeNormNode, spadeResBlockNode } from './spade.ts';

export const generatorNodesA: NodeDef[] = [semanticInputNode, encoderNode, spadeNormNode, spadeResBlockNode, globalGeneratorNode, globalDecoderNode];

export { encoderNode, globalDecoderNode, globalGeneratorNode, semanticInputNode, spadeNormNode, spadeResBlockNode };
