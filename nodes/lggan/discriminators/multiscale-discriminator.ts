/**
 * lggan/multiscale-discriminator: SPADE's MultiscaleDiscriminator as LGGAN's semantic-synthesis
 * code uses it (architecture notes §4.1). Per scale s (`discriminator_<s>`):
 *   model0           conv 4×4 s2 p2, in→ndf, bias, LeakyReLU 0.2
 *   model1…model{L−1} conv 4×4 p2 (stride 2, the last of them stride 1), channels doubling up to
 *                    512, spectral norm, no bias, InstanceNorm (affine=False), LeakyReLU 0.2
 *   model{L}         conv 4×4 s1 p2 → 1 patch logit, bias
 * Between scales the input is average-pooled 3×3, stride 2, padding 1, count_include_pad=False.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BuildContext, NetworkHandle, NodeCost, NodeDef, OfficialKey, ResolvedParams, RunContext, TensorType } from '../../contract.ts';
import { formatShape, windowOutDim } from '../../dims.ts';
import { conv2dCost, conv2dOutputType, createConv2d } from '../../core/conv/conv-layers.ts';
import type { Conv2dSpec } from '../../core/conv/conv-layers.ts';
import { summedAlongAxis } from '../../core/resample/downsample.ts';
import { createInstanceNorm, normCost } from '../../core/norm/norm-layers.ts';
import type { NormSpec } from '../../core/norm/norm-layers.ts';
import { avgPoolExcludePadding } from '../../core/resample/resample.ts';
import { NodeRuleError, boolParam, channelsOf, enumParam, intParam, mapType, stringParam } from '../../core/rules.ts';
import { INSTANCE_NORM_OR_NONE, normKindParam } from '../../core/param-presets.ts';
import { conv2dOfficialKeys } from './conv-keys.ts';
import { runLayerStack } from './layer-stack.ts';
import { DISCRIMINATOR_NETWORK, NETWORK_OUTPUT_PORT, discriminatorInputPorts, discriminatorInputType, discriminatorNetworkType } from './signature.ts';
import { inputChannels, nodeModule } from '../../pytorch/emit.ts';

type MultiscaleNorm = (typeof INSTANCE_NORM_OR_NONE)[number];

const KERNEL = 4;
const PADDING = 2; // SPADE: ceil((4 − 1)/2)
const MAX_CHANNELS = 512;
const POOL = { kernel: 3, stride: 2, padding: 1 };

interface BlockPlan {
  /** Variable prefix = official module path of the conv. */
  prefix: string;
  spec: Conv2dSpec;
  norm: boolean;
  leakyRelu: boolean;
  output: TensorType;
}

interface ScalePlan {
  input: TensorType;
  blocks: BlockPlan[];
}

interface MultiscaleSettings {
  numD: number;
  nLayers: number;
  ndf: number;
  spectralNorm: boolean;
  norm: MultiscaleNorm;
}

function settingsOf(params: ResolvedParams): MultiscaleSettings {
  return {
    numD: intParam(params, 'num_D'),
    nLayers: intParam(params, 'n_layers'),
    ndf: intParam(params, 'ndf'),
    spectralNorm: boolParam(params, 'spectral_norm'),
    norm: enumParam(params, 'norm', INSTANCE_NORM_OR_NONE),
  };
}

/** The input of scale s + 1: avg-pool 3×3/2/1 of scale s's input. */
function pooledType(x: TensorType): TensorType {
  const [b, h, w, c] = x.shape;
  const outH = windowOutDim(h, POOL.kernel, POOL.stride, 2 * POOL.padding);
  const outW = windowOutDim(w, POOL.kernel, POOL.stride, 2 * POOL.padding);
  return mapType('feature', b, outH, outW, c);
}

function tooSmall(scale: number, what: string, x: TensorType): NodeRuleError {
  return new NodeRuleError(
    `the input is too small for this discriminator: at scale ${scale} ${what} gets a ${formatShape(x.shape)} map; use a larger image or fewer scales/layers`,
    { port: 'image' },
  );
}

