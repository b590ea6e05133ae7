/**
 * SPADE (Park et al., 2019) as LGGAN's global generator uses it (architecture notes §1.2):
 * - SPADE(norm_nc, label_nc): param-free norm of x, then x̂·(1 + γ) + β with γ, β predicted from
 *   the segmap (nearest-resized to x) by a shared 3×3 conv + ReLU and two 3×3 convs;
 * - SPADEResBlk(fin, fout): SPADE → LeakyReLU 0.2 → conv 3×3 twice (fmid = min(fin, fout)), plus a
 *   learned SPADE → 1×1 conv shortcut when fin ≠ fout; convs spectrally normalised.
 * Layer builders (createSpade, createSpadeResBlock), their costs and official keys are exported
 * for the global generator; the two nodes expose them for hand-wired SPADE decoders.
 */
import * as tf from '@tensorflow/tfjs-core';
import type {
  BoolParam,
  BuildContext,
  EnumParam,
  IntParam,
  NodeCost,
  NodeDef,
  OfficialKey,
  ResolvedParams,
  RunContext,
  StringParam,
  TensorType,
} from '../../contract.ts';
import { formatShape } from '../../dims.ts';
import { conv2dCost, createConv2d } from '../../core/conv/conv-layers.ts';
import type { Conv2dSpec } from '../../core/conv/conv-layers.ts';
import { checkInstanceNormInput, createNorm, normCost } from '../../core/norm/norm-layers.ts';
import type { NormSpec } from '../../core/norm/norm-layers.ts';
import { nearestResize } from '../../core/resample/resample.ts';
import { NodeRuleError, boolParam, channelsOf, elementCount, enumParam, intParam, mapType, requireSpatial, stringParam } from '../../core/rules.ts';
import { sumCosts } from './encoder.ts';
import { conv2dOfficialKeys, officialPath } from '../official-keys.ts';
import { layer, inputChannels } from '../../pytorch/emit.ts';

export type ParamFreeNorm = 'batch' | 'instance';
export const PARAM_FREE_NORMS: readonly ParamFreeNorm[] = ['batch', 'instance'];

/** LeakyReLU slope between SPADE and the block convs (SPADE's actvn). */
const BLOCK_SLOPE = 0.2;

// ---------------------------------------------------------------------------------------------
// SPADE

export interface SpadeSpec {
  /** Channels of the normalised map x (norm_nc). */
  normChannels: number;
  /** Channels of the segmap (label_nc: semantic_nc, instance edge included). */
  labelChannels: number;
  /** Width of the shared conv (SPADE's nhidden, 128). */
  hidden: number;
  paramFreeNorm: ParamFreeNorm;
}

function spadeConvs(spec: SpadeSpec): { shared: Conv2dSpec; gamma: Conv2dSpec; beta: Conv2dSpec } {
  const conv3x3 = (inChannels: number, outChannels: number): Conv2dSpec => ({
    inChannels,
    outChannels,
    kernel: 3,
    stride: 1,
    padding: 1,
    paddingMode: 'zero',
    bias: true,
    spectralNorm: false,
  });
  return {
    shared: conv3x3(spec.labelChannels, spec.hidden),
    gamma: conv3x3(spec.hidden, spec.normChannels),
    beta: conv3x3(spec.hidden, spec.normChannels),
  };
}

/** SyncBatchNorm2d / InstanceNorm2d with affine=False (eps 1e-5, momentum 0.1). */
function paramFreeNormSpec(spec: SpadeSpec): NormSpec {
  return { kind: spec.paramFreeNorm, channels: spec.normChannels, affine: false, eps: 1e-5, momentum: 0.1 };
}

/** Cost of SPADE on map `x` (its B×H×W sets the conv resolution): norm, three convs, modulation. */
export function spadeCost(spec: SpadeSpec, x: TensorType): NodeCost {
  const [b, h, w] = x.shape;
  const convs = spadeConvs(spec);
  const out = mapType('feature', b, h, w, spec.normChannels);
  return sumCosts(
    normCost(paramFreeNormSpec(spec), out),
    conv2dCost(convs.shared, mapType('feature', b, h, w, spec.hidden)),
    conv2dCost(convs.gamma, out),
    conv2dCost(convs.beta, out),
    { params: 0, macs: elementCount(out), buffers: 0 }, // x̂·(1 + γ)
  );
}

