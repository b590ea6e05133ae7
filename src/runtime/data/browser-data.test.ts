/**
 * The browser side of the data layer, in Node: the own PNG decoder against pngjs (16-bit, alpha,
 * palette, low depths), the canvas adapter's depth mapping, dropped folders / pickers / zips →
 * FileSource, layout detection, and the decoder registry the loaders use.
 */
import { zipSync } from 'fflate';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { canDecodeInBrowser } from './browser-codecs.ts';
import { dataNeeds, detectLayout, loadDropped } from './browser-dataset.ts';
import { BlobFileSource, datasetFromEntries, datasetFromPickedFiles, MAX_DROPPED_DEPTH, openDroppedDataset, type DirectoryEntryLike, type EntryLike, type FileEntryLike } from './browser-files.ts';
import { canvasToFileDepth, decodePng, needsOwnDecoder, readPngHeader } from './browser-png.ts';
import { decodeImage } from './codecs.ts';
import { predatesSizes } from './dataset.ts';
import { DatasetError } from './errors.ts';
import { cityscapesFiles, greyPng, rgbPng } from './fixtures.test-util.ts';
import { currentImageDecoder, readIds, setImageDecoder, type ImageDecoder } from './image-decoder.ts';
import type { GraphInput } from './feeds.ts';

function png(width: number, height: number, colorType: 0 | 2 | 4 | 6, bitDepth: 8 | 16, values: number[]): Uint8Array {
  const p = new PNG({ width, height, colorType, inputColorType: colorType, bitDepth, inputHasAlpha: colorType >= 4 });
  p.data = bitDepth === 16 ? Buffer.from(new Uint16Array(values).buffer) : Buffer.from(values);
  return new Uint8Array(PNG.sync.write(p, { colorType, inputColorType: colorType, bitDepth, inputHasAlpha: colorType >= 4 }));
}

/** A hand-made PNG: IHDR + optional PLTE/tRNS + one IDAT of `rows` (each with its filter byte). */
function rawPng(width: number, height: number, bitDepth: number, colorType: number, rows: number[][], extra: [string, number[]][] = []): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    new DataView(out.buffer).setUint32(0, data.length);
    out.set([...type].map((c) => c.charCodeAt(0)), 4);
    out.set(data, 8);
    return out; // CRC left 0: browser-png.ts does not check it
  };
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([bitDepth, colorType, 0, 0, 0], 8);
  // zlib stream of stored blocks: 0x78 0x01, then one stored block, then an adler32 (fflate checks it).
  const body = Uint8Array.from(rows.flat());
  let a = 1, b = 0;
  for (const x of body) ((a = (a + x) % 65521), (b = (b + a) % 65521));
  const zlib = Uint8Array.from([0x78, 0x01, 0x01, body.length & 0xff, body.length >> 8, ~body.length & 0xff, (~body.length >> 8) & 0xff, ...body, b >> 8, b & 0xff, a >> 8, a & 0xff]);
  const parts = [Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), ...extra.map(([t, d]) => chunk(t, Uint8Array.from(d))), chunk('IDAT', zlib), chunk('IEND', new Uint8Array())];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

