import * as tf from '@tensorflow/tfjs-core';
import type { NodeDef, PortDef, ResolvedParams } from '../../contract.ts';
import { intParam, mapType, requireSameSpatial, requireSpatial, sumDims } from '../rules.ts';
import { layer } from '../../pytorch/emit.ts';

function portNames(params: ResolvedParams): string[] {
  return Array.from({ length: intParam(params, 'inputs') }, (_, i) => `in${i}`);
}

export const concatNode: NodeDef = {
  type: 'core/concat',
  version: 1,
  category: 'combine',
  title: 'Concat (channels)',
  doc:
    'Concatenates N maps along the channel axis, in port order in0, in1, …; batch, height and ' +
    'width must agree. The output is a feature map with the summed channels (e.g. the 35 per-class ' +
    "images of LGGAN's local generator, or label map + image for a discriminator).",
  params: {
    inputs: { type: 'int', default: 2, min: 2, max: 16, doc: 'Number of input ports.', ui: { widget: 'number' } },
  },
  inputs: (params): PortDef[] =>
    portNames(params).map((name, i) => ({ name, kind: 'feature', doc: `B×H×W×C${i} map; H and W as in0.` })),
  outputs: [{ name: 'y', kind: 'feature', doc: 'B×H×W×(C0 + C1 + …) feature map.' }],
  infer({ inputs, params }) {
    const names = portNames(params);
    const types = names.map((name) => requireSpatial(inputs, name));
    types.forEach((t, i) => requireSameSpatial(types[0], names[0], t, names[i]));
    const [b, h, w] = types[0].shape;
    return { y: mapType('feature', b, h, w, sumDims(types.map((t) => t.shape[3]))) };
  },
  cost: () => ({ params: 0, macs: 0, buffers: 0 }),
  pytorch: (ctx) => layer('ConcatNode', { inputs: intParam(ctx.node.params, 'inputs') }),
  build(_ctx, { params }) {
    const names = portNames(params);
    return (values) => ({ y: tf.concat(names.map((name) => values[name]), 3) });
  },
};
