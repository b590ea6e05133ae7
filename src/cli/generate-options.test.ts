/**
 * `lggan generate --format npy`, `--size WxH` and cross-view graphs with `--aerial DIR`, from the
 * initial weights of the tiny LGGAN graph (3 classes, 128×64) and the tiny cross-view graph (64×64).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.ts';
import { compileProgram } from '../compiler/program.ts';
import { resolveGraph } from '../compiler/resolve.ts';
import { loadGraph } from '../graph/load.ts';
import { runRecordFor, saveCheckpoint } from '../runtime/checkpoint/index.ts';
import { decodeImage, encodePng } from '../runtime/data/index.ts';
import { cli, tempDir, writeTinyLggan } from './cli.test-util.ts';
import { npyFloat32 } from './generate/npy.ts';
import { EXIT } from './io.ts';

const tmp = tempDir('lggan-generate-');
afterAll(tmp.cleanup);
const crossView = new URL('../../graphs/lggan-crossview-dayton-tiny.json', import.meta.url).pathname;
let lggan: string;
let lgganWeights: string;
let crossViewWeights: string;

async function initialCheckpoint(graphFile: string, target: string): Promise<void> {
  const registry = createRegistry();
  const loaded = loadGraph(readFileSync(graphFile, 'utf8'), { registry });
  if (!loaded.ok) throw new Error(`${graphFile} does not load`);
  const program = compileProgram(resolveGraph(loaded.doc, registry, { batch: 1 }));
  writeFileSync(target, await saveCheckpoint(program, { record: runRecordFor(program, { nodePackVersion: 'test' }) }));
  program.dispose();
}

function greyPng(path: string, width: number, height: number, at: (x: number, y: number) => number): void {
  writeFileSync(path, encodePng({ width, height, channels: 1, data: new Uint8Array(width * height).map((_, p) => at(p % width, Math.floor(p / width))) }));
}

function rgbPng(path: string, width: number, height: number, at: (x: number, y: number, c: number) => number): void {
  const data = new Uint8Array(width * height * 3).map((_, i) => at(Math.floor(i / 3) % width, Math.floor(i / 3 / width), i % 3));
  writeFileSync(path, encodePng({ width, height, channels: 3, data }));
}

/** A .npy file read back by its header (checked byte by byte) into shape and float32 values. */
function readNpy(path: string): { shape: number[]; values: Float32Array } {
  const bytes = new Uint8Array(readFileSync(path));
  expect([...bytes.subarray(0, 8)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const headerLength = view.getUint16(8, true);
  expect((10 + headerLength) % 64).toBe(0);
  const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLength));
  const m = /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(([\d, ]+?),?\), \} *\n$/.exec(header);
  expect(m, header).not.toBeNull();
  const shape = m![1].split(',').map((d) => Number(d.trim()));
  const count = shape.reduce((n, d) => n * d, 1);
  expect(bytes.length).toBe(10 + headerLength + 4 * count);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = view.getFloat32(10 + headerLength + 4 * i, true);
  return { shape, values };
}

beforeAll(async () => {
  lggan = writeTinyLggan(tmp.dir);
  lgganWeights = join(tmp.dir, 'lggan.safetensors');
  await initialCheckpoint(lggan, lgganWeights);
  crossViewWeights = join(tmp.dir, 'crossview.safetensors');
  await initialCheckpoint(crossView, crossViewWeights);
  mkdirSync(join(tmp.dir, 'labels'));
  greyPng(join(tmp.dir, 'labels', 's.png'), 128, 64, (x) => (x < 64 ? 0 : 2));
});

