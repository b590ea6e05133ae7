/**
 * `lggan/attention-fusion`: LGGAN's weight-map generator G_w (§1.5, cross-view §3). Its own up
 * branch from x_encode (deconv3_attention, deconv4_attention: ×2 up + IN + ReLU each), a 1×1 conv
 * to 2 score maps (deconv5_attention) and a channel softmax give W_local, W_global (summing to 1);
 * the final image is W_local·I_local + W_global·I_global.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NodeCost, NodeDef, PortDef, ResolvedParams, TensorType } from '../../contract.ts';
import { formatShape } from '../../dims.ts';
import { conv2dCost, createConv2d } from '../../core/conv/conv-layers.ts';
import type { Conv2dSpec } from '../../core/conv/conv-layers.ts';
import { NodeRuleError, channelsOf, elementCount, enumParam, intParam, mapType, requireChannels, requireSameSpatial, requireSpatial } from '../../core/rules.ts';
import {
  conv2dKeys,
  createUpDecoder,
  decoderInputs,
  gatingLabelsPort,
  sauKernelParam,
  sauMidChannelsParam,
  sauSettingsOf,
  upDecoderCost,
  upDecoderOfficialKeys,
  upDecoderOutputType,
  upChannelsParam,
  upsamplingOf,
  upsamplingParam,
  upsamplingPythonArgs,
} from './up-stage.ts';
import type { UpDecoderSpec } from './up-stage.ts';
import { layer, inputChannels } from '../../pytorch/emit.ts';

export type FusionMode = 'attention' | 'fixed';
export const FUSION_MODES: readonly FusionMode[] = ['attention', 'fixed'];

/** The maps: channel 0 weights the local image, channel 1 the global image (official order). */
const MAPS = 2;

function decoderSpecOf(params: ResolvedParams, x: TensorType): UpDecoderSpec {
  return {
    inChannels: channelsOf(x),
    midChannels: intParam(params, 'up_channels'),
    outChannels: intParam(params, 'branch_channels'),
    mode: upsamplingOf(params),
    ...sauSettingsOf(params),
  };
}

function scoreConvSpec(channels: number): Conv2dSpec {
  return { inChannels: channels, outChannels: MAPS, kernel: 1, stride: 1, padding: 0, paddingMode: 'zero', bias: true, spectralNorm: false };
}

function modeOf(params: ResolvedParams): FusionMode {
  return enumParam(params, 'mode', FUSION_MODES);
}

function inputsOf(params: ResolvedParams): PortDef[] {
  const images: PortDef[] = [
    { name: 'local', kind: 'image', doc: 'B×H×W×3 local image I_local.' },
    { name: 'global', kind: 'image', doc: 'B×H×W×3 global image I_global.' },
  ];
  if (params.mode === 'fixed') return images;
  const ports: PortDef[] = [{ name: 'x_encode', kind: 'feature', doc: 'B×H/4×W/4×C encoder output (cross-view: the trunk output middle_x).' }, ...images];
  if (params.upsampling === 'sau-label-gated') ports.push(gatingLabelsPort);
  return ports;
}

/** Checks the two images and returns the local one's type. */
function imageTypes(inputs: Record<string, TensorType>): TensorType {
  const local = requireSpatial(inputs, 'local', 'image');
  requireChannels(local, 'local', 3);
  const global = requireSpatial(inputs, 'global', 'image');
  requireChannels(global, 'global', 3);
  requireSameSpatial(local, 'local', global, 'global');
  return local;
}

/** Fusion multiplies: two per output element. */
function fusionMacs(image: TensorType): number {
  return 2 * elementCount(image);
}

