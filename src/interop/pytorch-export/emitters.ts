/**
 * One Python emitter per node type, keyed by type: each turns a resolved node (params evaluated,
 * input types inferred) into the Python that builds it in the exported package — a module from
 * lggan_torch/nodes.py, a loss from lggan_torch/losses.py — with every size written out.
 * A node type without an emitter cannot be exported; the exporter names the node.
 */
import type { ResolvedNode } from '../../compiler/ir.ts';
import { resolvePadding } from '../../../nodes/core/conv-layers.ts';
import { boolParam, channelsOf, enumParam, floatParam, intParam, stringParam } from '../../../nodes/core/rules.ts';
import { readDiscriminator } from '../../../nodes/lggan/discriminators/signature.ts';
import { perceptualSkipReason } from '../../../nodes/lggan/losses/perceptual-loss.ts';
import { connectedFakePorts } from '../../../nodes/lggan/losses/common.ts';
import { code, f, pyCall, type PyCode, type PyFloat, type PyValue } from './python-literals.ts';

/**
 * What a node becomes: an input module (fed from the batch), a layer module (run in its network's
 * forward), a discriminator module (applied by losses), a loss, an output (a named result) or the
 * trainer (its settings).
 */
export type NodeRole = 'input' | 'layer' | 'discriminator' | 'loss' | 'output' | 'trainer';

export interface EmitContext {
  node: ResolvedNode;
  template: Record<string, number>;
  /** The value wired into `port`, as '<node>:<port>'; throws when nothing is. */
  source(port: string): string;
  /** The discriminator node wired into a network port, and its network. */
  handle(port: string): { node: string; network: string };
}

export interface Emitted {
  role: NodeRole;
  /** The Python expression that builds the module or loss ('' for outputs and the trainer). */
  python: string;
}

export class UnexportableNodeError extends Error {
  constructor(
    readonly node: string,
    readonly type: string,
    reason: string,
  ) {
    super(`node '${node}' (${type}) cannot be exported to PyTorch: ${reason}`);
    this.name = 'UnexportableNodeError';
  }
}

type Emitter = (ctx: EmitContext) => Emitted;
type Args = Record<string, PyValue | PyFloat | PyCode>;

const ch = (ctx: EmitContext, port: string): number => channelsOf(ctx.node.inputs[port]);
const P = (ctx: EmitContext) => ctx.node.params;

function layer(callee: string, args: Args = {}): Emitted {
  return { role: 'layer', python: pyCall(`nodes.${callee}`, args) };
}

function lossOf(callee: string, args: Args): Emitted {
  return { role: 'loss', python: pyCall(`losses.${callee}`, args) };
}

/** The connected generated-image ports' sources (open fake ports are left out, as the studio's losses do). */
function fakes(ctx: EmitContext): string[] {
  return connectedFakePorts(ctx.node.inputs, P(ctx)).map((port) => ctx.source(port));
}

function weight(ctx: EmitContext): PyFloat {
  return f(floatParam(P(ctx), 'weight'));
}

/** The up-stage settings shared by the local trunk and attention fusion. */
function upsamplingArgs(ctx: EmitContext): Args {
  return {
    upsampling: enumParam(P(ctx), 'upsampling', ['transposed', 'sau', 'sau-label-gated']),
    sau_kernel: intParam(P(ctx), 'sau_kernel'),
    sau_mid_channels: intParam(P(ctx), 'sau_mid_channels'),
  };
}

