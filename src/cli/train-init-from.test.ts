/**
 * `lggan train --init-from`: train the tiny GAN 2 steps, edit the graph (gen1's kernel 3 → 5),
 * and train the edited graph on from the checkpoint with the weights that still fit.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createRegistry } from '../../nodes/index.ts';
import { compileProgram, type Program } from '../compiler/program.ts';
import { resolveGraph } from '../compiler/resolve.ts';
import { loadGraph } from '../graph/load.ts';
import { carryOver, loadCheckpoint, readCheckpointRecord } from '../runtime/checkpoint/index.ts';
import { readSafetensors } from '../formats/safetensors.ts';
import { syntheticBatch } from '../runtime/training/tiny-gan.test-util.ts';
import { cli, readCsv, tempDir, writeTinyGan } from './cli.test-util.ts';

const tmp = tempDir();
afterAll(tmp.cleanup);
let graph: string;
let edited: string;
let checkpoint: string;

function compileFile(file: string): Program {
  const registry = createRegistry();
  const loaded = loadGraph(readFileSync(file, 'utf8'), { registry });
  if (!loaded.ok) throw new Error(`${file} does not load`);
  return compileProgram(resolveGraph(loaded.doc, registry));
}

/** gen2 from a fed act1 output and the D loss from a fed generator image: they depend on unchanged nodes only. */
function unchangedOutputs(program: Program): Record<string, number[]> {
  return tf.tidy(() => {
    const feeds = {
      ...syntheticBatch(3),
      'act1:y': tf.randomNormal([2, 16, 16, 4], 0, 1, 'float32', 11),
      'tanh:y': tf.tanh(tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 12)),
    };
    const out = program.run(feeds, { outputs: ['gen2:y', 'd_adv'] });
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, Array.from(t.dataSync())]));
  });
}

beforeAll(async () => {
  graph = writeTinyGan(tmp.dir);
  const doc = JSON.parse(readFileSync(graph, 'utf8'));
  doc.nodes.find((n: { id: string }) => n.id === 'gen1').params.kernel = 5;
  edited = join(tmp.dir, 'tiny-gan-edited.json');
  writeFileSync(edited, JSON.stringify(doc));
  const first = await cli(['train', graph, '--synthetic', '--steps', '2', '--out', join(tmp.dir, 'first')]);
  expect(first.code).toBe(0);
  checkpoint = join(tmp.dir, 'first', 'checkpoints', 'step-000002.safetensors');
});

describe('lggan train --init-from', () => {
  it('trains the edited graph on from the checkpoint, printing the carry-over report', async () => {
    const before = tf.memory().numTensors;
    const out = join(tmp.dir, 'edited-run');
    const r = await cli(['train', edited, '--synthetic', '--steps', '3', '--out', out, '--init-from', checkpoint]);
    expect(r.code).toBe(0);
    expect(r.err).toContainEqual(expect.stringMatching(/^weights carried over: \d+ variables kept \(\d+ of \d+ nodes unchanged\), 1 re-initialised, 0 dropped; Adam moments of \d+ variables kept, 1 dropped; continuing from step 2$/));
    expect(r.err).toContain('  gen1: partial — 1 variable kept; weight re-initialised (shape [3, 3, 4, 4] → [5, 5, 4, 4])');
    expect(r.err).toContainEqual(expect.stringMatching(/steps 3…3$/));
    const csv = readCsv(join(out, 'losses.csv'));
    expect(csv.map((row) => row[0])).toEqual(['step', '3']);
    for (const cell of csv[1]) expect(Number.isFinite(Number(cell)) && cell !== '').toBe(true);
    expect(readCheckpointRecord(new Uint8Array(readFileSync(join(out, 'checkpoints', 'step-000003.safetensors'))))).toMatchObject({ step: 3, extra: { initFrom: checkpoint } });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives the unchanged nodes bit-identical outputs', () => {
    const file = readSafetensors(new Uint8Array(readFileSync(checkpoint)));
    const original = compileFile(graph);
    loadCheckpoint(original, file);
    const carried = compileFile(edited);
    const fresh = compileFile(edited);
    carryOver(carried, file);
    expect(unchangedOutputs(carried)).toEqual(unchangedOutputs(original));
    expect(unchangedOutputs(fresh)).not.toEqual(unchangedOutputs(original));
    for (const p of [original, carried, fresh]) p.dispose();
  });

  it('leaves --resume strict, and refuses both together', async () => {
    const strict = await cli(['train', edited, '--synthetic', '--steps', '3', '--out', join(tmp.dir, 'strict'), '--resume', checkpoint]);
    expect(strict.code).toBe(1);
    expect(strict.err.join('\n')).toContain("'gen1.weight' is [3, 3, 4, 4] in the file but [5, 5, 4, 4] in the graph");
    const both = await cli(['train', edited, '--synthetic', '--steps', '3', '--out', join(tmp.dir, 'both'), '--resume', checkpoint, '--init-from', checkpoint]);
    expect(both.code).toBe(2);
    expect(both.err.join('\n')).toContain('--resume and --init-from exclude each other');
  });
});