describe('browser-png decodePng', () => {
  it('matches pngjs exactly on 16-bit grey, 16-bit RGBA, 8-bit grey + alpha and 8-bit RGB', () => {
    const cases = [
      png(3, 2, 0, 16, [0, 1, 26000, 26001, 65535, 7]),
      png(2, 2, 6, 16, [1, 2, 3, 4, 65535, 0, 9, 300, 5, 6, 7, 8, 9, 10, 11, 12]),
      png(2, 1, 4, 8, [7, 128, 200, 0]),
      rgbPng(4, 3, (x, y) => [x * 40, y * 70, (x + y) * 13]),
    ];
    for (const bytes of cases) {
      const ours = decodePng(bytes, 'f.png');
      const theirs = decodeImage(bytes, 'f.png');
      expect({ ...ours, rgba: Array.from(ours.rgba) }).toEqual({ ...theirs, rgba: Array.from(theirs.rgba) });
    }
  });

  it('reads 1-bit grey unscaled, palettes with tRNS as RGBA colours, and undoes every row filter', () => {
    const oneBit = decodePng(rawPng(3, 1, 1, 0, [[0, 0b10100000]]), 'bits.png');
    expect([...oneBit.rgba].filter((_, i) => i % 4 === 0)).toEqual([1, 0, 1]);
    expect(oneBit).toMatchObject({ bitDepth: 1, channels: 1 });
    const palette = decodePng(rawPng(2, 1, 8, 3, [[0, 1, 0]], [['PLTE', [10, 20, 30, 40, 50, 60]], ['tRNS', [255, 128]]]), 'pal.png');
    expect(palette).toMatchObject({ palette: true, channels: 4, bitDepth: 8 });
    expect([...palette.rgba]).toEqual([40, 50, 60, 128, 10, 20, 30, 255]);
    // Filters 1 (sub), 2 (up), 3 (average), 4 (paeth) on 8-bit grey: rows decode to 10 20 30 each.
    const filtered = decodePng(rawPng(3, 4, 8, 0, [[1, 10, 10, 10], [2, 0, 0, 0], [3, 5, 5, 5], [4, 0, 0, 0]]), 'filters.png');
    expect([...filtered.rgba].filter((_, i) => i % 4 === 0)).toEqual([10, 20, 30, 10, 20, 30, 10, 20, 30, 10, 20, 30]);
  });

  it('names the file and the problem for truncated, unknown-filter and invalid files', () => {
    const good = png(2, 2, 0, 16, [1, 2, 3, 4]);
    expect(() => decodePng(good.subarray(0, 40), 'cut.png')).toThrow(/cut\.png: cannot decode PNG: (chunk IDAT at byte 33 runs past the end of the file|no IEND chunk)/);
    expect(() => decodePng(good.subarray(0, good.length - 12), 'end.png')).toThrow(/end\.png: cannot decode PNG: no IEND chunk \(truncated file\?\)/);
    expect(() => decodePng(rawPng(1, 1, 8, 0, [[9, 0]]), 'odd.png')).toThrow(/odd\.png: cannot decode PNG: unknown filter type 9 on row 0/);
    expect(() => readPngHeader(rawPng(1, 1, 3, 2, [[0, 0]]), 'bad.png')).toThrow(/bad\.png: .*colour type 2 with bit depth 3/);
    try {
      decodePng(rawPng(1, 1, 8, 0, [[9, 0]]), 'odd.png');
    } catch (e) {
      expect(e).toBeInstanceOf(DatasetError);
    }
  });

  it('sends 16-bit and transparent PNGs to its own decoder and maps canvas bytes back to low depths', () => {
    expect(needsOwnDecoder(readPngHeader(greyPng(2, 2, () => 1, true), 'a'))).toBe(true);
    expect(needsOwnDecoder(readPngHeader(greyPng(2, 2, () => 1), 'a'))).toBe(false);
    expect(needsOwnDecoder(readPngHeader(rawPng(1, 1, 8, 3, [[0, 0]], [['PLTE', [1, 2, 3]], ['tRNS', [9]]]), 'a'))).toBe(true);
    const header = readPngHeader(rawPng(4, 1, 4, 0, [[0, 0x0f, 0x5a]]), 'a');
    // A canvas spreads 4-bit 0, 15, 5, 10 over 0…255 as 0, 255, 85, 170.
    expect([...canvasToFileDepth(header, Uint8ClampedArray.from([0, 0, 0, 255, 255, 255, 255, 255, 85, 85, 85, 255, 170, 170, 170, 255]))]).toEqual([0, 0, 0, 255, 15, 15, 15, 255, 5, 5, 5, 255, 10, 10, 10, 255]);
    expect(canDecodeInBrowser({})).toBe(false);
    expect(canDecodeInBrowser({ createImageBitmap() {}, OffscreenCanvas: class {} })).toBe(true);
  });
});