const CORE: Record<string, Emitter> = {
  'core/semantic-input': () => ({ role: 'input', python: pyCall('nodes.FedInput', { port: 'semantic' }) }),
  'core/image-input': () => ({ role: 'input', python: pyCall('nodes.FedInput', { port: 'image' }) }),
  'core/noise-input': (ctx) => {
    const shape = ctx.node.outputs.noise.shape.map((d) => d.value);
    const nchw = shape.length === 4 ? [shape[0], shape[3], shape[1], shape[2]] : shape;
    return { role: 'input', python: pyCall('nodes.NoiseInput', { shape: nchw, std: f(floatParam(P(ctx), 'std')), seed: intParam(P(ctx), 'seed') }) };
  },
  'core/conv2d': (ctx) => {
    const kernel = intParam(P(ctx), 'kernel');
    return layer('Conv2dNode', {
      in_channels: ch(ctx, 'x'),
      out_channels: intParam(P(ctx), 'out_channels'),
      kernel,
      stride: intParam(P(ctx), 'stride'),
      padding: resolvePadding(kernel, intParam(P(ctx), 'padding')),
      padding_mode: stringParam(P(ctx), 'padding_mode'),
      bias: boolParam(P(ctx), 'bias'),
      spectral_norm: boolParam(P(ctx), 'spectral_norm'),
    });
  },
  'core/conv-transpose2d': (ctx) =>
    layer('ConvTranspose2dNode', {
      in_channels: ch(ctx, 'x'),
      out_channels: intParam(P(ctx), 'out_channels'),
      kernel: intParam(P(ctx), 'kernel'),
      stride: intParam(P(ctx), 'stride'),
      padding: intParam(P(ctx), 'padding'),
      output_padding: intParam(P(ctx), 'output_padding'),
      bias: boolParam(P(ctx), 'bias'),
    }),
  'core/instance-norm': (ctx) => layer('NormNode', { kind: 'instance', channels: ch(ctx, 'x'), affine: boolParam(P(ctx), 'affine'), eps: f(floatParam(P(ctx), 'eps')) }),
  'core/batch-norm': (ctx) =>
    layer('NormNode', {
      kind: 'batch',
      channels: ch(ctx, 'x'),
      affine: boolParam(P(ctx), 'affine'),
      eps: f(floatParam(P(ctx), 'eps')),
      momentum: f(floatParam(P(ctx), 'momentum')),
    }),
  'core/activation': (ctx) => layer('ActivationNode', { function: stringParam(P(ctx), 'function'), slope: f(floatParam(P(ctx), 'slope')) }),
  'core/residual-block': (ctx) =>
    layer('ResidualBlockNode', {
      channels: ch(ctx, 'x'),
      padding_mode: stringParam(P(ctx), 'padding_mode'),
      norm: stringParam(P(ctx), 'norm'),
      norm_affine: boolParam(P(ctx), 'norm_affine'),
      bias: boolParam(P(ctx), 'bias'),
    }),
  'core/upsample': (ctx) => layer('UpsampleNode', { scale: intParam(P(ctx), 'scale_factor'), mode: stringParam(P(ctx), 'mode') }),
  'core/downsample': (ctx) => layer('DownsampleNode', { kernel: intParam(P(ctx), 'kernel'), stride: intParam(P(ctx), 'stride'), padding: intParam(P(ctx), 'padding') }),
  'core/concat': (ctx) => layer('ConcatNode', { inputs: intParam(P(ctx), 'inputs') }),
  'core/add': () => layer('AddNode'),
  'core/multiply': () => layer('MultiplyNode'),
  'core/linear': (ctx) => {
    const x = ctx.node.inputs.x.shape;
    return layer('LinearNode', { in_features: x[x.length - 1].value, out_features: intParam(P(ctx), 'out_features'), bias: boolParam(P(ctx), 'bias') });
  },
  'core/channel-softmax': () => layer('ChannelSoftmaxNode'),
  'core/global-avg-pool': () => layer('GlobalAvgPoolNode'),
  'core/output': () => ({ role: 'output', python: '' }),
};

function classMasks(ctx: EmitContext): Emitted {
  const p = P(ctx);
  const mode = enumParam(p, 'mode', ['one-hot', 'grouped', 'grey-values']);
  const classes = intParam(p, 'classes');
  const separate = intParam(p, 'separate');
  if (mode === 'one-hot') return layer('ClassMasks', { mode, count: classes, channels_read: classes, separate });
  if (mode === 'grouped') {
    return layer('ClassMasks', { mode, count: separate + 1, channels_read: classes + (boolParam(p, 'dontcare_in_other') ? 1 : 0), separate });
  }
  return layer('ClassMasks', { mode, count: intParam(p, 'grey_classes'), channels_read: 1, separate });
}

