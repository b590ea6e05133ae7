import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { decodeImage } from '../data/index.ts';
import { colouriseLabels, imageToPng, labelPalette, pixelsToImage, rasterToImage, sampleGrid, tensorToImages, UNIT_RANGE, type ByteImage } from './index.ts';

const rgbAt = (img: ByteImage, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));

describe('labelPalette', () => {
  it('uses the Cityscapes colours for 35 classes', () => {
    const p = labelPalette(35);
    expect(Array.from(p.subarray(7 * 3, 8 * 3))).toEqual([128, 64, 128]); // road
    expect(Array.from(p.subarray(26 * 3, 27 * 3))).toEqual([0, 0, 142]); // car
    expect(Array.from(p.subarray(0, 3))).toEqual([0, 0, 0]); // unlabeled
  });

  it('uses the Pascal VOC colour map otherwise, class 0 included', () => {
    const p = labelPalette(22);
    const colour = (i: number) => Array.from(p.subarray(i * 3, i * 3 + 3));
    expect([colour(0), colour(1), colour(2), colour(6), colour(7)]).toEqual([
      [128, 0, 0],
      [0, 128, 0],
      [128, 128, 0],
      [128, 128, 128],
      [64, 0, 0],
    ]);
    expect(colour(19)).toEqual([0, 64, 128]); // VOC entry 20 (tvmonitor)
  });
});

describe('tensor and raster conversion', () => {
  it('maps [-1, 1] to bytes, rounding and clamping, and splits channels into images', async () => {
    // 1 image, 1×2 pixels, 6 channels: two RGB groups.
    const t = tf.tensor4d([-1, 0, 1, 2, -3, NaN, 0.5, -0.5, 1, 1, 1, 1], [1, 1, 2, 6]);
    const [[a, b]] = await tensorToImages(t);
    t.dispose();
    expect({ ...a, data: Array.from(a.data) }).toEqual({ width: 2, height: 1, channels: 3, data: [0, 128, 255, 191, 64, 255] });
    expect(Array.from(b.data)).toEqual([255, 0, 0, 255, 255, 255]);
  });

  it('reads maps in [0, 1] as grey images, one per channel, per batch item', async () => {
    const t = tf.tensor4d([0, 1, 0.25, 0.75, 1, 0, 0.5, 0.5], [2, 1, 2, 2]);
    const images = await tensorToImages(t, { group: 1, range: UNIT_RANGE });
    t.dispose();
    expect(images.map((groups) => groups.map((g) => [g.channels, ...g.data]))).toEqual([
      [
        [1, 0, 64],
        [1, 255, 191],
      ],
      [
        [1, 255, 128],
        [1, 0, 128],
      ],
    ]);
    await expect(tensorToImages(tf.zeros([1, 2, 2, 4]))).rejects.toThrow(/4-channel map does not split into groups of 3/);
    expect(() => pixelsToImage([0, 0], 1, 1, 2, 0, 3, UNIT_RANGE)).toThrow(/outside a 2-channel map/);
  });

  it('colourises label maps, unknown ids black, and shows rasters', () => {
    const img = colouriseLabels({ width: 3, height: 1, channels: 1, data: Int32Array.from([0, 2, 4]) }, 4);
    expect(Array.from(img.data)).toEqual([128, 0, 0, 128, 128, 0, 0, 0, 0]);
    const raster = rasterToImage({ width: 1, height: 1, channels: 3, data: Float32Array.from([-1, 0, 1]) });
    expect(Array.from(raster.data)).toEqual([0, 128, 255]);
  });
});

describe('sampleGrid', () => {
  const cell = (v: number, channels: 1 | 3 = 3): ByteImage => ({ width: 2, height: 2, channels, data: new Uint8Array(4 * channels).fill(v) });

  it('lays rows of cells out with gaps, grey cells in RGB, missing cells left as background', () => {
    const grid = sampleGrid([[cell(10), cell(20, 1)], [undefined, cell(30)]], { gap: 1, background: 200 });
    expect([grid.width, grid.height, grid.channels]).toEqual([7, 7, 3]);
    expect(rgbAt(grid, 0, 0)).toEqual([200, 200, 200]);
    expect(rgbAt(grid, 1, 1)).toEqual([10, 10, 10]);
    expect(rgbAt(grid, 5, 2)).toEqual([20, 20, 20]);
    expect(rgbAt(grid, 1, 4)).toEqual([200, 200, 200]); // the missing cell
    expect(rgbAt(grid, 4, 5)).toEqual([30, 30, 30]);
  });

  it('refuses cells of different sizes and empty grids', () => {
    expect(() => sampleGrid([[cell(1), { width: 3, height: 2, channels: 3, data: new Uint8Array(18) }]])).toThrow(/share one size: 2×2 and 3×2/);
    expect(() => sampleGrid([[undefined]])).toThrow(/at least one image/);
  });
});

describe('imageToPng', () => {
  it('writes 8-bit grey and RGB PNGs that decode to the same pixels', () => {
    const rgb: ByteImage = { width: 2, height: 1, channels: 3, data: Uint8Array.from([1, 2, 3, 250, 251, 252]) };
    const grey: ByteImage = { width: 1, height: 2, channels: 1, data: Uint8Array.from([7, 9]) };
    const a = decodeImage(imageToPng(rgb), 'rgb.png');
    const b = decodeImage(imageToPng(grey), 'grey.png');
    expect([a.channels, a.bitDepth, Array.from(a.rgba)]).toEqual([3, 8, [1, 2, 3, 255, 250, 251, 252, 255]]);
    expect([b.channels, b.width, b.height, Array.from(b.rgba)]).toEqual([1, 1, 2, [7, 7, 7, 255, 9, 9, 9, 255]]);
  });
});