export const attentionFusionNode: NodeDef = {
  type: 'lggan/attention-fusion',
  version: 1,
  category: 'lggan',
  title: 'Attention fusion',
  doc:
    "LGGAN's attention fusion (weight-map generator): its own up branch from x_encode (deconv3_attention " +
    'C→up_channels, deconv4_attention up_channels→branch_channels, each ConvTranspose 3×3 s2 + IN + ReLU), a ' +
    '1×1 conv to two score maps (deconv5_attention) and a softmax over them give W_local and W_global, which ' +
    'sum to 1 at every pixel; the final image is W_local·I_local + W_global·I_global (RGB images are fused, ' +
    'not features). mode fixed is an ablation with W = 0.5/0.5 and no variables. The up stages can be SAU ' +
    '(LGGAN++), optionally label-gated; SAU stages have no official keys.',
  badges: (params) => (params.mode === 'fixed' ? ['mode'] : ['mode', 'upsampling']),
  params: {
    mode: {
      type: 'enum',
      options: FUSION_MODES,
      default: 'attention',
      doc: 'attention: learned weight maps (official); fixed: 0.5/0.5 average (ablation, no variables).',
      ui: { widget: 'select' },
    },
    up_channels: upChannelsParam,
    branch_channels: {
      type: 'int',
      default: 'ngf',
      min: 1,
      max: 4096,
      template: true,
      doc: 'Channels after the second up stage, before the 1×1 score conv (official 64).',
      ui: { widget: 'number', group: 'shape' },
    },
    upsampling: upsamplingParam,
    sau_kernel: sauKernelParam,
    sau_mid_channels: sauMidChannelsParam,
  },
  /** Bypassed: the global image is the final image (the global-only ablation); the local one when global is muted. */
  passThrough: [
    { input: 'global', output: 'image' },
    { input: 'local', output: 'image' },
  ],
  inputs: inputsOf,
  outputs: [
    { name: 'image', kind: 'image', doc: 'B×H×W×3 fused image W_local·I_local + W_global·I_global.' },
    { name: 'attention', kind: 'attention', doc: 'B×H×W×2 weight maps (W_local, W_global), summing to 1.' },
    { name: 'w_local', kind: 'feature', doc: 'B×H×W×1 local weight map W_local.' },
    { name: 'w_global', kind: 'feature', doc: 'B×H×W×1 global weight map W_global.' },
  ],
  infer({ inputs, params }) {
    const local = imageTypes(inputs);
    const [b, h, w] = local.shape;
    if (modeOf(params) === 'attention') {
      const { x, labels } = decoderInputs(inputs, 'x_encode', upsamplingOf(params));
      const branch = upDecoderOutputType(x, 'attention', decoderSpecOf(params, x), labels);
      if (branch.shape[1].value !== h.value || branch.shape[2].value !== w.value) {
        throw new NodeRuleError(
          `port 'x_encode' is ${formatShape(x.shape)}, which the attention branch upsamples ×4 to ${formatShape(branch.shape)}, ` +
            `but port 'local' is ${formatShape(local.shape)}: the weight maps must match the images`,
          { port: 'x_encode' },
        );
      }
      if (branch.shape[0].value !== b.value) {
        throw new NodeRuleError(`port 'x_encode' has batch ${branch.shape[0].value} but port 'local' has batch ${b.value}`, { port: 'x_encode' });
      }
    }
    return {
      image: mapType('image', b, h, w, 3),
      attention: mapType('attention', b, h, w, MAPS),
      w_local: mapType('feature', b, h, w, 1),
      w_global: mapType('feature', b, h, w, 1),
    };
  },
  cost({ inputs, outputs, params }) {
    const fusion = fusionMacs(outputs.image);
    if (modeOf(params) === 'fixed') return { params: 0, macs: fusion, buffers: 0 };
    const x = inputs.x_encode;
    const spec = decoderSpecOf(params, x);
    const decoder = upDecoderCost(x, 'attention', spec);
    const score: NodeCost = conv2dCost(scoreConvSpec(spec.outChannels), outputs.attention);
    return { params: decoder.params + score.params, macs: decoder.macs + score.macs + fusion, buffers: 0 };
  },
  officialKeys({ inputs, params }) {
    if (modeOf(params) === 'fixed') return [];
    const spec = decoderSpecOf(params, inputs.x_encode);
    return [...upDecoderOfficialKeys('attention', spec), ...conv2dKeys('deconv5_attention', 'deconv5_attention', spec.outChannels, MAPS, 1)];
  },
  pytorch: (ctx) => {
    const mode = enumParam(ctx.node.params, 'mode', FUSION_MODES);
    return layer('AttentionFusion', {
      mode,
      in_channels: mode === 'attention' ? inputChannels(ctx, 'x_encode') : 0,
      up_channels: intParam(ctx.node.params, 'up_channels'),
      branch_channels: intParam(ctx.node.params, 'branch_channels'),
      ...upsamplingPythonArgs(ctx),
    });
  },
  build(ctx, { inputs, params }) {
    if (modeOf(params) === 'fixed') {
      return (values) =>
        tf.tidy(() => {
          const local = values.local as tf.Tensor4D;
          const [b, h, w] = local.shape;
          const half = tf.fill([b, h, w, 1], 0.5);
          return {
            image: tf.mul(tf.add(local, values.global), 0.5),
            attention: tf.fill([b, h, w, MAPS], 0.5),
            w_local: half,
            w_global: tf.clone(half),
          };
        }) as Record<string, tf.Tensor>;
    }
    const spec = decoderSpecOf(params, inputs.x_encode);
    const decoder = createUpDecoder(ctx, 'attention', spec);
    const score = createConv2d(ctx, 'deconv5_attention', scoreConvSpec(spec.outChannels));
    return (values, run) =>
      tf.tidy(() => {
        const branch = decoder(values.x_encode as tf.Tensor4D, values.labels as tf.Tensor4D | undefined, run);
        const attention = tf.softmax(score(branch, run)) as tf.Tensor4D; // NHWC: softmax over the 2 maps
        const [b, h, w] = attention.shape;
        const wLocal = tf.slice(attention, [0, 0, 0, 0], [b, h, w, 1]);
        const wGlobal = tf.slice(attention, [0, 0, 0, 1], [b, h, w, 1]);
        const image = tf.add(tf.mul(wLocal, values.local), tf.mul(wGlobal, values.global));
        return { image, attention, w_local: wLocal, w_global: wGlobal };
      }) as Record<string, tf.Tensor>;
  },
};