/**
 * Official entries of one SPADE module: param_free_norm running stats (batch norm only; the int64
 * num_batches_tracked is mapped to no variable), then mlp_shared.0, mlp_gamma, mlp_beta.
 */
export function spadeOfficialKeys(officialPrefix: string, localPrefix: string, spec: SpadeSpec): OfficialKey[] {
  const keys: OfficialKey[] = [];
  if (spec.paramFreeNorm === 'batch') {
    const norm = (name: string) => officialPath(officialPrefix, `param_free_norm.${name}`);
    const local = (name: string) => officialPath(localPrefix, `param_free_norm.${name}`);
    for (const stat of ['running_mean', 'running_var']) {
      keys.push({ key: norm(stat), variable: local(stat), shape: [spec.normChannels], layout: 'vector', kind: 'buffer' });
    }
    keys.push({ key: norm('num_batches_tracked'), variable: null, shape: [], layout: 'scalar', kind: 'buffer' });
  }
  const convs = spadeConvs(spec);
  const at = (name: string) => [officialPath(officialPrefix, name), officialPath(localPrefix, name)] as const;
  keys.push(...conv2dOfficialKeys(...at('mlp_shared.0'), convs.shared));
  keys.push(...conv2dOfficialKeys(...at('mlp_gamma'), convs.gamma));
  keys.push(...conv2dOfficialKeys(...at('mlp_beta'), convs.beta));
  return keys;
}

export type SpadeForward = (x: tf.Tensor4D, segmap: tf.Tensor4D, run: RunContext) => tf.Tensor4D;

/**
 * Builds SPADE with variables `<prefix>.param_free_norm.running_mean/var` (batch norm),
 * `<prefix>.mlp_shared.0.*`, `<prefix>.mlp_gamma.*`, `<prefix>.mlp_beta.*`. The segmap may have
 * any size: it is nearest-resized to x's (a no-op when the caller already resized it).
 */
export function createSpade(ctx: BuildContext, prefix: string, spec: SpadeSpec): SpadeForward {
  const norm = createNorm(ctx, officialPath(prefix, 'param_free_norm'), paramFreeNormSpec(spec));
  const convs = spadeConvs(spec);
  const shared = createConv2d(ctx, officialPath(prefix, 'mlp_shared.0'), convs.shared);
  const gamma = createConv2d(ctx, officialPath(prefix, 'mlp_gamma'), convs.gamma);
  const beta = createConv2d(ctx, officialPath(prefix, 'mlp_beta'), convs.beta);
  return (x, segmap, run) =>
    tf.tidy(() => {
      const [, h, w] = x.shape;
      const actv = tf.relu(shared(nearestResize(segmap, h, w), run));
      return tf.add(tf.mul(norm(x, run), tf.add(gamma(actv, run), 1)), beta(actv, run)) as tf.Tensor4D;
    });
}

// ---------------------------------------------------------------------------------------------
// SPADE residual block

export interface SpadeResBlockSpec {
  inChannels: number;
  outChannels: number;
  labelChannels: number;
  hidden: number;
  paramFreeNorm: ParamFreeNorm;
  /** Spectral norm on conv_0, conv_1, conv_s (official: on). */
  spectralNorm: boolean;
}

interface BlockLayers {
  conv0: Conv2dSpec;
  conv1: Conv2dSpec;
  norm0: SpadeSpec;
  norm1: SpadeSpec;
  /** The learned shortcut, present when fin ≠ fout. */
  shortcut?: { conv: Conv2dSpec; norm: SpadeSpec };
}

export function hasLearnedShortcut(spec: SpadeResBlockSpec): boolean {
  return spec.inChannels !== spec.outChannels;
}

function blockLayers(spec: SpadeResBlockSpec): BlockLayers {
  const middle = Math.min(spec.inChannels, spec.outChannels);
  const conv = (inChannels: number, outChannels: number, kernel: number, bias: boolean): Conv2dSpec => ({
    inChannels,
    outChannels,
    kernel,
    stride: 1,
    padding: (kernel - 1) / 2,
    paddingMode: 'zero',
    bias,
    spectralNorm: spec.spectralNorm,
  });
  const spade = (normChannels: number): SpadeSpec => ({
    normChannels,
    labelChannels: spec.labelChannels,
    hidden: spec.hidden,
    paramFreeNorm: spec.paramFreeNorm,
  });
  const layers: BlockLayers = {
    conv0: conv(spec.inChannels, middle, 3, true),
    conv1: conv(middle, spec.outChannels, 3, true),
    norm0: spade(spec.inChannels),
    norm1: spade(middle),
  };
  if (hasLearnedShortcut(spec)) layers.shortcut = { conv: conv(spec.inChannels, spec.outChannels, 1, false), norm: spade(spec.inChannels) };
  return layers;
}

