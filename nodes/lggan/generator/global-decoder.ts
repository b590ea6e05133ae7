/**
 * The cross-view generator's global decoder (architecture notes §3): two stride-2 transposed
 * convs with instance norm and ReLU (H/4 → H), then reflect-pad 3, conv 7×7 to RGB and tanh.
 * Variables deconv3_global.*, deconv4_global.*, deconv5_global.* as in crossview_G.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NodeCost, NodeDef, OfficialKey, ResolvedParams, TensorType } from '../../contract.ts';
import { conv2dCost, conv2dOutputType, convTranspose2dCost, convTranspose2dOutputType, createConv2d, createConvTranspose2d } from '../../core/conv/conv-layers.ts';
import type { Conv2dSpec, ConvTranspose2dSpec } from '../../core/conv/conv-layers.ts';
import { createInstanceNorm, normCost } from '../../core/norm/norm-layers.ts';
import { channelsOf, intParam, mapType, requireSpatial } from '../../core/rules.ts';
import { plainInstanceNorm, sumCosts } from './encoder.ts';
import { conv2dOfficialKeys, convTranspose2dOfficialKeys } from '../official-keys.ts';
import { layer, inputChannels } from '../../pytorch/emit.ts';

export interface GlobalDecoderSpec {
  inChannels: number;
  /** Output width of the last transposed conv (deconv4); deconv3 outputs 2·ngf. */
  ngf: number;
}

interface DecoderLayers {
  deconvs: Array<{ name: string; spec: ConvTranspose2dSpec }>;
  toImage: { name: string; spec: Conv2dSpec };
}

/** ConvTranspose 3×3, stride 2, padding 1, output_padding 1: exactly doubles H and W. */
function doubling(inChannels: number, outChannels: number): ConvTranspose2dSpec {
  return { inChannels, outChannels, kernel: 3, stride: 2, padding: 1, outputPadding: 1, bias: true };
}

function decoderLayers(spec: GlobalDecoderSpec): DecoderLayers {
  return {
    deconvs: [
      { name: 'deconv3_global', spec: doubling(spec.inChannels, 2 * spec.ngf) },
      { name: 'deconv4_global', spec: doubling(2 * spec.ngf, spec.ngf) },
    ],
    toImage: {
      name: 'deconv5_global',
      spec: { inChannels: spec.ngf, outChannels: 3, kernel: 7, stride: 1, padding: 3, paddingMode: 'reflect', bias: true, spectralNorm: false },
    },
  };
}

/** The maps after deconv3, deconv4 and the final conv. */
function layerTypes(spec: GlobalDecoderSpec, x: TensorType): TensorType[] {
  const layers = decoderLayers(spec);
  const mid = convTranspose2dOutputType(x, layers.deconvs[0].spec);
  const last = convTranspose2dOutputType(mid, layers.deconvs[1].spec);
  const [b, h, w] = last.shape;
  const image = conv2dOutputType(last, layers.toImage.spec);
  return [mid, last, mapType('image', b, h, w, image.shape[3])];
}

export function globalDecoderCost(spec: GlobalDecoderSpec, x: TensorType): NodeCost {
  const layers = decoderLayers(spec);
  const [mid, last, image] = layerTypes(spec, x);
  return sumCosts(
    convTranspose2dCost(layers.deconvs[0].spec, x),
    normCost(plainInstanceNorm(2 * spec.ngf), mid),
    convTranspose2dCost(layers.deconvs[1].spec, mid),
    normCost(plainInstanceNorm(spec.ngf), last),
    conv2dCost(layers.toImage.spec, image),
  );
}

export function globalDecoderOfficialKeys(spec: GlobalDecoderSpec): OfficialKey[] {
  const layers = decoderLayers(spec);
  return [
    ...layers.deconvs.flatMap(({ name, spec: deconv }) => convTranspose2dOfficialKeys(name, name, deconv)),
    ...conv2dOfficialKeys(layers.toImage.name, layers.toImage.name, layers.toImage.spec),
  ];
}

function specOf(params: ResolvedParams, x: TensorType): GlobalDecoderSpec {
  return { inChannels: channelsOf(x), ngf: intParam(params, 'ngf') };
}

export const globalDecoderNode: NodeDef = {
  type: 'lggan/global-decoder',
  version: 1,
  category: 'lggan',
  title: 'Cross-view global decoder',
  doc:
    "The cross-view LGGAN generator's global branch: from the H/4 trunk features, ConvTranspose 3×3 " +
    'stride 2 (C→2·ngf) + instance norm + ReLU, ConvTranspose (2·ngf→ngf) + instance norm + ReLU, then ' +
    'reflect-pad 3, conv 7×7 (ngf→3) and tanh give the global image at H×W. Official widths: 256→128→64→3. ' +
    'Variables and official keys: deconv3_global.*, deconv4_global.*, deconv5_global.*.',
  params: {
    ngf: {
      type: 'int',
      default: 'ngf',
      min: 1,
      max: 1024,
      template: true,
      doc: 'Width after the second transposed conv; the first outputs 2·ngf (official: 64, hard-coded).',
      ui: { widget: 'number' },
    },
  },
  inputs: [{ name: 'x', kind: 'feature', doc: 'B×H/4×W/4×C trunk features (the residual trunk output, C = 256 officially).' }],
  outputs: [{ name: 'image', kind: 'image', doc: 'B×H×W×3 global image in [-1, 1].' }],
  infer({ inputs, params }) {
    const x = requireSpatial(inputs, 'x');
    return { image: layerTypes(specOf(params, x), x)[2] };
  },
  cost({ inputs, params }) {
    return globalDecoderCost(specOf(params, inputs.x), inputs.x);
  },
  pytorch: (ctx) => layer('GlobalDecoder', { in_channels: inputChannels(ctx, 'x'), ngf: intParam(ctx.node.params, 'ngf') }),
  build(ctx, { inputs, params }) {
    const spec = specOf(params, inputs.x);
    const layers = decoderLayers(spec);
    const deconvs = layers.deconvs.map(({ name, spec: deconv }) => ({
      deconv: createConvTranspose2d(ctx, name, deconv),
      norm: createInstanceNorm(ctx, '', plainInstanceNorm(deconv.outChannels)),
    }));
    const toImage = createConv2d(ctx, layers.toImage.name, layers.toImage.spec);
    return (values, run) => {
      const image = tf.tidy(() => {
        let h = values.x as tf.Tensor4D;
        for (const { deconv, norm } of deconvs) h = tf.relu(norm(deconv(h, run), run));
        return tf.tanh(toImage(h, run));
      });
      return { image };
    };
  },
  officialKeys({ inputs, params }) {
    return globalDecoderOfficialKeys(specOf(params, inputs.x));
  },
};
