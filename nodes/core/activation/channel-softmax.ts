import * as tf from '@tensorflow/tfjs-core';
import type { NodeDef } from '../../contract.ts';
import { NodeRuleError, channelsOf, mapType, requireSpatial } from '../rules.ts';
import { layer } from '../../pytorch/emit.ts';

export const channelSoftmaxNode: NodeDef = {
  type: 'core/channel-softmax',
  version: 1,
  category: 'activation',
  title: 'Channel softmax',
  doc:
    'Softmax over the channel axis at every pixel, turning K score maps into K attention weights ' +
    "that sum to 1 per pixel, as LGGAN's attention-fusion branch does for its global/local weight maps. " +
    'Needs at least two channels (a softmax over one channel is always 1).',
  params: {},
  inputs: [{ name: 'x', kind: 'feature', doc: 'B×H×W×K score map, K ≥ 2.' }],
  outputs: [{ name: 'y', kind: 'attention', doc: 'B×H×W×K attention map, summing to 1 over K.' }],
  infer({ inputs }) {
    const x = requireSpatial(inputs, 'x');
    if (channelsOf(x) < 2) {
      throw new NodeRuleError(`port 'x' expects at least 2 channels for a softmax, got 1`, { port: 'x' });
    }
    const [b, h, w, c] = x.shape;
    return { y: mapType('attention', b, h, w, c) };
  },
  cost: () => ({ params: 0, macs: 0, buffers: 0 }),
  pytorch: () => layer('ChannelSoftmaxNode'),
  build() {
    // NHWC keeps channels last, the only axis tfjs's softmax supports.
    return (values) => ({ y: tf.softmax(values.x) });
  },
};
