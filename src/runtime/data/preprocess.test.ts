import { describe, expect, it } from 'vitest';
import { drawAugmentation, outputSize, preprocessFields, presets } from './preprocess.ts';
import { crop, flipHorizontal, imageToBytes, normalizeImage, type IdRaster, type ImageRaster } from './raster.ts';
import { resizeImage, resizeNearest } from './resample.ts';
import { uniformStream } from '../../compiler/rng.ts';

function image(width: number, height: number, value: (x: number, y: number, c: number) => number, channels = 1): ImageRaster {
  const data = new Float32Array(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) data[(y * width + x) * channels + c] = value(x, y, c);
  return { width, height, channels, data };
}

function ids(width: number, height: number, value: (x: number, y: number) => number): IdRaster {
  const data = new Int32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = value(x, y);
  return { width, height, channels: 1, data };
}

describe('resampling', () => {
  it('keeps a constant image constant, up and down, bicubic and bilinear', () => {
    const flat = image(10, 7, () => 93, 3);
    for (const filter of ['bicubic', 'bilinear'] as const) {
      for (const [w, h] of [[23, 4], [3, 15], [10, 7]]) {
        const out = resizeImage(flat, w, h, filter);
        expect(out.width * out.height * 3).toBe(out.data.length);
        for (const v of out.data) expect(v).toBeCloseTo(93, 4);
      }
    }
  });

  it('antialiases when shrinking (PIL-style stretched triangle: [0,10,20,30] → [7.14, 22.86])', () => {
    const out = resizeImage(image(4, 1, (x) => 10 * x), 2, 1, 'bilinear');
    expect(out.data[0]).toBeCloseTo(12.5 / 1.75, 4);
    expect(out.data[1]).toBeCloseTo(30 - 12.5 / 1.75, 4);
  });

  it('bicubic reproduces a linear ramp away from the borders, and clamps ringing to 0..255', () => {
    const up = resizeImage(image(8, 1, (x) => 10 * x), 16, 1, 'bicubic');
    for (let o = 4; o < 12; o++) expect(up.data[o]).toBeCloseTo(10 * ((o + 0.5) / 2 - 0.5), 3);
    const step = resizeImage(image(6, 1, (x) => (x < 3 ? 0 : 255)), 24, 1, 'bicubic');
    expect(Math.min(...step.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...step.data)).toBeLessThanOrEqual(255);
    // Without the clamp a bicubic kernel overshoots here: the edge really rings.
    expect(step.data.some((v) => v === 0) && step.data.some((v) => v === 255)).toBe(true);
  });

  it("matches Pillow's resize (values recorded from Pillow 12, float mode; ours clamps to 0..255)", () => {
    const row = (values: number[]) => image(values.length, 1, (x) => values[x]);
    const near = (got: Float32Array, want: number[]) => want.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 3));
    near(resizeImage(row([0, 10, 20, 30, 40, 50, 60, 70]), 3, 1).data, [8.9647, 35.0, 61.0354]);
    near(resizeImage(row([0, 100, 50]), 7, 1).data, [0, 9.8338, 59.2798, 100.0, 84.626, 55.5402, 45.1923]);
    near(resizeImage(row([0, 100, 50]), 7, 1, 'bilinear').data, [0.0, 14.2857, 57.1429, 100.0, 78.5714, 57.1429, 50.0]);
    // NEAREST 32 → 20 rows: Pillow steps 0.8, 2.4, … in doubles and lands just under 12 at row 7.
    const rows = resizeNearest(ids(1, 32, (_x, y) => y), 1, 20);
    expect(Array.from(rows.data)).toEqual([0, 2, 4, 5, 7, 8, 10, 11, 13, 15, 16, 18, 20, 21, 23, 24, 26, 28, 29, 31]);
  });

  it('nearest keeps label ids integral and from the source set (PIL NEAREST sampling)', () => {
    const src = ids(4, 2, (x, y) => [7, 11, 26, 255][x] + y);
    const down = resizeNearest(src, 2, 1);
    // Source column ⌊(x + ½)·2⌋ = 1, 3 and row ⌊(0 + ½)·2⌋ = 1 (which adds 1 here).
    expect(Array.from(down.data)).toEqual([12, 256]);
    const up = resizeNearest(ids(2, 2, (x, y) => x + 2 * y), 4, 4);
    expect(Array.from(up.data)).toEqual([0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3]);
    const odd = resizeNearest(src, 7, 5);
    expect(odd.data).toBeInstanceOf(Int32Array);
    const allowed = new Set(src.data);
    for (const v of odd.data) expect(allowed.has(v)).toBe(true);
  });
});

