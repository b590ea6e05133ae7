import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { officialStateDict, type OfficialEntry } from '../../compiler/official.ts';
import { compileProgram } from '../../compiler/program.ts';
import { readSafetensors } from '../../formats/safetensors.ts';
import { exportCheckpointBytes, safetensorsLookup } from './export.ts';
import { CheckpointImportError, importCheckpointBytes, importStateDict, importedWeightsToSafetensors } from './import.ts';
import { readTorchCheckpoint } from './read.ts';
import { foldSpectralNorm } from './spectral.ts';
import { extractStateDict } from './state-dict.ts';
import { tensorToFloat32, tensorValues } from './tensor.ts';
import { writeTorchCheckpoint, type TensorToSave } from './write.ts';
import { expectLaidOut, randomStateDict, referenceEntries, resolveShipped } from './graphs.test-util.ts';

/** Every official network: the reference key list, and the graph (full size unless too large for a unit test) holding it. */
const NETWORKS = [
  // The generators are 111M/115M parameters at full size: their key lists are checked against the
  // tiny graphs, whose keys are the same (35 / 150 classes kept) with small widths.
  { reference: 'cityscapes_G', graph: 'lggan-cityscapes-tiny.json', network: 'G', tiny: true },
  { reference: 'ade20k_G', graph: 'lggan-ade20k-tiny.json', network: 'G', tiny: true },
  { reference: 'cityscapes_D', graph: 'lggan-cityscapes.json', network: 'D', tiny: false },
  { reference: 'ade20k_D', graph: 'lggan-ade20k.json', network: 'D', tiny: false },
  { reference: 'crossview_G', graph: 'lggan-crossview-dayton.json', network: 'G', tiny: false },
  { reference: 'crossview_D1', graph: 'lggan-crossview-dayton.json', network: 'D1', tiny: false },
  { reference: 'crossview_D2', graph: 'lggan-crossview-dayton.json', network: 'D2', tiny: false },
];

