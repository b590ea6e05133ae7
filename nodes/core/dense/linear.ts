import * as tf from '@tensorflow/tfjs-core';
import type { NodeDef, TensorType } from '../../contract.ts';
import { kindAccepts } from '../../contract.ts';
import { NodeRuleError, boolParam, describeType, enumParam, intParam, requireInput, vectorType } from '../rules.ts';
import { layer } from '../../pytorch/emit.ts';

const OUTPUT_KINDS = ['vector', 'logits'] as const;

/** Input features of a B×N vector or a B×1×1×N map (flattened); throws otherwise. */
function inputFeatures(x: TensorType): number {
  if (x.shape.length === 2 && kindAccepts('vector', x.kind)) return x.shape[1].value;
  if (x.shape.length === 4 && kindAccepts('feature', x.kind) && x.shape[1].value === 1 && x.shape[2].value === 1) {
    return x.shape[3].value;
  }
  throw new NodeRuleError(`port 'x' expects a B×N vector or a B×1×1×N map, got a ${describeType(x)}`, { port: 'x' });
}

export const linearNode: NodeDef = {
  type: 'core/linear',
  version: 1,
  category: 'dense',
  title: 'Linear',
  doc:
    'A fully connected layer y = x·W + b from B×N to B×M (PyTorch nn.Linear; its [M, N] weight is ' +
    'stored transposed here as [N, M]). A B×1×1×N map is flattened to B×N first. Set the output ' +
    "kind to logits for class scores, as in LGGAN's classification module (Linear 64→num_classes).",
  params: {
    out_features: {
      type: 'int',
      default: 64,
      min: 1,
      max: 65536,
      template: true,
      doc: 'Output length M; may be an expression such as "num_classes".',
      ui: { widget: 'number' },
    },
    bias: { type: 'bool', default: true, doc: 'Add a learned bias.', ui: { widget: 'checkbox' } },
    output_kind: {
      type: 'enum',
      options: OUTPUT_KINDS,
      default: 'vector',
      doc: 'Type the output as a plain vector or as class logits.',
      ui: { widget: 'select' },
    },
  },
  inputs: [{ name: 'x', kind: 'vector', doc: 'B×N vector, or a B×1×1×N map.' }],
  outputs: [{ name: 'y', kind: 'vector', doc: 'B×M vector (or logits).' }],
  infer({ inputs, params }) {
    const x = requireInput(inputs, 'x');
    inputFeatures(x);
    return { y: vectorType(enumParam(params, 'output_kind', OUTPUT_KINDS), x.shape[0], intParam(params, 'out_features')) };
  },
  cost({ inputs, params }) {
    const n = inputFeatures(inputs.x);
    const m = intParam(params, 'out_features');
    const batch = inputs.x.shape[0].value;
    return { params: n * m + (boolParam(params, 'bias') ? m : 0), macs: batch * n * m, buffers: 0 };
  },
  pytorch: (ctx) => {
    const x = ctx.node.inputs.x.shape;
    return layer('LinearNode', { in_features: x[x.length - 1].value, out_features: intParam(ctx.node.params, 'out_features'), bias: boolParam(ctx.node.params, 'bias') });
  },
  build(ctx, { inputs, params }) {
    const n = inputFeatures(inputs.x);
    const m = intParam(params, 'out_features');
    const weight = ctx.variable('weight', [n, m], { kind: 'weight', fanIn: n, fanOut: m });
    const bias = boolParam(params, 'bias') ? ctx.variable('bias', [m], { kind: 'zeros' }) : undefined;
    return (values) => {
      const y = tf.tidy(() => {
        const x = tf.reshape(values.x, [values.x.shape[0], n]) as tf.Tensor2D;
        const product = tf.matMul(x, weight);
        return bias ? tf.add(product, bias) : product;
      });
      return { y };
    };
  },
};
