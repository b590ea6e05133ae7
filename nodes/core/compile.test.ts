/** The core pack through the real resolver and compiler: a tiny pix2pixHD-style generator. */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { GRAPH_FORMAT, GRAPH_VERSION } from '../../src/graph/document.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import { compileProgram } from '../../src/compiler/program.ts';
import { resolveGraph } from '../../src/compiler/resolve.ts';
import { createRegistry, formatShape } from '../index.ts';
import { edge, node } from '../../src/compiler/fixtures.test-util.ts';


function generatorDoc(): GraphDocument {
  return {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    meta: { name: 'tiny generator' },
    template: { num_classes: 3, height: 8, width: 8, ngf: 4 },
    init: { scheme: 'xavier-normal', gain: 0.02, seed: 1 },
    nodes: [
      node('label', 'core/semantic-input', { instance_edge: true }),
      node('conv1', 'core/conv2d', { out_channels: 'ngf', kernel: 7, padding_mode: 'reflect' }),
      node('norm1', 'core/instance-norm'),
      node('relu1', 'core/activation'),
      node('down', 'core/conv2d', { out_channels: 'ngf*2', stride: 2 }),
      node('res', 'core/residual-block'),
      node('up', 'core/conv-transpose2d', { out_channels: 'ngf' }),
      node('rgb', 'core/conv2d', { out_channels: 3 }),
      node('tanh', 'core/activation', { function: 'tanh' }),
      node('out', 'core/output', { name: 'fake', role: 'image' }),
    ],
    edges: [
      edge('label', 'semantic', 'conv1', 'x'),
      edge('conv1', 'y', 'norm1', 'x'),
      edge('norm1', 'y', 'relu1', 'x'),
      edge('relu1', 'y', 'down', 'x'),
      edge('down', 'y', 'res', 'x'),
      edge('res', 'y', 'up', 'x'),
      edge('up', 'y', 'rgb', 'x'),
      edge('rgb', 'y', 'tanh', 'x'),
      edge('tanh', 'y', 'out', 'value'),
    ],
    groups: [],
    comments: [],
    extra: {},
  };
}

describe('core nodes in the compiler', () => {
  it('resolve with symbolic shapes and exact parameter totals', () => {
    const ir = resolveGraph(generatorDoc(), createRegistry());
    expect(ir.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const shape = (id: string, port: string) => formatShape(ir.nodes.get(id)!.outputs[port].shape);
    expect(shape('label', 'semantic')).toBe('H×W×num_classes+1');
    expect(shape('down', 'y')).toBe('H/2×W/2×8');
    expect(shape('up', 'y')).toBe('H×W×4');
    expect(ir.nodes.get('tanh')!.outputs.y.kind).toBe('image');
    const params = 7 * 7 * 4 * 4 + 4 + (9 * 4 * 8 + 8) + 2 * (9 * 8 * 8 + 8) + (9 * 8 * 4 + 4) + (9 * 4 * 3 + 3);
    expect(ir.total.params).toBe(params);
  });

  it('compile, run on fed labels and train every weight', () => {
    const program = compileProgram(resolveGraph(generatorDoc(), createRegistry()));
    const labels = tf.oneHot(tf.randomUniform([1, 8, 8], 0, 4, 'int32', 5) as tf.Tensor3D, 4) as tf.Tensor4D;
    const fake = program.run({ label: tf.cast(labels, 'float32') }, { training: true }).out;
    expect(fake.shape).toEqual([1, 8, 8, 3]);
    const { grads } = tf.variableGrads(
      () => tf.mean(tf.abs(program.run({ label: tf.cast(labels, 'float32') }, { training: true }).out)) as tf.Scalar,
      program.trainableVariables(),
    );
    for (const name of program.trainableNames()) {
      const grad = grads[program.variables.get(name)!.name];
      expect(grad.dataSync().every(Number.isFinite), name).toBe(true);
      // biases right before an instance norm get (almost) no gradient; every weight must get one
      if (name.endsWith('weight')) expect(tf.max(tf.abs(grad)).dataSync()[0], name).toBeGreaterThan(0);
    }
    tf.dispose([fake, labels, ...Object.values(grads)]);
    program.dispose();
  });
});