function planScale(s: number, input: TensorType, settings: MultiscaleSettings): ScalePlan {
  const { nLayers, ndf, spectralNorm, norm } = settings;
  const blocks: BlockPlan[] = [];
  let x = input;
  const add = (prefix: string, spec: Conv2dSpec, withNorm: boolean, leakyRelu: boolean) => {
    if (x.shape[1].value + 2 * PADDING < KERNEL || x.shape[2].value + 2 * PADDING < KERNEL) throw tooSmall(s, prefix, x);
    const output = conv2dOutputType(x, spec);
    if (withNorm && output.shape[1].value * output.shape[2].value < 2) throw tooSmall(s, `the instance norm after ${prefix}`, output);
    blocks.push({ prefix, spec, norm: withNorm, leakyRelu, output });
    x = output;
  };
  const conv = (inChannels: number, outChannels: number, stride: number, bias: boolean, sn: boolean): Conv2dSpec => ({
    inChannels,
    outChannels,
    kernel: KERNEL,
    stride,
    padding: PADDING,
    paddingMode: 'zero',
    bias,
    spectralNorm: sn,
  });
  const at = `discriminator_${s}`;
  let nf = ndf;
  add(`${at}.model0.0`, conv(channelsOf(input), nf, 2, true, false), false, true);
  for (let n = 1; n < nLayers; n++) {
    const previous = nf;
    nf = Math.min(nf * 2, MAX_CHANNELS);
    const stride = n === nLayers - 1 ? 1 : 2;
    const withNorm = norm !== 'none';
    // SPADE wraps a normalised conv as Sequential(conv, norm) and deletes its bias.
    add(withNorm ? `${at}.model${n}.0.0` : `${at}.model${n}.0`, conv(previous, nf, stride, !withNorm, spectralNorm), withNorm, true);
  }
  add(`${at}.model${nLayers}.0`, conv(nf, 1, 1, true, false), false, false);
  return { input, blocks };
}

function planOf(params: ResolvedParams, input: TensorType): ScalePlan[] {
  const settings = settingsOf(params);
  const scales: ScalePlan[] = [];
  let x = input;
  for (let s = 0; s < settings.numD; s++) {
    if (s > 0) x = pooledType(x);
    scales.push(planScale(s, x, settings));
  }
  return scales;
}

function normSpecOf(block: BlockPlan): NormSpec {
  return { kind: 'instance', channels: block.spec.outChannels, affine: false, eps: 1e-5, momentum: 0 };
}

function costOf(scales: ScalePlan[]): NodeCost {
  const total: NodeCost = { params: 0, macs: 0, buffers: 0 };
  scales.forEach((scale, s) => {
    if (s > 0) {
      const previous = scales[s - 1].input;
      const [b, h, w, c] = previous.shape.map((d) => d.value);
      const [, outH, outW] = scale.input.shape.map((d) => d.value);
      const rows = summedAlongAxis(h, outH, POOL.kernel, POOL.stride, POOL.padding);
      const cols = summedAlongAxis(w, outW, POOL.kernel, POOL.stride, POOL.padding);
      total.macs += b * c * rows * cols;
    }
    for (const block of scale.blocks) {
      const conv = conv2dCost(block.spec, block.output);
      total.params += conv.params;
      total.macs += conv.macs;
      total.buffers! += conv.buffers ?? 0;
      if (block.norm) total.macs += normCost(normSpecOf(block), block.output).macs;
    }
  });
  return total;
}

type ScaleForward = (x: tf.Tensor4D, run: RunContext) => tf.Tensor4D[];

function buildScale(ctx: BuildContext, scale: ScalePlan): ScaleForward {
  const layers = scale.blocks.map((block) => ({
    conv: createConv2d(ctx, block.prefix, block.spec),
    norm: block.norm ? createInstanceNorm(ctx, `${block.prefix}.norm`, normSpecOf(block)) : undefined,
    leakyRelu: block.leakyRelu,
  }));
  return (x, run) => runLayerStack(layers, x, run);
}

