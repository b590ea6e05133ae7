import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors, type TensorToWrite } from '../../formats/safetensors.ts';
import {
  CheckpointLoadError,
  checkpointRecord,
  createRunRecord,
  loadCheckpoint,
  parseRunRecord,
  runRecordFor,
  runRecordJson,
  saveCheckpoint,
  type OptimizerEntry,
  type RunRecord,
} from './index.ts';
import { compileTiny, fixedClock, forward, perturb, tinyDoc, valuesOf } from './fixtures.test-util.ts';

const program = compileTiny();
afterAll(() => program.dispose());
const names = [...program.variables.keys()];
const gNames = names.filter((n) => program.variableInfo.get(n)!.network === 'G');
const dNames = names.filter((n) => program.variableInfo.get(n)!.network === 'D');

const record = (extra: Record<string, unknown> = {}): RunRecord =>
  runRecordFor(program, { nodePackVersion: '0.1.0', step: 12, datasetFingerprint: 'synthetic:abc', extra, now: fixedClock });

/** Rewrites a checkpoint's tensors (drop, add, reshape) keeping its metadata. */
function edit(bytes: Uint8Array, change: (tensors: Map<string, TensorToWrite>) => void): Uint8Array {
  const file = readSafetensors(bytes);
  const tensors = new Map<string, TensorToWrite>(file.tensors);
  change(tensors);
  return writeSafetensors(tensors, file.metadata);
}

function thrown(fn: () => unknown): CheckpointLoadError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointLoadError);
    return e as CheckpointLoadError;
  }
  throw new Error('expected a CheckpointLoadError');
}

