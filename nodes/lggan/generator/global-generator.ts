/**
 * LGGAN's global generator G_g (architecture notes §1.2): the SPADE decoder of GauGAN, fed by the
 * encoder's latent map instead of a downsampled segmap. Seven SPADE residual blocks with 2×
 * nearest upsampling between them, then LeakyReLU 0.2, conv_img 3×3 and tanh.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NodeCost, NodeDef, OfficialKey, ResolvedParams, TensorType } from '../../contract.ts';
import { formatShape, scaleDim } from '../../dims.ts';
import { conv2dCost, createConv2d } from '../../core/conv/conv-layers.ts';
import type { Conv2dSpec } from '../../core/conv/conv-layers.ts';
import { checkInstanceNormInput } from '../../core/norm/norm-layers.ts';
import { nearestUpsample } from '../../core/resample/resample.ts';
import { NodeRuleError, boolParam, channelsOf, enumParam, intParam, mapType, requireChannels, requireSpatial, stringParam } from '../../core/rules.ts';
import { sumCosts } from './encoder.ts';
import { conv2dOfficialKeys } from '../official-keys.ts';
import {
  PARAM_FREE_NORMS,
  batchNormWarnings,
  blockSpectralNormParam,
  createSpadeResBlock,
  paramFreeNormParam,
  spadeHiddenParam,
  spadeResBlockCost,
  spadeResBlockOfficialKeys,
} from './spade.ts';
import type { ParamFreeNorm, SpadeResBlockSpec } from './spade.ts';
import { layer, inputChannels } from '../../pytorch/emit.ts';

export type UpsamplingMode = 'normal' | 'more';
export const UPSAMPLING_MODES: readonly UpsamplingMode[] = ['normal', 'more'];

/** LeakyReLU slope before conv_img. */
const OUTPUT_SLOPE = 0.2;

export interface GlobalGeneratorSpec {
  ngf: number;
  /** Channels of the semantic map (semantic_nc). */
  labelChannels: number;
  hidden: number;
  paramFreeNorm: ParamFreeNorm;
  spectralNorm: boolean;
  upsamplingMode: UpsamplingMode;
  /** Create SPADE's `fc` conv, which the official model builds but never runs. */
  keepUnusedOfficial: boolean;
}

export interface GeneratorBlock {
  /** Official module name. */
  name: string;
  /** A 2× nearest upsample runs right before the block. */
  upsampleBefore: boolean;
  spec: SpadeResBlockSpec;
}

/** head_0, G_middle_0, G_middle_1, up_0 … up_3 with their widths (in units of ngf) and upsamples. */
export function globalGeneratorBlocks(spec: GlobalGeneratorSpec): GeneratorBlock[] {
  const layout: Array<[name: string, fin: number, fout: number, upsampleBefore: boolean]> = [
    ['head_0', 16, 16, false],
    ['G_middle_0', 16, 16, true],
    ['G_middle_1', 16, 16, spec.upsamplingMode === 'more'], // the extra upsample of 'more'
    ['up_0', 16, 8, true],
    ['up_1', 8, 4, true],
    ['up_2', 4, 2, true],
    ['up_3', 2, 1, true],
  ];
  return layout.map(([name, fin, fout, upsampleBefore]) => ({
    name,
    upsampleBefore,
    spec: {
      inChannels: fin * spec.ngf,
      outChannels: fout * spec.ngf,
      labelChannels: spec.labelChannels,
      hidden: spec.hidden,
      paramFreeNorm: spec.paramFreeNorm,
      spectralNorm: spec.spectralNorm,
    },
  }));
}

/** Number of 2× upsamples from the latent map to the image: 5 ('normal') or 6 ('more'). */
export function upsamplingCount(mode: UpsamplingMode): number {
  return mode === 'more' ? 6 : 5;
}

/** Channels of the latent map the generator expects (16·ngf). */
export function latentChannels(spec: GlobalGeneratorSpec): number {
  return 16 * spec.ngf;
}

function convImgSpec(spec: GlobalGeneratorSpec): Conv2dSpec {
  return { inChannels: spec.ngf, outChannels: 3, kernel: 3, stride: 1, padding: 1, paddingMode: 'zero', bias: true, spectralNorm: false };
}

