import type * as tf from '@tensorflow/tfjs-core';
import type { NodeDef, TensorKind } from '../../contract.ts';
import { formatShape, windowOutDim } from '../../dims.ts';
import { avgPoolExcludePadding } from './resample.ts';
import { NodeRuleError, checkParam, intParam, mapType, requireSpatial } from '../rules.ts';
import { layer } from '../../pytorch/emit.ts';

/** Summed in-image pixels along one axis, over all output positions (the pad is not summed). */
export function summedAlongAxis(size: number, outSize: number, kernel: number, stride: number, padding: number): number {
  let total = 0;
  for (let o = 0; o < outSize; o++) {
    const start = o * stride - padding;
    total += Math.max(0, Math.min(start + kernel, size) - Math.max(start, 0));
  }
  return total;
}

/** Kinds whose values survive averaging (convex combinations). */
const AVERAGE_SAFE_KINDS: readonly TensorKind[] = ['image', 'feature', 'attention'];

export const downsampleNode: NodeDef = {
  type: 'core/downsample',
  version: 1,
  category: 'resample',
  title: 'Downsample (avg-pool)',
  doc:
    'Average pooling over kernel×kernel windows with the given stride and zero padding, averaging ' +
    'only the pixels inside the image (PyTorch count_include_pad=False). The defaults (3×3, stride 2, ' +
    "padding 1) are the pooling between the scales of SPADE's and pix2pixHD's multiscale " +
    'discriminators, which halves H and W. Output size is floor((H + 2·padding − kernel)/stride) + 1.',
  params: {
    kernel: { type: 'int', default: 3, min: 1, max: 15, doc: 'Square window size.', ui: { widget: 'number' } },
    stride: { type: 'int', default: 2, min: 1, max: 15, doc: 'Window step.', ui: { widget: 'number' } },
    padding: {
      type: 'int',
      default: 1,
      min: 0,
      max: 7,
      doc: 'Pixels added on each side, not counted in the averages; at most kernel/2.',
      ui: { widget: 'number' },
    },
  },
  inputs: [{ name: 'x', kind: 'feature', doc: 'B×H×W×C map of any spatial kind.' }],
  outputs: [{ name: 'y', kind: 'feature', doc: "B×H'×W'×C map, H' = floor((H + 2p − k)/s) + 1 (H/2 with the defaults)." }],
  infer({ inputs, params }) {
    const x = requireSpatial(inputs, 'x');
    const kernel = intParam(params, 'kernel');
    const stride = intParam(params, 'stride');
    const padding = intParam(params, 'padding');
    checkParam(2 * padding <= kernel, 'padding', `padding ${padding} must be at most half the kernel ${kernel}`);
    const [b, h, w, c] = x.shape;
    const outH = windowOutDim(h, kernel, stride, 2 * padding);
    const outW = windowOutDim(w, kernel, stride, 2 * padding);
    if (outH.value < 1 || outW.value < 1) {
      throw new NodeRuleError(`kernel ${kernel}×${kernel} does not fit the ${formatShape(x.shape)} input`, { param: 'kernel' });
    }
    const kind = AVERAGE_SAFE_KINDS.includes(x.kind) ? x.kind : 'feature';
    return { y: mapType(kind, b, outH, outW, c) };
  },
  cost({ inputs, outputs, params }) {
    const kernel = intParam(params, 'kernel');
    const stride = intParam(params, 'stride');
    const padding = intParam(params, 'padding');
    const [b, h, w, c] = inputs.x.shape.map((d) => d.value);
    const [, outH, outW] = outputs.y.shape.map((d) => d.value);
    const rows = summedAlongAxis(h, outH, kernel, stride, padding);
    const cols = summedAlongAxis(w, outW, kernel, stride, padding);
    return { params: 0, macs: b * c * rows * cols, buffers: 0 };
  },
  pytorch: (ctx) => layer('DownsampleNode', { kernel: intParam(ctx.node.params, 'kernel'), stride: intParam(ctx.node.params, 'stride'), padding: intParam(ctx.node.params, 'padding') }),
  build(_ctx, { params }) {
    const kernel = intParam(params, 'kernel');
    const stride = intParam(params, 'stride');
    const padding = intParam(params, 'padding');
    return (values) => ({ y: avgPoolExcludePadding(values.x as tf.Tensor4D, kernel, stride, padding) });
  },
};