/** Cost of the block on input map `x` (the output has x's B×H×W). */
export function spadeResBlockCost(spec: SpadeResBlockSpec, x: TensorType): NodeCost {
  const [b, h, w] = x.shape;
  const layers = blockLayers(spec);
  const at = (channels: number) => mapType('feature', b, h, w, channels);
  const costs = [
    spadeCost(layers.norm0, x),
    conv2dCost(layers.conv0, at(layers.conv0.outChannels)),
    spadeCost(layers.norm1, at(layers.norm1.normChannels)),
    conv2dCost(layers.conv1, at(spec.outChannels)),
  ];
  if (layers.shortcut) costs.push(spadeCost(layers.shortcut.norm, x), conv2dCost(layers.shortcut.conv, at(spec.outChannels)));
  return sumCosts(...costs);
}

/** Official order within a block: conv_0, conv_1, conv_s, then norm_0, norm_1, norm_s. */
export function spadeResBlockOfficialKeys(officialPrefix: string, localPrefix: string, spec: SpadeResBlockSpec): OfficialKey[] {
  const layers = blockLayers(spec);
  const at = (name: string) => [officialPath(officialPrefix, name), officialPath(localPrefix, name)] as const;
  const keys = [...conv2dOfficialKeys(...at('conv_0'), layers.conv0), ...conv2dOfficialKeys(...at('conv_1'), layers.conv1)];
  if (layers.shortcut) keys.push(...conv2dOfficialKeys(...at('conv_s'), layers.shortcut.conv));
  keys.push(...spadeOfficialKeys(...at('norm_0'), layers.norm0), ...spadeOfficialKeys(...at('norm_1'), layers.norm1));
  if (layers.shortcut) keys.push(...spadeOfficialKeys(...at('norm_s'), layers.shortcut.norm));
  return keys;
}

/** Builds the block with variables `<prefix>.conv_0.*`, `<prefix>.norm_0.*`, … (official names). */
export function createSpadeResBlock(ctx: BuildContext, prefix: string, spec: SpadeResBlockSpec): SpadeForward {
  const layers = blockLayers(spec);
  const at = (name: string) => officialPath(prefix, name);
  const conv0 = createConv2d(ctx, at('conv_0'), layers.conv0);
  const conv1 = createConv2d(ctx, at('conv_1'), layers.conv1);
  const convS = layers.shortcut && createConv2d(ctx, at('conv_s'), layers.shortcut.conv);
  const norm0 = createSpade(ctx, at('norm_0'), layers.norm0);
  const norm1 = createSpade(ctx, at('norm_1'), layers.norm1);
  const normS = layers.shortcut && createSpade(ctx, at('norm_s'), layers.shortcut.norm);
  return (x, segmap, run) =>
    tf.tidy(() => {
      const [, h, w] = x.shape;
      const seg = nearestResize(segmap, h, w); // once for the block's two or three SPADEs
      const shortcut = convS && normS ? convS(normS(x, seg, run), run) : x;
      let dx = conv0(tf.leakyRelu(norm0(x, seg, run), BLOCK_SLOPE), run);
      dx = conv1(tf.leakyRelu(norm1(dx, seg, run), BLOCK_SLOPE), run);
      return tf.add(shortcut, dx) as tf.Tensor4D;
    });
}

// ---------------------------------------------------------------------------------------------
// Param definitions shared with the global generator

export const spadeHiddenParam: IntParam = {
  type: 'int',
  default: 128,
  min: 1,
  max: 2048,
  doc: "Width of SPADE's shared conv (nhidden; official: 128).",
  ui: { widget: 'number', group: 'SPADE', advanced: true },
};

export const paramFreeNormParam: EnumParam = {
  type: 'enum',
  options: PARAM_FREE_NORMS,
  default: 'batch',
  doc: "SPADE's parameter-free norm: batch (official spectralspadesyncbatch3x3; running stats as buffers) or instance.",
  ui: { widget: 'select', group: 'SPADE' },
};

