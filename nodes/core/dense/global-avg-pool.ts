import type { NodeDef } from '../../contract.ts';
import { elementCount, requireSpatial, vectorType } from '../rules.ts';
import { mapMean } from '../tensor-utils.ts';
import { layer } from '../../pytorch/emit.ts';

export const globalAvgPoolNode: NodeDef = {
  type: 'core/global-avg-pool',
  version: 1,
  category: 'dense',
  title: 'Global average pool',
  doc:
    'Averages each channel over all H×W pixels, giving a B×C vector (PyTorch adaptive_avg_pool2d ' +
    "to 1×1, then flatten). LGGAN's classification module pools the masked per-class features this " +
    'way, unnormalised by mask area.',
  params: {},
  inputs: [{ name: 'x', kind: 'feature', doc: 'B×H×W×C map.' }],
  outputs: [{ name: 'y', kind: 'vector', doc: 'B×C vector.' }],
  infer({ inputs }) {
    const x = requireSpatial(inputs, 'x');
    return { y: vectorType('vector', x.shape[0], x.shape[3]) };
  },
  cost({ inputs }) {
    return { params: 0, macs: elementCount(inputs.x), buffers: 0 };
  },
  pytorch: () => layer('GlobalAvgPoolNode'),
  build() {
    return (values) => ({ y: mapMean(values.x, [1, 2]) });
  },
};
