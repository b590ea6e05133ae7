import type { NodeDef, TensorType } from '../../contract.ts';
import { kindAccepts } from '../../contract.ts';
import { ACTIVATION_FUNCTIONS, applyActivation } from './activations.ts';
import { NodeRuleError, channelsOf, describeType, enumParam, floatParam, requireInput, stringParam } from '../rules.ts';
import { layer } from '../../pytorch/emit.ts';
import { f } from '../../pytorch/python-literals.ts';

/** Spatial maps of any kind but labels, or B×N vectors (vector, logits, noise). */
function requireActivationInput(inputs: Record<string, TensorType>): TensorType {
  const x = requireInput(inputs, 'x');
  const spatialOk = x.shape.length === 4 && kindAccepts('feature', x.kind);
  const vectorOk = x.shape.length === 2 && kindAccepts('vector', x.kind);
  if (!spatialOk && !vectorOk) {
    throw new NodeRuleError(`port 'x' expects a B×H×W×C map or a B×N vector, got a ${describeType(x)}`, { port: 'x' });
  }
  return x;
}

export const activationNode: NodeDef = {
  type: 'core/activation',
  version: 1,
  category: 'activation',
  title: 'Activation',
  doc:
    'A pointwise nonlinearity: ReLU, leaky ReLU (negative slope `slope`, 0.2 in pix2pix/SPADE ' +
    'discriminators), tanh or sigmoid. The output keeps the input shape and kind, except that tanh ' +
    'of a 3-channel map is typed as an image in [-1, 1], which is how generators end.',
  params: {
    function: {
      type: 'enum',
      options: ACTIVATION_FUNCTIONS,
      default: 'relu',
      doc: 'The nonlinearity.',
      ui: { widget: 'select' },
    },
    slope: {
      type: 'float',
      default: 0.2,
      min: 0,
      max: 1,
      doc: 'Negative slope of leaky ReLU; ignored by the other functions.',
      ui: { widget: 'slider', step: 0.01 },
    },
  },
  /** Bypassed: the map goes through unnormalised / unactivated (same shape). */
  passThrough: [{ input: 'x', output: 'y' }],
  inputs: [{ name: 'x', kind: 'feature', doc: 'B×H×W×C map (or B×N vector).' }],
  outputs: [{ name: 'y', kind: 'feature', doc: 'Same shape and kind as x; tanh of a B×H×W×3 map is an image.' }],
  infer({ inputs, params }) {
    const x = requireActivationInput(inputs);
    const fn = enumParam(params, 'function', ACTIVATION_FUNCTIONS);
    const becomesImage = fn === 'tanh' && x.shape.length === 4 && channelsOf(x) === 3;
    return { y: { kind: becomesImage ? 'image' : x.kind, shape: x.shape } };
  },
  cost: () => ({ params: 0, macs: 0, buffers: 0 }),
  pytorch: (ctx) => layer('ActivationNode', { function: stringParam(ctx.node.params, 'function'), slope: f(floatParam(ctx.node.params, 'slope')) }),
  build(_ctx, { params }) {
    const fn = enumParam(params, 'function', ACTIVATION_FUNCTIONS);
    const slope = floatParam(params, 'slope');
    return (values) => ({ y: applyActivation(values.x, fn, slope) });
  },
};