export const blockSpectralNormParam: BoolParam = {
  type: 'bool',
  default: true,
  doc: 'Spectrally normalise the block convs conv_0, conv_1 and conv_s (official: on).',
  ui: { widget: 'checkbox', advanced: true },
};

const officialNameParam: StringParam = {
  type: 'string',
  default: '',
  pattern: '^([A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z0-9_]+)*)?$',
  doc: 'Module path of this layer in an official checkpoint (e.g. "head_0" or "up_1.norm_0"); empty = none, no official keys.',
  ui: { widget: 'text', advanced: true },
};

/** Batch norm in training needs two values per channel; a 1×1 map at batch 1 has one. */
export function batchNormWarnings(norm: ParamFreeNorm, x: TensorType | undefined, port: string): string[] {
  if (norm !== 'batch' || !x || x.shape.length !== 4) return [];
  const [b, h, w] = x.shape;
  if (b.value * h.value * w.value >= 2) return [];
  return [`port '${port}' is a single ${formatShape(x.shape)} value per channel at batch ${b.value}: the batch norm cannot train (use batch ≥ 2 or param_free_norm instance)`];
}

// ---------------------------------------------------------------------------------------------
// Nodes

/** x and the segmap must come from the same batch; the segmap's size may differ. */
function checkSegmap(inputs: Record<string, TensorType>, x: TensorType): TensorType {
  const semantic = requireSpatial(inputs, 'semantic', 'semantic');
  if (semantic.shape[0].value !== x.shape[0].value) {
    throw new NodeRuleError(`port 'semantic' has batch ${semantic.shape[0].value} but port 'x' has batch ${x.shape[0].value}`, { port: 'semantic' });
  }
  return semantic;
}

function spadeSpecOf(params: ResolvedParams, inputs: Record<string, TensorType>): SpadeSpec {
  return {
    normChannels: channelsOf(inputs.x),
    labelChannels: channelsOf(inputs.semantic),
    hidden: intParam(params, 'hidden'),
    paramFreeNorm: enumParam(params, 'param_free_norm', PARAM_FREE_NORMS),
  };
}

const segmapPort = {
  name: 'semantic',
  kind: 'semantic' as const,
  doc: 'B×Hs×Ws×L semantic map (L = semantic_nc, instance edge included); nearest-resized to x.',
};

export const spadeNormNode: NodeDef = {
  type: 'lggan/spade-norm',
  version: 1,
  category: 'lggan',
  title: 'SPADE norm',
  doc:
    'Spatially-adaptive normalisation (SPADE): x is normalised without parameters (batch norm with ' +
    'running statistics, as the official SyncBatchNorm, or instance norm), the semantic map is ' +
    'nearest-resized to x, passed through a shared conv 3×3 (L→hidden) and ReLU, and two conv 3×3 ' +
    '(hidden→C) predict γ and β per pixel; the output is x̂·(1 + γ) + β. Variables: ' +
    'param_free_norm.running_mean/var, mlp_shared.0.*, mlp_gamma.*, mlp_beta.* (official names under official_name).',
  params: {
    hidden: spadeHiddenParam,
    param_free_norm: paramFreeNormParam,
    official_name: officialNameParam,
  },
  /** Bypassed: x goes through unnormalised (same shape). */
  passThrough: [{ input: 'x', output: 'y' }],
  inputs: [{ name: 'x', kind: 'feature', doc: 'B×H×W×C feature map to normalise.' }, segmapPort],
  outputs: [{ name: 'y', kind: 'feature', doc: 'B×H×W×C modulated feature map.' }],
  infer({ inputs, params }) {
    const x = requireSpatial(inputs, 'x');
    checkSegmap(inputs, x);
    if (enumParam(params, 'param_free_norm', PARAM_FREE_NORMS) === 'instance') checkInstanceNormInput(x, 'x');
    const [b, h, w, c] = x.shape;
    return { y: mapType('feature', b, h, w, c) };
  },
  warnings({ inputs, params }) {
    return batchNormWarnings(enumParam(params, 'param_free_norm', PARAM_FREE_NORMS), inputs.x, 'x');
  },
  cost({ inputs, params }) {
    return spadeCost(spadeSpecOf(params, inputs), inputs.x);
  },
  pytorch: (ctx) =>
    layer('SpadeNormNode', {
      norm_channels: inputChannels(ctx, 'x'),
      label_channels: inputChannels(ctx, 'semantic'),
      hidden: intParam(ctx.node.params, 'hidden'),
      param_free_norm: stringParam(ctx.node.params, 'param_free_norm'),
    }),
  build(ctx, { inputs, params }) {
    const spade = createSpade(ctx, '', spadeSpecOf(params, inputs));
    return (values, run) => ({ y: spade(values.x as tf.Tensor4D, values.semantic as tf.Tensor4D, run) });
  },
  officialKeys({ inputs, params }) {
    const name = stringParam(params, 'official_name');
    return name ? spadeOfficialKeys(name, '', spadeSpecOf(params, inputs)) : [];
  },
};

