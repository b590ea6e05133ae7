import type { NodeDef } from '../../contract.ts';
import { fedValue, heightParam, spatialDims, widthParam } from './input-common.ts';
import { batchDim, intParam, mapType } from '../rules.ts';
import { nodeModule } from '../../pytorch/emit.ts';

export const imageInputNode: NodeDef = {
  type: 'core/image-input',
  version: 1,
  category: 'input',
  title: 'Image input',
  doc:
    'An image batch fed from the dataset, B×H×W×channels with values in [-1, 1]. With 3 channels ' +
    'the output is of kind image; other channel counts (e.g. the 6-channel image + colour ' +
    'semantic map of the cross-view task) are typed as feature maps. It has no input ports: the ' +
    'compiler feeds the tensor under this node id, and the fed shape is checked (the batch size may differ).',
  params: {
    channels: {
      type: 'int',
      default: 3,
      min: 1,
      max: 64,
      doc: 'Channels per pixel (3 for RGB).',
      ui: { widget: 'number', group: 'channels' },
    },
    height: heightParam,
    width: widthParam,
  },
  inputs: [],
  outputs: [{ name: 'image', kind: 'image', doc: 'B×H×W×3 image in [-1, 1] (B×H×W×channels feature map when channels ≠ 3).' }],
  infer({ params, template }) {
    const channels = intParam(params, 'channels');
    const [h, w] = spatialDims(params, template);
    return { image: mapType(channels === 3 ? 'image' : 'feature', batchDim(template), h, w, channels) };
  },
  cost: () => ({ params: 0, macs: 0, buffers: 0 }),
  pytorch: () => nodeModule('input', 'FedInput', { port: 'image' }),
  build(_ctx, { outputs }) {
    const expected = outputs.image.shape.map((d) => d.value);
    return (inputs) => ({ image: fedValue(inputs, 'image', expected) });
  },
};
