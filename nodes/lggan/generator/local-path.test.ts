/** A tiny LGGAN local path (local trunk, class masks, local generators, classification, attention fusion) compiled end to end. */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { NodeDef } from '../../contract.ts';
import { formatShape } from '../../dims.ts';
import { NodeRegistry } from '../../registry.ts';
import { coreNodes } from '../../core/index.ts';
import { GRAPH_FORMAT, GRAPH_VERSION } from '../../../src/graph/document.ts';
import type { GraphDocument } from '../../../src/graph/document.ts';
import { compileProgram } from '../../../src/compiler/program.ts';
import { resolveGraph } from '../../../src/compiler/resolve.ts';
import { generatorNodes } from './index.ts';
import { edge, node } from '../../../src/compiler/fixtures.test-util.ts';

/** A test-only sink so the classification outputs are compiled (the loss nodes live elsewhere). */
const scoresSink: NodeDef = {
  type: 'test/scores-sink',
  version: 1,
  category: 'output',
  title: 'Scores sink',
  doc: 'Test only.',
  params: {},
  inputs: [
    { name: 'logits', kind: 'logits', doc: 'B×K×K scores.' },
    { name: 'valid', kind: 'vector', doc: 'B×K flags.' },
  ],
  outputs: [],
  infer: () => ({}),
  cost: () => ({ params: 0, macs: 0, buffers: 0 }),
  build: () => (values) => ({ logits: values.logits, valid: values.valid }),
};


/**
 * One-hot labels (+ instance edge) → two stride-2 convs (x_encode at H/4) → local trunk (SAU,
 * label-gated) → class masks → local generators → classification; a conv "global image"; attention
 * fusion of both images.
 */
function localPathDoc(): GraphDocument {
  return {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    meta: { name: 'tiny LGGAN local path' },
    template: { num_classes: 3, height: 16, width: 16, ngf: 2, batch: 2 },
    init: { scheme: 'xavier-normal', gain: 0.02, seed: 1 },
    nodes: [
      node('label', 'core/semantic-input', { instance_edge: true }),
      node('down1', 'core/conv2d', { out_channels: 'ngf*2', stride: 2 }),
      node('down2', 'core/conv2d', { out_channels: 'ngf*4', stride: 2 }),
      node('trunk', 'lggan/local-trunk', { blocks: 1, upsampling: 'sau-label-gated', sau_kernel: 3, sau_mid_channels: 4 }),
      node('masks', 'lggan/class-masks'),
      node('local', 'lggan/local-generators', { class_chunk: 2 }),
      node('cls', 'lggan/classification'),
      node('global', 'core/conv2d', { out_channels: 3 }),
      node('tanh', 'core/activation', { function: 'tanh' }),
      node('fusion', 'lggan/attention-fusion'),
      node('out', 'core/output', { name: 'fake', role: 'image' }),
      node('scores', 'test/scores-sink'),
    ],
    edges: [
      edge('label', 'semantic', 'down1', 'x'),
      edge('down1', 'y', 'down2', 'x'),
      edge('down2', 'y', 'trunk', 'x_encode'),
      edge('label', 'semantic', 'trunk', 'labels'),
      edge('label', 'semantic', 'masks', 'semantic'),
      edge('trunk', 'features', 'local', 'features'),
      edge('masks', 'masks', 'local', 'masks'),
      edge('trunk', 'features', 'cls', 'features'),
      edge('masks', 'masks', 'cls', 'masks'),
      edge('label', 'semantic', 'global', 'x'),
      edge('global', 'y', 'tanh', 'x'),
      edge('down2', 'y', 'fusion', 'x_encode'),
      edge('local', 'local', 'fusion', 'local'),
      edge('tanh', 'y', 'fusion', 'global'),
      edge('fusion', 'image', 'out', 'value'),
      edge('cls', 'logits', 'scores', 'logits'),
      edge('cls', 'valid', 'scores', 'valid'),
    ],
    groups: [],
    comments: [],
    extra: {},
  };
}

describe('the local generator path, through the compiler', () => {
  const registry = () => new NodeRegistry([...coreNodes, ...generatorNodes, scoresSink]);

  it('resolves with symbolic shapes', () => {
    const ir = resolveGraph(localPathDoc(), registry());
    expect(ir.diagnostics).toEqual([]);
    const shape = (id: string, port: string) => formatShape(ir.nodes.get(id)!.outputs[port].shape);
    expect(shape('trunk', 'middle')).toBe('H/4×W/4×8');
    expect(shape('trunk', 'features')).toBe('H×W×2');
    expect(shape('masks', 'masks')).toBe('H×W×num_classes');
    expect(shape('local', 'class_images')).toBe('H×W×9');
    expect(shape('fusion', 'image')).toBe('H×W×3');
    expect(formatShape(ir.nodes.get('cls')!.outputs.logits.shape, true)).toBe('B×num_classes×num_classes');
  });

  it('compiles, runs and trains every weight through the local path, classification included', () => {
    const program = compileProgram(resolveGraph(localPathDoc(), registry()));
    const ids = tf.randomUniform([2, 16, 16], 0, 3, 'int32', 3) as tf.Tensor3D;
    const label = tf.concat([tf.oneHot(ids, 3).toFloat(), tf.zeros([2, 16, 16, 1])], 3);
    const outputs = ['out', 'cls:logits', 'cls:valid'];
    const result = program.run({ label }, { outputs });
    expect(result.out.shape).toEqual([2, 16, 16, 3]);
    expect(result['cls:logits'].shape).toEqual([2, 3, 3]);
    expect(Array.from(result['cls:valid'].dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
    const loss = () => {
      const r = program.run({ label }, { outputs, training: true });
      return tf.add(tf.mean(tf.abs(r.out)), tf.mean(tf.square(r['cls:logits']))) as tf.Scalar;
    };
    const { grads } = tf.variableGrads(loss, program.trainableVariables());
    for (const name of program.trainableNames()) {
      const grad = grads[program.variables.get(name)!.name];
      expect(grad, name).toBeDefined();
      expect(grad.dataSync().every(Number.isFinite), name).toBe(true);
      if (name.endsWith('weight')) expect(tf.max(tf.abs(grad)).dataSync()[0], name).toBeGreaterThan(0);
    }
    tf.dispose([ids, label, ...Object.values(result), ...Object.values(grads)]);
    program.dispose();
  });
});
