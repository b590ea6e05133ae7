/**
 * `lggan generate` end to end: from a checkpoint `lggan train` wrote (tiny training GAN, 16×16),
 * and, for the LGGAN outputs (--all), from the initial weights of the tiny LGGAN graph cut to
 * 3 classes (128×64, a forward pass of about a second).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.ts';
import { compileProgram } from '../compiler/program.ts';
import { resolveGraph } from '../compiler/resolve.ts';
import { loadGraph } from '../graph/load.ts';
import { graphTextFromPng } from '../graph/png-graph.ts';
import { saveGraph } from '../graph/save.ts';
import { runRecordFor, saveCheckpoint } from '../runtime/checkpoint/index.ts';
import { decodeImage, encodePng } from '../runtime/data/index.ts';
import { cli, tempDir, writeTinyGan, writeTinyLggan } from './cli.test-util.ts';

const tmp = tempDir();
afterAll(tmp.cleanup);
let tinyGan: string;
let tinyWeights: string;
let lggan: string;
let lgganWeights: string;

function labelPng(path: string, width: number, height: number, idAt: (x: number, y: number) => number): void {
  const ids = new Uint8Array(width * height).map((_, p) => idAt(p % width, Math.floor(p / width)));
  writeFileSync(path, encodePng({ width, height, channels: 1, data: ids }));
}

async function initialCheckpoint(graphFile: string, target: string): Promise<void> {
  const registry = createRegistry();
  const loaded = loadGraph(readFileSync(graphFile, 'utf8'), { registry });
  if (!loaded.ok) throw new Error(`${graphFile} does not load`);
  const program = compileProgram(resolveGraph(loaded.doc, registry, { batch: 1 }));
  writeFileSync(target, await saveCheckpoint(program, { record: runRecordFor(program, { nodePackVersion: 'test' }) }));
  program.dispose();
}

beforeAll(async () => {
  tinyGan = writeTinyGan(tmp.dir);
  const trained = await cli(['train', tinyGan, '--synthetic', '--steps', '1', '--out', join(tmp.dir, 'run')]);
  if (trained.code !== 0) throw new Error(trained.err.join('\n'));
  tinyWeights = join(tmp.dir, 'run', 'checkpoints', 'step-000001.safetensors');
  lggan = writeTinyLggan(tmp.dir);
  lgganWeights = join(tmp.dir, 'lggan.safetensors');
  await initialCheckpoint(lggan, lgganWeights);
});

const size = (file: string) => {
  const img = decodeImage(readFileSync(file), file);
  return { width: img.width, height: img.height, channels: img.channels };
};

describe('lggan generate', () => {
  it('writes the final image of each label map at the graph size, resizing maps of another size', async () => {
    const labels = join(tmp.dir, 'labels');
    mkdirSync(labels);
    labelPng(join(labels, 'street.png'), 16, 16, (x, y) => (x < 8 ? 1 : y < 8 ? 2 : 255));
    labelPng(join(labels, 'wide.png'), 32, 8, (x) => (x < 16 ? 0 : 3));
    const out = join(tmp.dir, 'generated');
    const r = await cli(['generate', tinyGan, '--weights', tinyWeights, '--labels', labels, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([`${join(labels, 'street.png')} → ${join(out, 'street.png')}`, `${join(labels, 'wide.png')} → ${join(out, 'wide.png')}`]);
    expect(r.err).toContainEqual(`note ${join(labels, 'wide.png')} is 32×8; resized (nearest) to the graph's 16×16`);
    expect(readdirSync(out).sort()).toEqual(['street.png', 'wide.png']);
    expect(size(join(out, 'street.png'))).toEqual({ width: 16, height: 16, channels: 3 });
    expect(size(join(out, 'wide.png'))).toEqual({ width: 16, height: 16, channels: 3 });

    // Each PNG carries the graph that made it: the same document, and commands take the PNG as the graph file.
    const carried = graphTextFromPng(readFileSync(join(out, 'street.png')), 'street.png');
    const original = loadGraph(readFileSync(tinyGan, 'utf8'));
    const embedded = carried.ok ? loadGraph(carried.text) : undefined;
    expect(embedded?.ok && original.ok && saveGraph(embedded.doc)).toBe(original.ok && saveGraph(original.doc));
    const validated = await cli(['validate', join(out, 'street.png')]);
    expect(validated.code).toBe(0);
    const plain = await cli(['validate', join(labels, 'street.png')]);
    expect(plain.code).not.toBe(0);
    expect(plain.err.join('\n')).toContain(`${join(labels, 'street.png')}: error: [no-graph-in-png] this PNG carries no LGGAN graph`);
    // convert and diff read it too: the carried graph converts, and differs from its source in nothing.
    const converted = await cli(['convert', join(out, 'street.png'), '--to', 'litegraph', '-o', join(tmp.dir, 'street.litegraph.json')]);
    expect(converted.code).toBe(0);
    expect(JSON.parse(readFileSync(join(tmp.dir, 'street.litegraph.json'), 'utf8')).nodes.length).toBe(original.ok ? original.doc.nodes.length : -1);
    expect((await cli(['diff', tinyGan, join(out, 'street.png')])).code).toBe(0);
    expect((await cli(['convert', join(labels, 'street.png')])).code).not.toBe(0);
  });

  it('with --all writes the global, local, attention and per-class images of an LGGAN graph', async () => {
    const labels = join(tmp.dir, 'city');
    mkdirSync(labels);
    // Classes 0 and 2 only; the instance map splits the class-2 half into two instances.
    labelPng(join(labels, 'f_gtFine_labelIds.png'), 128, 64, (x) => (x < 64 ? 0 : 2));
    labelPng(join(labels, 'f_gtFine_instanceIds.png'), 128, 64, (x, y) => (x < 64 ? 0 : y < 32 ? 2 : 3));
    const out = join(tmp.dir, 'all');
    const r = await cli(['generate', lggan, '--weights', lgganWeights, '--labels', labels, '--out', out, '--all']);
    expect(r.code).toBe(0);
    expect(r.err.filter((l) => l.startsWith('note') || l.startsWith('error'))).toEqual([]); // the instance map was found
    const expected = ['f.png', 'f_global.png', 'f_local.png', 'f_attention_local.png', 'f_attention_global.png', 'f_class_0.png', 'f_class_2.png'];
    expect(r.out).toEqual([`${join(labels, 'f_gtFine_labelIds.png')} → ${expected.map((f) => join(out, f)).join(', ')}`]);
    for (const f of expected) expect(size(join(out, f))).toEqual({ width: 128, height: 64, channels: f.includes('attention') ? 1 : 3 });

    // Without an instance map the label ids stand in, with a note.
    const single = join(tmp.dir, 'single.png');
    copyFileSync(join(labels, 'f_gtFine_labelIds.png'), single);
    const alone = await cli(['generate', lggan, '--weights', lgganWeights, '--labels', single, '--out', join(tmp.dir, 'single-out')]);
    expect(alone.code).toBe(0);
    expect(alone.err).toContainEqual(`note no instance map ${join(tmp.dir, 'single_instanceIds.png')}: instance edges follow the class boundaries of ${single}`);
  });

  it('names a missing weights file, a checkpoint of another graph and a misshaped one', async () => {
    const labels = join(tmp.dir, 'labels');
    const out = join(tmp.dir, 'never');
    const missing = await cli(['generate', tinyGan, '--weights', join(tmp.dir, 'nope.safetensors'), '--labels', labels, '--out', out]);
    // The graph is read and its memory checked first (its warnings come first), then the checkpoint.
    expect(missing.code).toBe(1);
    expect(missing.out).toEqual([]);
    expect(missing.err.filter((l) => l.startsWith('error'))).toEqual([`error cannot read checkpoint '${join(tmp.dir, 'nope.safetensors')}': no such file`]);

    const other = await cli(['generate', lggan, '--weights', tinyWeights, '--labels', labels, '--out', out]);
    expect(other.code).toBe(1);
    expect(other.err.filter((l) => l.startsWith('error'))).toEqual([
      expect.stringMatching(/^error checkpoint '.*step-000001\.safetensors' does not fit the generator \(networks G\): missing \d+ variables: 'encoder\.conv1\.weight', .* and \d+ more; \d+ unknown to the graph: 'gen1\.weight', /),
    ]);

    const fourClasses = writeTinyLggan(tmp.dir, 4);
    const misshaped = await cli(['generate', fourClasses, '--weights', lgganWeights, '--labels', labels, '--out', out]);
    expect(misshaped.code).toBe(1);
    expect(misshaped.err.filter((l) => l.startsWith('error'))).toEqual([
      // One more class: one more sub-generator (missing) and one more input channel (misshaped).
      expect.stringMatching(/does not fit the generator \(networks G\): missing 2 variables: 'local\.deconv5_3\.weight', 'local\.deconv5_3\.bias'; 'encoder\.conv1\.weight' is \[7, 7, 4, 2\] in the file but \[7, 7, 5, 2\] in the graph; .*; \d+ more misshaped$/),
    ]);
  });

  it('names a label map with ids beyond num_classes', async () => {
    const bad = join(tmp.dir, 'bad.png');
    labelPng(bad, 16, 16, () => 9);
    const r = await cli(['generate', tinyGan, '--weights', tinyWeights, '--labels', bad, '--out', join(tmp.dir, 'never')]);
    expect(r).toMatchObject({ code: 1, out: [] });
    expect(r.err.filter((l) => l.startsWith('error'))).toEqual([`error ${bad}: label ids go up to 9, beyond num_classes 4 (valid: ids 0…3, and 255 = unknown)`]);
  });

  it('refuses a label "map" that is a pipe instead of waiting on it forever', async () => {
    const pipe = join(tmp.dir, 'pipe.png');
    execFileSync('mkfifo', [pipe]);
    const r = await cli(['generate', tinyGan, '--weights', tinyWeights, '--labels', pipe, '--out', join(tmp.dir, 'never')]);
    expect(r).toMatchObject({ code: 1, out: [] });
    expect(r.err.filter((l) => l.startsWith('error'))).toEqual([`error '${pipe}' is not a regular file (a pipe, socket or device): not read`]);
  });

  it('gives usage errors as one line with exit 2', async () => {
    expect(await cli(['generate'])).toEqual({ code: 2, out: [], err: ['lggan generate: generate takes exactly one graph file'] });
    expect(await cli(['generate', 'g.json', '--labels', 'l', '--out', 'o'])).toEqual({ code: 2, out: [], err: ['lggan generate: generate needs --weights FILE'] });
    expect(await cli(['generate', 'g.json', '--weights', 'w', '--out', 'o'])).toEqual({ code: 2, out: [], err: ['lggan generate: generate needs --labels DIR|FILE'] });
    expect(await cli(['generate', 'g.json', '--weights', 'w', '--labels', 'l'])).toEqual({ code: 2, out: [], err: ['lggan generate: generate needs --out DIR'] });
    expect(await cli(['generate', 'g.json', '--all=yes'])).toEqual({ code: 2, out: [], err: ['lggan generate: --all takes no value'] });
  });
});
