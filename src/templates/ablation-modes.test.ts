/**
 * Every shipped Cityscapes ablation is the full graph with bypass, mute and param edits: applied to
 * lggan-cityscapes-tiny.json, they compile to the ablation file's parameter and MAC totals per
 * network (what `lggan inspect` prints).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { compileProgram } from '../compiler/program.ts';
import { sampleFeeds } from '../compiler/sample-inputs.ts';
import { createRegistry } from '../../nodes/index.ts';
import { resolveGraph } from '../compiler/resolve.ts';
import type { GraphIR } from '../compiler/ir.ts';
import { ABLATION_VARIANTS, loadShipped as load, variantOf } from './variants.test-util.ts';

const registry = createRegistry();

function totals(ir: GraphIR): Record<string, { params: number; macs: number }> {
  return Object.fromEntries([...ir.networks].map(([name, t]) => [name, { params: t.params, macs: t.macs }]));
}

const errors = (ir: GraphIR) => ir.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);

describe('shipped ablations from the full graph with bypass, mute and param edits', () => {
  const full = load('lggan-cityscapes-tiny.json');

  it.each(ABLATION_VARIANTS)('%s', (file, variant) => {
    const ir = resolveGraph(variantOf(full, variant), registry);
    expect(errors(ir)).toEqual([]);
    const shipped = resolveGraph(load(file), registry);
    expect(errors(shipped)).toEqual([]);
    expect(totals(ir)).toEqual(totals(shipped));
    expect(ir.total.params).toBe(shipped.total.params);
    expect(ir.total.macs).toBe(shipped.total.macs);
  });

  it('ablation-cityscapes-sau-label-gated-tiny.json needs two new wires besides the param edits', () => {
    // Label-gated SAU reads the label map, which the full graph does not wire into trunk and fusion:
    // not reachable with bypass, mute and params alone.
    const gated = { trunk: { upsampling: 'sau-label-gated' }, fusion: { upsampling: 'sau-label-gated' } };
    const ir = resolveGraph(variantOf(full, { params: gated }), registry);
    expect(ir.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.where.node, d.where.port])).toEqual([
      ['missing-input', 'trunk', 'labels'],
      ['missing-input', 'fusion', 'labels'],
    ]);
    const wired = variantOf(full, { params: gated });
    wired.edges.push({ from: { node: 'labels', port: 'semantic' }, to: { node: 'trunk', port: 'labels' } });
    wired.edges.push({ from: { node: 'labels', port: 'semantic' }, to: { node: 'fusion', port: 'labels' } });
    expect(totals(resolveGraph(wired, registry))).toEqual(totals(resolveGraph(load('ablation-cityscapes-sau-label-gated-tiny.json'), registry)));
  });
});

describe('a bypassed attention fusion in the running program', () => {
  it('makes the final image the global image, value for value', () => {
    const doc = variantOf(load('lggan-cityscapes-tiny.json'), { modes: { fusion: 'bypass', out_attention: 'mute' } });
    const tensorsBefore = tf.memory().numTensors;
    const program = compileProgram(resolveGraph(doc, registry));
    const feeds = sampleFeeds(program, 1);
    try {
      expect(program.ir.nodes.has('fusion')).toBe(false);
      const out = program.run(feeds, { outputs: ['out_final', 'out_global'] });
      const [final, global] = [out.out_final.dataSync(), out.out_global.dataSync()];
      Object.values(out).forEach((t) => t.dispose());
      expect(final.length).toBe(64 * 128 * 3);
      expect(Array.from(final)).toEqual(Array.from(global));
    } finally {
      Object.values(feeds).forEach((t) => t.dispose());
      program.dispose();
    }
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});