/** SPADE's `fc` (conv 3×3 semantic_nc→16·ngf): built and saved by the official model, never run. */
function unusedFcSpec(spec: GlobalGeneratorSpec): Conv2dSpec {
  return { inChannels: spec.labelChannels, outChannels: latentChannels(spec), kernel: 3, stride: 1, padding: 1, paddingMode: 'zero', bias: true, spectralNorm: false };
}

export function globalGeneratorCost(spec: GlobalGeneratorSpec, latent: TensorType): NodeCost {
  const costs: NodeCost[] = [];
  if (spec.keepUnusedOfficial) {
    const fc = conv2dCost(unusedFcSpec(spec), latent).params;
    costs.push({ params: fc, macs: 0, buffers: 0, unusedParams: fc });
  }
  let x = latent;
  for (const block of globalGeneratorBlocks(spec)) {
    if (block.upsampleBefore) {
      const [b, h, w, c] = x.shape;
      x = mapType('feature', b, scaleDim(h, 2), scaleDim(w, 2), c);
    }
    costs.push(spadeResBlockCost(block.spec, x));
    const [b, h, w] = x.shape;
    x = mapType('feature', b, h, w, block.spec.outChannels);
  }
  const [b, h, w] = x.shape;
  costs.push(conv2dCost(convImgSpec(spec), mapType('image', b, h, w, 3)));
  return sumCosts(...costs);
}

/**
 * Official order: fc, the seven blocks, conv_img. `fc` is always listed; without
 * keep_unused_official it maps to no variable (an importer drops it).
 */
export function globalGeneratorOfficialKeys(spec: GlobalGeneratorSpec): OfficialKey[] {
  const fc = conv2dOfficialKeys('fc', 'fc', unusedFcSpec(spec)).map((key) => (spec.keepUnusedOfficial ? key : { ...key, variable: null }));
  const blocks = globalGeneratorBlocks(spec).flatMap((block) => spadeResBlockOfficialKeys(block.name, block.name, block.spec));
  return [...fc, ...blocks, ...conv2dOfficialKeys('conv_img', 'conv_img', convImgSpec(spec))];
}

// ---------------------------------------------------------------------------------------------
// Node

function specOf(params: ResolvedParams, semantic: TensorType): GlobalGeneratorSpec {
  return {
    ngf: intParam(params, 'ngf'),
    labelChannels: channelsOf(semantic),
    hidden: intParam(params, 'spade_hidden'),
    paramFreeNorm: enumParam(params, 'param_free_norm', PARAM_FREE_NORMS),
    spectralNorm: boolParam(params, 'spectral_norm'),
    upsamplingMode: enumParam(params, 'upsampling_mode', UPSAMPLING_MODES),
    keepUnusedOfficial: boolParam(params, 'keep_unused_official'),
  };
}

/** latent·2^ups must equal the semantic map's size; the message names both ports and the factor. */
function checkLatentSize(latent: TensorType, semantic: TensorType, mode: UpsamplingMode): void {
  const factor = 2 ** upsamplingCount(mode);
  const [lb, lh, lw] = latent.shape;
  const [sb, sh, sw] = semantic.shape;
  if (lh.value * factor !== sh.value || lw.value * factor !== sw.value) {
    const fits = sh.value % factor === 0 && sw.value % factor === 0 ? `'latent' must be ${sh.value / factor}×${sw.value / factor}` : `'semantic' must be a multiple of ${factor}`;
    throw new NodeRuleError(
      `port 'latent' is ${formatShape(latent.shape)} but port 'semantic' is ${formatShape(semantic.shape)}: ` +
        `upsampling_mode '${mode}' upsamples ${upsamplingCount(mode)} times (×${factor}), so ${fits}`,
      { port: 'latent' },
    );
  }
  if (lb.value !== sb.value) {
    throw new NodeRuleError(`port 'latent' has batch ${lb.value} but port 'semantic' has batch ${sb.value}`, { port: 'latent' });
  }
}