describe('raster ops', () => {
  it('crops and flips exactly', () => {
    const r = ids(4, 3, (x, y) => 10 * y + x);
    expect(Array.from(crop(r, 1, 1, 2, 2).data)).toEqual([11, 12, 21, 22]);
    expect(() => crop(r, 3, 0, 2, 1)).toThrow(/leaves/);
    const f = flipHorizontal(r);
    expect(Array.from(f.data.subarray(0, 4))).toEqual([3, 2, 1, 0]);
    expect(Array.from(flipHorizontal(f).data)).toEqual(Array.from(r.data));
    const rgb = image(2, 1, (x, _y, c) => 100 * x + c, 3);
    expect(Array.from(flipHorizontal(rgb).data)).toEqual([100, 101, 102, 0, 1, 2]);
  });

  it('normalises 0..255 to [-1, 1] and back', () => {
    const r = normalizeImage(image(3, 1, (x) => [0, 127.5, 255][x]));
    expect(Array.from(r.data)).toEqual([-1, 0, 1]);
    expect(Array.from(imageToBytes(r))).toEqual([0, 128, 255]);
  });
});

describe('preprocessFields', () => {
  const raw = () => ({
    real: image(8, 4, (x, y, c) => (x * 30 + y * 5 + c) % 256, 3),
    labels: ids(8, 4, (x) => (x < 4 ? 7 : 26)),
  });

  it('resizes, crops at one offset for every field, and normalises images only', () => {
    const out = preprocessFields(raw(), { resize: { width: 16, height: 8 }, crop: { width: 6, height: 6 } }, uniformStream(3));
    const labels = out.labels as IdRaster;
    const real = out.real as ImageRaster;
    expect([labels.width, labels.height, real.width, real.height]).toEqual([6, 6, 6, 6]);
    expect(labels.data).toBeInstanceOf(Int32Array);
    for (const v of labels.data) expect([7, 26]).toContain(v);
    for (const v of real.data) {
      expect(v).toBeGreaterThanOrEqual(-1);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  it('flips labels and image together', () => {
    const p = { flip: true };
    let flipped = 0;
    for (let seed = 0; seed < 8; seed++) {
      const aug = drawAugmentation(p, { width: 8, height: 4 }, uniformStream(seed));
      const out = preprocessFields(raw(), p, uniformStream(seed));
      const labels = out.labels as IdRaster;
      const real = out.real as ImageRaster;
      const expectedLeft = aug.flip ? 26 : 7;
      expect(labels.data[0]).toBe(expectedLeft);
      expect(real.data[0]).toBeCloseTo(((aug.flip ? 7 * 30 : 0) % 256) / 127.5 - 1, 5);
      if (aug.flip) flipped++;
    }
    expect(flipped).toBeGreaterThan(0);
    expect(flipped).toBeLessThan(8);
  });

  it('without augmentation crops the centre and never flips', () => {
    const aug = drawAugmentation({ crop: { width: 4, height: 4 }, flip: true }, { width: 9, height: 8 }, undefined);
    expect(aug).toEqual({ x: 2, y: 2, flip: false });
  });

  it("draws SPADE offsets 0…span and pix2pix offsets 0…span−1", () => {
    const xs = (cropOffsets: 'spade' | 'pix2pix') => {
      const seen = new Set<number>();
      const u = uniformStream(1);
      for (let i = 0; i < 400; i++) seen.add(drawAugmentation({ crop: { width: 2, height: 2 }, cropOffsets }, { width: 5, height: 2 }, u).x);
      return [...seen].sort();
    };
    expect(xs('spade')).toEqual([0, 1, 2, 3]);
    expect(xs('pix2pix')).toEqual([0, 1, 2]);
  });

  it('presets follow the official sizes', () => {
    expect(presets.cityscapes()).toEqual({ resize: { width: 512, height: 256 }, flip: true });
    expect(presets.ade20k()).toMatchObject({ resize: { width: 286, height: 286 }, crop: { width: 256, height: 256 }, flip: true });
    expect(presets.ade20k(undefined, false)).toEqual({ resize: { width: 256, height: 256 } });
    expect(presets.crossView({ width: 64, height: 64 })).toMatchObject({ resize: { width: 72, height: 72 }, crop: { width: 64, height: 64 }, flip: false });
    expect(presets.crossView().resize).toEqual({ width: 286, height: 286 });
    expect(outputSize(presets.ade20k({ width: 64, height: 64 }), { width: 500, height: 300 })).toEqual({ width: 64, height: 64 });
  });
});
