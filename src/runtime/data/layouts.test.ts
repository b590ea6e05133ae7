import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAde20k } from './ade20k.ts';
import { loadCityscapes } from './cityscapes.ts';
import { CROSS_VIEW_PANELS, loadCrossView } from './crossview.ts';
import { scanDataset, type Dataset, type Sample } from './dataset.ts';
import { DatasetError } from './errors.ts';
import { MemoryFileSource } from './file-source.ts';
import { ade20kFiles, cityscapesFiles, greyPng, rgbJpeg, rgbPng, sixPanelPng } from './fixtures.test-util.ts';
import { loadGeneric } from './generic.ts';
import { NodeFileSource } from './node-file-source.ts';
import type { IdRaster, ImageRaster } from './raster.ts';

async function failure(run: () => unknown): Promise<DatasetError> {
  try {
    await run();
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return e as DatasetError;
  }
  throw new Error('expected a DatasetError');
}

const ids = (s: Sample, field = 'labels') => Array.from((s.fields[field] as IdRaster).data);
const distinct = (values: Iterable<number>) => [...new Set(values)].sort((a, b) => a - b);

describe('Cityscapes', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('loads 2 samples in 2 cities from disk, paired by city_seq_frame, with 16-bit instance ids', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lggan-city-'));
    dirs.push(dir);
    for (const [path, bytes] of Object.entries(cityscapesFiles())) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), bytes);
    }
    const ds = loadCityscapes(new NodeFileSource(dir), { size: { width: 8, height: 4 } });
    expect(ds.size).toBe(2);
    expect(ds.info).toMatchObject({ layout: 'cityscapes', width: 8, height: 4, numClasses: 35, dontcare: false, fields: ['real', 'labels', 'instances'] });
    const [a, b] = [await ds.sample(0), await ds.sample(1)];
    expect([a.id, b.id]).toEqual(['aachen_000000_000019', 'bremen_000003_000019']);
    expect([a.width, a.height]).toEqual([8, 4]);
    // Left half road (7), right half 255 → 35 (label_nc); nearest resize keeps ids whole.
    expect(ids(a).slice(0, 8)).toEqual([7, 7, 7, 7, 35, 35, 35, 35]);
    expect(distinct(ids(a, 'instances'))).toEqual([7, 26001]);
    const real = a.fields.real as ImageRaster;
    expect(real.channels).toBe(3);
    expect(real.data[0]).toBeCloseTo(40 / 127.5 - 1, 2); // red channel = 40, a flat column
    expect(Math.min(...real.data)).toBeGreaterThanOrEqual(-1);
    const val = loadCityscapes(new NodeFileSource(dir), { split: 'val', size: { width: 8, height: 4 } });
    expect(val.size).toBe(1);
    expect(val.fingerprint).not.toBe(ds.fingerprint);
    expect(ds.fingerprint).toMatch(/^cityscapes:2:[0-9a-f]{16}$/);
    // Same files, same options → same fingerprint, wherever they are.
    expect(loadCityscapes(new MemoryFileSource(cityscapesFiles()), { size: { width: 8, height: 4 } }).fingerprint).toBe(ds.fingerprint);
  });

  it('defaults to the official 512×256 and flips image and labels together when augmenting', async () => {
    const ds = loadCityscapes(new MemoryFileSource(cityscapesFiles()), { instances: false });
    expect(ds.info).toMatchObject({ width: 512, height: 256, fields: ['real', 'labels'] });
    const plain = await ds.sample(0);
    let flips = 0;
    for (let seed = 0; seed < 6; seed++) {
      const s = await ds.sample(0, { augment: true, seed });
      const flipped = ids(s)[0] === 35;
      if (flipped) flips++;
      expect(ids(s)[0]).toBe(flipped ? 35 : 7);
      expect(s.fields.real.data[1]).toBeCloseTo(flipped ? plain.fields.real.data[511 * 3 + 1] : plain.fields.real.data[1], 5);
    }
    expect(flips).toBeGreaterThan(0);
  });

  it('names the unpaired file and its expected partner', async () => {
    const files = cityscapesFiles();
    delete files['gtFine/train/bremen/bremen_000003_000019_gtFine_labelIds.png'];
    const e = await failure(() => loadCityscapes(new MemoryFileSource(files)));
    expect(e.code).toBe('unpaired');
    expect(e.file).toBe('leftImg8bit/train/bremen/bremen_000003_000019_leftImg8bit.png');
    expect(e.message).toContain('expected gtFine/train/bremen/bremen_000003_000019_gtFine_labelIds.png');

    const orphan = cityscapesFiles();
    delete orphan['leftImg8bit/train/aachen/aachen_000000_000019_leftImg8bit.png'];
    const e2 = await failure(() => loadCityscapes(new MemoryFileSource(orphan)));
    expect(e2.file).toBe('gtFine/train/aachen/aachen_000000_000019_gtFine_labelIds.png');
    expect(e2.message).toContain('expected leftImg8bit/train/aachen/aachen_000000_000019_leftImg8bit.png');

    const noInstance = cityscapesFiles();
    delete noInstance['gtFine/train/aachen/aachen_000000_000019_gtFine_instanceIds.png'];
    const e3 = await failure(() => loadCityscapes(new MemoryFileSource(noInstance)));
    expect(e3.message).toContain('expected gtFine/train/aachen/aachen_000000_000019_gtFine_instanceIds.png');
    expect(loadCityscapes(new MemoryFileSource(noInstance), { instances: false }).size).toBe(2);
  });

  it('fails on a label map of another size, ids beyond num_classes, a corrupt image, a missing layout', async () => {
    const key = 'gtFine/train/aachen/aachen_000000_000019_gtFine_labelIds.png';
    const sized = cityscapesFiles();
    sized[key] = greyPng(8, 8, () => 7);
    const e = await failure(() => loadCityscapes(new MemoryFileSource(sized)).sample(0));
    expect(e.code).toBe('size');
    expect(e.message).toBe(`${key}: label map is 8×8 but its image leftImg8bit/train/aachen/aachen_000000_000019_leftImg8bit.png is 16×8`);

    const range = cityscapesFiles();
    range[key] = greyPng(16, 8, (x) => (x === 3 ? 40 : x === 4 ? 255 : 7));
    const e2 = await failure(() => loadCityscapes(new MemoryFileSource(range)).sample(0));
    expect(e2.code).toBe('label-range');
    expect(e2.file).toBe(key);
    expect(e2.message).toContain('label ids go up to 40, beyond num_classes 35');

    const corrupt = cityscapesFiles();
    const image = 'leftImg8bit/train/bremen/bremen_000003_000019_leftImg8bit.png';
    corrupt[image] = corrupt[image].subarray(0, 50);
    const e3 = await failure(() => loadCityscapes(new MemoryFileSource(corrupt)).sample(1));
    expect(e3).toMatchObject({ code: 'decode', file: image });
    expect(e3.message).toMatch(/cannot decode PNG: \S/);

    const e4 = await failure(() => loadCityscapes(new MemoryFileSource({ 'x/y.png': rgbPng(1, 1, () => [0, 0, 0]) }, 'drop')));
    expect(e4).toMatchObject({ code: 'layout', file: 'drop' });
    expect(e4.message).toContain('no leftImg8bit/ folder');
  });
});