export const multiscaleDiscriminatorNode: NodeDef = {
  type: 'lggan/multiscale-discriminator',
  version: 1,
  category: 'discriminator',
  title: 'Multiscale discriminator (SPADE)',
  doc:
    "SPADE's multiscale PatchGAN discriminator, used by LGGAN for semantic image synthesis: num_D " +
    'copies at full and 3×3/2 average-pooled (count_include_pad=False) resolutions, each conv 4×4 ' +
    '(padding 2) in→ndf with LeakyReLU 0.2, then n_layers−1 spectral-norm convs without bias, ' +
    'instance norm and LeakyReLU (channels doubling up to 512, the last of them stride 1), then a ' +
    'conv to one patch logit. The condition and image ports only fix the input channels (C+3); the ' +
    'node outputs a network handle that loss nodes apply to condition ‖ image for fake and real ' +
    'images with shared weights, returning per scale the patch logits and every block\'s output for ' +
    'feature matching. A run applies it once to every pair its losses judge, batched (as SPADE batches ' +
    'fake and real); instance norm is per sample, so each pair gets what its own call would give. ' +
    'Variables carry the official keys ' +
    '(discriminator_0.model1.0.0.weight_orig …). ' +
    'Cityscapes: 39 input channels, 5,601,410 parameters; ADE20K: 154, 5,836,930.',
  defaultNetwork: DISCRIMINATOR_NETWORK,
  params: {
    num_D: { type: 'int', default: 2, min: 1, max: 4, doc: 'Number of scales (discriminators).', ui: { widget: 'number' } },
    n_layers: {
      type: 'int',
      default: 4,
      min: 1,
      max: 6,
      doc: 'n_layers_D: convs before the output conv (the first plain, the rest normalised).',
      ui: { widget: 'number' },
    },
    ndf: {
      type: 'int',
      default: 'ndf',
      min: 1,
      max: 512,
      template: true,
      doc: 'Channels of the first conv; doubled per layer up to 512.',
      ui: { widget: 'number' },
    },
    spectral_norm: {
      type: 'bool',
      default: true,
      doc: "Spectral norm on the middle convs (norm_D 'spectralinstance').",
      ui: { widget: 'checkbox' },
    },
    norm: normKindParam(INSTANCE_NORM_OR_NONE, 'Norm after the middle convs; with none the convs keep their bias (as SPADE).'),
  },
  inputs: discriminatorInputPorts('B×H×W×C semantic map (one-hot labels plus instance edges), any spatial kind; fixes the input channels only.'),
  outputs: [NETWORK_OUTPUT_PORT],
  infer({ inputs, params }) {
    const input = discriminatorInputType(inputs);
    const scales = planOf(params, input);
    const outputs = scales.map((scale) => scale.blocks[scale.blocks.length - 1].output);
    return { network: discriminatorNetworkType('lggan/multiscale-discriminator', input, outputs, false) };
  },
  cost({ inputs, params }) {
    return costOf(planOf(params, discriminatorInputType(inputs)));
  },
  pytorch: (ctx) =>
    nodeModule('discriminator', 'MultiscaleDiscriminator', {
      in_channels: inputChannels(ctx, 'condition') + 3,
      num_d: intParam(ctx.node.params, 'num_D'),
      n_layers: intParam(ctx.node.params, 'n_layers'),
      ndf: intParam(ctx.node.params, 'ndf'),
      spectral_norm: boolParam(ctx.node.params, 'spectral_norm'),
      norm: stringParam(ctx.node.params, 'norm'),
    }),
  build(ctx, { inputs, params }) {
    const input = discriminatorInputType(inputs);
    const expectedChannels = channelsOf(input);
    const scales = planOf(params, input).map((scale) => buildScale(ctx, scale));
    const handle: NetworkHandle = {
      network: ctx.network,
      apply(values, run) {
        const x = values.x as tf.Tensor4D | undefined;
        if (!x || x.rank !== 4 || x.shape[3] !== expectedChannels) {
          throw new Error(`multiscale discriminator expects x of shape [B, H, W, ${expectedChannels}], got ${x ? `[${x.shape.join(', ')}]` : 'nothing'}`);
        }
        const outputs: tf.Tensor[] = [];
        const features: tf.Tensor[][] = [];
        let scaleInput = x;
        scales.forEach((forward, s) => {
          if (s > 0) scaleInput = avgPoolExcludePadding(scaleInput, POOL.kernel, POOL.stride, POOL.padding);
          const blockOutputs = forward(scaleInput, run);
          features.push(blockOutputs);
          outputs.push(blockOutputs[blockOutputs.length - 1]);
        });
        return { outputs, features };
      },
    };
    // The node computes nothing itself: loss nodes run the handle.
    return { forward: () => ({}), handles: { network: handle } };
  },
  officialKeys({ inputs, params }): OfficialKey[] {
    return planOf(params, discriminatorInputType(inputs)).flatMap((scale) => scale.blocks.flatMap((block) => conv2dOfficialKeys(block.prefix, block.spec)));
  },
};