describe('saveCheckpoint / loadCheckpoint', () => {
  it('restores every variable so that the outputs are identical to the bit', async () => {
    const before = forward(program);
    const bytes = await saveCheckpoint(program, { record: record() });
    perturb(program);
    const perturbed = forward(program);
    expect(perturbed.fake).not.toEqual(before.fake);
    expect(perturbed.patches).not.toEqual(before.patches);
    const report = loadCheckpoint(program, bytes);
    expect(report.loaded).toEqual(names);
    expect(report).toMatchObject({ missing: [], unexpected: [], misshaped: [], skipped: [], optimizer: [], sameGraph: true });
    expect(forward(program)).toEqual(before);

    // Into a program compiled with another seed: the same outputs as the saved one.
    const other = compileTiny(tinyDoc(), 99);
    expect(valuesOf(other, 'enc.weight')).not.toEqual(valuesOf(program, 'enc.weight'));
    loadCheckpoint(other, bytes);
    expect(forward(other)).toEqual(before);
    other.dispose();
  });

  it('writes valid safetensors whose names are the variable names, non-trainable ones included', async () => {
    const bytes = await saveCheckpoint(program, { record: record() });
    const file = readSafetensors(bytes);
    expect([...file.tensors.keys()]).toEqual(names);
    expect(names).toContain('d2.weight_u'); // spectral-norm state (non-trainable)
    expect(program.variableInfo.get('d2.weight_u')!.trainable).toBe(false);
    for (const name of names) {
      const t = file.tensors.get(name)!;
      expect(t.dtype).toBe('F32');
      expect(t.shape).toEqual(program.variableInfo.get(name)!.shape);
      expect(Array.from(t.values)).toEqual(valuesOf(program, name));
    }
    expect(file.metadata['lggan.layout']).toBe('tfjs');
    // Header, as a PyTorch reader sees it: the tensor names plus __metadata__.
    const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    expect(Object.keys(header).filter((k) => k !== '__metadata__')).toEqual(names);
  });

  it('round-trips the run record through the metadata and the sidecar', async () => {
    const r = record({ lr: { g: 1e-4, d: 4e-4 }, note: 'ünïcödé', tags: ['a', 'b'] });
    const file = readSafetensors(await saveCheckpoint(program, { record: r }));
    expect(checkpointRecord(file)).toEqual(r);
    expect(parseRunRecord(runRecordJson(r))).toEqual(r);
    expect(r).toMatchObject({
      format: 'lggan-studio.run',
      version: 1,
      graphName: 'Tiny pix2pix',
      seed: 0,
      step: 12,
      nodePackVersion: '0.1.0',
      tfjsVersion: tf.version_core,
      backend: 'cpu',
      datasetFingerprint: 'synthetic:abc',
      created: '2025-01-02T03:04:05.000Z',
    });
    expect(r.graphHash).toMatch(/^[0-9a-f]{64}$/);
    expect(() => parseRunRecord({ ...r, step: 1.5 })).toThrow("run record field 'step' must be a whole number, got 1.5");
    expect(() => parseRunRecord({ ...r, format: 'x' })).toThrow('not a run record');
  });

  it("changes the record's graph hash when a param changes, not when the layout does", () => {
    const doc = tinyDoc();
    const base = createRunRecord({ doc, nodePackVersion: '0.1.0', now: fixedClock });
    const moved = tinyDoc();
    moved.nodes[1].position = { x: 999, y: 999 };
    moved.meta.description = 'changed';
    expect(createRunRecord({ doc: moved, nodePackVersion: '0.1.0', now: fixedClock }).graphHash).toBe(base.graphHash);
    const changed = tinyDoc();
    changed.nodes.find((n) => n.id === 'enc')!.params.kernel = 5;
    expect(createRunRecord({ doc: changed, nodePackVersion: '0.1.0', now: fixedClock }).graphHash).not.toBe(base.graphHash);
  });

  it('strict mode refuses a mismatched file, names every problem with both shapes, and assigns nothing', async () => {
    const bytes = await saveCheckpoint(program, { record: record() });
    const broken = edit(bytes, (t) => {
      t.delete('d3.bias');
      t.set('ghost.weight', { shape: [2], values: [1, 2] });
      t.set('enc.bias', { shape: [9], values: new Array(9).fill(0) });
    });
    const encBefore = valuesOf(program, 'enc.weight');
    perturb(program, ['enc.weight']);
    const perturbed = valuesOf(program, 'enc.weight');
    expect(perturbed).not.toEqual(encBefore);
    const error = thrown(() => loadCheckpoint(program, broken));
    expect(error.report.missing).toEqual(['d3.bias']);
    expect(error.report.unexpected).toEqual(['ghost.weight']);
    expect(error.report.misshaped).toEqual([{ name: 'enc.bias', expected: [8], got: [9] }]);
    expect(error.message).toContain('missing (1): d3.bias');
    expect(error.message).toContain('unexpected (1): ghost.weight');
    expect(error.message).toContain("misshaped: 'enc.bias' is [8] in the program but [9] in the file");
    expect(valuesOf(program, 'enc.weight')).toEqual(perturbed);
    loadCheckpoint(program, bytes);
  });

  it('partial mode loads what matches and reports the rest', async () => {
    const bytes = await saveCheckpoint(program, { record: record() });
    const saved = valuesOf(program, 'd1.weight');
    const broken = edit(bytes, (t) => {
      t.delete('d3.bias');
      t.set('ghost.weight', { shape: [2], values: [1, 2] });
      t.set('enc.bias', { shape: [9], values: new Array(9).fill(0) });
    });
    perturb(program);
    const report = loadCheckpoint(program, broken, { mode: 'partial' });
    expect(report.missing).toEqual(['d3.bias']);
    expect(report.unexpected).toEqual(['ghost.weight']);
    expect(report.misshaped.map((m) => m.name)).toEqual(['enc.bias']);
    expect(report.loaded).toEqual(names.filter((n) => n !== 'd3.bias' && n !== 'enc.bias'));
    expect(valuesOf(program, 'd1.weight')).toEqual(saved);
    loadCheckpoint(program, bytes);
  });

  it('loads one network only ("load only G"), in either mode', async () => {
    const bytes = await saveCheckpoint(program, { record: record() });
    const g = valuesOf(program, 'enc.weight');
    perturb(program);
    const d = valuesOf(program, 'd1.weight');
    const report = loadCheckpoint(program, bytes, { networks: ['G'] });
    expect(report.loaded).toEqual(gNames);
    expect(report.skipped).toEqual(dNames);
    expect(report.missing).toEqual([]);
    expect(valuesOf(program, 'enc.weight')).toEqual(g);
    expect(valuesOf(program, 'd1.weight')).toEqual(d); // D untouched

    // A generator-only file is enough for a strict G load, but not for a strict full one.
    const gOnly = edit(bytes, (t) => dNames.forEach((n) => t.delete(n)));
    expect(loadCheckpoint(program, gOnly, { networks: ['G'] }).loaded).toEqual(gNames);
    expect(thrown(() => loadCheckpoint(program, gOnly)).report.missing).toEqual(dNames);
    expect(() => loadCheckpoint(program, bytes, { networks: ['Q'] })).toThrow("no variables belong to network 'Q' (networks with variables: G, D)");
    loadCheckpoint(program, bytes);
  });

  it('stores optimiser entries beside the weights and hands them back on load', async () => {
    const state: OptimizerEntry[] = [
      { name: 'optimizer.iteration', tensor: tf.scalar(12, 'int32') },
      { name: 'optimizer.G.enc.bias.m', tensor: tf.linspace(0, 1, 8) },
    ];
    const bytes = await saveCheckpoint(program, { record: record(), optimizer: { optimizerState: () => state } });
    const file = readSafetensors(bytes);
    expect([...file.tensors.keys()]).toEqual([...names, 'optimizer.iteration', 'optimizer.G.enc.bias.m']);
    expect(file.tensors.get('optimizer.iteration')).toMatchObject({ dtype: 'I32', shape: [], values: Int32Array.from([12]) });

    const received: { name: string; dtype: string; values: number[] }[] = [];
    const before = tf.memory().numTensors;
    const report = loadCheckpoint(program, bytes, {
      optimizer: { loadOptimizerState: (entries) => entries.forEach((e) => received.push({ name: e.name, dtype: e.tensor.dtype, values: Array.from(e.tensor.dataSync()) })) },
    });
    expect(tf.memory().numTensors).toBe(before); // the entries were disposed after the hand-over
    expect(report.optimizer).toEqual(['optimizer.iteration', 'optimizer.G.enc.bias.m']);
    expect(received[0]).toEqual({ name: 'optimizer.iteration', dtype: 'int32', values: [12] });
    expect(received[1].values).toEqual(Array.from(state[1].tensor.dataSync()));
    // Without a target they are skipped, even in strict mode.
    expect(loadCheckpoint(program, bytes).skipped).toEqual(['optimizer.iteration', 'optimizer.G.enc.bias.m']);

    const bad = { optimizerState: () => [{ name: 'G.m', tensor: state[1].tensor }] };
    await expect(saveCheckpoint(program, { record: record(), optimizer: bad })).rejects.toThrow("its name must start with 'optimizer.'");
    tf.dispose(state.map((e) => e.tensor));
  });

  it('reports sameGraph false for a checkpoint made for another graph', async () => {
    const doc = tinyDoc();
    doc.nodes.find((n) => n.id === 'enc')!.params.padding_mode = 'zeros';
    const otherRecord = createRunRecord({ doc, nodePackVersion: '0.1.0', now: fixedClock });
    const bytes = await saveCheckpoint(program, { record: otherRecord });
    expect(loadCheckpoint(program, bytes).sameGraph).toBe(false);
  });

  it('snapshots the values when called: a change made while it awaits does not reach the file', async () => {
    const saved = valuesOf(program, 'enc.bias');
    const pending = saveCheckpoint(program, { record: record() });
    perturb(program, ['enc.bias']); // e.g. a training step between two awaits
    const file = readSafetensors(await pending);
    expect(Array.from(file.tensors.get('enc.bias')!.values)).toEqual(saved);
    loadCheckpoint(program, await pending);
  });

  it('leaves the tensor count unchanged across save/load cycles', async () => {
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const bytes = await saveCheckpoint(program, { record: record() });
      perturb(program);
      loadCheckpoint(program, bytes);
      loadCheckpoint(program, bytes, { mode: 'partial', networks: ['D'] });
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
