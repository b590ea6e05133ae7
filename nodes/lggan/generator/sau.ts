/** `lggan/sau-upsample`: semantic-aware upsampling as a standalone node (see sau-layer.ts). */
import type * as tf from '@tensorflow/tfjs-core';
import type { BypassVariant, NodeDef, PortDef, ResolvedParams, TensorType } from '../../contract.ts';
import { NodeRuleError, channelsOf, checkParam, enumParam, intParam, requireSpatial, stringParam } from '../../core/rules.ts';
import { SAU_GATINGS, SAU_LABELS_DOC, checkSauLabels, createSau, sauCost, sauOutputType } from './sau-layer.ts';
import type { SauGating, SauSpec } from './sau-layer.ts';
import { layer, inputChannels } from '../../pytorch/emit.ts';

function specOf(params: ResolvedParams, x: TensorType): SauSpec {
  return {
    channels: channelsOf(x),
    kernel: intParam(params, 'kernel'),
    scale: intParam(params, 'scale'),
    midChannels: intParam(params, 'mid_channels'),
    outChannels: intParam(params, 'out_channels'),
    gating: enumParam<SauGating>(params, 'gating', SAU_GATINGS),
  };
}

function inputsOf(params: ResolvedParams): PortDef[] {
  const ports: PortDef[] = [{ name: 'x', kind: 'feature', doc: 'B×H×W×C map to upsample.' }];
  if (params.gating === 'label-gated') ports.push({ name: 'labels', kind: 'feature', doc: SAU_LABELS_DOC });
  return ports;
}

/**
 * Bypassed, SAU is what it refines: nearest upsampling by the same factor (SAU reassembles the
 * nearest-upsampled map), so the output keeps its shape. Not possible when out_channels changes
 * the channel count, as plain upsampling cannot.
 */
function bypassAs(params: ResolvedParams): BypassVariant {
  const outChannels = intParam(params, 'out_channels');
  if (outChannels > 0) {
    throw new NodeRuleError(`cannot bypass: out_channels = ${outChannels} changes the channel count, which plain upsampling cannot; set out_channels to 0 or mute the node`, { param: 'out_channels' });
  }
  return { type: 'core/upsample', params: { scale_factor: intParam(params, 'scale'), mode: 'nearest' }, inputs: { x: 'x' }, outputs: { y: 'y' } };
}

export const sauUpsampleNode: NodeDef = {
  type: 'lggan/sau-upsample',
  version: 1,
  category: 'lggan',
  title: 'SAU upsample',
  doc:
    'Semantic-aware upsampling (LGGAN++, TPAMI 2023): predicts one k×k reassembly kernel per output ' +
    'pixel from the input features (1×1 conv C→mid, 1×1 conv mid→k²·s², pixel shuffle, softmax over the ' +
    'k² taps), then each output pixel is the kernel-weighted sum of the zero-padded k×k window of the ' +
    'nearest-upsampled map. With out_channels > 0 a 1×1 conv changes the channel count (applied before ' +
    'the reassembly, which gives the same result), so the node can replace a channel-halving transposed ' +
    'conv. The label-gated variant is our own ablation, not from the paper: taps whose class differs ' +
    "from the centre pixel's class are dropped and the remaining weights renormalised to sum to 1. " +
    'Memory: the reassembly windows hold k² copies of the upsampled (projected) map, 25× at k = 5.',
  badges: (params) => (params.gating === 'none' ? [] : ['gating']),
  params: {
    kernel: {
      type: 'int',
      default: 5,
      min: 1,
      max: 11,
      doc: 'Reassembly window k (odd); the window is zero-padded by k//2.',
      ui: { widget: 'number', group: 'shape' },
    },
    scale: { type: 'int', default: 2, min: 1, max: 8, doc: 'Upsampling factor s.', ui: { widget: 'number', group: 'shape' } },
    mid_channels: {
      type: 'int',
      default: 64,
      min: 1,
      max: 4096,
      template: true,
      doc: 'Width of the kernel-prediction branch (the "compress" 1×1 conv).',
      ui: { widget: 'number', group: 'kernel prediction', advanced: true },
    },
    out_channels: {
      type: 'int',
      default: 0,
      min: 0,
      max: 8192,
      template: true,
      doc: 'Output channels via a 1×1 conv; 0 keeps the input channels and adds no conv.',
      ui: { widget: 'number', group: 'shape' },
    },
    gating: {
      type: 'enum',
      options: SAU_GATINGS,
      default: 'none',
      doc: 'none: the paper\'s SAU; label-gated: drop taps of another class than the centre pixel (our ablation; needs `labels`).',
      ui: { widget: 'select' },
    },
  },
  inputs: inputsOf,
  bypassAs,
  outputs: [{ name: 'y', kind: 'feature', doc: 'B×sH×sW×out feature map (out = C when out_channels is 0).' }],
  infer({ inputs, params }) {
    const x = requireSpatial(inputs, 'x');
    const spec = specOf(params, x);
    checkParam(spec.kernel % 2 === 1, 'kernel', `kernel must be odd so the window has a centre, got ${spec.kernel}`);
    const y = sauOutputType(x, spec);
    if (spec.gating === 'label-gated') checkSauLabels(requireSpatial(inputs, 'labels'), 'labels', y);
    return { y };
  },
  cost({ inputs, params }) {
    return sauCost(specOf(params, inputs.x), inputs.x);
  },
  pytorch: (ctx) =>
    layer('SauUpsampleNode', {
      channels: inputChannels(ctx, 'x'),
      kernel: intParam(ctx.node.params, 'kernel'),
      scale: intParam(ctx.node.params, 'scale'),
      mid_channels: intParam(ctx.node.params, 'mid_channels'),
      out_channels: intParam(ctx.node.params, 'out_channels'),
      gating: stringParam(ctx.node.params, 'gating'),
    }),
  build(ctx, { inputs, params }) {
    const sau = createSau(ctx, '', specOf(params, inputs.x));
    return (values, run) => ({ y: sau(values.x as tf.Tensor4D, values.labels as tf.Tensor4D | undefined, run) });
  },
};
