/**
 * `lggan/local-trunk`: the residual trunk and local decoder of LGGAN's local generator (§1.3) and
 * of the cross-view generator (§3): `blocks` residual blocks at H/4 (output `middle`, the
 * cross-view middle_x), then two ×2 up stages to the shared local feature map F.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { BuildContext, NodeCost, NodeDef, NodeForward, OfficialKey, PortDef, ResolvedParams, RunContext, TensorType } from '../../contract.ts';
import { residualBlockNode } from '../../core/conv/residual-block.ts';
import { channelsOf, intParam } from '../../core/rules.ts';
import { conv2dKeys, createUpDecoder, decoderInputs, gatingLabelsPort, sauKernelParam, sauMidChannelsParam, sauSettingsOf, upDecoderCost, upDecoderOfficialKeys, upDecoderOutputType, upChannelsParam, upsamplingOf, upsamplingParam, upsamplingPythonArgs } from './up-stage.ts';
import type { UpDecoderSpec } from './up-stage.ts';
import { layer, inputChannels } from '../../pytorch/emit.ts';

/** The official block: reflect pad 1, conv 3×3 with bias, IN (affine=False), ReLU, …, + skip. */
const OFFICIAL_BLOCK_PARAMS: ResolvedParams = { padding_mode: 'reflect', norm: 'instance', norm_affine: false, bias: true };

/** A build context whose variables live under `<prefix>.`, so a reused node's names nest like PyTorch modules. */
export function prefixedContext(ctx: BuildContext, prefix: string): BuildContext {
  return {
    nodeId: ctx.nodeId,
    network: ctx.network,
    variable: (localName, shape, init, options) => ctx.variable(`${prefix}.${localName}`, shape, init, options),
  };
}

/** `resnet_blocks1` … `resnet_blocks<n>`: official module names. */
export function blockName(index: number): string {
  return `resnet_blocks${index + 1}`;
}

function decoderSpecOf(params: ResolvedParams, x: TensorType): UpDecoderSpec {
  return {
    inChannels: channelsOf(x),
    midChannels: intParam(params, 'up_channels'),
    outChannels: intParam(params, 'out_channels'),
    mode: upsamplingOf(params),
    ...sauSettingsOf(params),
  };
}

/** Cost of the residual blocks on map x (exactly the core residual block's, `blocks` times). */
function blocksCost(x: TensorType, blocks: number): NodeCost {
  if (blocks === 0) return { params: 0, macs: 0, buffers: 0 };
  const one = residualBlockNode.cost({ inputs: { x }, outputs: { y: x }, params: OFFICIAL_BLOCK_PARAMS });
  return { params: blocks * one.params, macs: blocks * one.macs, buffers: 0 };
}

/** Official keys of the residual blocks: conv1/conv2 weight [C, C, 3, 3] and bias [C], block by block. */
export function residualBlockKeys(channels: number, blocks: number): OfficialKey[] {
  const keys: OfficialKey[] = [];
  for (let i = 0; i < blocks; i++) {
    for (const conv of ['conv1', 'conv2']) {
      const module = `${blockName(i)}.${conv}`;
      keys.push(...conv2dKeys(module, module, channels, channels, 3));
    }
  }
  return keys;
}

/** Builds `blocks` official residual blocks (variables `resnet_blocks<i>.conv1.weight` …). */
export function createResidualTrunk(
  ctx: BuildContext,
  x: TensorType,
  blocks: number,
  template: Record<string, number>,
): (x: tf.Tensor4D, run: RunContext) => tf.Tensor4D {
  const forwards: NodeForward[] = [];
  for (let i = 0; i < blocks; i++) {
    const built = residualBlockNode.build(prefixedContext(ctx, blockName(i)), {
      inputs: { x },
      outputs: { y: x },
      params: OFFICIAL_BLOCK_PARAMS,
      template,
      handles: {},
    });
    forwards.push(typeof built === 'function' ? built : built.forward);
  }
  return (input, run) => forwards.reduce((h, forward) => forward({ x: h }, run).y as tf.Tensor4D, input);
}

