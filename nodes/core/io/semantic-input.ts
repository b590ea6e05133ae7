import type { NodeDef } from '../../contract.ts';
import { addToDim } from '../../dims.ts';
import { fedValue, heightParam, spatialDims, widthParam } from './input-common.ts';
import { batchDim, boolParam, intParam, mapType, templateDim } from '../rules.ts';
import { nodeModule } from '../../pytorch/emit.ts';

/** num_classes one-hot channels, then the optional don't-care channel, then the optional edge map. */
export function semanticChannels(numClasses: number, dontcare: boolean, instanceEdge: boolean): number {
  return numClasses + (dontcare ? 1 : 0) + (instanceEdge ? 1 : 0);
}

export const semanticInputNode: NodeDef = {
  type: 'core/semantic-input',
  version: 1,
  category: 'input',
  title: 'Semantic map input',
  doc:
    'A one-hot semantic label map fed from the dataset, B×H×W×C with C = num_classes, plus one ' +
    "don't-care channel when enabled (ADE20K's unlabelled class) and one instance-edge channel " +
    "when enabled (Cityscapes' 4-neighbour instance boundaries). It has no input ports: the " +
    'compiler feeds the tensor under this node id, and the fed shape is checked (the batch size may differ).',
  params: {
    num_classes: {
      type: 'int',
      default: 'num_classes',
      min: 1,
      max: 1024,
      template: true,
      doc: 'Number of semantic classes (one-hot channels).',
      ui: { widget: 'number', group: 'channels' },
    },
    dontcare: {
      type: 'bool',
      default: false,
      doc: "Add a don't-care channel after the class channels.",
      ui: { widget: 'checkbox', group: 'channels' },
    },
    instance_edge: {
      type: 'bool',
      default: false,
      doc: 'Add an instance-edge channel last (1 on instance boundaries).',
      ui: { widget: 'checkbox', group: 'channels' },
    },
    height: heightParam,
    width: widthParam,
  },
  inputs: [],
  outputs: [
    {
      name: 'semantic',
      kind: 'semantic',
      doc: "B×H×W×C one-hot map, C = num_classes [+1 don't-care] [+1 instance edge].",
    },
  ],
  infer({ params, template }) {
    const numClasses = intParam(params, 'num_classes');
    const extra = semanticChannels(0, boolParam(params, 'dontcare'), boolParam(params, 'instance_edge'));
    const classes = templateDim(numClasses, template, 'num_classes', 'num_classes');
    const [h, w] = spatialDims(params, template);
    return { semantic: mapType('semantic', batchDim(template), h, w, addToDim(classes, extra)) };
  },
  cost: () => ({ params: 0, macs: 0, buffers: 0 }),
  pytorch: () => nodeModule('input', 'FedInput', { port: 'semantic' }),
  build(_ctx, { outputs }) {
    const expected = outputs.semantic.shape.map((d) => d.value);
    return (inputs) => ({ semantic: fedValue(inputs, 'semantic', expected) });
  },
};
