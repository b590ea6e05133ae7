import type * as tf from '@tensorflow/tfjs-core';
import type { NodeDef, TensorKind } from '../../contract.ts';
import { scaleDim } from '../../dims.ts';
import { bilinearUpsample, nearestUpsample } from './resample.ts';
import { elementCount, enumParam, intParam, mapType, requireSpatial, stringParam } from '../rules.ts';
import { layer } from '../../pytorch/emit.ts';

const MODES = ['nearest', 'bilinear'] as const;

/** Kinds whose values survive bilinear blending (convex combinations); one-hot and binary maps do not. */
const BLEND_SAFE_KINDS: readonly TensorKind[] = ['image', 'feature', 'attention', 'noise'];

export const upsampleNode: NodeDef = {
  type: 'core/upsample',
  version: 1,
  category: 'resample',
  title: 'Upsample',
  doc:
    'Upsamples H and W by an integer factor. Nearest repeats each pixel (PyTorch nn.Upsample ' +
    'nearest, source index floor(i/scale)), as the SPADE/LGGAN decoders do; it keeps the input ' +
    'kind, so semantic maps stay one-hot. Bilinear matches PyTorch with align_corners=False ' +
    '(half-pixel centres, borders clamped); it turns semantic and mask maps into feature maps.',
  badges: ['mode'],
  params: {
    scale_factor: { type: 'int', default: 2, min: 1, max: 16, doc: 'Integer factor for H and W.', ui: { widget: 'number' } },
    mode: { type: 'enum', options: MODES, default: 'nearest', doc: 'Interpolation.', ui: { widget: 'select' } },
  },
  inputs: [{ name: 'x', kind: 'feature', doc: 'B×H×W×C map of any spatial kind.' }],
  outputs: [{ name: 'y', kind: 'feature', doc: 'B×(scale·H)×(scale·W)×C map.' }],
  infer({ inputs, params }) {
    const x = requireSpatial(inputs, 'x');
    const scale = intParam(params, 'scale_factor');
    const mode = enumParam(params, 'mode', MODES);
    const kind = mode === 'nearest' || BLEND_SAFE_KINDS.includes(x.kind) ? x.kind : 'feature';
    const [b, h, w, c] = x.shape;
    return { y: mapType(kind, b, scaleDim(h, scale), scaleDim(w, scale), c) };
  },
  cost({ outputs, params }) {
    const bilinear = enumParam(params, 'mode', MODES) === 'bilinear';
    return { params: 0, macs: bilinear ? 4 * elementCount(outputs.y) : 0, buffers: 0 };
  },
  pytorch: (ctx) => layer('UpsampleNode', { scale: intParam(ctx.node.params, 'scale_factor'), mode: stringParam(ctx.node.params, 'mode') }),
  build(_ctx, { params }) {
    const scale = intParam(params, 'scale_factor');
    const resize = enumParam(params, 'mode', MODES) === 'bilinear' ? bilinearUpsample : nearestUpsample;
    return (values) => ({ y: resize(values.x as tf.Tensor4D, scale) });
  },
};
