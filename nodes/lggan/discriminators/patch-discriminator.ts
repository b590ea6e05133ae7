/**
 * lggan/patch-discriminator: pix2pix's NLayerDiscriminator ('basic', 70×70 receptive field with
 * n_layers 3), the two cross-view discriminators D1/D2 (architecture notes §4.3). One Sequential
 * `model`, indices as in the official state_dict:
 *   0        conv 4×4 s2 p1 in→ndf, bias            1  LeakyReLU 0.2
 *   3n−1     conv 4×4 s2 p1 (n = 1…L−1), bias       3n InstanceNorm (tracked stats)  3n+1 LeakyReLU
 *   3L−1     conv 4×4 s1 p1, bias                   3L InstanceNorm                   3L+1 LeakyReLU
 *   3L+2     conv 4×4 s1 p1 → 1, bias               3L+3 Sigmoid (no_lsgan)
 * Channels ndf·min(2^n, 8).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BuildContext, NetworkHandle, NodeCost, NodeDef, OfficialKey, ResolvedParams, RunContext, TensorType } from '../../contract.ts';
import { formatShape } from '../../dims.ts';
import { conv2dCost, conv2dOutputType, createConv2d } from '../../core/conv/conv-layers.ts';
import type { Conv2dSpec } from '../../core/conv/conv-layers.ts';
import { NodeRuleError, boolParam, channelsOf, elementCount, enumParam, intParam, stringParam } from '../../core/rules.ts';
import { INSTANCE_NORM_OR_NONE, normKindParam } from '../../core/param-presets.ts';
import { conv2dOfficialKeys } from './conv-keys.ts';
import { runLayerStack } from './layer-stack.ts';
import { DISCRIMINATOR_NETWORK, NETWORK_OUTPUT_PORT, discriminatorInputPorts, discriminatorInputType, discriminatorNetworkType } from './signature.ts';
import { createTrackedInstanceNorm } from './tracked-instance-norm.ts';
import { inputChannels, nodeModule } from '../../pytorch/emit.ts';


const KERNEL = 4;
const PADDING = 1;
const NORM_EPS = 1e-5;
const NORM_MOMENTUM = 0.1;

interface BlockPlan {
  /** `model.<i>` of the conv. */
  convIndex: number;
  spec: Conv2dSpec;
  /** `model.<i>` of the instance norm after the conv, if any. */
  normIndex?: number;
  leakyRelu: boolean;
  output: TensorType;
}

function planOf(params: ResolvedParams, input: TensorType): BlockPlan[] {
  const nLayers = intParam(params, 'n_layers');
  const ndf = intParam(params, 'ndf');
  const withNorm = enumParam(params, 'norm', INSTANCE_NORM_OR_NONE) === 'instance';
  const blocks: BlockPlan[] = [];
  let x = input;
  const add = (convIndex: number, inChannels: number, outChannels: number, stride: number, normIndex: number | undefined, leakyRelu: boolean) => {
    const spec: Conv2dSpec = { inChannels, outChannels, kernel: KERNEL, stride, padding: PADDING, paddingMode: 'zero', bias: true, spectralNorm: false };
    const [, h, w] = x.shape;
    if (h.value + 2 * PADDING < KERNEL || w.value + 2 * PADDING < KERNEL) throw tooSmall(`model.${convIndex}`, x);
    const output = conv2dOutputType(x, spec);
    if (normIndex !== undefined && output.shape[1].value * output.shape[2].value < 2) throw tooSmall(`the instance norm model.${normIndex}`, output);
    blocks.push({ convIndex, spec, normIndex, leakyRelu, output });
    x = output;
  };
  const width = (n: number) => ndf * Math.min(2 ** n, 8);
  add(0, channelsOf(input), ndf, 2, undefined, true);
  for (let n = 1; n <= nLayers; n++) {
    const stride = n < nLayers ? 2 : 1;
    add(3 * n - 1, width(n - 1), width(n), stride, withNorm ? 3 * n : undefined, true);
  }
  add(3 * nLayers + 2, width(nLayers), 1, 1, undefined, false);
  return blocks;
}

function tooSmall(what: string, x: TensorType): NodeRuleError {
  return new NodeRuleError(`the input is too small for this discriminator: ${what} gets a ${formatShape(x.shape)} map; use a larger image or fewer layers`, {
    port: 'image',
  });
}

function costOf(blocks: BlockPlan[]): NodeCost {
  const total: NodeCost = { params: 0, macs: 0, buffers: 0 };
  for (const block of blocks) {
    const conv = conv2dCost(block.spec, block.output);
    total.params += conv.params;
    total.macs += conv.macs;
    if (block.normIndex !== undefined) {
      total.macs += elementCount(block.output); // one scaling per element
      total.buffers! += 2 * block.spec.outChannels; // running_mean, running_var
    }
  }
  return total;
}

function officialKeysOf(blocks: BlockPlan[]): OfficialKey[] {
  return blocks.flatMap((block) => {
    const keys = conv2dOfficialKeys(`model.${block.convIndex}`, block.spec);
    if (block.normIndex === undefined) return keys;
    const at = `model.${block.normIndex}`;
    const c = block.spec.outChannels;
    return [
      ...keys,
      { key: `${at}.running_mean`, variable: `${at}.running_mean`, shape: [c], layout: 'vector', kind: 'buffer' },
      { key: `${at}.running_var`, variable: `${at}.running_var`, shape: [c], layout: 'vector', kind: 'buffer' },
      { key: `${at}.num_batches_tracked`, variable: null, shape: [], layout: 'scalar', kind: 'buffer' },
    ] satisfies OfficialKey[];
  });
}