describe('scanDataset', () => {
  it('reads every sample up front and stops at the first bad file', async () => {
    const files = cityscapesFiles();
    const seen: number[] = [];
    expect(await scanDataset(loadCityscapes(new MemoryFileSource(files), { size: { width: 8, height: 4 } }), { onProgress: (n) => seen.push(n) })).toBe(2);
    expect(seen).toEqual([1, 2]);
    files['gtFine/train/bremen/bremen_000003_000019_gtFine_instanceIds.png'] = greyPng(3, 3, () => 1, true);
    const e = await failure(() => scanDataset(loadCityscapes(new MemoryFileSource(files), { size: { width: 8, height: 4 } })));
    expect(e.message).toBe(
      'gtFine/train/bremen/bremen_000003_000019_gtFine_instanceIds.png: instance map is 3×3 but its image leftImg8bit/train/bremen/bremen_000003_000019_leftImg8bit.png is 16×8',
    );
  });
});

describe('ADE20K', () => {
  it('loads ADEChallengeData2016 names, shifts ids by −1 and makes 0 the don\'t-care 150', async () => {
    const source = new MemoryFileSource(ade20kFiles());
    const train = loadAde20k(source, { split: 'train', size: { width: 12, height: 12 }, preprocess: { resize: { width: 12, height: 12 } } });
    expect(train.size).toBe(2);
    expect(train.info).toMatchObject({ layout: 'ade20k', numClasses: 150, dontcare: true, fields: ['real', 'labels'] });
    const s = await train.sample(0);
    expect(s.id).toBe('ADE_train_00000001');
    // Raw 0 (x < 4) → 150, raw 1 → 0, raw 150 → 149.
    expect(ids(s).slice(0, 12)).toEqual([150, 150, 150, 150, 0, 0, 0, 0, 149, 149, 149, 149]);
    expect(loadAde20k(source, { split: 'val' }).size).toBe(1);
  });

  it('uses the official training preprocessing: resize to 286/256, random crop, flip', async () => {
    const ds = loadAde20k(new MemoryFileSource(ade20kFiles()), { size: { width: 8, height: 8 } });
    expect(ds.info).toMatchObject({ width: 8, height: 8 });
    const s = await ds.sample(1, { augment: true, seed: 3 });
    expect([s.width, s.height, s.fields.labels.data.length]).toEqual([8, 8, 64]);
    for (const v of s.fields.labels.data) expect([0, 149, 150]).toContain(v);
  });

  it('names an unpaired image and a raw id beyond 150', async () => {
    const files = ade20kFiles();
    delete files['ADEChallengeData2016/annotations/training/ADE_train_00000002.png'];
    const e = await failure(() => loadAde20k(new MemoryFileSource(files)));
    expect(e.file).toBe('ADEChallengeData2016/images/training/ADE_train_00000002.jpg');
    expect(e.message).toContain('expected ADEChallengeData2016/annotations/training/ADE_train_00000002.png');

    const bad = ade20kFiles();
    bad['ADEChallengeData2016/annotations/training/ADE_train_00000001.png'] = greyPng(12, 12, (x) => (x === 0 ? 151 : 3));
    const e2 = await failure(() => loadAde20k(new MemoryFileSource(bad)).sample(0));
    expect(e2.code).toBe('label-range');
    expect(e2.message).toContain('label ids go up to 151, beyond num_classes 150');
  });
});