function blockSpecOf(params: ResolvedParams, inputs: Record<string, TensorType>): SpadeResBlockSpec {
  return {
    inChannels: channelsOf(inputs.x),
    outChannels: intParam(params, 'out_channels'),
    labelChannels: channelsOf(inputs.semantic),
    hidden: intParam(params, 'hidden'),
    paramFreeNorm: enumParam(params, 'param_free_norm', PARAM_FREE_NORMS),
    spectralNorm: boolParam(params, 'spectral_norm'),
  };
}

export const spadeResBlockNode: NodeDef = {
  type: 'lggan/spade-resblock',
  version: 1,
  category: 'lggan',
  title: 'SPADE residual block',
  doc:
    'The SPADE residual block of the global generator (SPADEResnetBlock): SPADE → LeakyReLU 0.2 → conv ' +
    '3×3 (C_in→min(C_in, C_out)) → SPADE → LeakyReLU 0.2 → conv 3×3 (→C_out), added to the shortcut, ' +
    'which is the input itself when C_in = C_out and SPADE → conv 1×1 without bias otherwise. The convs ' +
    'are spectrally normalised (weight_orig, weight_u, weight_v). The spatial size is kept; upsample ' +
    'between blocks with a nearest upsample node. Variables: conv_0.*, conv_1.*, conv_s.*, norm_0.*, ' +
    'norm_1.*, norm_s.* (official names under official_name, e.g. "up_0").',
  params: {
    out_channels: {
      type: 'int',
      default: 'ngf',
      min: 1,
      max: 8192,
      template: true,
      doc: 'Output channels C_out (official: 1024 for head_0/G_middle, then 512, 256, 128, 64).',
      ui: { widget: 'number' },
    },
    hidden: spadeHiddenParam,
    param_free_norm: paramFreeNormParam,
    spectral_norm: blockSpectralNormParam,
    official_name: officialNameParam,
  },
  inputs: [{ name: 'x', kind: 'feature', doc: 'B×H×W×C_in feature map.' }, segmapPort],
  outputs: [{ name: 'y', kind: 'feature', doc: 'B×H×W×C_out feature map.' }],
  infer({ inputs, params }) {
    const x = requireSpatial(inputs, 'x');
    checkSegmap(inputs, x);
    if (enumParam(params, 'param_free_norm', PARAM_FREE_NORMS) === 'instance') checkInstanceNormInput(x, 'x');
    const [b, h, w] = x.shape;
    return { y: mapType('feature', b, h, w, intParam(params, 'out_channels')) };
  },
  warnings({ inputs, params }) {
    return batchNormWarnings(enumParam(params, 'param_free_norm', PARAM_FREE_NORMS), inputs.x, 'x');
  },
  cost({ inputs, params }) {
    return spadeResBlockCost(blockSpecOf(params, inputs), inputs.x);
  },
  pytorch: (ctx) =>
    layer('SpadeResBlockNode', {
      fin: inputChannels(ctx, 'x'),
      fout: intParam(ctx.node.params, 'out_channels'),
      label_channels: inputChannels(ctx, 'semantic'),
      hidden: intParam(ctx.node.params, 'hidden'),
      param_free_norm: stringParam(ctx.node.params, 'param_free_norm'),
      spectral_norm: boolParam(ctx.node.params, 'spectral_norm'),
    }),
  build(ctx, { inputs, params }) {
    const block = createSpadeResBlock(ctx, '', blockSpecOf(params, inputs));
    return (values, run) => ({ y: block(values.x as tf.Tensor4D, values.semantic as tf.Tensor4D, run) });
  },
  officialKeys({ inputs, params }) {
    const name = stringParam(params, 'official_name');
    return name ? spadeResBlockOfficialKeys(name, '', blockSpecOf(params, inputs)) : [];
  },
};
