/**
 * `lggan train` end to end on the tiny training GAN (16×16, 4 classes, batch 2): a step takes
 * ~0.3 s on Node's tfjs-cpu, so every run here is 1–3 steps.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createRegistry } from '../../nodes/index.ts';
import { compileProgram } from '../compiler/program.ts';
import { resolveGraph } from '../compiler/resolve.ts';
import { graphHash } from '../graph/hash.ts';
import { loadGraph } from '../graph/load.ts';
import { loadCheckpoint, readCheckpointRecord, runRecordFor, saveCheckpoint } from '../runtime/checkpoint/index.ts';
import { decodeImage, encodePng } from '../runtime/data/index.ts';
import { compileTraining } from '../runtime/training/index.ts';
import { cli, readCsv, tempDir, writeTinyGan } from './cli.test-util.ts';

const tmp = tempDir();
afterAll(tmp.cleanup);
let graph: string;
/** The reference run: 3 steps, samples, metrics and checkpoints every 2 steps. */
let reference: string;
let referenceRun: Awaited<ReturnType<typeof cli>>;

function compileFile(file: string) {
  const registry = createRegistry();
  const loaded = loadGraph(readFileSync(file, 'utf8'), { registry });
  if (!loaded.ok) throw new Error('fixture graph does not load');
  return compileProgram(resolveGraph(loaded.doc, registry));
}

beforeAll(async () => {
  graph = writeTinyGan(tmp.dir);
  reference = join(tmp.dir, 'reference');
  referenceRun = await cli(['train', graph, '--synthetic', '--steps', '3', '--out', reference, '--sample-every', '2', '--eval-every', '2', '--checkpoint-every', '2']);
});

