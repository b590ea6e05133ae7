/**
 * Declared image sizes are read and checked before anything is decoded: crafted files (a few
 * hundred bytes that declare 20000×20000 pixels, zlib bombs behind small declared sizes) fail fast
 * with a DatasetError naming the file, in the Node decoder, the browser's and the loaders.
 */
import { zlibSync } from 'fflate';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodePng as decodePngInBrowser } from './browser-png.ts';
import { decodeInBrowser } from './browser-codecs.ts';
import { decodeImage, encodeJpeg } from './codecs.ts';
import { loadCrossView } from './crossview.ts';
import { DatasetError } from './errors.ts';
import { MemoryFileSource } from './file-source.ts';
import { greyPng, rgbPng } from './fixtures.test-util.ts';
import { loadGeneric } from './generic.ts';
import { checkImageSize, IMAGE_LIMITS, imageLimitsFor, readImageHeader } from './image-header.ts';

function chunk(type: string, data: Uint8Array): Uint8Array {
  const body = new Uint8Array(4 + data.length);
  body.set([...type].map((c) => c.charCodeAt(0)));
  body.set(data, 4);
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(body, 4);
  view.setUint32(8 + data.length, crc32(body));
  return out;
}

/** A PNG with valid CRCs whose IHDR declares width×height (8-bit grey) and whose IDAT holds `zlib`. */
function craftedPng(width: number, height: number, zlib: Uint8Array, interlaced = false): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 0, 0, 0, interlaced ? 1 : 0], 8);
  const parts = [Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib), chunk('IEND', new Uint8Array())];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

/** SOI, an APP0 segment, fill bytes, then a baseline frame header declaring width×height, then EOI. */
function craftedJpeg(width: number, height: number): Uint8Array {
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
  const sof = [0xff, 0xc0, 0x00, 0x0b, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x01, 0x01, 0x11, 0x00];
  return Uint8Array.from([0xff, 0xd8, ...app0, 0xff, 0xff, ...sof, 0xff, 0xd9]);
}

/** The first 1 KiB of a deflated stream of zeros: what a 20000×20000 bomb starts with. */
const zeros = zlibSync(new Uint8Array(1 << 16), { level: 9 });

function caught(f: () => unknown): DatasetError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return e as DatasetError;
  }
  throw new Error('expected a DatasetError');
}

async function rejected(p: Promise<unknown>): Promise<DatasetError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return e as DatasetError;
  }
  throw new Error('expected a DatasetError');
}

const TOO_LARGE = /^huge\.(png|jpg): the (PNG|JPEG) declares 20000×20000 pixels \(400\.0 megapixels; at least 1\.5 GiB to decode\), more than the 33\.6 megapixels and 16384 pixels a side an image may have here: not decoded; resize it$/;

describe('readImageHeader', () => {
  it('reads format and size of real PNGs and JPEGs', () => {
    expect(readImageHeader(rgbPng(7, 3, () => [1, 2, 3]), 'a.png')).toEqual({ format: 'png', width: 7, height: 3 });
    expect(readImageHeader(encodeJpeg({ width: 9, height: 5, data: new Uint8Array(9 * 5 * 3) }), 'a.jpg')).toEqual({ format: 'jpeg', width: 9, height: 5 });
    expect(readImageHeader(craftedJpeg(640, 480), 'c.jpg')).toEqual({ format: 'jpeg', width: 640, height: 480 });
  });

  it('names the file and the byte of a damaged header', () => {
    expect(caught(() => readImageHeader(rgbPng(2, 2, () => [0, 0, 0]).subarray(0, 20), 'cut.png')).message).toBe('cut.png: cannot decode PNG: the file ends before its IHDR header (truncated?)');
    const noIhdr = craftedPng(2, 2, zeros);
    noIhdr[12] = 0x78; // 'xHDR'
    expect(caught(() => readImageHeader(noIhdr, 'x.png')).message).toBe('x.png: cannot decode PNG: the first chunk at byte 8 is not a 13-byte IHDR header');
    const jpeg = craftedJpeg(4, 4);
    expect(caught(() => readImageHeader(jpeg.subarray(0, 24), 'cut.jpg')).message).toMatch(/^cut\.jpg: cannot decode JPEG: the file ends before its frame header \(SOF\)/);
    expect(caught(() => readImageHeader(Uint8Array.from([0xff, 0xd8, 0xff, 0xda, 0, 2]), 'scan.jpg')).message).toBe('scan.jpg: cannot decode JPEG: no frame header (SOF) before the scan at byte 2');
    expect(caught(() => readImageHeader(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0x12, 0x34]), 'junk.jpg')).message).toBe('junk.jpg: cannot decode JPEG: expected a marker at byte 8, found 12');
    expect(caught(() => readImageHeader(craftedJpeg(4, 0), 'dnl.jpg')).message).toMatch(/leaves the height to a later DNL marker/);
    expect(caught(() => readImageHeader(new TextEncoder().encode('GIF89a'), 'g.png')).message).toMatch(/^g\.png: not a PNG or JPEG image/);
  });
});