/** Elements that differ (vitest's deep equality is far too slow for millions of values). */
function mismatches(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.max(a.length, b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

/** The graph's official entries, with the fc kept so every reference key maps to a variable or is ignored. */
function stateDictFor(entries: OfficialEntry[], seed: number): TensorToSave[] {
  return randomStateDict(entries.map((e) => ({ key: e.key, shape: e.shape, layout: e.layout })), seed);
}

describe('importing every official key list', () => {
  it.each(NETWORKS)('$reference: written, read back, imported into $graph ($network) value by value, and exported back', ({ reference, graph, network }) => {
    const ir = resolveShipped(graph);
    const entries = officialStateDict(ir, network);
    const ref = referenceEntries(reference);
    // The same keys as the official state_dict (in the graph's node order; load_state_dict ignores order).
    expect(entries.map((e) => e.key).sort()).toEqual(ref.map((e) => e.key).sort());
    const sd = stateDictFor(entries, 42);
    const bytes = writeTorchCheckpoint(sd);

    const { report, weights } = importCheckpointBytes(bytes, ir, { network });
    expect(report.missing).toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(report.misshaped).toEqual([]);
    expect(report.uncovered).toEqual([]);
    const kept = entries.filter((e) => e.variableName !== null);
    expect(report.mapped.map((m) => m.key)).toEqual(kept.map((e) => e.key));
    expect(report.ignored.map((i) => i.key)).toEqual(entries.filter((e) => e.variableName === null).map((e) => e.key));
    const byName = new Map(weights.map((w) => [w.name, w]));
    const original = new Map(sd.map((t) => [t.key, t]));
    for (const e of kept) expectLaidOut(byName.get(e.variableName!)!, original.get(e.key)!.values as Float32Array, e.shape, e.layout, e.key);

    // Back out through our safetensors checkpoint and the exporter: the same state_dict, in order.
    const safetensors = readSafetensors(importedWeightsToSafetensors(weights));
    const exported = exportCheckpointBytes(ir, safetensorsLookup(safetensors), { network });
    const back = extractStateDict(readTorchCheckpoint(exported.bytes).root);
    expect([...back.tensors.keys()]).toEqual(entries.map((e) => e.key));
    for (const e of entries) {
      const t = back.tensors.get(e.key)!;
      expect(t.shape, e.key).toEqual(e.shape);
      if (e.variableName === null) expect([...tensorValues(t)].every((v) => Number(v) === 0), `${e.key} is filled with zeros`).toBe(true);
      else expect(mismatches(tensorToFloat32(t), original.get(e.key)!.values as Float32Array), e.key).toBe(0);
    }
  });
});

describe('strict and partial import', () => {
  const ir = resolveShipped('lggan-crossview-dayton-tiny.json');
  const entries = officialStateDict(ir, 'G');
  const sd = stateDictFor(entries, 7);
  const without = (key: string) => sd.filter((t) => t.key !== key);

  it('strict mode refuses missing, unexpected and misshaped keys, naming each', () => {
    const broken = [
      ...without('conv1.bias').map((t) => (t.key === 'conv2.weight' ? { ...t, shape: [t.shape[1], t.shape[0], 3, 3] } : t)),
      { key: 'extra.weight', dtype: 'float32' as const, shape: [1], values: [0] },
    ];
    const bytes = writeTorchCheckpoint(broken);
    let error: unknown;
    try {
      importCheckpointBytes(bytes, ir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CheckpointImportError);
    const report = (error as CheckpointImportError).report;
    expect(report.missing).toEqual(['conv1.bias']);
    expect(report.unexpected).toEqual(['extra.weight']);
    const conv2 = entries.find((e) => e.key === 'conv2.weight')!.shape;
    expect(report.misshaped).toEqual([{ key: 'conv2.weight', expected: conv2, got: [conv2[1], conv2[0], 3, 3] }]);
    expect((error as Error).message).toBe(
      [
        "checkpoint does not match network 'G' (strict mode; partial mode imports what matches):",
        '  missing (1): conv1.bias',
        '  unexpected (1): extra.weight',
        `  misshaped: 'conv2.weight' is [${conv2[1]}, ${conv2[0]}, 3, 3] in the file, the graph needs [${conv2.join(', ')}]`,
      ].join('\n'),
    );

    const partial = importCheckpointBytes(bytes, ir, { mode: 'partial' });
    expect(partial.report.missing).toEqual(['conv1.bias']);
    expect(partial.weights.map((w) => w.name)).not.toContain('encoder.conv1.bias');
    expect(partial.weights.map((w) => w.name)).not.toContain('encoder.conv2.weight');
    expect(partial.weights).toHaveLength(entries.length - 2);
  });

  it('removes the DataParallel prefix, and ignores InstanceNorm statistics that PyTorch < 0.4 saved', () => {
    const old = [
      ...sd.map((t) => ({ ...t, key: `module.${t.key}` })),
      { key: 'module.conv1_norm.running_mean', dtype: 'float32' as const, shape: [2], values: [0, 0] },
      { key: 'module.resnet_blocks1.conv1_norm.running_var', dtype: 'float32' as const, shape: [2], values: [1, 1] },
    ];
    const { report } = importCheckpointBytes(writeTorchCheckpoint(old), ir);
    expect(report.strippedPrefix).toBe('module.');
    expect(report.unexpected).toEqual([]);
    expect(report.ignored.map((i) => i.key)).toEqual(['conv1_norm.running_mean', 'resnet_blocks1.conv1_norm.running_var']);
  });

  it('reports the graph variables no official key covers (SAU layers): strict refuses, partial imports the rest', () => {
    const sau = resolveShipped('ablation-cityscapes-sau-tiny.json');
    const sauEntries = officialStateDict(sau, 'G');
    const bytes = writeTorchCheckpoint(stateDictFor(sauEntries, 3));
    expect(() => importCheckpointBytes(bytes, sau)).toThrow(/graph variables without an official key \(2\): trunk \(\d+ elements\), fusion \(\d+ elements\)/);
    const partial = importCheckpointBytes(bytes, sau, { mode: 'partial' });
    expect(partial.report.uncovered).toHaveLength(2);
    expect(partial.report.mapped.length).toBe(sauEntries.filter((e) => e.variableName !== null).length);
  });

  it('names an unknown network and a file with no state_dict', () => {
    const bytes = writeTorchCheckpoint(sd);
    expect(() => importCheckpointBytes(bytes, ir, { network: 'Q' })).toThrow("the graph has no network 'Q' (networks: G, D1, D2)");
    expect(() => importCheckpointBytes(new Uint8Array(readFileSync(join(import.meta.dirname, 'fixtures', 'wrapped-zip.pth'))), ir)).toThrow(/checkpoint does not match network 'G'/);
  });

  it('assigns into a compiled program, all or nothing, without leaking tensors', () => {
    const tiny = resolveShipped('lggan-crossview-dayton-tiny.json');
    const program = compileProgram(tiny);
    try {
      const before = tf.memory().numTensors;
      const { weights } = importCheckpointBytes(writeTorchCheckpoint(sd), program);
      expect(tf.memory().numTensors).toBe(before);
      for (const w of weights) expect(program.variables.get(w.name)!.dataSync(), w.name).toEqual(w.values);
      // A misshaped file changes nothing.
      const snapshot = program.variables.get('encoder.conv1.weight')!.dataSync().slice();
      expect(() => importCheckpointBytes(writeTorchCheckpoint(without('conv1.bias')), program)).toThrow(CheckpointImportError);
      expect(program.variables.get('encoder.conv1.weight')!.dataSync()).toEqual(snapshot);
    } finally {
      program.dispose();
    }
  });
});

describe('spectral-norm conversions', () => {
  const fixture = (name: string) => new Uint8Array(readFileSync(join(import.meta.dirname, 'fixtures', name)));
  const expectedWeight = Float32Array.from(
    (JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'spectral.expected.json'), 'utf8')).effective_weight.values as string[]).map(Number),
  );
  const entry = (key: string, shape: number[], layout: OfficialEntry['layout'], kind: 'parameter' | 'buffer' = 'parameter'): OfficialEntry => ({ key, variable: key, variableName: `n.${key}`, node: 'n', shape, layout, kind });
  const plain = [entry('weight', [3, 2, 3, 3], 'conv2d'), entry('bias', [3], 'vector')];
  const spectral = [entry('bias', [3], 'vector'), entry('weight_orig', [3, 2, 3, 3], 'conv2d'), entry('weight_u', [3], 'vector', 'buffer'), entry('weight_v', [18], 'vector', 'buffer')];

  it('folds weight_orig/u/v into the eval-mode weight for a layer without spectral norm (as torch computes it)', () => {
    const sd = extractStateDict(readTorchCheckpoint(fixture('spectral-zip.pth')).root);
    const { report, weights } = importStateDict(sd, { network: 'G', entries: plain, uncovered: [] }, { format: 'zip' });
    expect(report.converted).toEqual([{ variable: 'n.weight', from: ['weight_orig', 'weight_u', 'weight_v'], how: 'spectral norm folded into the weight as PyTorch eval mode does, W / (uᵀ·W·v)' }]);
    expect(report.unexpected).toEqual([]);
    const weight = weights.find((w) => w.name === 'n.weight')!;
    const torchLayout = new Float32Array(expectedWeight.length);
    // back to [out, in, kh, kw] to compare with torch's effective weight
    for (let o = 0; o < 3; o++) for (let i = 0; i < 2; i++) for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) torchLayout[((o * 2 + i) * 3 + y) * 3 + x] = weight.values[((y * 3 + x) * 2 + i) * 3 + o];
    for (let k = 0; k < expectedWeight.length; k++) expect(torchLayout[k]).toBeCloseTo(expectedWeight[k], 6);
  });

  it("rebuilds weight_v of a pre-1.0 spectral-norm checkpoint so that eval gives the file's weight", () => {
    const sd = extractStateDict(readTorchCheckpoint(fixture('spectral-old-legacy.pth')).root);
    const { report, weights } = importStateDict(sd, { network: 'G', entries: spectral, uncovered: [] }, { format: 'legacy' });
    expect(report.converted.map((c) => c.variable)).toEqual(['n.weight_v']);
    expect(report.unexpected).toEqual([]);
    const orig = tensorToFloat32(sd.tensors.get('weight_orig')!);
    const u = tensorToFloat32(sd.tensors.get('weight_u')!);
    const v = weights.find((w) => w.name === 'n.weight_v')!.values;
    const evalWeight = foldSpectralNorm(orig, [3, 2, 3, 3], 'conv2d', u, v, 'test');
    for (let k = 0; k < expectedWeight.length; k++) expect(evalWeight[k]).toBeCloseTo(expectedWeight[k], 6);
  });
});
