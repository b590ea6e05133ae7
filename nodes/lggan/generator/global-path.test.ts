/** A tiny LGGAN global path (semantic input, encoder, SPADE global generator) compiled end to end. */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { formatShape } from '../../dims.ts';
import { NodeRegistry } from '../../registry.ts';
import { coreNodes } from '../../core/index.ts';
import { GRAPH_FORMAT, GRAPH_VERSION } from '../../../src/graph/document.ts';
import type { GraphDocument } from '../../../src/graph/document.ts';
import { compileProgram } from '../../../src/compiler/program.ts';
import { resolveGraph } from '../../../src/compiler/resolve.ts';
import { sampleFeeds } from '../../../src/compiler/sample-inputs.ts';
import { generatorNodes } from './index.ts';
import { edge, node } from '../../../src/compiler/fixtures.test-util.ts';


/** Label ids → one-hot (+ don't-care) → encoder (4 downsamples, latent H/32) → SPADE generator. */
function globalPathDoc(): GraphDocument {
  return {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    meta: { name: 'tiny LGGAN global path' },
    template: { num_classes: 3, height: 32, width: 32, ngf: 1, batch: 2 },
    init: { scheme: 'xavier-normal', gain: 0.02, seed: 1 },
    nodes: [
      node('label', 'lggan/semantic-input', { dontcare: true }),
      node('encoder', 'lggan/encoder', { max_channels: 'ngf*16', latent_height: 'height/32', latent_width: 'width/32' }),
      node('global', 'lggan/global-generator', { spade_hidden: 4, keep_unused_official: true }),
      node('out', 'core/output', { name: 'global', role: 'image' }),
    ],
    edges: [
      edge('label', 'semantic', 'encoder', 'x'),
      edge('encoder', 'latent', 'global', 'latent'),
      edge('label', 'semantic', 'global', 'semantic'),
      edge('global', 'image', 'out', 'value'),
    ],
    groups: [],
    comments: [],
    extra: {},
  };
}

describe('the global generator path, through the compiler', () => {
  const registry = () => new NodeRegistry([...coreNodes, ...generatorNodes]);

  it('resolves with symbolic shapes and totals that add the node costs', () => {
    const ir = resolveGraph(globalPathDoc(), registry());
    expect(ir.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const shape = (id: string, port: string) => formatShape(ir.nodes.get(id)!.outputs[port].shape);
    expect(shape('label', 'semantic')).toBe('H×W×num_classes+1');
    expect(shape('encoder', 'latent')).toBe('H/32×W/32×16');
    expect(shape('global', 'image')).toBe('H×W×3');
    const nodes = [...ir.nodes.values()];
    expect(ir.total.params).toBe(nodes.reduce((n, r) => n + r.cost.params, 0));
    expect(ir.total.unusedParams).toBe(9 * 4 * 16 + 16); // fc: 3×3, 4 semantic channels → 16
  });

  it('compiles, runs on fed label ids (and on sample feeds), and trains every weight', () => {
    const program = compileProgram(resolveGraph(globalPathDoc(), registry()));
    const ids = tf.randomUniform([2, 32, 32, 1], 0, 4, 'int32', 7);
    const image = program.run({ label: ids }).out;
    expect(image.shape).toEqual([2, 32, 32, 3]);
    const feeds = sampleFeeds(program);
    expect(feeds.label.shape).toEqual([2, 32, 32, 1]);
    tf.dispose(program.run(feeds));
    const { grads } = tf.variableGrads(
      () => tf.mean(tf.abs(program.run({ label: ids }, { training: true }).out)) as tf.Scalar,
      program.trainableVariables(),
    );
    for (const name of program.trainableNames()) {
      if (name.startsWith('global.fc.')) {
        expect(grads[program.variables.get(name)!.name], name).toBeUndefined(); // built for checkpoints only
        continue;
      }
      const grad = grads[program.variables.get(name)!.name];
      expect(grad.dataSync().every(Number.isFinite), name).toBe(true);
      if (/weight(_orig)?$/.test(name)) expect(tf.max(tf.abs(grad)).dataSync()[0], name).toBeGreaterThan(0);
    }
    tf.dispose([image, ids, ...Object.values(feeds), ...Object.values(grads)]);
    program.dispose();
  });
});