describe('cross-view six-panel', () => {
  it('splits A…F, resizes each panel to loadSize and crops fineSize at one offset', async () => {
    const source = new MemoryFileSource({
      'dayton/train/b.png': sixPanelPng(20),
      'dayton/train/a.jpg': rgbJpeg(120, 20, (x) => [x < 20 ? 250 : 0, 0, 0]),
      'dayton/test/c.png': sixPanelPng(20),
    });
    const ds: Dataset = loadCrossView(source, { size: { width: 16, height: 16 } });
    expect(ds.size).toBe(2);
    expect(ds.info).toMatchObject({ layout: 'cross-view', width: 16, height: 16, fields: [...CROSS_VIEW_PANELS] });
    const s = await ds.sample(1, { augment: true, seed: 1 });
    expect(s.id).toBe('b');
    CROSS_VIEW_PANELS.forEach((field, i) => {
      const panel = s.fields[field] as ImageRaster;
      expect([panel.width, panel.height]).toEqual([16, 16]);
      // Panel i is flat grey 10·(i+1): resizing a flat panel keeps it exact.
      for (const v of panel.data) expect(v).toBeCloseTo((10 * (i + 1)) / 127.5 - 1, 5);
    });
    const jpg = await ds.sample(0);
    expect(jpg.fields.aerial.data[0]).toBeGreaterThan(0.9);
    expect(jpg.fields.real.data[0]).toBeLessThan(-0.9);
    expect(loadCrossView(source, { split: 'test' }).size).toBe(1);
  });

  it('fails on an image that is not six panels wide', async () => {
    const source = new MemoryFileSource({ 'train/x.png': rgbPng(50, 20, () => [0, 0, 0]), 'train/y.png': rgbPng(40, 20, () => [0, 0, 0]) });
    const ds = loadCrossView(source);
    const e = await failure(() => ds.sample(1));
    expect(e).toMatchObject({ code: 'size', file: 'train/y.png' });
    expect(e.message).toContain('is 40×20, not six panels side by side');
    // 120×20 is six panels of 20×20; 60×20 would be six 10×20 panels (too narrow to be square-ish) → refused.
    const e2 = await failure(() => loadCrossView(new MemoryFileSource({ 'train/z.png': rgbPng(60, 40, () => [0, 0, 0]) })).sample(0));
    expect(e2.message).toContain('60×40');
  });
});

