import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.ts';
import { loadGraph } from '../graph/load.ts';
import { compareWithReference, officialStateDict, tfjsShape, type ReferenceEntry } from './official.ts';
import { compileProgram } from './program.ts';
import { resolveGraph } from './resolve.ts';

const root = join(import.meta.dirname, '..', '..');
const registry = createRegistry();

function resolveShipped(file: string) {
  const loaded = loadGraph(readFileSync(join(root, 'graphs', file), 'utf8'), { registry });
  if (!loaded.ok) throw new Error(`${file} does not load`);
  return resolveGraph(loaded.doc, registry);
}

interface Reference {
  totals: { parameters: number; buffers_float_elements: number };
  entries: ReferenceEntry[];
}

function reference(name: string): Reference {
  return JSON.parse(readFileSync(join(root, 'nodes', 'lggan', 'reference', `${name}.json`), 'utf8'));
}

// Every official network, the shipped graph that mirrors it, and the graph network holding it.
const PAIRS = [
  ['cityscapes_G', 'lggan-cityscapes.json', 'G'],
  ['cityscapes_D', 'lggan-cityscapes.json', 'D'],
  ['ade20k_G', 'lggan-ade20k.json', 'G'],
  ['ade20k_D', 'lggan-ade20k.json', 'D'],
  ['crossview_G', 'lggan-crossview-dayton.json', 'G'],
  ['crossview_D1', 'lggan-crossview-dayton.json', 'D1'],
  ['crossview_D2', 'lggan-crossview-dayton.json', 'D2'],
] as const;

describe('official parity at full size', () => {
  it.each(PAIRS)('%s: every official key maps to a variable of %s network %s with the same shape', (refName, file, network) => {
    const ref = reference(refName);
    const ir = resolveShipped(file);
    const entries = officialStateDict(ir, network);
    expect(compareWithReference(entries, ref.entries)).toEqual({ missing: [], unexpected: [], misshaped: [], wrongKind: [] });
    expect(entries).toHaveLength(ref.entries.length);
    // Every entry we keep points at a distinct variable.
    const kept = entries.filter((e) => e.variableName !== null).map((e) => e.variableName);
    expect(new Set(kept).size).toBe(kept.length);
  });

  it.each(PAIRS)('%s: the cost model gives the official parameter and buffer totals', (refName, file, network) => {
    const ref = reference(refName);
    const totals = resolveShipped(file).networks.get(network)!;
    expect(totals.params).toBe(ref.totals.parameters);
    expect(totals.buffers).toBe(ref.totals.buffers_float_elements);
  });

  it('prints the official totals in lggan inspect', async () => {
    const { main } = await import('../cli/main.ts');
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(...l.split('\n')), err: () => {}, readFile: async (p: string) => readFileSync(p, 'utf8') };
    const expected: [string, [string, string][]][] = [
      ['lggan-cityscapes.json', [['G', '111,123,495'], ['D', '5,601,410']]],
      ['lggan-ade20k.json', [['G', '115,091,019'], ['D', '5,836,930']]],
      ['lggan-crossview-dayton.json', [['G', '12,191,258'], ['D1', '2,767,809'], ['D2', '2,767,809']]],
    ];
    for (const [file, rows] of expected) {
      lines.length = 0;
      expect(await main(['inspect', join(root, 'graphs', file)], io)).toBe(0);
      for (const [network, params] of rows) expect(lines.some((l) => new RegExp(`^${network}\\s+${params}\\s`).test(l)), `${file} ${network}`).toBe(true);
    }
    // Without the official layers that forward never uses (SPADE's fc, the seventh cross-view sub-generator):
    expect(lines.join('\n')).toContain('G: 12,191,258 params as the official checkpoint, of which 9,411 are official layers never used in forward; 12,181,847 without them');
  });
});

describe('official parity at tiny size (allocated variables)', () => {
  it.each([
    ['lggan-cityscapes-tiny.json'],
    ['lggan-ade20k-tiny.json'],
    ['lggan-crossview-dayton-tiny.json'],
    ['ablation-cityscapes-sau-label-gated-tiny.json'],
  ])('%s: cost-model counts equal allocated variables, and official keys have the right tfjs shapes', (file) => {
    const ir = resolveShipped(file);
    const before = tf.memory().numTensors;
    const program = compileProgram(ir);
    try {
      for (const [network, totals] of ir.networks) {
        const infos = [...program.variableInfo.values()].filter((v) => v.network === network);
        const count = (trainable: boolean) => infos.filter((v) => v.trainable === trainable).reduce((n, v) => n + v.shape.reduce((a, b) => a * b, 1), 0);
        expect(count(true), `${network} params`).toBe(totals.params);
        expect(count(false), `${network} buffers`).toBe(totals.buffers);
        for (const entry of officialStateDict(ir, network)) {
          if (entry.variableName === null) continue;
          const v = program.variables.get(entry.variableName);
          expect(v, entry.key).toBeDefined();
          expect(v!.shape, entry.key).toEqual(tfjsShape(entry.shape, entry.layout));
        }
      }
    } finally {
      program.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