function buildStack(ctx: BuildContext, blocks: BlockPlan[], sigmoid: boolean): (x: tf.Tensor4D, run: RunContext) => tf.Tensor4D[] {
  const layers = blocks.map((block) => ({
    conv: createConv2d(ctx, `model.${block.convIndex}`, block.spec),
    norm:
      block.normIndex === undefined
        ? undefined
        : createTrackedInstanceNorm(ctx, `model.${block.normIndex}`, { channels: block.spec.outChannels, eps: NORM_EPS, momentum: NORM_MOMENTUM }),
    leakyRelu: block.leakyRelu,
  }));
  return (x, run) => {
    const features = runLayerStack(layers, x, run);
    if (sigmoid) features[features.length - 1] = tf.sigmoid(features[features.length - 1]);
    return features;
  };
}

export const patchDiscriminatorNode: NodeDef = {
  type: 'lggan/patch-discriminator',
  version: 1,
  category: 'discriminator',
  title: 'Patch discriminator (pix2pix)',
  doc:
    "pix2pix's PatchGAN ('basic' NLayerDiscriminator, 70×70 receptive field), LGGAN's cross-view " +
    'discriminators: D1 is conditioned on the source image, D2 on the target semantic map. Conv 4×4 ' +
    's2 p1 in→ndf with LeakyReLU 0.2, n_layers−1 more stride-2 convs and one stride-1 conv, each with ' +
    'bias, instance norm and LeakyReLU (channels ndf·min(2^n, 8)), then a conv to one value per patch ' +
    'and, with sigmoid (no_lsgan), a sigmoid. The instance norms track running statistics ' +
    '(track_running_stats=True): training normalises per sample and updates the running mean and ' +
    'unbiased variance (momentum 0.1); eval mode normalises with the running statistics, as the ' +
    'official eval mode does. Outputs a network handle for the loss nodes; variables carry the ' +
    'official keys (model.0.weight …). 6 input channels: 2,767,809 parameters.',
  defaultNetwork: DISCRIMINATOR_NETWORK,
  params: {
    ndf: {
      type: 'int',
      default: 'ndf',
      min: 1,
      max: 512,
      template: true,
      doc: 'Channels of the first conv; later convs use ndf·min(2^n, 8).',
      ui: { widget: 'number' },
    },
    n_layers: { type: 'int', default: 3, min: 1, max: 6, doc: 'n_layers_D: stride-2 convs (the first included) before the stride-1 conv.', ui: { widget: 'number' } },
    sigmoid: {
      type: 'bool',
      default: true,
      doc: 'End with a sigmoid (no_lsgan: vanilla GAN with BCE on probabilities); off gives logits.',
      ui: { widget: 'checkbox' },
    },
    norm: normKindParam(INSTANCE_NORM_OR_NONE, 'instance: InstanceNorm with tracked running statistics; none: no norm (convs keep their bias).'),
  },
  inputs: discriminatorInputPorts('B×H×W×C conditioning map: the source image for D1, the target semantic map for D2; fixes the input channels only.'),
  outputs: [NETWORK_OUTPUT_PORT],
  infer({ inputs, params }) {
    const input = discriminatorInputType(inputs);
    const blocks = planOf(params, input);
    return { network: discriminatorNetworkType('lggan/patch-discriminator', input, [blocks[blocks.length - 1].output], boolParam(params, 'sigmoid')) };
  },
  cost({ inputs, params }) {
    return costOf(planOf(params, discriminatorInputType(inputs)));
  },
  pytorch: (ctx) =>
    nodeModule('discriminator', 'PatchDiscriminator', {
      in_channels: inputChannels(ctx, 'condition') + 3,
      ndf: intParam(ctx.node.params, 'ndf'),
      n_layers: intParam(ctx.node.params, 'n_layers'),
      sigmoid: boolParam(ctx.node.params, 'sigmoid'),
      norm: stringParam(ctx.node.params, 'norm'),
    }),
  build(ctx, { inputs, params }) {
    const input = discriminatorInputType(inputs);
    const expectedChannels = channelsOf(input);
    const stack = buildStack(ctx, planOf(params, input), boolParam(params, 'sigmoid'));
    const handle: NetworkHandle = {
      network: ctx.network,
      apply(values, run) {
        const x = values.x as tf.Tensor4D | undefined;
        if (!x || x.rank !== 4 || x.shape[3] !== expectedChannels) {
          throw new Error(`patch discriminator expects x of shape [B, H, W, ${expectedChannels}], got ${x ? `[${x.shape.join(', ')}]` : 'nothing'}`);
        }
        const features = stack(x, run);
        return { outputs: [features[features.length - 1]], features: [features] };
      },
    };
    return { forward: () => ({}), handles: { network: handle } };
  },
  officialKeys({ inputs, params }) {
    return officialKeysOf(planOf(params, discriminatorInputType(inputs)));
  },
};