function inputsOf(params: ResolvedParams): PortDef[] {
  const ports: PortDef[] = [{ name: 'x_encode', kind: 'feature', doc: 'B×H/4×W/4×C encoder output x_encode (official C = 256).' }];
  if (params.upsampling === 'sau-label-gated') ports.push(gatingLabelsPort);
  return ports;
}

export const localTrunkNode: NodeDef = {
  type: 'lggan/local-trunk',
  version: 1,
  category: 'lggan',
  title: 'Local trunk',
  doc:
    "LGGAN's local-generator trunk: `blocks` residual blocks at H/4 (reflect pad 1, conv 3×3, IN, ReLU, " +
    'reflect pad 1, conv 3×3, IN, + skip; output `middle`, the cross-view middle_x), then two ×2 up stages ' +
    '(deconv3_local C→up_channels, deconv4_local up_channels→out_channels, each ConvTranspose 3×3 s2 + IN + ReLU) ' +
    'giving the shared local feature map F that the class masks cut into per-class features. Variables mirror ' +
    'the official keys (resnet_blocks1.conv1.weight …, deconv3_local.weight …). The up stages can be SAU ' +
    '(LGGAN++) instead of transposed convs, optionally label-gated; SAU stages have no official keys.',
  badges: ['upsampling'],
  params: {
    blocks: {
      type: 'int',
      default: 9,
      min: 0,
      max: 32,
      doc: 'Residual blocks at H/4 (official: 9; 0 gives an up-branch without a trunk).',
      ui: { widget: 'number', group: 'shape' },
    },
    up_channels: upChannelsParam,
    out_channels: {
      type: 'int',
      default: 'ngf',
      min: 1,
      max: 4096,
      template: true,
      doc: 'Channels of F after the second up stage (official 64).',
      ui: { widget: 'number', group: 'shape' },
    },
    upsampling: upsamplingParam,
    sau_kernel: sauKernelParam,
    sau_mid_channels: sauMidChannelsParam,
  },
  inputs: inputsOf,
  outputs: [
    { name: 'middle', kind: 'feature', doc: 'B×H/4×W/4×C map after the residual blocks (cross-view middle_x).' },
    { name: 'features', kind: 'feature', doc: 'B×H×W×out_channels local feature map F.' },
  ],
  infer({ inputs, params }) {
    const { x, labels } = decoderInputs(inputs, 'x_encode', upsamplingOf(params));
    const spec = decoderSpecOf(params, x);
    const blocks = intParam(params, 'blocks');
    if (blocks > 0) residualBlockNode.infer({ inputs: { x }, params: OFFICIAL_BLOCK_PARAMS, template: {} });
    return { middle: x, features: upDecoderOutputType(x, 'local', spec, labels) };
  },
  cost({ inputs, params }) {
    const x = inputs.x_encode;
    const blocks = blocksCost(x, intParam(params, 'blocks'));
    const decoder = upDecoderCost(x, 'local', decoderSpecOf(params, x));
    return { params: blocks.params + decoder.params, macs: blocks.macs + decoder.macs, buffers: 0 };
  },
  officialKeys({ inputs, params }) {
    const x = inputs.x_encode;
    return [...residualBlockKeys(channelsOf(x), intParam(params, 'blocks')), ...upDecoderOfficialKeys('local', decoderSpecOf(params, x))];
  },
  pytorch: (ctx) =>
    layer('LocalTrunk', {
      channels: inputChannels(ctx, 'x_encode'),
      blocks: intParam(ctx.node.params, 'blocks'),
      up_channels: intParam(ctx.node.params, 'up_channels'),
      out_channels: intParam(ctx.node.params, 'out_channels'),
      ...upsamplingPythonArgs(ctx),
    }),
  build(ctx, { inputs, params, template }) {
    const x = inputs.x_encode;
    const trunk = createResidualTrunk(ctx, x, intParam(params, 'blocks'), template);
    const decoder = createUpDecoder(ctx, 'local', decoderSpecOf(params, x));
    return (values, run) => {
      const middle = trunk(values.x_encode as tf.Tensor4D, run);
      return { middle, features: decoder(middle, values.labels as tf.Tensor4D | undefined, run) };
    };
  },
};