describe('dropped datasets', () => {
  const file = (name: string, bytes: Uint8Array, webkitRelativePath = '') => Object.assign(new Blob([bytes as Uint8Array<ArrayBuffer>]), { name, webkitRelativePath });
  const fileEntry = (name: string, bytes: Uint8Array): FileEntryLike => ({ name, isFile: true, isDirectory: false, file: (ok) => ok(file(name, bytes)) });
  /** A directory whose reader hands out at most two entries per call, as Chromium does in batches of 100. */
  const dirEntry = (name: string, children: EntryLike[]): DirectoryEntryLike => ({
    name,
    isFile: false,
    isDirectory: true,
    createReader() {
      let at = 0;
      return { readEntries: (ok) => ok(children.slice(at, (at += 2))) };
    },
  });

  it('walks a dropped folder in batches, paths relative to it, and reads files through Blobs', async () => {
    const bytes = new TextEncoder().encode('abc');
    const dropped = await datasetFromEntries([dirEntry('data', [dirEntry('images', [fileEntry('a.png', bytes), fileEntry('b.png', bytes), fileEntry('c.png', bytes)]), fileEntry('.DS_Store', bytes)])]);
    expect(dropped).toMatchObject({ kind: 'folder', name: 'data' });
    const source = await openDroppedDataset(dropped);
    expect(source.list()).toEqual(['images/a.png', 'images/b.png', 'images/c.png']);
    expect(new TextDecoder().decode(await source.read('images/b.png'))).toBe('abc');
    await expect(source.read('images/z.png')).rejects.toThrow(/images\/z\.png: no such file in data/);
  });

  it('reports the files found while walking, and a cancel stops the walk', async () => {
    const bytes = new TextEncoder().encode('abc');
    const many = Array.from({ length: 450 }, (_, i) => fileEntry(`${i}.png`, bytes));
    const seen: number[] = [];
    const dropped = await datasetFromEntries([dirEntry('data', [dirEntry('images', many)])], { onProgress: (n) => seen.push(n) });
    expect(dropped.kind === 'folder' && dropped.files.length).toBe(450);
    expect(seen).toEqual([200, 400, 450]);
    const controller = new AbortController();
    controller.abort();
    await expect(datasetFromEntries([dirEntry('data', [dirEntry('images', many)])], { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('refuses a dropped file over the dataset file limit by its size, without reading it', async () => {
    const huge = { size: 300 * 2 ** 20, arrayBuffer: () => Promise.reject(new Error('read')), slice: () => huge };
    const source = new BlobFileSource([{ path: 'images/huge.png', blob: huge }], 'data');
    expect(source.sizeOf('images/huge.png')).toBe(300 * 2 ** 20);
    await expect(source.read('images/huge.png')).rejects.toMatchObject({ code: 'size', message: 'images/huge.png: is 314572800 bytes, more than the 256 MiB a dataset file may have: not read' });
  });

  it('stops a folder that nests endlessly (a symbolic link loop), naming where', async () => {
    const loop: DirectoryEntryLike = { name: 'again', isFile: false, isDirectory: true, createReader: () => dirEntry('x', [loop]).createReader() };
    const error = await datasetFromEntries([dirEntry('data', [loop])]).then(
      () => undefined,
      (e: unknown) => e as DatasetError,
    );
    expect(error).toMatchObject({ name: 'DatasetError', code: 'link' });
    expect(error!.file).toBe(Array(MAX_DROPPED_DEPTH + 1).fill('again').join('/'));
    expect(error!.detail).toBe('folders nest more than 64 deep: a symbolic link loop? Drop a folder without it');
  });

  it('takes picked folders (webkitRelativePath, top folder stripped) and a single .zip', async () => {
    const picked = datasetFromPickedFiles([file('x.png', new Uint8Array(1), 'set/images/x.png'), file('x.png', new Uint8Array(1), 'set/labels/x.png')]);
    expect(picked.kind === 'folder' && picked.files.map((f) => f.path)).toEqual(['images/x.png', 'labels/x.png']);
    expect(picked.name).toBe('set');
    const zip = zipSync({ 'root/images/a.png': new Uint8Array([1, 2]), 'root/labels/a.png': new Uint8Array([3]) });
    const fromZip = await openDroppedDataset(datasetFromPickedFiles([file('d.zip', zip)]));
    expect(fromZip.list()).toEqual(['root/images/a.png', 'root/labels/a.png']);
    expect([...(await fromZip.read('root/images/a.png'))]).toEqual([1, 2]);
    await expect(openDroppedDataset({ kind: 'zip', name: 'fake.zip', zip: new Blob(['hello']) })).rejects.toThrow(/fake\.zip: not a zip archive/);
    await expect(datasetFromEntries([])).rejects.toThrow(/nothing was dropped/);
  });

  const labelsInput = (numClasses: number, instanceEdge = true): GraphInput => ({ id: 'labels', type: 'lggan/semantic-input', params: { num_classes: numClasses, instance_edge: instanceEdge }, kind: 'labels', shape: [1, 8, 16, 2] });

  it('detects the layout, fits it to the graph, and names the bad file', async () => {
    const files = cityscapesFiles();
    const source = new BlobFileSource(Object.entries(files).map(([path, bytes]) => ({ path, blob: new Blob([bytes as Uint8Array<ArrayBuffer>]) })), 'cs');
    expect(detectLayout(source)).toBe('cityscapes');
    const needs = dataNeeds([labelsInput(35)]);
    expect(needs).toEqual({ width: 16, height: 8, numClasses: 35, crossView: false, instances: true });
    const loaded = await loadDropped({ kind: 'folder', name: 'cs', files: Object.entries(files).map(([path, bytes]) => ({ path, blob: new Blob([bytes as Uint8Array<ArrayBuffer>]) })) }, 'auto', needs);
    expect(loaded.description).toMatch(/^cityscapes \(detected\), \d+ samples? at 16×8$/);
    expect((await loaded.dataset.sample(0)).fields.labels.width).toBe(16);

    const label = Object.keys(files).find((p) => p.endsWith('_labelIds.png'))!;
    const broken = Object.entries({ ...files, [label]: new TextEncoder().encode('nope') }).map(([path, bytes]) => ({ path, blob: new Blob([bytes as Uint8Array<ArrayBuffer>]) }));
    const bad = await loadDropped({ kind: 'folder', name: 'cs', files: broken }, 'cityscapes', needs);
    await expect(bad.dataset.sample(Object.keys(files).filter((p) => p.endsWith('_labelIds.png')).sort().indexOf(label))).rejects.toThrow(`${label}: not a PNG or JPEG image`);
    await expect(loadDropped({ kind: 'folder', name: 'misc', files: [{ path: 'notes.txt', blob: new Blob(['x']) }] }, 'auto', needs)).rejects.toThrow(/misc: cannot tell the dataset layout/);
  });
});

describe('fingerprints of dropped data', () => {
  const needs = dataNeeds([{ id: 'labels', type: 'lggan/semantic-input', params: { num_classes: 35, instance_edge: true }, kind: 'labels', shape: [1, 8, 16, 2] }]);
  const folder = (files: Record<string, Uint8Array>) => ({ kind: 'folder' as const, name: 'cs', files: Object.entries(files).map(([path, bytes]) => ({ path, blob: new Blob([bytes as Uint8Array<ArrayBuffer>]) })) });

  it('come from names and sizes, never from reading: a folder and its zip agree, a changed size differs', async () => {
    const files = cityscapesFiles();
    const fromFolder = (await loadDropped(folder(files), 'auto', needs)).dataset.fingerprint;
    expect(fromFolder).toMatch(/^cityscapes:\d+:[0-9a-f]{16}\+sizes$/);
    // A 1 MB file ahead of the dataset: indexing reads the tail (≤ 64 KiB + 22 bytes) and the directory, never it.
    const zip = new Blob([zipSync({ 'extra/filler.bin': [new Uint8Array(2 ** 20), { level: 0 }], ...files }) as Uint8Array<ArrayBuffer>]);
    let sliced = 0;
    const counting = { size: zip.size, arrayBuffer: () => zip.arrayBuffer(), slice: (a?: number, b?: number) => ((sliced += (b ?? zip.size) - (a ?? 0)), zip.slice(a, b)) };
    const fromZip = (await loadDropped({ kind: 'zip', name: 'cs.zip', zip: counting }, 'auto', needs)).dataset.fingerprint;
    expect(fromZip).toBe(fromFolder);
    expect(sliced).toBeLessThan(70_000);
    // What the page posts to the worker: a structured clone keeps the Blob a Blob (no bytes copied into the message).
    const posted = structuredClone({ kind: 'zip' as const, name: 'cs.zip', zip });
    expect(posted.zip).toBeInstanceOf(Blob);
    expect((await loadDropped(posted, 'auto', needs)).dataset.fingerprint).toBe(fromFolder);
    // A record from before sizes were fingerprinted is told apart (autosaves and re-runs say so).
    expect(predatesSizes('cityscapes:2:0123456789abcdef', fromFolder)).toBe(true);
    expect(predatesSizes(fromFolder, fromFolder)).toBe(false);
    expect(predatesSizes('cityscapes:2:0123456789abcdef', 'cityscapes:2:fedcba9876543210')).toBe(false);
    const image = Object.keys(files).find((p) => p.endsWith('_leftImg8bit.png'))!;
    const grown = { ...files, [image]: Uint8Array.from([...files[image], 0]) };
    expect((await loadDropped(folder(grown), 'auto', needs)).dataset.fingerprint).not.toBe(fromFolder);
  });
});

describe('the decoder registry', () => {
  it('lets the loaders decode with whichever decoder is installed', async () => {
    const before = currentImageDecoder();
    const calls: string[] = [];
    const fake: ImageDecoder = { name: 'fake', decode: (bytes, file) => (calls.push(file), before.decode(bytes, file)) };
    try {
      setImageDecoder(fake);
      expect(Array.from((await readIds(greyPng(2, 1, (x) => x + 4), 'l.png')).data)).toEqual([4, 5]);
      expect(calls).toEqual(['l.png']);
      setImageDecoder(undefined);
      expect(() => currentImageDecoder()).toThrow(/no image decoder is installed/);
    } finally {
      setImageDecoder(before);
    }
  });
});