describe('generic images/ + labels/', () => {
  const files = () => ({
    'set/images/a.jpg': rgbJpeg(8, 8, () => [200, 10, 10]),
    'set/images/sub/b.png': rgbPng(8, 8, () => [10, 200, 10]),
    'set/labels/a.png': greyPng(8, 8, (x) => (x < 4 ? 0 : 2)),
    'set/labels/sub/b.png': greyPng(8, 8, () => 255),
    'set/README.txt': new TextEncoder().encode('hi'),
  });

  it('pairs by path stem below images/ and labels/', async () => {
    const ds = loadGeneric(new MemoryFileSource(files()), { numClasses: 3, size: { width: 4, height: 4 } });
    expect(ds.size).toBe(2);
    expect(ds.info).toMatchObject({ layout: 'generic', numClasses: 3, width: 4, height: 4, fields: ['real', 'labels'] });
    const [a, b] = [await ds.sample(0), await ds.sample(1)];
    expect([a.id, b.id]).toEqual(['a', 'sub/b']);
    expect(ids(a).slice(0, 4)).toEqual([0, 0, 2, 2]);
    expect(distinct(ids(b))).toEqual([3]); // 255 → num_classes
    expect(b.fields.real.data[1]).toBeCloseTo(200 / 127.5 - 1, 3);
  });

  it('uses instances/ when present and names what is missing', async () => {
    const withInstances = { ...files(), 'set/instances/a.png': greyPng(8, 8, (x) => x, true) };
    const e = await failure(() => loadGeneric(new MemoryFileSource(withInstances), { numClasses: 3, size: { width: 4, height: 4 } }));
    expect(e.file).toBe('set/images/sub/b.png');
    expect(e.message).toContain('expected set/instances/sub/b.png');
    const full = { ...withInstances, 'set/instances/sub/b.png': greyPng(8, 8, () => 1, true) };
    const ds = loadGeneric(new MemoryFileSource(full), { numClasses: 3, size: { width: 8, height: 8 } });
    expect(ds.info.fields).toContain('instances');
    expect(ids(await ds.sample(0), 'instances').slice(0, 8)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('names an unpaired label, its expected image, and the count of other unpaired files', async () => {
    const f: Record<string, Uint8Array> = files();
    f['set/labels/c.png'] = greyPng(8, 8, () => 0);
    f['set/labels/d.png'] = greyPng(8, 8, () => 0);
    const e = await failure(() => loadGeneric(new MemoryFileSource(f), { numClasses: 3, size: { width: 4, height: 4 } }));
    expect(e.file).toBe('set/labels/c.png');
    expect(e.message).toContain('label map has no image: expected set/images/c.png (or .jpg) (and 1 more unpaired file)');
  });

  it('fails on ids beyond num_classes, naming the file, the max id and num_classes', async () => {
    const e = await failure(() => loadGeneric(new MemoryFileSource(files()), { numClasses: 2, size: { width: 4, height: 4 } }).sample(0));
    expect(e).toMatchObject({ code: 'label-range', file: 'set/labels/a.png' });
    expect(e.message).toBe('set/labels/a.png: label ids go up to 2, beyond num_classes 2 (valid: ids 0…1, and 255 = unknown)');
  });
});
