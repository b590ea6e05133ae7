/**
 * A tiny training graph through the real compiler: a one-conv "generator", the multiscale
 * discriminator, G and D losses and the trainer. Checks handle wiring, network totals and that
 * the D loss never reaches the generator's weights.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { coreNodes } from '../../core/index.ts';
import { NodeRegistry } from '../../registry.ts';
import { resolveGraph } from '../../../src/compiler/resolve.ts';
import { compileProgram } from '../../../src/compiler/program.ts';
import { GRAPH_FORMAT, GRAPH_VERSION } from '../../../src/graph/document.ts';
import type { GraphDocument } from '../../../src/graph/document.ts';
import { discriminatorNodes } from '../discriminators/index.ts';
import { lossNodes } from './index.ts';
import { trainingNodes } from '../training/index.ts';
import { lossSide } from './sides.ts';
import { edge, node } from '../../../src/compiler/fixtures.test-util.ts';


function trainingGraph(): GraphDocument {
  return {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    meta: { name: 'tiny training graph' },
    template: { num_classes: 2, height: 16, width: 16, ndf: 2, ngf: 2, batch: 2 },
    nodes: [
      node('semantic', 'core/semantic-input'),
      node('real', 'core/image-input'),
      node('gen', 'core/conv2d', { out_channels: 3 }),
      node('tanh', 'core/activation', { function: 'tanh' }),
      node('D', 'lggan/multiscale-discriminator'),
      node('adv_g', 'lggan/adversarial-loss'),
      node('fm', 'lggan/feature-matching-loss'),
      node('l1', 'lggan/l1-loss'),
      node('vgg', 'lggan/perceptual-loss'),
      node('adv_d', 'lggan/adversarial-loss', { side: 'discriminator' }),
      node('trainer', 'lggan/trainer', { g_losses: 4, d_losses: 1 }),
    ],
    edges: [
      edge('semantic', 'semantic', 'gen', 'x'),
      edge('gen', 'y', 'tanh', 'x'),
      edge('semantic', 'semantic', 'D', 'condition'),
      edge('real', 'image', 'D', 'image'),
      ...['adv_g', 'fm', 'adv_d'].flatMap((loss) => [edge('D', 'network', loss, 'discriminator'), edge('semantic', 'semantic', loss, 'condition'), edge('tanh', 'y', loss, 'fake0')]),
      edge('real', 'image', 'fm', 'real'),
      edge('real', 'image', 'adv_d', 'real'),
      edge('tanh', 'y', 'l1', 'fake0'),
      edge('real', 'image', 'l1', 'real'),
      edge('tanh', 'y', 'vgg', 'fake0'),
      edge('real', 'image', 'vgg', 'real'),
      edge('adv_g', 'loss', 'trainer', 'g_loss_0'),
      edge('fm', 'loss', 'trainer', 'g_loss_1'),
      edge('l1', 'loss', 'trainer', 'g_loss_2'),
      edge('vgg', 'loss', 'trainer', 'g_loss_3'),
      edge('adv_d', 'loss', 'trainer', 'd_loss_0'),
    ],
    groups: [],
    comments: [],
    extra: {},
  };
}

describe('a training graph with the LGGAN training nodes', () => {
  it('resolves with a warning for the skipped perceptual loss and D in its own network', () => {
    const registry = new NodeRegistry([...coreNodes, ...discriminatorNodes, ...lossNodes, ...trainingNodes]);
    const ir = resolveGraph(trainingGraph(), registry);
    expect(ir.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const warnings = ir.diagnostics.filter((d) => d.severity === 'warning');
    expect(warnings.map((w) => [w.where.node, w.code])).toEqual([['vgg', 'node-warning']]);
    expect(ir.networks.get('D')!.params).toBe(ir.nodes.get('D')!.cost.params);
    expect(ir.nodes.get('D')!.cost.params).toBeGreaterThan(0);
    expect(lossSide(ir.nodes.get('adv_d')!.def!, ir.nodes.get('adv_d')!.params)).toBe('discriminator');
    expect(lossSide(ir.nodes.get('fm')!.def!, ir.nodes.get('fm')!.params)).toBe('generator');
  });

  it('compiles, runs both totals and keeps the D loss away from the generator', () => {
    const registry = new NodeRegistry([...coreNodes, ...discriminatorNodes, ...lossNodes, ...trainingNodes]);
    const program = compileProgram(resolveGraph(trainingGraph(), registry));
    const feeds = {
      semantic: tf.oneHot(tf.tensor3d([0, 1, 1, 0], [1, 2, 2], 'int32').tile([2, 8, 8]) as tf.Tensor3D, 2).toFloat(),
      real: tf.randomUniform([2, 16, 16, 3], -1, 1, 'float32', 3),
    };
    const generator = program.trainableVariables('G').filter((v) => v.name.includes('gen.'));
    const discriminator = program.trainableVariables('D');
    expect(generator.length).toBe(2);
    expect(discriminator.length).toBeGreaterThan(0);

    const g = tf.variableGrads(() => program.run(feeds, { training: true, outputs: ['trainer:g_total'] })['trainer:g_total'] as tf.Scalar, generator);
    expect(Number.isFinite(g.value.dataSync()[0])).toBe(true);
    for (const v of generator) expect(Math.max(...Array.from(g.grads[v.name].dataSync(), Math.abs)), v.name).toBeGreaterThan(0);

    const d = tf.variableGrads(() => program.run(feeds, { training: true, outputs: ['trainer:d_total'] })['trainer:d_total'] as tf.Scalar, [...generator, ...discriminator]);
    for (const v of generator) expect(Math.max(...Array.from(d.grads[v.name]?.dataSync() ?? [0], Math.abs)), v.name).toBe(0);
    // Weights only: at initialisation D(fake) ≈ D(real) ≈ 0, where the hinge terms' bias gradients cancel (+1 − 1).
    for (const v of discriminator.filter((w) => !w.name.endsWith('.bias'))) {
      expect(Math.max(...Array.from(d.grads[v.name].dataSync(), Math.abs)), v.name).toBeGreaterThan(0);
    }

    tf.dispose([g.value, d.value, ...Object.values(g.grads), ...Object.values(d.grads), ...Object.values(feeds)]);
    const before = tf.memory().numTensors;
    tf.dispose(Object.values(program.run({ semantic: tf.zeros([1, 16, 16, 2]), real: tf.zeros([1, 16, 16, 3]) }, { training: false, outputs: ['trainer:g_total', 'trainer:d_total'] })));
    expect(tf.memory().numTensors).toBe(before + 2); // only the two fed tensors remain
    program.dispose();
  });
});
