/**
 * Image decoding and encoding with pure-JS codecs: PNG through pngjs (8-bit grey, grey + alpha,
 * RGB, RGBA and palette; 16-bit grey and colour, kept at full depth so 16-bit instance ids
 * survive) and JPEG through jpeg-js. The format is told by the file's magic bytes, not its name.
 * Every failure is a DatasetError naming the file and the decoder's reason.
 */
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { DatasetError } from './errors.ts';
import type { IdRaster, ImageRaster } from './raster.ts';

export type ImageFormat = 'png' | 'jpeg';

export interface DecodedImage {
  format: ImageFormat;
  width: number;
  height: number;
  /** Channels stored in the file: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA (palette PNGs: 3 or 4). */
  channels: number;
  /** Bits per sample in the file (palette PNGs: 8, the depth of the palette colours). */
  bitDepth: number;
  /** True for palette (indexed) PNGs: `data` then holds the palette colours, not the indices. */
  palette: boolean;
  /** Always RGBA (4 values per pixel), at the file's depth (0..2^bitDepth − 1). */
  rgba: Uint8Array | Uint16Array;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  const starts = (magic: number[]) => bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
  if (starts(PNG_MAGIC)) return 'png';
  if (starts(JPEG_MAGIC)) return 'jpeg';
  return undefined;
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** pngjs colour types → channels in the file. */
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };

function decodePng(bytes: Uint8Array, file: string): DecodedImage {
  let png;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { skipRescale: true });
  } catch (e) {
    throw new DatasetError('decode', file, `cannot decode PNG: ${reason(e)}`);
  }
  const colorType: number = png.colorType; // pngjs's types omit 3 (palette), which it does decode
  const palette = colorType === 3;
  // skipRescale keeps 16-bit samples (a Uint16Array) and 1/2/4-bit ones unscaled; palette PNGs come out as 8-bit colours.
  const bitDepth = palette ? 8 : png.depth;
  const rgba = png.data instanceof Uint16Array ? png.data : new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength);
  const channels = palette && png.alpha ? 4 : PNG_CHANNELS[colorType] ?? 4;
  return { format: 'png', width: png.width, height: png.height, channels, bitDepth, palette, rgba };
}

function decodeJpeg(bytes: Uint8Array, file: string): DecodedImage {
  try {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024, maxResolutionInMP: 200 });
    return { format: 'jpeg', width: img.width, height: img.height, channels: 3, bitDepth: 8, palette: false, rgba: img.data };
  } catch (e) {
    throw new DatasetError('decode', file, `cannot decode JPEG: ${reason(e)}`);
  }
}

export function decodeImage(bytes: Uint8Array, file: string): DecodedImage {
  const format = sniffFormat(bytes);
  if (format === 'png') return decodePng(bytes, file);
  if (format === 'jpeg') return decodeJpeg(bytes, file);
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new DatasetError('decode', file, `not a PNG or JPEG image (${bytes.length === 0 ? 'empty file' : `starts with ${head}`})`);
}

/** An RGB image with values 0..255 (grey is replicated, alpha dropped, 16-bit and low-bit depths scaled). */
export function toRgbImage(img: DecodedImage): ImageRaster {
  const n = img.width * img.height;
  const scale = 255 / (2 ** img.bitDepth - 1);
  const data = new Float32Array(n * 3);
  for (let p = 0; p < n; p++) {
    data[p * 3] = img.rgba[p * 4] * scale;
    data[p * 3 + 1] = img.rgba[p * 4 + 1] * scale;
    data[p * 3 + 2] = img.rgba[p * 4 + 2] * scale;
  }
  return { width: img.width, height: img.height, channels: 3, data };
}

/**
 * Integer ids from a grey PNG (8- or 16-bit, alpha ignored). Colour PNGs are accepted only when
 * every pixel is grey (R = G = B); palette PNGs and JPEGs (lossy) are refused.
 */
export function toIdMap(img: DecodedImage, file: string): IdRaster {
  if (img.format !== 'png') throw new DatasetError('decode', file, 'label maps must be PNG: JPEG is lossy and would change the ids');
  if (img.palette) {
    throw new DatasetError('decode', file, 'palette (indexed-colour) PNG: label maps must be grey PNGs whose pixel values are the ids');
  }
  const n = img.width * img.height;
  const data = new Int32Array(n);
  const colour = img.channels >= 3;
  for (let p = 0; p < n; p++) {
    const v = img.rgba[p * 4];
    if (colour && (img.rgba[p * 4 + 1] !== v || img.rgba[p * 4 + 2] !== v)) {
      const x = p % img.width;
      const y = Math.floor(p / img.width);
      throw new DatasetError('decode', file, `colour label map (pixel ${x},${y} is not grey): label maps must be grey PNGs whose pixel values are the ids`);
    }
    data[p] = v;
  }
  return { width: img.width, height: img.height, channels: 1, data };
}

export function decodeRgb(bytes: Uint8Array, file: string): ImageRaster {
  return toRgbImage(decodeImage(bytes, file));
}

export function decodeIds(bytes: Uint8Array, file: string): IdRaster {
  return toIdMap(decodeImage(bytes, file), file);
}

export interface PixelsToEncode {
  width: number;
  height: number;
  /** 1 (grey), 3 (RGB) or 4 (RGBA), interleaved. */
  channels: 1 | 3 | 4;
  /** 0..255 bytes; a Uint16Array (or Int32Array with values < 65536) writes a 16-bit PNG. */
  data: Uint8Array | Uint16Array | Int32Array;
}

const PNG_COLOR_TYPE: Record<number, 0 | 2 | 6> = { 1: 0, 3: 2, 4: 6 };

/** A PNG file of the pixels: 8-bit for bytes, 16-bit for Uint16Array / Int32Array data. */
export function encodePng(pixels: PixelsToEncode): Uint8Array {
  const { width, height, channels, data } = pixels;
  const sixteen = !(data instanceof Uint8Array);
  const colorType = PNG_COLOR_TYPE[channels];
  if (colorType === undefined) throw new RangeError(`cannot write a PNG with ${channels} channels`);
  const n = width * height * channels;
  if (data.length !== n) throw new RangeError(`expected ${n} values for ${width}×${height}×${channels}, got ${data.length}`);
  const png = new PNG({ width, height, colorType, inputColorType: colorType, bitDepth: sixteen ? 16 : 8, inputHasAlpha: channels === 4 });
  if (sixteen) {
    const samples = new Uint16Array(n);
    for (let i = 0; i < n; i++) samples[i] = data[i];
    png.data = Buffer.from(samples.buffer);
  } else {
    png.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }
  const out = PNG.sync.write(png, { colorType, inputColorType: colorType, bitDepth: sixteen ? 16 : 8, inputHasAlpha: channels === 4 });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** A baseline JPEG of RGB bytes (quality 1..100). */
export function encodeJpeg(pixels: { width: number; height: number; data: Uint8Array }, quality = 90): Uint8Array {
  const { width, height, data } = pixels;
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    rgba[p * 4] = data[p * 3];
    rgba[p * 4 + 1] = data[p * 3 + 1];
    rgba[p * 4 + 2] = data[p * 3 + 2];
    rgba[p * 4 + 3] = 255;
  }
  const out = jpeg.encode({ width, height, data: rgba }, quality).data;
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
