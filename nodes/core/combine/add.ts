import * as tf from '@tensorflow/tfjs-core';
import type { NodeDef } from '../../contract.ts';
import { inferBroadcastPair } from './elementwise.ts';
import { layer } from '../../pytorch/emit.ts';

export const addNode: NodeDef = {
  type: 'core/add',
  version: 1,
  category: 'combine',
  title: 'Add',
  doc:
    'Elementwise sum a + b of two maps of the same shape, or broadcast when one of them has a ' +
    'single channel. The output keeps the kind when both inputs share it and is a feature map ' +
    "otherwise. Used for skips and for summing per-class images (LGGAN's cross-view local generator).",
  params: {},
  inputs: [
    { name: 'a', kind: 'feature', doc: 'B×H×W×C map.' },
    { name: 'b', kind: 'feature', doc: 'B×H×W×C map, or B×H×W×1 to broadcast.' },
  ],
  outputs: [{ name: 'y', kind: 'feature', doc: 'B×H×W×C map, a + b.' }],
  infer({ inputs }) {
    return { y: inferBroadcastPair(inputs, 'add') };
  },
  cost: () => ({ params: 0, macs: 0, buffers: 0 }),
  pytorch: () => layer('AddNode'),
  build() {
    return (values) => ({ y: tf.add(values.a, values.b) });
  },
};