describe('declared sizes are checked before decoding', () => {
  const hugePng = craftedPng(20000, 20000, zeros);
  const hugeJpeg = craftedJpeg(20000, 20000);

  it('a PNG or JPEG of a few hundred bytes declaring 20000×20000 fails in the Node decoder, naming the file', () => {
    expect(hugePng.length).toBeLessThan(2000);
    for (const [bytes, file] of [[hugePng, 'huge.png'], [hugeJpeg, 'huge.jpg']] as const) {
      const error = caught(() => decodeImage(bytes, file));
      expect(error.code).toBe('size');
      expect(error.file).toBe(file);
      expect(error.message).toMatch(TOO_LARGE);
    }
  });

  it('the browser decoder checks the header before createImageBitmap or its own PNG decoder', async () => {
    // No createImageBitmap in Node: reaching it would fail differently.
    expect((await rejected(decodeInBrowser(hugePng, 'huge.png'))).message).toMatch(TOO_LARGE);
    expect((await rejected(decodeInBrowser(hugeJpeg, 'huge.jpg'))).message).toMatch(TOO_LARGE);
    expect(caught(() => decodePngInBrowser(hugePng, 'huge.png')).message).toMatch(TOO_LARGE);
  });

  it('a side beyond 16384 fails even with few pixels; an empty size fails', () => {
    expect(caught(() => checkImageSize({ format: 'png', width: 20000, height: 1 }, 'wide.png')).detail).toMatch(/declares 20000×1 pixels/);
    expect(caught(() => checkImageSize({ format: 'jpeg', width: 0, height: 5 }, 'empty.jpg')).message).toBe('empty.jpg: cannot decode JPEG: it declares 0×5 pixels');
    expect(() => checkImageSize({ format: 'png', width: 8192, height: 4096 }, 'ok.png')).not.toThrow();
  });

  it('limits grow for graphs larger than the default, never shrink', () => {
    expect(imageLimitsFor({ width: 512, height: 256 })).toEqual(IMAGE_LIMITS);
    expect(imageLimitsFor({ width: 8192, height: 8192 })).toEqual({ maxPixels: 2 * 8192 * 8192, maxSide: 16384 });
    expect(imageLimitsFor({ width: 2048, height: 2048 }, 6).maxSide).toBe(6 * 2 * 2048);
  });

  it('a zlib bomb behind a small declared size fails once it inflates past what the size needs (browser decoder, and Node for interlaced PNGs)', () => {
    const bomb = zlibSync(new Uint8Array(1 << 20), { level: 9 }); // 1 MiB of zeros in ≈1 KiB
    const small = craftedPng(16, 16, bomb);
    expect(caught(() => decodePngInBrowser(small, 'bomb.png')).message).toBe('bomb.png: cannot decode PNG: its image data inflates to more than the 272 bytes its declared size needs');
    expect(caught(() => decodeImage(small, 'bomb.png')).message).toMatch(/^bomb\.png: cannot decode PNG: /); // pngjs bounds plain PNGs itself
    expect(caught(() => decodeImage(craftedPng(16, 16, bomb, true), 'bomb.png')).message).toMatch(/^bomb\.png: cannot decode PNG: its image data inflates to more than the \d+ bytes 16×16 pixels can need$/);
    // The same decoders still read honest files.
    const honest = craftedPng(2, 2, zlibSync(Uint8Array.from([0, 1, 2, 0, 3, 4])));
    expect(Array.from(decodePngInBrowser(honest, 'ok.png').rgba.filter((_, i) => i % 4 === 0))).toEqual([1, 2, 3, 4]);
    expect(Array.from(decodeImage(honest, 'ok.png').rgba.filter((_, i) => i % 4 === 0))).toEqual([1, 2, 3, 4]);
  });
});

describe('the loaders check headers before decoding any file of a sample', () => {
  const label = greyPng(8, 4, () => 1);
  const image = rgbPng(8, 4, () => [9, 9, 9]);
  const generic = (files: Record<string, Uint8Array>) => loadGeneric(new MemoryFileSource(files, 'data'), { numClasses: 3, size: { width: 8, height: 4 } });

  it('a huge declared image fails naming it, before its label is decoded', async () => {
    const dataset = generic({ 'images/x.png': craftedPng(20000, 20000, zeros), 'labels/x.png': label });
    const error = await rejected(dataset.sample(0));
    expect(error).toMatchObject({ code: 'size', file: 'images/x.png' });
  });

  it("a label map whose header disagrees with its image's size fails as such, even when its data is damaged", async () => {
    const damaged = craftedPng(9, 4, Uint8Array.from([1, 2, 3]));
    const error = await rejected(generic({ 'images/x.png': image, 'labels/x.png': damaged }).sample(0));
    expect(error.message).toBe('labels/x.png: label map is 9×4 but its image images/x.png is 8×4');
  });

  it('a cross-view strip that is not six panels wide fails from its header', async () => {
    const dataset = loadCrossView(new MemoryFileSource({ 'train/a.png': craftedPng(1000, 256, Uint8Array.from([1, 2, 3])) }, 'cv'), { size: { width: 64, height: 64 } });
    const error = await rejected(dataset.sample(0));
    expect(error).toMatchObject({ code: 'size', file: 'train/a.png' });
    expect(error.detail).toMatch(/^is 1000×256, not six panels side by side/);
  });
});