describe('npyFloat32', () => {
  it('writes a version 1.0 header aligned to 64 bytes, then little-endian float32', () => {
    const bytes = npyFloat32(new Float32Array([1.5, -2, 0.25, 3, 4]), [5]);
    const header = new TextDecoder().decode(bytes.subarray(10, 10 + new DataView(bytes.buffer).getUint16(8, true)));
    expect(header.trimEnd()).toBe("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }");
    expect(header.endsWith('\n')).toBe(true);
    expect(bytes.length).toBe(128 + 20); // 10 + 59 + "\n" → padded to 128
    expect([...bytes.subarray(128, 132)]).toEqual([0, 0, 0xc0, 0x3f]); // 1.5
    expect(() => npyFloat32(new Float32Array(3), [2, 2])).toThrow('does not hold 3 values');
  });
});

describe('lggan generate --format npy', () => {
  it('writes the outputs as computed, the same values the PNG rounds', async () => {
    const png = join(tmp.dir, 'png');
    const npy = join(tmp.dir, 'npy');
    expect((await cli(['generate', lggan, '--weights', lgganWeights, '--labels', join(tmp.dir, 'labels'), '-o', png])).code).toBe(EXIT.ok);
    const r = await cli(['generate', lggan, '--weights', lgganWeights, '--labels', join(tmp.dir, 'labels'), '-o', npy, '--format', 'npy', '--all']);
    expect(r.code).toBe(EXIT.ok);
    expect(readdirSync(npy).sort()).toEqual(['s.npy', 's_attention.npy', 's_class_images.npy', 's_global.npy', 's_local.npy']);
    const final = readNpy(join(npy, 's.npy'));
    expect(final.shape).toEqual([64, 128, 3]);
    const image = decodeImage(readFileSync(join(png, 's.png')), 's.png');
    for (let p = 0; p < 64 * 128; p++) {
      for (let c = 0; c < 3; c++) {
        const byte = Math.max(0, Math.min(255, Math.round((final.values[p * 3 + c] + 1) * 127.5)));
        expect(Math.abs(byte - image.rgba[p * 4 + c])).toBeLessThanOrEqual(1);
      }
    }
    // Not quantised to bytes: the float values themselves.
    expect(final.values.some((v) => Math.abs((v + 1) * 127.5 - Math.round((v + 1) * 127.5)) > 0.01)).toBe(true);
    // The attention maps as softmax weights: two channels summing to 1 at every pixel.
    const attention = readNpy(join(npy, 's_attention.npy'));
    expect(attention.shape).toEqual([64, 128, 2]);
    for (let p = 0; p < 64 * 128; p++) expect(attention.values[2 * p] + attention.values[2 * p + 1]).toBeCloseTo(1, 5);
    expect(readNpy(join(npy, 's_class_images.npy')).shape).toEqual([64, 128, 9]);
  });

  it('refuses another format with exit 2', async () => {
    const r = await cli(['generate', lggan, '--weights', lgganWeights, '--labels', join(tmp.dir, 'labels'), '-o', join(tmp.dir, 'x'), '--format', 'tiff']);
    expect(r).toEqual({ code: EXIT.usage, out: [], err: ["lggan generate: --format expects one of png, npy, got 'tiff'"] });
  });
});

describe('lggan generate --size', () => {
  it('runs the graph at another template size with the same weights', async () => {
    const out = join(tmp.dir, 'sized');
    const r = await cli(['generate', lggan, '--weights', lgganWeights, '--labels', join(tmp.dir, 'labels'), '-o', out, '--size', '256x128', '--format', 'npy']);
    expect(r.code).toBe(EXIT.ok);
    expect(readNpy(join(out, 's.npy')).shape).toEqual([128, 256, 3]);
    expect(r.err).toContainEqual(`note ${join(tmp.dir, 'labels', 's.png')} is 128×64; resized (nearest) to the graph's 256×128`);
    // The checkpoint was made for this graph as written: the size alone does not make it "another version".
    expect(r.err.filter((l) => l.includes('another version'))).toEqual([]);
  });

  it("refuses a size the graph's downsampling cannot take, naming a size that works", async () => {
    const r = await cli(['generate', lggan, '--weights', lgganWeights, '--labels', join(tmp.dir, 'labels'), '-o', join(tmp.dir, 'x'), '--size', '100x72']);
    expect(r).toEqual({
      code: EXIT.usage,
      out: [],
      err: [`lggan generate: --size 100x72: the graph cannot run at this size: latent_height expects a whole number, got 1.125 from "height/64" (node 'encoder'); it takes sizes in steps of 64 pixels, e.g. --size 128x64`],
    });
    for (const bad of ['128', '0x64', '128x64x3', 'wide']) {
      const u = await cli(['generate', lggan, '--weights', lgganWeights, '--labels', 'l', '-o', 'o', '--size', bad]);
      expect(u.code).toBe(EXIT.usage);
      expect(u.err[0]).toMatch(/^lggan generate: --size expects WIDTHxHEIGHT in pixels/);
    }
  });
});