describe('lggan train --synthetic', () => {
  it('writes losses, samples, metrics and checkpoints', () => {
    expect(referenceRun.code).toBe(0);
    expect(referenceRun.out).toEqual([expect.stringMatching(/^trained steps 1…3 in \d+s; checkpoint .*step-000003\.safetensors$/)]);
    expect(referenceRun.err).toContainEqual(expect.stringMatching(/^training 'tiny training GAN' on synthetic scenes, compact ids .*: 248 training \/ 8 held-out samples, batch 2, seed 0, steps 1…3$/));
    expect(referenceRun.err.filter((l) => l.startsWith('step 2/3'))).toEqual([expect.stringMatching(/^step 2\/3 {2}\(66%\) {2}g_adv \S+ g_l1 \S+ d_adv \S+ {2}[\d.]+ img\/s {2}ETA \d+s$/)]);

    const files = (dir: string) => readdirSync(join(reference, dir)).sort();
    expect(files('samples')).toEqual(['step-000002.png', 'step-000003.png']);
    expect(files('checkpoints')).toEqual(['step-000002.json', 'step-000002.safetensors', 'step-000003.json', 'step-000003.safetensors']);

    const csv = readCsv(join(reference, 'losses.csv'));
    expect(csv[0]).toEqual(['step', 'lrG', 'lrD', 'g_adv', 'g_l1', 'd_adv', 'gTotal', 'dTotal', 'ms']);
    expect(csv.slice(1).map((r) => r[0])).toEqual(['1', '2', '3']);
    for (const row of csv.slice(1)) for (const cell of row) expect(Number.isFinite(Number(cell)) && cell !== '').toBe(true);
    const jsonl = readFileSync(join(reference, 'losses.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(jsonl.map((r) => r.step)).toEqual([1, 2, 3]);
    expect(jsonl[2].g_l1).toBe(Number(csv[3][4]));

    const metrics = readFileSync(join(reference, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(metrics.map((m) => m.step)).toEqual([2, 3]);
    for (const m of metrics) {
      expect(m.count).toBe(8);
      for (const k of ['psnr', 'ssim', 'sd']) expect(Number.isFinite(m[k])).toBe(true);
    }

    // 4 held-out rows × (label map, final, real) cells of 16 px with 2 px gaps.
    const grid = decodeImage(readFileSync(join(reference, 'samples', 'step-000003.png')), 'grid');
    expect([grid.width, grid.height, grid.channels]).toEqual([3 * 18 + 2, 4 * 18 + 2, 3]);
  });

  it('writes checkpoints that load strictly, with optimizer state and a run record', () => {
    const bytes = new Uint8Array(readFileSync(join(reference, 'checkpoints', 'step-000003.safetensors')));
    const record = readCheckpointRecord(bytes)!;
    const program = compileFile(graph);
    expect(record).toMatchObject({ step: 3, seed: 0, backend: 'cpu', graphName: 'tiny training GAN', graphHash: graphHash(program.ir.doc), tfjsVersion: tf.version_core });
    expect(record.datasetFingerprint).toMatch(/^synthetic-scene:/);
    expect(record.extra).toMatchObject({ dataSeed: 0, batch: 2, heldOutSamples: 8 });
    expect(JSON.parse(readFileSync(join(reference, 'checkpoints', 'step-000003.json'), 'utf8'))).toEqual(record);
    const run = compileTraining(program);
    const report = loadCheckpoint(program, bytes, { optimizer: run });
    expect(report).toMatchObject({ missing: [], unexpected: [], misshaped: [], sameGraph: true });
    expect(report.optimizer).toContain('optimizer.G.gen1.weight.m');
    expect(run.stepCount).toBe(3);
    expect(run.updates).toEqual({ G: 3, D: 3 });
    run.dispose();
    program.dispose();
  });

  it('gives identical losses for the same seed (periodic samples and evaluations change nothing), other losses for another seed', async () => {
    const again = join(tmp.dir, 'again');
    expect((await cli(['train', graph, '--synthetic', '--steps', '3', '--out', again])).code).toBe(0);
    expect(readCsv(join(again, 'losses.csv'), { withoutMs: true })).toEqual(readCsv(join(reference, 'losses.csv'), { withoutMs: true }));

    const other = join(tmp.dir, 'other-seed');
    expect((await cli(['train', graph, '--synthetic', '--steps', '1', '--seed', '7', '--out', other])).code).toBe(0);
    expect(readCsv(join(other, 'losses.csv'))[1][3]).not.toBe(readCsv(join(reference, 'losses.csv'))[1][3]);
    expect(readCheckpointRecord(new Uint8Array(readFileSync(join(other, 'checkpoints', 'step-000001.safetensors'))))).toMatchObject({ seed: 7, extra: { dataSeed: 7 } });
  });

  it('resumes: 2 steps, then 1 more from the checkpoint, equals 3 uninterrupted steps', async () => {
    const dir = join(tmp.dir, 'resumed');
    expect((await cli(['train', graph, '--synthetic', '--steps', '2', '--out', dir])).code).toBe(0);
    const resumed = await cli(['train', graph, '--synthetic', '--steps', '3', '--out', dir, '--resume', join(dir, 'checkpoints', 'step-000002.safetensors')]);
    expect(resumed.code).toBe(0);
    expect(resumed.err).toContainEqual(expect.stringMatching(/steps 3…3$/));
    expect(readCsv(join(dir, 'losses.csv'), { withoutMs: true })).toEqual(readCsv(join(reference, 'losses.csv'), { withoutMs: true }));
    expect(readFileSync(join(dir, 'losses.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step)).toEqual([1, 2, 3]);
    expect(readdirSync(join(dir, 'checkpoints'))).toContain('step-000003.safetensors');
  });

  it('stops after the current step on Ctrl-C, with a checkpoint', async () => {
    const dir = join(tmp.dir, 'interrupted');
    let interrupt: (() => void) | undefined;
    const r = await cli(['train', graph, '--synthetic', '--steps', '3', '--out', dir], {
      onInterrupt: (handler) => ((interrupt = handler), () => (interrupt = undefined)),
      onErr: (line) => line.startsWith('step 1/3') && interrupt?.(),
    });
    expect(r.code).toBe(130);
    expect(r.out).toEqual([expect.stringMatching(/^stopped after step 1 of 3; checkpoint .*step-000001\.safetensors \(continue with --resume /)]);
    expect(readCsv(join(dir, 'losses.csv'))).toHaveLength(2);
    expect(readCheckpointRecord(new Uint8Array(readFileSync(join(dir, 'checkpoints', 'step-000001.safetensors'))))).toMatchObject({ step: 1, extra: { stoppedBy: 'interrupt' } });
    expect(interrupt).toBeUndefined(); // the handler is removed when the command ends
  });

  it('stops on a non-finite loss with one line naming the loss and the first non-finite node, and saves the weights', async () => {
    const program = compileFile(graph);
    const weight = program.variables.get('gen1.weight')!;
    weight.assign(tf.fill(weight.shape, NaN));
    const bad = join(tmp.dir, 'nan.safetensors');
    writeFileSync(bad, await saveCheckpoint(program, { record: runRecordFor(program, { nodePackVersion: 'test' }) }));
    program.dispose();

    const dir = join(tmp.dir, 'nan-run');
    const r = await cli(['train', graph, '--synthetic', '--steps', '2', '--out', dir, '--resume', bad]);
    expect(r.code).toBe(1);
    const errors = r.err.filter((l) => l.startsWith('error'));
    expect(errors).toEqual([
      expect.stringMatching(/^error non-finite loss in step 1 \(G update\): loss 'g_adv' is NaN; first non-finite output: 'gen1'\.y; non-finite weights: 'gen1\.weight'; the last good weights \(step 0\) are in .*step-000000\.safetensors$/),
    ]);
    expect(r.err).toContainEqual(expect.stringMatching(/^note checkpoint .* has no optimizer state: Adam starts afresh$/));
    expect(readCsv(join(dir, 'losses.csv'))).toHaveLength(1); // the header only
    expect(existsSync(join(dir, 'checkpoints', 'step-000000.safetensors'))).toBe(true);
  });
});

describe('lggan train --data', () => {
  /** A generic layout (images/ + labels/) of 16×16 pairs; `unpaired` adds an image without its label map. */
  function genericDir(name: string, options: { unpaired?: boolean } = {}): string {
    const dir = join(tmp.dir, name);
    mkdirSync(join(dir, 'images'), { recursive: true });
    mkdirSync(join(dir, 'labels'), { recursive: true });
    const rgb = new Uint8Array(16 * 16 * 3).map((_, i) => (i * 7) % 256);
    const ids = new Uint8Array(16 * 16).map((_, p) => (p % 16 < 8 ? 1 : 2));
    for (const key of ['a', 'b', 'c']) {
      writeFileSync(join(dir, 'images', `${key}.png`), encodePng({ width: 16, height: 16, channels: 3, data: rgb }));
      writeFileSync(join(dir, 'labels', `${key}.png`), encodePng({ width: 16, height: 16, channels: 1, data: ids }));
    }
    if (options.unpaired) writeFileSync(join(dir, 'images', 'stray.png'), encodePng({ width: 16, height: 16, channels: 3, data: rgb }));
    return dir;
  }

  it('detects the layout, reads every sample first and trains', async () => {
    const out = join(tmp.dir, 'generic-run');
    const r = await cli(['train', graph, '--data', genericDir('generic'), '--steps', '1', '--out', out, '--held-out', '1']);
    expect(r.code).toBe(0);
    expect(r.err).toContain('scanned 3 samples');
    expect(r.err).toContainEqual(expect.stringMatching(/on generic data in .* \(detected\): 2 training \/ 1 held-out samples, batch 2/));
  });

  it('fails before training on an unpaired file, naming it', async () => {
    const out = join(tmp.dir, 'bad-run');
    const r = await cli(['train', graph, '--data', genericDir('bad', { unpaired: true }), '--steps', '1', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.err.filter((l) => l.startsWith('error'))).toEqual([expect.stringMatching(/^error .*bad\/images\/stray\.png: image has no label map: expected labels\/stray\.png$/)]);
    expect(existsSync(out)).toBe(false); // nothing trained, nothing written
  });
});

describe('lggan train --data: hostile folders', () => {
  /** A generic layout of two 16×16 pairs, then `spoil` makes it hostile. */
  function spoiled(name: string, spoil: (dir: string) => void): string {
    const dir = join(tmp.dir, name);
    mkdirSync(join(dir, 'images'), { recursive: true });
    mkdirSync(join(dir, 'labels'), { recursive: true });
    for (const key of ['a', 'b']) {
      writeFileSync(join(dir, 'images', `${key}.png`), encodePng({ width: 16, height: 16, channels: 3, data: new Uint8Array(16 * 16 * 3) }));
      writeFileSync(join(dir, 'labels', `${key}.png`), encodePng({ width: 16, height: 16, channels: 1, data: new Uint8Array(16 * 16).fill(1) }));
    }
    spoil(dir);
    return dir;
  }

  /** A PNG signature and an IHDR declaring 20000×20000 grey pixels: 33 bytes that would decode to 400 MB. */
  const hugeHeader = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0x4e, 0x20, 0, 0, 0x4e, 0x20, 8, 0, 0, 0, 0, 0, 0, 0, 0]);

  it('stops before training on an image that declares 20000×20000 pixels, naming it', async () => {
    const out = join(tmp.dir, 'huge-run');
    const data = spoiled('huge', (dir) => writeFileSync(join(dir, 'images', 'b.png'), hugeHeader));
    const r = await cli(['train', graph, '--data', data, '--steps', '1', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.err.filter((l) => l.startsWith('error'))).toEqual([expect.stringMatching(/^error .*huge\/images\/b\.png: the PNG declares 20000×20000 pixels \(400\.0 megapixels; .*\), more than the 33\.6 megapixels .*: not decoded; resize it$/)]);
    expect(existsSync(out)).toBe(false);
  });

  it('stops on a symbolic link that leaves the data folder or loops, naming the link', async () => {
    const outside = join(tmp.dir, 'elsewhere.png');
    writeFileSync(outside, encodePng({ width: 16, height: 16, channels: 3, data: new Uint8Array(16 * 16 * 3) }));
    const leak = spoiled('leak', (dir) => symlinkSync(outside, join(dir, 'images', 'c.png')));
    const loop = spoiled('loop', (dir) => symlinkSync('..', join(dir, 'labels', 'up')));
    for (const [data, link, detail] of [[leak, 'images/c.png', 'symbolic link leads outside the data folder'], [loop, 'labels/up', 'symbolic link loop']]) {
      const out = join(tmp.dir, `${link.replace('/', '-')}-run`);
      const r = await cli(['train', graph, '--data', data, '--steps', '1', '--out', out]);
      expect(r.code).toBe(1);
      expect(r.err.filter((l) => l.startsWith('error'))).toEqual([expect.stringContaining(`error ${join(data, link)}: ${detail}`)]);
      expect(existsSync(out)).toBe(false);
    }
  });
});

describe('lggan train usage errors', () => {
  it('gives one line and exit 2', async () => {
    const out = join(tmp.dir, 'never');
    const cases: [string[], string][] = [
      [['train'], 'lggan train: train takes exactly one graph file'],
      [['train', 'g.json', '--steps', '3', '--out', out], 'lggan train: train needs exactly one of --data DIR and --synthetic'],
      [['train', 'g.json', '--synthetic', '--data', 'd', '--steps', '3', '--out', out], 'lggan train: train needs exactly one of --data DIR and --synthetic'],
      [['train', 'g.json', '--synthetic', '--out', out], 'lggan train: train needs --steps N'],
      [['train', 'g.json', '--synthetic', '--steps', '0', '--out', out], "lggan train: --steps expects a whole number ≥ 1, got '0'"],
      [['train', 'g.json', '--synthetic', '--steps', '3'], 'lggan train: train needs --out DIR'],
      [['train', 'g.json', '--data', 'd', '--layout', 'coco', '--steps', '3', '--out', out], "lggan train: --layout expects one of cityscapes, ade20k, crossview, generic, auto, got 'coco'"],
      [['train', 'g.json', '--synthetic', '--steps', '3', '--out', out, '--lr', '1'], expect.stringMatching(/^lggan train: unknown option --lr \(options: --data, --steps, /) as unknown as string],
      [['train', 'g.json', '--synthetic', '--steps', '3', '--out', reference], expect.stringMatching(/^lggan train: --out .*reference already holds a training run \(losses\.csv\)/) as unknown as string],
    ];
    for (const [argv, line] of cases) expect(await cli(argv)).toEqual({ code: 2, out: [], err: [line] });
  });

  it('names a missing resume checkpoint and a graph without a trainer', async () => {
    const missing = await cli(['train', graph, '--synthetic', '--steps', '3', '--out', join(tmp.dir, 'x'), '--resume', join(tmp.dir, 'nope.safetensors')]);
    expect(missing).toMatchObject({ code: 1, err: [expect.stringMatching(/^error cannot read checkpoint '.*nope\.safetensors': no such file$/)] });
    const pix2pix = new URL('../../graphs/tiny-pix2pix.json', import.meta.url).pathname;
    const noTrainer = await cli(['train', pix2pix, '--synthetic', '--steps', '1', '--out', join(tmp.dir, 'y')]);
    expect(noTrainer).toMatchObject({ code: 1, err: [expect.stringMatching(/^error .*tiny-pix2pix\.json: the graph has no lggan\/trainer node/)] });
  });
});
