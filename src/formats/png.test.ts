/** The page-safe PNG writer, read back by the project's decoder (pngjs). */
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../runtime/data/codecs.ts';
import { writePng } from './png.ts';

/** Deterministic bytes with smooth runs and jumps (the Sub filter's wrap-around included). */
function pixels(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 37 + (i >> 3) * 101) & 0xff);
}

describe('writePng', () => {
  it('round-trips grey, RGB and RGBA pixels through the decoder', () => {
    for (const channels of [1, 3, 4] as const) {
      const width = 7;
      const height = 5;
      const data = pixels(width * height * channels);
      const back = decodeImage(writePng({ width, height, channels, data }), `png-${channels}`);
      expect(back).toMatchObject({ format: 'png', width, height, channels, bitDepth: 8 });
      // The decoder gives RGBA; compare each channel the file holds.
      const expected = new Uint8Array(width * height * 4);
      for (let p = 0; p < width * height; p++) {
        const px = Array.from(data.subarray(p * channels, (p + 1) * channels));
        const rgba = channels === 1 ? [px[0], px[0], px[0], 255] : channels === 3 ? [...px, 255] : px;
        expected.set(rgba, p * 4);
      }
      expect(Array.from(back.rgba)).toEqual(Array.from(expected));
    }
  });

  it('takes the clamped RGBA bytes a canvas or the sample renderer gives, and compresses a flat image', () => {
    const flat = new Uint8ClampedArray(64 * 64 * 4).fill(200);
    const png = writePng({ width: 64, height: 64, channels: 4, data: flat });
    expect(png.length).toBeLessThan(200);
    expect(Array.from(decodeImage(png, 'flat').rgba.subarray(0, 4))).toEqual([200, 200, 200, 200]);
  });

  it('refuses pixels that do not match the size, and impossible sizes', () => {
    expect(() => writePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(11) })).toThrow('expected 12 bytes for 2×2×3, got 11');
    expect(() => writePng({ width: 0, height: 2, channels: 3, data: new Uint8Array(0) })).toThrow('cannot write a PNG of 0×2 pixels');
    expect(() => writePng({ width: 1, height: 1, channels: 2 as 3, data: new Uint8Array(2) })).toThrow('cannot write a PNG with 2 channels');
  });
});
