import { describe, expect, it } from 'vitest';
import { encodePng } from './codecs.ts';
import { CROSS_VIEW_PANELS, loadCrossView } from './crossview.ts';
import { splitDataset, type Sample } from './dataset.ts';
import { MemoryFileSource } from './file-source.ts';
import { flipHorizontal, imageToBytes, type IdRaster, type ImageRaster } from './raster.ts';
import { CITYSCAPES_IDS, GREY_VALUES, SCENE_CLASSES } from './synthetic/classes.ts';
import { syntheticScenes } from './synthetic/dataset.ts';

const sameBytes = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => v === b[i]);

function sameSample(a: Sample, b: Sample): boolean {
  const keys = Object.keys(a.fields);
  return keys.join() === Object.keys(b.fields).join() && keys.every((k) => sameBytes(a.fields[k].data, b.fields[k].data));
}

/** Mean colour (in [-1, 1]) of the pixels whose label is `id`. */
function meanColour(s: Sample, id: number): [number, number, number] {
  const labels = s.fields.labels.data;
  const real = s.fields.real.data;
  const sum = [0, 0, 0];
  let n = 0;
  for (let p = 0; p < labels.length; p++) {
    if (labels[p] !== id) continue;
    n++;
    for (let c = 0; c < 3; c++) sum[c] += real[p * 3 + c];
  }
  return sum.map((v) => v / n) as [number, number, number];
}

