import { describe, expect, it } from 'vitest';
import { decodeIds, decodeImage, decodeRgb, encodeJpeg, encodePng, sniffFormat } from './codecs.ts';
import { DatasetError } from './errors.ts';
import { greyPng, rgbJpeg, rgbPng } from './fixtures.test-util.ts';

function caught(fn: () => unknown): DatasetError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return e as DatasetError;
  }
  throw new Error('expected a DatasetError');
}

describe('codecs', () => {
  it('reads 8-bit grey ids and 16-bit grey instance ids exactly', () => {
    const ids8 = decodeIds(greyPng(3, 2, (x, y) => [7, 26, 255][x] + y * 0), 'a.png');
    expect([ids8.width, ids8.height, ids8.channels]).toEqual([3, 2, 1]);
    expect(Array.from(ids8.data)).toEqual([7, 26, 255, 7, 26, 255]);
    const png16 = greyPng(2, 2, (x, y) => [26000, 26001, 7, 65535][y * 2 + x], true);
    expect(decodeImage(png16, 'i.png')).toMatchObject({ format: 'png', bitDepth: 16, channels: 1 });
    expect(Array.from(decodeIds(png16, 'i.png').data)).toEqual([26000, 26001, 7, 65535]);
  });

  it('reads RGB and RGBA PNGs (alpha dropped) and grey as replicated RGB', () => {
    expect(Array.from(decodeRgb(rgbPng(1, 1, () => [10, 20, 30]), 'c.png').data)).toEqual([10, 20, 30]);
    const rgba = encodePng({ width: 1, height: 1, channels: 4, data: new Uint8Array([1, 2, 3, 0]) });
    expect(Array.from(decodeRgb(rgba, 'c.png').data)).toEqual([1, 2, 3]);
    expect(Array.from(decodeRgb(greyPng(1, 1, () => 99), 'g.png').data)).toEqual([99, 99, 99]);
    // 16-bit grey as an image scales to 0..255.
    expect(decodeRgb(greyPng(1, 1, () => 65535, true), 'g16.png').data[0]).toBeCloseTo(255, 5);
    // A colour PNG that is grey everywhere is a valid label map.
    expect(Array.from(decodeIds(rgbPng(2, 1, (x) => [x, x, x]), 'l.png').data)).toEqual([0, 1]);
  });

  it('reads JPEGs (lossy, close to the source)', () => {
    const jpg = rgbJpeg(16, 16, () => [200, 100, 50]);
    expect(sniffFormat(jpg)).toBe('jpeg');
    const rgb = decodeRgb(jpg, 'p.jpg');
    expect([rgb.width, rgb.height]).toEqual([16, 16]);
    expect(Math.abs(rgb.data[0] - 200)).toBeLessThan(6);
    expect(Math.abs(rgb.data[1] - 100)).toBeLessThan(6);
    expect(encodeJpeg({ width: 1, height: 1, data: new Uint8Array([1, 2, 3]) }).length).toBeGreaterThan(100);
  });

  it('names the file and the reason for corrupt or unknown data', () => {
    const png = rgbPng(8, 8, () => [1, 2, 3]);
    const truncated = caught(() => decodeImage(png.subarray(0, 40), 'leftImg8bit/x.png'));
    expect(truncated.code).toBe('decode');
    expect(truncated.file).toBe('leftImg8bit/x.png');
    expect(truncated.message).toMatch(/^leftImg8bit\/x\.png: cannot decode PNG: \S/);
    const badCrc = png.slice();
    badCrc[40] ^= 0xff;
    expect(caught(() => decodeImage(badCrc, 'crc.png')).message).toMatch(/crc\.png: cannot decode PNG/);
    const jpg = rgbJpeg(8, 8, () => [1, 2, 3]);
    expect(caught(() => decodeImage(jpg.subarray(0, 30), 'b.jpg')).message).toMatch(/b\.jpg: cannot decode JPEG: \S/);
    expect(caught(() => decodeImage(new TextEncoder().encode('hello'), 'notes.png')).message).toMatch(/notes\.png: not a PNG or JPEG image \(starts with 68 65 6c 6c\)/);
    expect(caught(() => decodeImage(new Uint8Array(0), 'empty.png')).message).toMatch(/empty file/);
  });

  it('refuses colour and JPEG label maps', () => {
    expect(caught(() => decodeIds(rgbPng(2, 1, (x) => [x, 0, 0]), 'lab.png')).message).toMatch(/lab\.png: colour label map \(pixel 1,0 is not grey\)/);
    expect(caught(() => decodeIds(rgbJpeg(8, 8, () => [5, 5, 5]), 'lab.jpg')).message).toMatch(/lab\.jpg: label maps must be PNG/);
  });
});
