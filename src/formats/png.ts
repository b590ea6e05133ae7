/**
 * A small PNG writer for 8-bit grey, RGB and RGBA pixels that runs anywhere (page, worker, Node):
 * no Buffer, no node:zlib. Rows use the Sub filter (each byte minus the one a pixel to its left),
 * which shrinks smooth images well; fflate's zlibSync compresses them into one IDAT chunk.
 * (src/runtime/data/codecs.ts encodes through pngjs, Node only, and also writes 16-bit PNGs.)
 */
import { zlibSync } from 'fflate';
import { crc32 } from './crc32.ts';
import { concatBytes } from './bytes.ts';

export const PNG_SIGNATURE: readonly number[] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export interface Pixels8 {
  width: number;
  height: number;
  /** 1 (grey), 3 (RGB) or 4 (RGBA), interleaved. */
  channels: 1 | 3 | 4;
  /** width × height × channels bytes, row by row. */
  data: Uint8Array | Uint8ClampedArray;
}

const COLOR_TYPE = { 1: 0, 3: 2, 4: 6 } as const;

/** One PNG chunk: length, type, data and the CRC of type and data. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  // The CRC covers the chunk type and its data.
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** The PNG file of the pixels (8 bits a sample, not interlaced). */
export function writePng(pixels: Pixels8): Uint8Array {
  const { width, height, channels, data } = pixels;
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 1 || height < 1 || width > 2 ** 31 - 1 || height > 2 ** 31 - 1) {
    throw new RangeError(`cannot write a PNG of ${width}×${height} pixels`);
  }
  const colorType = COLOR_TYPE[channels];
  if (colorType === undefined) throw new RangeError(`cannot write a PNG with ${channels} channels`);
  const rowBytes = width * channels;
  if (data.length !== rowBytes * height) throw new RangeError(`expected ${rowBytes * height} bytes for ${width}×${height}×${channels}, got ${data.length}`);

  const filtered = new Uint8Array((rowBytes + 1) * height);
  for (let y = 0; y < height; y++) {
    const at = y * (rowBytes + 1);
    const row = y * rowBytes;
    filtered[at] = 1; // Sub
    for (let x = 0; x < rowBytes; x++) filtered[at + 1 + x] = (data[row + x] - (x >= channels ? data[row + x - channels] : 0)) & 0xff;
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, colorType, 0, 0, 0], 8); // bit depth, colour type, deflate, adaptive filtering, no interlace
  const parts = [Uint8Array.from(PNG_SIGNATURE), pngChunk('IHDR', header), pngChunk('IDAT', zlibSync(filtered, { level: 6 })), pngChunk('IEND', new Uint8Array(0))];
  return concatBytes(parts);
}
