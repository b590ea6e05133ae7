/**
 * Carry-over on the tiny training GAN: train 2 steps, save; edit the generator (gen1's kernel 3 → 5,
 * the pass-through node with an unused weight removed); carry the checkpoint over.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { Program } from '../../compiler/program.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { readSafetensors, writeSafetensors, type TensorToWrite } from '../../formats/safetensors.ts';
import { compileGraph, syntheticBatch, tinyGanGraph } from '../training/tiny-gan.test-util.ts';
import { compileTraining, type TrainingRun } from '../training/index.ts';
import { carriedVariables, carryOver } from './carry.ts';
import { carryReportLines, printableName } from './carry-text.ts';
import { saveCheckpoint } from './checkpoint.ts';
import { runRecordFor } from './record.ts';

const STEPS = 2;

function editedGraph(): GraphDocument {
  const doc = tinyGanGraph();
  doc.nodes.find((n) => n.id === 'gen1')!.params.kernel = 5;
  doc.nodes = doc.nodes.filter((n) => n.id !== 'compat');
  doc.edges = doc.edges.filter((e) => e.to.node !== 'compat').map((e) => (e.from.node === 'compat' ? { ...e, from: { node: 'gen2', port: 'y' } } : e));
  return doc;
}

/** Outputs that depend only on unchanged nodes: gen2 from a fed act1 output, the D loss from a fed generator image. */
function unchangedOutputs(program: Program): Record<string, number[]> {
  return tf.tidy(() => {
    const batch = syntheticBatch(3);
    const feeds = {
      ...batch,
      'act1:y': tf.randomNormal([2, 16, 16, 4], 0, 1, 'float32', 11),
      'tanh:y': tf.tanh(tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 12)),
    };
    const out = program.run(feeds, { outputs: ['gen2:y', 'd_adv'] });
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, Array.from(t.dataSync())]));
  });
}

const momentsOf = (run: TrainingRun) => new Map(run.optimizerState().map((e) => [e.name, Array.from(e.tensor.dataSync())]));
const values = (program: Program, name: string) => Array.from(program.variables.get(name)!.dataSync());

let original: Program;
let originalRun: TrainingRun;
let bytes: Uint8Array;

beforeAll(async () => {
  original = compileGraph(tinyGanGraph());
  originalRun = compileTraining(original);
  for (let i = 0; i < STEPS; i++) {
    const batch = syntheticBatch(i + 1);
    originalRun.step(batch);
    tf.dispose(Object.values(batch));
  }
  bytes = await saveCheckpoint(original, { record: runRecordFor(original, { nodePackVersion: 'test', step: STEPS }), optimizer: originalRun });
});