describe('synthetic scenes', () => {
  it('are deterministic: same seed → byte-identical samples; another seed → other samples', () => {
    const a = syntheticScenes({ seed: 5, width: 48, height: 32 });
    const b = syntheticScenes({ seed: 5, width: 48, height: 32 });
    const c = syntheticScenes({ seed: 6, width: 48, height: 32 });
    for (const i of [0, 1, 7]) {
      expect(sameSample(a.render(i), b.render(i))).toBe(true);
      expect(sameSample(a.render(i), c.render(i))).toBe(false);
    }
    expect(sameSample(a.render(0), a.render(1))).toBe(false);
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.fingerprint).not.toBe(c.fingerprint);
    expect(a.fingerprint).toMatch(/^synthetic-scene:256:[0-9a-f]{16}$/);
  });

  it('show every class in every sample, with Cityscapes ids by default', () => {
    const ds = syntheticScenes({ seed: 1 });
    expect(ds.info).toMatchObject({ layout: 'synthetic-scene', width: 64, height: 64, numClasses: 35, fields: ['real', 'labels', 'instances'] });
    const all = SCENE_CLASSES.map((c) => CITYSCAPES_IDS[c]).sort((x, y) => x - y);
    expect(all).toEqual([7, 8, 11, 17, 21, 23, 24, 26]);
    for (let i = 0; i < 12; i++) expect([...new Set(ds.render(i).fields.labels.data)].sort((x, y) => x - y)).toEqual(all);
  });

  it('give cars (and people) distinct instance ids; stuff pixels hold their class id', () => {
    const ds = syntheticScenes({ seed: 2 });
    let most = 0;
    for (let i = 0; i < 12; i++) {
      const s = ds.render(i);
      const labels = s.fields.labels.data;
      const inst = s.fields.instances.data;
      const cars = new Set<number>();
      const people = new Set<number>();
      let stuffMismatches = 0;
      for (let p = 0; p < labels.length; p++) {
        if (labels[p] === 26) cars.add(inst[p]);
        else if (labels[p] === 24) people.add(inst[p]);
        else if (inst[p] !== labels[p]) stuffMismatches++;
      }
      expect(stuffMismatches).toBe(0);
      for (const id of cars) expect(Math.floor(id / 1000)).toBe(26);
      for (const id of people) expect(Math.floor(id / 1000)).toBe(24);
      expect(cars.size).toBeGreaterThanOrEqual(1);
      most = Math.max(most, cars.size);
    }
    expect(most).toBeGreaterThanOrEqual(2);
  });

  it('draw images that match the labels: bluish sky, green vegetation, grey road', () => {
    const ds = syntheticScenes({ seed: 3 });
    for (let i = 0; i < 6; i++) {
      const s = ds.render(i);
      const [sr, sg, sb] = meanColour(s, 23);
      expect(sb).toBeGreaterThan(sr + 0.3);
      expect(sb).toBeGreaterThan(sg);
      const [vr, vg, vb] = meanColour(s, 21);
      expect(vg).toBeGreaterThan(vr + 0.1);
      expect(vg).toBeGreaterThan(vb + 0.1);
      const [rr, rg, rb] = meanColour(s, 7);
      expect(Math.abs(rr - rb)).toBeLessThan(0.15);
      expect(Math.abs(rr - rg)).toBeLessThan(0.15);
      expect(rr).toBeLessThan(sr + 0.2);
    }
  });

  it('offer a compact id space for tiny graphs and refuse ids beyond num_classes', () => {
    const ds = syntheticScenes({ idSpace: 'compact', classes: ['sky', 'road', 'building', 'vegetation', 'car', 'sidewalk'], width: 32, height: 32 });
    expect(ds.info.numClasses).toBe(6);
    expect([...ds.ids.entries()]).toEqual([['sky', 0], ['road', 1], ['building', 2], ['vegetation', 3], ['car', 4], ['sidewalk', 5]]);
    expect([...new Set(ds.render(0).fields.labels.data)].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(() => syntheticScenes({ numClasses: 20 })).toThrow(/class 'car' has id 26, beyond num_classes 20/);
    expect(() => syntheticScenes({ classes: ['sky', 'road'] })).toThrow(/need class 'building'/);
  });

  it('offer ADE20K ids (after the official −1 shift) for 150-class graphs', () => {
    const ds = syntheticScenes({ idSpace: 'ade20k', width: 32, height: 32 });
    expect(ds.info.numClasses).toBe(150);
    // objectInfo150: building 2, sky 3, tree 5, road 7, sidewalk 12, person 13, car 21, pole 94 (1-based).
    expect(Object.fromEntries(ds.ids)).toEqual({ sky: 2, road: 6, building: 1, vegetation: 4, car: 20, sidewalk: 11, person: 12, pole: 93 });
    const present = new Set(ds.render(0).fields.labels.data);
    for (const id of present) expect([...ds.ids.values()]).toContain(id);
  });

  it('render any size quickly (64×64 in a few ms)', () => {
    const ds = syntheticScenes({ seed: 9 });
    ds.render(0);
    const start = performance.now();
    for (let i = 0; i < 20; i++) ds.render(i);
    const perSample = (performance.now() - start) / 20;
    expect(perSample).toBeLessThan(25); // generous for slow CI; typically ≈ 2–3 ms
    const odd = syntheticScenes({ width: 37, height: 19 }).render(0);
    expect([odd.width, odd.height, odd.fields.real.data.length, odd.fields.labels.data.length]).toEqual([37, 19, 37 * 19 * 3, 37 * 19]);
  });

  it('flip image, labels and instances together when augmenting, and split deterministically', async () => {
    const ds = syntheticScenes({ seed: 4, count: 10 });
    const plain = ds.render(2);
    let flips = 0;
    for (let seed = 0; seed < 6; seed++) {
      const s = await ds.sample(2, { augment: true, seed });
      const flipped = !sameSample(s, plain);
      if (flipped) {
        flips++;
        for (const k of Object.keys(s.fields)) expect(sameBytes(s.fields[k].data, flipHorizontal(plain.fields[k]).data)).toBe(true);
      }
    }
    expect(flips).toBeGreaterThan(0);
    expect(sameSample(await ds.sample(2), plain)).toBe(true);
    const { train, heldOut } = splitDataset(ds, { heldOut: 0.2, seed: 1 });
    expect([train.size, heldOut.size]).toEqual([8, 2]);
    const again = splitDataset(ds, { heldOut: 2, seed: 1 });
    expect(sameSample(await again.heldOut.sample(0), await heldOut.sample(0))).toBe(true);
    expect(heldOut.fingerprint).not.toBe(train.fingerprint);
    expect(() => splitDataset(ds, { heldOut: 10 })).toThrow(RangeError);
  });

  describe('cross-view variant', () => {
    const ds = syntheticScenes({ variant: 'cross-view', seed: 7, width: 48, height: 48 });

    it('gives the six panels: aerial, ground, colour semantics and grey labels 10…60 that agree with the labels', () => {
      const s = ds.render(0);
      for (const f of CROSS_VIEW_PANELS) expect(s.fields[f].data.length).toBe(48 * 48 * 3);
      const grey = imageToBytes(s.fields.grey_labels as ImageRaster);
      const labels = (s.fields.labels as IdRaster).data;
      const byId = new Map(SCENE_CLASSES.map((c) => [CITYSCAPES_IDS[c], GREY_VALUES[c]]));
      let wrong = 0;
      for (let p = 0; p < labels.length; p++) if (grey[p * 3] !== byId.get(labels[p])) wrong++;
      expect(wrong).toBe(0);
      const aerialGrey = new Set(imageToBytes(s.fields.aerial_grey_labels as ImageRaster));
      expect(aerialGrey.has(50)).toBe(false); // no sky from above
      for (const v of [10, 20, 40, 60]) expect(aerialGrey.has(v)).toBe(true);
      const colours = imageToBytes(s.fields.ground_semantic as ImageRaster);
      const skyPixel = labels.indexOf(23);
      expect(Array.from(colours.subarray(skyPixel * 3, skyPixel * 3 + 3))).toEqual([70, 130, 180]);
      expect(sameBytes(s.fields.aerial.data, s.fields.real.data)).toBe(false);
    });

    it('written as a six-panel strip, loads back through the cross-view loader', async () => {
      const s = ds.render(1);
      const strip = new Uint8Array(48 * 6 * 48 * 3);
      CROSS_VIEW_PANELS.forEach((f, i) => {
        const panel = imageToBytes(s.fields[f] as ImageRaster);
        for (let y = 0; y < 48; y++) strip.set(panel.subarray(y * 48 * 3, (y + 1) * 48 * 3), (y * 48 * 6 + i * 48) * 3);
      });
      const png = encodePng({ width: 48 * 6, height: 48, channels: 3, data: strip });
      const loaded = loadCrossView(new MemoryFileSource({ 'train/0001.png': png }), { size: { width: 48, height: 48 }, preprocess: {} });
      const back = await loaded.sample(0);
      for (const f of CROSS_VIEW_PANELS) {
        const a = s.fields[f].data;
        const b = back.fields[f].data;
        let worst = 0;
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
        expect(worst).toBeLessThanOrEqual(1 / 127.5 + 1e-6);
      }
    });
  });
});
