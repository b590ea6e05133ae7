import * as tf from '@tensorflow/tfjs-core';
import type { NodeDef } from '../../contract.ts';
import { inferBroadcastPair } from './elementwise.ts';
import { elementCount } from '../rules.ts';
import { layer } from '../../pytorch/emit.ts';

export const multiplyNode: NodeDef = {
  type: 'core/multiply',
  version: 1,
  category: 'combine',
  title: 'Multiply',
  doc:
    'Elementwise product a ⊙ b of two maps of the same shape, or broadcast when one of them has a ' +
    "single channel, as in LGGAN's class masking F ⊙ M_i (a 1-channel mask over a feature map) and " +
    'attention weighting. The output keeps the kind when both inputs share it and is a feature map otherwise.',
  params: {},
  inputs: [
    { name: 'a', kind: 'feature', doc: 'B×H×W×C map.' },
    { name: 'b', kind: 'feature', doc: 'B×H×W×C map, or B×H×W×1 to broadcast (e.g. a class mask).' },
  ],
  outputs: [{ name: 'y', kind: 'feature', doc: 'B×H×W×C map, a ⊙ b.' }],
  infer({ inputs }) {
    return { y: inferBroadcastPair(inputs, 'multiply') };
  },
  cost({ outputs }) {
    return { params: 0, macs: elementCount(outputs.y), buffers: 0 };
  },
  pytorch: () => layer('MultiplyNode'),
  build() {
    return (values) => ({ y: tf.mul(values.a, values.b) });
  },
};