describe('lggan generate --aerial (cross-view)', () => {
  const labels = () => join(tmp.dir, 'cv-labels');
  const aerial = () => join(tmp.dir, 'cv-aerial');
  beforeAll(() => {
    mkdirSync(labels());
    mkdirSync(aerial());
    // The ground view's colour semantic map, its grey label map beside it, and the aerial image of the same name.
    rgbPng(join(labels(), 'p.png'), 64, 64, (x, _, c) => (x < 32 ? [128, 64, 128] : [70, 130, 180])[c]);
    greyPng(join(labels(), 'p_grey.png'), 64, 64, (x) => (x < 32 ? 10 : 20));
    rgbPng(join(aerial(), 'p.png'), 128, 128, (x, y, c) => (x * 2 + y + c * 40) % 256);
  });

  it('generates the ground view from the aerial image and the label maps', async () => {
    const out = join(tmp.dir, 'cv-out');
    const r = await cli(['generate', crossView, '--weights', crossViewWeights, '--labels', labels(), '--aerial', aerial(), '-o', out]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toEqual([`${join(labels(), 'p.png')} → ${join(out, 'p.png')}`]);
    expect(r.err).toContainEqual(`note ${join(aerial(), 'p.png')} is 128×128; resized (bilinear) to the graph's 64×64`);
    const image = decodeImage(readFileSync(join(out, 'p.png')), 'p.png');
    expect({ width: image.width, height: image.height }).toEqual({ width: 64, height: 64 });
  });

  it('says what is missing: --aerial, an aerial image, a grey label map; refuses --aerial for other graphs', async () => {
    const base = ['generate', crossView, '--weights', crossViewWeights, '-o', join(tmp.dir, 'never')];
    expect(await cli([...base, '--labels', labels()])).toEqual({
      code: EXIT.usage,
      out: [],
      err: ["lggan generate: the generator reads input 'aerial' (a cross-view graph): give --aerial DIR, one aerial image per label map with the same file stem"],
    });
    const empty = join(tmp.dir, 'no-aerial');
    mkdirSync(empty);
    const noImage = await cli([...base, '--labels', labels(), '--aerial', empty]);
    expect(noImage.code).toBe(EXIT.problems);
    expect(noImage.err.at(-1)).toBe(`error no aerial image for 'p': expected ${join(empty, 'p')}.png or .jpg`);
    const lone = join(tmp.dir, 'lone.png');
    rgbPng(lone, 64, 64, () => 0);
    rgbPng(join(aerial(), 'lone.png'), 64, 64, () => 0);
    const noGrey = await cli([...base, '--labels', lone, '--aerial', aerial()]);
    expect(noGrey.code).toBe(EXIT.problems);
    expect(noGrey.err.at(-1)).toBe(`error no grey label map for '${lone}': the cross-view generator reads one (input 'grey_labels'), expected ${join(tmp.dir, 'lone_grey.png')}`);
    const other = await cli(['generate', lggan, '--weights', lgganWeights, '--labels', join(tmp.dir, 'labels'), '-o', join(tmp.dir, 'never'), '--aerial', aerial()]);
    expect(other).toEqual({ code: EXIT.usage, out: [], err: ["lggan generate: --aerial is for cross-view graphs, whose generator reads an aerial input; this one does not"] });
  });
});
