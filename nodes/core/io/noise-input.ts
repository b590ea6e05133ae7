import * as tf from '@tensorflow/tfjs-core';
import type { NodeDef } from '../../contract.ts';
import { FED_VALUE, fedValue, heightParam, spatialDims, widthParam } from './input-common.ts';
import { batchDim, enumParam, floatParam, intParam, mapType, vectorType } from '../rules.ts';
import { f } from '../../pytorch/python-literals.ts';
import { nodeModule } from '../../pytorch/emit.ts';

const LAYOUTS = ['vector', 'spatial'] as const;

export const noiseInputNode: NodeDef = {
  type: 'core/noise-input',
  version: 1,
  category: 'input',
  title: 'Noise input',
  doc:
    'Gaussian noise, either a B×N vector or a B×H×W×C map (the `layout` param). When the compiler ' +
    'feeds a tensor under this node id it is used (after a shape check); otherwise the node draws ' +
    'normal(0, std) noise itself, seeded: the k-th forward call uses seed + k, so a run replays ' +
    'exactly while every call still gets fresh noise. Drawn noise has the template batch size.',
  params: {
    layout: {
      type: 'enum',
      options: LAYOUTS,
      default: 'vector',
      doc: 'vector: B×channels; spatial: B×H×W×channels.',
      ui: { widget: 'select' },
    },
    channels: {
      type: 'int',
      default: 64,
      min: 1,
      max: 8192,
      template: true,
      doc: 'Noise length N (vector) or channels C (spatial).',
      ui: { widget: 'number' },
    },
    height: { ...heightParam, doc: 'Height H of spatial noise; ignored for vectors.' },
    width: { ...widthParam, doc: 'Width W of spatial noise; ignored for vectors.' },
    std: {
      type: 'float',
      default: 1,
      min: 0,
      max: 100,
      doc: 'Standard deviation of drawn noise.',
      ui: { widget: 'number', step: 0.1, advanced: true },
    },
    seed: {
      type: 'int',
      default: 0,
      min: 0,
      max: 2 ** 31 - 1,
      doc: 'Seed of the first draw; call k uses seed + k.',
      ui: { widget: 'number', advanced: true },
    },
  },
  inputs: [],
  outputs: [{ name: 'noise', kind: 'noise', doc: 'B×N noise vector, or B×H×W×C noise map with the spatial layout.' }],
  infer({ params, template }) {
    const channels = intParam(params, 'channels');
    const b = batchDim(template);
    if (enumParam(params, 'layout', LAYOUTS) === 'vector') return { noise: vectorType('noise', b, channels) };
    const [h, w] = spatialDims(params, template);
    return { noise: mapType('noise', b, h, w, channels) };
  },
  cost: () => ({ params: 0, macs: 0, buffers: 0 }),
  pytorch: (ctx) => {
    const shape = ctx.node.outputs.noise.shape.map((d) => d.value);
    const nchw = shape.length === 4 ? [shape[0], shape[3], shape[1], shape[2]] : shape;
    return nodeModule('input', 'NoiseInput', { shape: nchw, std: f(floatParam(ctx.node.params, 'std')), seed: intParam(ctx.node.params, 'seed') });
  },
  build(_ctx, { outputs, params }) {
    const shape = outputs.noise.shape.map((d) => d.value);
    const std = floatParam(params, 'std');
    const seed = intParam(params, 'seed');
    let calls = 0;
    return (inputs) => {
      if (inputs[FED_VALUE]) return { noise: fedValue(inputs, 'noise', shape) };
      return { noise: tf.randomNormal(shape, 0, std, 'float32', seed + calls++) };
    };
  },
};