export const globalGeneratorNode: NodeDef = {
  type: 'lggan/global-generator',
  version: 1,
  category: 'lggan',
  title: 'LGGAN global generator',
  doc:
    "LGGAN's global image-level generator G_g, the SPADE decoder: SPADE residual blocks head_0, G_middle_0, " +
    'G_middle_1 (16·ngf wide), up_0 … up_3 (8, 4, 2, 1 ·ngf) with a 2× nearest upsample before every ' +
    "block but head_0 and, in 'normal' mode, G_middle_1; then LeakyReLU 0.2, conv_img 3×3 to RGB and tanh. " +
    "Every SPADE is conditioned on the full semantic map. The latent map (encoder output, 16·ngf channels) " +
    "must be the semantic map's size / 32 ('normal') or / 64 ('more', Cityscapes). keep_unused_official " +
    "also creates SPADE's never-used fc conv so that totals and checkpoints match the official model.",
  params: {
    ngf: {
      type: 'int',
      default: 'ngf',
      min: 1,
      max: 256,
      template: true,
      doc: 'Base width: blocks are 16·ngf wide at the latent and ngf wide at the end (official: 64).',
      ui: { widget: 'number' },
    },
    upsampling_mode: {
      type: 'enum',
      options: UPSAMPLING_MODES,
      default: 'normal',
      doc: "normal: 5 upsamples (ADE20K); more: an extra upsample before G_middle_1, 6 in all (Cityscapes).",
      ui: { widget: 'select' },
    },
    spade_hidden: spadeHiddenParam,
    param_free_norm: paramFreeNormParam,
    spectral_norm: blockSpectralNormParam,
    keep_unused_official: {
      type: 'bool',
      default: false,
      doc: "Create SPADE's fc conv (semantic_nc→16·ngf), which the official model saves but never uses, so parameter totals and checkpoints match (counted as unused).",
      ui: { widget: 'checkbox', advanced: true },
    },
  },
  inputs: [
    { name: 'latent', kind: 'feature', doc: 'B×H/32×W/32×16·ngf latent map from the encoder (B×H/64×W/64 with upsampling_mode more).' },
    { name: 'semantic', kind: 'semantic', doc: 'B×H×W×L semantic map (instance edge included) conditioning every SPADE.' },
  ],
  outputs: [{ name: 'image', kind: 'image', doc: 'B×H×W×3 global image I_global in [-1, 1].' }],
  infer({ inputs, params }) {
    const latent = requireSpatial(inputs, 'latent');
    const semantic = requireSpatial(inputs, 'semantic', 'semantic');
    const spec = specOf(params, semantic);
    requireChannels(latent, 'latent', latentChannels(spec));
    checkLatentSize(latent, semantic, spec.upsamplingMode);
    if (spec.paramFreeNorm === 'instance') checkInstanceNormInput(latent, 'latent');
    const [b, h, w] = semantic.shape;
    return { image: mapType('image', b, h, w, 3) };
  },
  warnings({ inputs, params }) {
    return batchNormWarnings(enumParam(params, 'param_free_norm', PARAM_FREE_NORMS), inputs.latent, 'latent');
  },
  cost({ inputs, params }) {
    return globalGeneratorCost(specOf(params, inputs.semantic), inputs.latent);
  },
  pytorch: (ctx) =>
    layer('GlobalGenerator', {
      ngf: intParam(ctx.node.params, 'ngf'),
      label_channels: inputChannels(ctx, 'semantic'),
      hidden: intParam(ctx.node.params, 'spade_hidden'),
      param_free_norm: stringParam(ctx.node.params, 'param_free_norm'),
      spectral_norm: boolParam(ctx.node.params, 'spectral_norm'),
      upsampling_mode: stringParam(ctx.node.params, 'upsampling_mode'),
      keep_unused_official: boolParam(ctx.node.params, 'keep_unused_official'),
    }),
  build(ctx, { inputs, params }) {
    const spec = specOf(params, inputs.semantic);
    if (spec.keepUnusedOfficial) createConv2d(ctx, 'fc', unusedFcSpec(spec)); // variables only, never run
    const blocks = globalGeneratorBlocks(spec).map((block) => ({ ...block, forward: createSpadeResBlock(ctx, block.name, block.spec) }));
    const convImg = createConv2d(ctx, 'conv_img', convImgSpec(spec));
    return (values, run) => {
      const image = tf.tidy(() => {
        const semantic = values.semantic as tf.Tensor4D;
        let x = values.latent as tf.Tensor4D;
        for (const block of blocks) {
          if (block.upsampleBefore) x = nearestUpsample(x, 2);
          x = block.forward(x, semantic, run);
        }
        return tf.tanh(convImg(tf.leakyRelu(x, OUTPUT_SLOPE), run));
      });
      return { image };
    };
  },
  officialKeys({ inputs, params }) {
    return globalGeneratorOfficialKeys(specOf(params, inputs.semantic));
  },
};