function adversarial(ctx: EmitContext): Emitted {
  const side = enumParam(P(ctx), 'side', ['generator', 'discriminator']);
  const d = ctx.handle('discriminator');
  return lossOf('AdversarialLoss', {
    mode: stringParam(P(ctx), 'mode'),
    side,
    weight: weight(ctx),
    network: d.network,
    discriminator: d.node,
    condition: ctx.source('condition'),
    fakes: fakes(ctx),
    real: side === 'discriminator' ? ctx.source('real') : null,
    probabilities: readDiscriminator(ctx.node.inputs).probabilities,
  });
}

const LGGAN: Record<string, Emitter> = {
  'lggan/semantic-input': (ctx) => ({
    role: 'input',
    python: pyCall('nodes.SemanticLabelInput', {
      one_hot_channels: intParam(P(ctx), 'num_classes') + (boolParam(P(ctx), 'dontcare') ? 1 : 0),
      instance_edge: boolParam(P(ctx), 'instance_edge'),
    }),
  }),
  'lggan/encoder': (ctx) => {
    const [h, w] = [intParam(P(ctx), 'latent_height'), intParam(P(ctx), 'latent_width')];
    return layer('Encoder', {
      in_channels: ch(ctx, 'x'),
      ngf: intParam(P(ctx), 'ngf'),
      downsamples: intParam(P(ctx), 'downsamples'),
      max_channels: intParam(P(ctx), 'max_channels'),
      latent: h > 0 || w > 0 ? [h, w] : null,
    });
  },
  'lggan/spade-norm': (ctx) =>
    layer('SpadeNormNode', {
      norm_channels: ch(ctx, 'x'),
      label_channels: ch(ctx, 'semantic'),
      hidden: intParam(P(ctx), 'hidden'),
      param_free_norm: stringParam(P(ctx), 'param_free_norm'),
    }),
  'lggan/spade-resblock': (ctx) =>
    layer('SpadeResBlockNode', {
      fin: ch(ctx, 'x'),
      fout: intParam(P(ctx), 'out_channels'),
      label_channels: ch(ctx, 'semantic'),
      hidden: intParam(P(ctx), 'hidden'),
      param_free_norm: stringParam(P(ctx), 'param_free_norm'),
      spectral_norm: boolParam(P(ctx), 'spectral_norm'),
    }),
  'lggan/global-generator': (ctx) =>
    layer('GlobalGenerator', {
      ngf: intParam(P(ctx), 'ngf'),
      label_channels: ch(ctx, 'semantic'),
      hidden: intParam(P(ctx), 'spade_hidden'),
      param_free_norm: stringParam(P(ctx), 'param_free_norm'),
      spectral_norm: boolParam(P(ctx), 'spectral_norm'),
      upsampling_mode: stringParam(P(ctx), 'upsampling_mode'),
      keep_unused_official: boolParam(P(ctx), 'keep_unused_official'),
    }),
  'lggan/global-decoder': (ctx) => layer('GlobalDecoder', { in_channels: ch(ctx, 'x'), ngf: intParam(P(ctx), 'ngf') }),
  'lggan/sau-upsample': (ctx) =>
    layer('SauUpsampleNode', {
      channels: ch(ctx, 'x'),
      kernel: intParam(P(ctx), 'kernel'),
      scale: intParam(P(ctx), 'scale'),
      mid_channels: intParam(P(ctx), 'mid_channels'),
      out_channels: intParam(P(ctx), 'out_channels'),
      gating: stringParam(P(ctx), 'gating'),
    }),
  'lggan/local-trunk': (ctx) =>
    layer('LocalTrunk', {
      channels: ch(ctx, 'x_encode'),
      blocks: intParam(P(ctx), 'blocks'),
      up_channels: intParam(P(ctx), 'up_channels'),
      out_channels: intParam(P(ctx), 'out_channels'),
      ...upsamplingArgs(ctx),
    }),
  'lggan/class-masks': classMasks,
  'lggan/local-generators': (ctx) =>
    layer('LocalGenerators', {
      channels: ch(ctx, 'features'),
      classes: ch(ctx, 'masks'),
      first_index: intParam(P(ctx), 'first_index'),
      combine: stringParam(P(ctx), 'combine'),
      keep_unused_official: boolParam(P(ctx), 'keep_unused_official'),
    }),
  'lggan/classification': (ctx) => layer('Classification', { channels: ch(ctx, 'features'), classes: intParam(P(ctx), 'classes') }),
  'lggan/attention-fusion': (ctx) => {
    const mode = enumParam(P(ctx), 'mode', ['attention', 'fixed']);
    return layer('AttentionFusion', {
      mode,
      in_channels: mode === 'attention' ? ch(ctx, 'x_encode') : 0,
      up_channels: intParam(P(ctx), 'up_channels'),
      branch_channels: intParam(P(ctx), 'branch_channels'),
      ...upsamplingArgs(ctx),
    });
  },
  'lggan/multiscale-discriminator': (ctx) => ({
    role: 'discriminator',
    python: pyCall('nodes.MultiscaleDiscriminator', {
      in_channels: ch(ctx, 'condition') + 3,
      num_d: intParam(P(ctx), 'num_D'),
      n_layers: intParam(P(ctx), 'n_layers'),
      ndf: intParam(P(ctx), 'ndf'),
      spectral_norm: boolParam(P(ctx), 'spectral_norm'),
      norm: stringParam(P(ctx), 'norm'),
    }),
  }),
  'lggan/patch-discriminator': (ctx) => ({
    role: 'discriminator',
    python: pyCall('nodes.PatchDiscriminator', {
      in_channels: ch(ctx, 'condition') + 3,
      ndf: intParam(P(ctx), 'ndf'),
      n_layers: intParam(P(ctx), 'n_layers'),
      sigmoid: boolParam(P(ctx), 'sigmoid'),
      norm: stringParam(P(ctx), 'norm'),
    }),
  }),
  'lggan/adversarial-loss': adversarial,
  'lggan/feature-matching-loss': (ctx) => {
    const d = ctx.handle('discriminator');
    return lossOf('FeatureMatchingLoss', {
      weight: weight(ctx),
      network: d.network,
      discriminator: d.node,
      condition: ctx.source('condition'),
      fakes: fakes(ctx),
      real: ctx.source('real'),
    });
  },
  'lggan/l1-loss': (ctx) => lossOf('L1Loss', { weight: weight(ctx), fakes: fakes(ctx), real: ctx.source('real') }),
  'lggan/class-l1-loss': (ctx) =>
    lossOf('ClassL1Loss', { weight: weight(ctx), class_images: ctx.source('class_images'), masks: ctx.source('masks'), real: ctx.source('real') }),
  'lggan/classification-loss': (ctx) => lossOf('ClassificationLoss', { weight: weight(ctx), logits: ctx.source('logits'), valid: ctx.source('valid') }),
  'lggan/tv-loss': (ctx) => lossOf('TvLoss', { weight: weight(ctx), fakes: fakes(ctx), scale: code('world_size') }),
  'lggan/perceptual-loss': (ctx) => {
    if (perceptualSkipReason(P(ctx))) return { role: 'loss', python: '' }; // skipped: listed in SKIPPED
    return lossOf('PerceptualLoss', {
      weight: weight(ctx),
      fakes: fakes(ctx),
      real: ctx.source('real'),
      vgg: code(`vgg19_features(vgg19 or ${JSON.stringify(stringParam(P(ctx), 'weights').trim())})`),
      normalization: stringParam(P(ctx), 'input_normalization'),
    });
  },
  'lggan/trainer': () => ({ role: 'trainer', python: '' }),
};

/** Every node type the exporter knows, by type name. */
export const EMITTERS: Readonly<Record<string, Emitter>> = { ...CORE, ...LGGAN };

export function emitNode(ctx: EmitContext): Emitted {
  const type = ctx.node.node.type;
  const emitter = EMITTERS[type];
  if (!emitter) throw new UnexportableNodeError(ctx.node.id, type, 'no PyTorch emitter exists for this node type');
  return emitter(ctx);
}
