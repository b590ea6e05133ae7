/**
 * The core node pack: generic GAN building blocks, by family: io/ (fed inputs, named outputs),
 * conv/ (convolutions, spectral norm, the residual block), norm/, activation/, resample/,
 * combine/ (concat, add, multiply) and dense/ (linear, global average pool). Shared helpers for
 * other packs are exported from their modules (rules, tensor-utils, param-presets, conv/conv-layers,
 * conv/spectral-norm, norm/norm-layers, resample/resample, activation/activations, io/input-common).
 */
import type { NodeDef } from '../contract.ts';
import { activationNode } from './activation/activation.ts';
import { channelSoftmaxNode } from './activation/channel-softmax.ts';
import { addNode } from './combine/add.ts';
import { concatNode } from './combine/concat.ts';
import { multiplyNode } from './combine/multiply.ts';
import { convTranspose2dNode } from './conv/conv-transpose2d.ts';
import { conv2dNode } from './conv/conv2d.ts';
import { residualBlockNode } from './conv/residual-block.ts';
import { globalAvgPoolNode } from './dense/global-avg-pool.ts';
import { linearNode } from './dense/linear.ts';
import { imageInputNode } from './io/image-input.ts';
import { noiseInputNode } from './io/noise-input.ts';
import { outputNode } from './io/output.ts';
import { semanticInputNode } from './io/semantic-input.ts';
import { batchNormNode } from './norm/batch-norm.ts';
import { instanceNormNode } from './norm/instance-norm.ts';
import { downsampleNode } from './resample/downsample.ts';
import { upsampleNode } from './resample/upsample.ts';

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
