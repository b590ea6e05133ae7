/**
 * The core node pack: generic GAN building blocks. Shared helpers for other packs are exported
 * from their modules (rules, conv-layers, norm-layers, spectral-norm, resample, activations,
 * tensor-utils, input-common).
 */
import type { NodeDef } from '../contract.ts';
import { activationNode } from './activation.ts';
import { addNode } from './add.ts';
import { batchNormNode } from './batch-norm.ts';
import { channelSoftmaxNode } from './channel-softmax.ts';
import { concatNode } from './concat.ts';
import { convTranspose2dNode } from './conv-transpose2d.ts';
import { conv2dNode } from './conv2d.ts';
import { downsampleNode } from './downsample.ts';
import { globalAvgPoolNode } from './global-avg-pool.ts';
import { imageInputNode } from './image-input.ts';
import { instanceNormNode } from './instance-norm.ts';
import { linearNode } from './linear.ts';
import { multiplyNode } from './multiply.ts';
import { noiseInputNode } from './noise-input.ts';
import { outputNode } from './output.ts';
import { residualBlockNode } from './residual-block.ts';
import { semanticInputNode } from './semantic-input.ts';
import { upsampleNode } from './upsample.ts';

export const coreNodes: NodeDef[] = [
  semanticInputNode,
  imageInputNode,
  noiseInputNode,
  conv2dNode,
  convTranspose2dNode,
  instanceNormNode,
  batchNormNode,
  activationNode,
  residualBlockNode,
  upsampleNode,
  downsampleNode,
  concatNode,
  addNode,
  multiplyNode,
  linearNode,
  channelSoftmaxNode,
  globalAvgPoolNode,
  outputNode,
];

export {
  activationNode,
  addNode,
  batchNormNode,
  channelSoftmaxNode,
  concatNode,
  conv2dNode,
  convTranspose2dNode,
  downsampleNode,
  globalAvgPoolNode,
  imageInputNode,
  instanceNormNode,
  linearNode,
  multiplyNode,
  noiseInputNode,
  outputNode,
  residualBlockNode,
  semanticInputNode,
  upsampleNode,
};