describe('carryOver', () => {
  it('keeps what matches, re-initialises what changed, drops what is gone; unchanged nodes compute bit-identical outputs', () => {
    const before = tf.memory().numTensors;
    const fresh = compileGraph(editedGraph()); // the edited graph's own init, for comparison
    const edited = compileGraph(editedGraph());
    const run = compileTraining(edited);
    const report = carryOver(edited, bytes, { optimizer: run });

    expect(unchangedOutputs(edited)).toEqual(unchangedOutputs(original));
    expect(unchangedOutputs(fresh)).not.toEqual(unchangedOutputs(original)); // so the equality above means something
    expect(values(edited, 'gen1.weight')).toEqual(values(fresh, 'gen1.weight'));
    expect(values(edited, 'gen1.weight')).toHaveLength(5 * 5 * 4 * 4);
    expect(values(edited, 'gen1.bias')).toEqual(values(original, 'gen1.bias'));

    const gen1 = report.nodes.find((n) => n.node === 'gen1')!;
    expect(gen1).toMatchObject({ status: 'partial', kept: ['gen1.bias'], reinitialised: [{ name: 'gen1.weight', from: [3, 3, 4, 4], to: [5, 5, 4, 4] }] });
    expect(report.nodes.find((n) => n.node === 'compat')).toEqual({ node: 'compat', status: 'dropped', kept: [], reinitialised: [], dropped: [{ name: 'compat.fc.weight', shape: [2] }] });
    expect(report.nodes.find((n) => n.node === 'gen2')!.status).toBe('kept');
    expect(report.nodes.filter((n) => n.status !== 'kept').map((n) => n.node)).toEqual(['gen1', 'compat']);
    expect(report.totals).toEqual({ kept: edited.variables.size - 1, reinitialised: 1, dropped: 1 });
    expect(report.step).toBe(STEPS);
    expect(report.sameGraph).toBe(false);

    // Adam: kept variables keep their moments, the re-initialised one has none, counters continue.
    const was = momentsOf(originalRun);
    const now = momentsOf(run);
    expect(now.get('optimizer.G.gen2.weight.m')).toEqual(was.get('optimizer.G.gen2.weight.m'));
    expect(now.get('optimizer.G.gen1.bias.v')).toEqual(was.get('optimizer.G.gen1.bias.v'));
    expect(now.has('optimizer.G.gen1.weight.m')).toBe(false);
    expect(now.get('optimizer.G.step')).toEqual(was.get('optimizer.G.step'));
    expect(run.stepCount).toBe(STEPS);
    expect(report.moments.dropped).toBe(1); // gen1.weight's (compat's weight never had a gradient)

    const lines = carryReportLines(report);
    expect(lines[0]).toMatch(/^weights carried over: \d+ variables kept \(\d+ of \d+ nodes unchanged\), 1 re-initialised, 1 dropped; Adam moments of \d+ variables kept, 1 dropped; continuing from step 2$/);
    expect(lines.slice(1)).toEqual(['  gen1: partial — 1 variable kept; weight re-initialised (shape [3, 3, 4, 4] → [5, 5, 4, 4])', '  compat: dropped — compat.fc.weight [2] dropped']);

    // Training continues from there.
    const batch = syntheticBatch(STEPS + 1);
    const step = run.step(batch);
    tf.dispose(Object.values(batch));
    expect(step.step).toBe(STEPS);
    for (const v of Object.values(step.losses)) expect(Number.isFinite(v)).toBe(true);

    run.dispose();
    edited.dispose();
    fresh.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('with assignedAfter: carriedVariables, compile skips the init of what is carried; the result is the same', () => {
    const before = tf.memory().numTensors;
    const file = readSafetensors(bytes);
    const carried = carriedVariables(file);
    const skipped: string[] = [];
    const lazy = compileGraph(editedGraph(), { assignedAfter: (name, shape) => carried(name, shape) && skipped.push(name) > 0 });
    const full = compileGraph(editedGraph());
    // Before the carry-over the skipped variables are zeros; the re-initialised one has its init.
    expect(values(lazy, 'gen2.weight').every((v) => v === 0)).toBe(true);
    expect(values(full, 'gen2.weight').some((v) => v !== 0)).toBe(true);
    expect(values(lazy, 'gen1.weight')).toEqual(values(full, 'gen1.weight'));

    const lazyRun = compileTraining(lazy);
    const fullRun = compileTraining(full);
    const report = carryOver(lazy, file, { optimizer: lazyRun });
    expect(report).toEqual(carryOver(full, file, { optimizer: fullRun }));
    expect([...skipped].sort()).toEqual(report.nodes.flatMap((n) => n.kept).sort());
    for (const name of full.variables.keys()) expect(values(lazy, name), name).toEqual(values(full, name));
    expect(momentsOf(lazyRun)).toEqual(momentsOf(fullRun));

    lazyRun.dispose();
    fullRun.dispose();
    lazy.dispose();
    full.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is a plain load for the same graph', () => {
    const same = compileGraph(tinyGanGraph());
    const run = compileTraining(same);
    const report = carryOver(same, bytes, { optimizer: run });
    expect(report.sameGraph).toBe(true);
    expect(report.nodes.every((n) => n.status === 'kept')).toBe(true);
    expect(report.totals).toEqual({ kept: same.variables.size, reinitialised: 0, dropped: 0 });
    expect(carryReportLines(report)).toHaveLength(1);
    run.dispose();
    same.dispose();
  });

  it('reports a variable the checkpoint lacks as new', async () => {
    const edited = compileGraph(editedGraph());
    const weightsOnly = await saveCheckpoint(edited, { record: runRecordFor(edited, { nodePackVersion: 'test' }) });
    const back = compileGraph(tinyGanGraph()); // compat is back, gen1 has kernel 3 again
    const report = carryOver(back, weightsOnly);
    expect(report.nodes.find((n) => n.node === 'compat')).toEqual({ node: 'compat', status: 'reinitialised', kept: [], reinitialised: [{ name: 'compat.fc.weight', from: null, to: [2] }], dropped: [] });
    expect(carryReportLines(report)).toContain('  compat: re-initialised — fc.weight re-initialised (new, [2])');
    expect(report).toMatchObject({ step: 0, moments: { kept: 0, dropped: 0 } });
    edited.dispose();
    back.dispose();
  });

  it('does not trust the file: misdeclared moments are dropped, bad counters refuse everything, names are escaped', () => {
    const file = readSafetensors(bytes);
    const tensors = new Map<string, TensorToWrite>();
    for (const [name, t] of file.tensors) tensors.set(name, { dtype: t.dtype === 'I32' ? 'I32' : 'F32', shape: t.shape, values: t.values as Float32Array | Int32Array });
    tensors.set('optimizer.G.gen2.weight.m', { dtype: 'F32', shape: [2], values: new Float32Array(2) });
    tensors.set('gone\u001b[31m.w', { dtype: 'F32', shape: [1], values: new Float32Array(1) });
    const edited = compileGraph(editedGraph());
    const run = compileTraining(edited);
    const report = carryOver(edited, writeSafetensors(tensors, file.metadata), { optimizer: run });
    expect(momentsOf(run).has('optimizer.G.gen2.weight.m')).toBe(false);
    expect(report.moments.dropped).toBe(2);
    expect(carryReportLines(report).join('\n')).toContain('gone\\u001b[31m.w [1] dropped');
    expect(printableName('a\u202eb')).toBe('a\\u202eb');

    tensors.set('optimizer.iteration', { dtype: 'I32', shape: [3], values: new Int32Array(3) });
    const other = compileGraph(editedGraph());
    const initial = values(other, 'gen2.weight');
    const otherRun = compileTraining(other);
    expect(() => carryOver(other, writeSafetensors(tensors, file.metadata), { optimizer: otherRun })).toThrow("optimizer state 'optimizer.iteration' must be a scalar, the file has shape [3]");
    expect(values(other, 'gen2.weight')).toEqual(initial);
    for (const x of [run, edited, otherRun, other]) x.dispose();
  });
});
