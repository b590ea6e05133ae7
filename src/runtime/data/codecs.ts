/**
 * Image decoding and encoding with pure-JS codecs: PNG through pngjs (8-bit grey, grey + alpha,
 * RGB, RGBA and palette; 16-bit grey and colour, kept at full depth so 16-bit instance ids
 * survive) and JPEG through jpeg-js. The format is told by the file's magic bytes, not its name.
 * Every failure is a DatasetError naming the file and the decoder's reason. The declared size is
 * read and checked (image-header.ts) before either codec allocates anything.
 *
 * Node only (pngjs and jpeg-js need Buffer and zlib). The format-neutral parts live in
 * image-decoder.ts and are re-exported here; importing this module installs `nodeImageDecoder` as
 * the dataset loaders' decoder (browser-codecs.ts is the browser's).
 */
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { inflateSync } from 'node:zlib';
import { DatasetError } from './errors.ts';
import { installDefaultImageDecoder, toIdMap, toRgbImage, type DecodedImage, type ImageDecoder } from './image-decoder.ts';
import { IMAGE_LIMITS, inspectImage, type ImageHeader, type ImageLimits } from './image-header.ts';
import type { IdRaster, ImageRaster } from './raster.ts';

export { sniffFormat, toIdMap, toRgbImage, type DecodedImage, type ImageFormat } from './image-decoder.ts';
export { IMAGE_LIMITS, imageLimitsFor, inspectImage, readImageHeader, type ImageHeader, type ImageLimits } from './image-header.ts';

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** pngjs colour types → channels in the file. */
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };

/** Samples per pixel by PNG colour type. */
const PNG_SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * pngjs bounds the inflated data by the declared size for plain PNGs, but inflates interlaced ones
 * without a bound (a zlib bomb behind a small declared size): inflate those here first, bounded by
 * twice what the plain layout needs plus 8 bytes a row (Adam7's passes add a filter byte and a
 * partly used byte per pass row, far less than that).
 */
function checkInterlacedData(bytes: Uint8Array, header: ImageHeader, file: string): void {
  if (bytes[28] !== 1) return;
  const bitsPerPixel = (PNG_SAMPLES[bytes[25]] ?? 4) * (bytes[24] || 16);
  const bound = 2 * header.height * (Math.ceil((header.width * bitsPerPixel) / 8) + 8) + 64;
  const idat: Uint8Array[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 8; at + 12 <= bytes.length; ) {
    const length = view.getUint32(at);
    if (String.fromCharCode(...bytes.subarray(at + 4, at + 8)) === 'IDAT') idat.push(bytes.subarray(at + 8, Math.min(bytes.length, at + 8 + length)));
    at += 12 + length;
  }
  try {
    inflateSync(Buffer.concat(idat), { maxOutputLength: bound });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new DatasetError('decode', file, `cannot decode PNG: its image data inflates to more than the ${bound} bytes ${header.width}×${header.height} pixels can need`);
    // Other zlib errors: pngjs reports them with its own words.
  }
}

function decodePng(bytes: Uint8Array, file: string, header: ImageHeader): DecodedImage {
  checkInterlacedData(bytes, header, file);
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

function decodeJpeg(bytes: Uint8Array, file: string, header: ImageHeader, limits: ImageLimits): DecodedImage {
  let img;
  try {
    // jpeg-js's own limits as a second fence (the header was checked against `limits` already).
    img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024, maxResolutionInMP: Math.ceil(limits.maxPixels / 1e6) });
  } catch (e) {
    throw new DatasetError('decode', file, `cannot decode JPEG: ${reason(e)}`);
  }
  if (img.width !== header.width || img.height !== header.height) {
    throw new DatasetError('decode', file, `cannot decode JPEG: its frame header says ${header.width}×${header.height} but it decodes to ${img.width}×${img.height}`);
  }
  return { format: 'jpeg', width: img.width, height: img.height, channels: 3, bitDepth: 8, palette: false, rgba: img.data };
}

/** Decodes PNG or JPEG bytes once their declared size is within `limits`. */
export function decodeImage(bytes: Uint8Array, file: string, limits: ImageLimits = IMAGE_LIMITS): DecodedImage {
  const header = inspectImage(bytes, file, limits);
  return header.format === 'png' ? decodePng(bytes, file, header) : decodeJpeg(bytes, file, header, limits);
}

/** The pure-JS decoder, as the dataset loaders take it; the default once this module is loaded. */
export const nodeImageDecoder: ImageDecoder = { name: 'pngjs', decode: decodeImage };
installDefaultImageDecoder(nodeImageDecoder);

export function decodeRgb(bytes: Uint8Array, file: string, limits?: ImageLimits): ImageRaster {
  return toRgbImage(decodeImage(bytes, file, limits));
}

export function decodeIds(bytes: Uint8Array, file: string, limits?: ImageLimits): IdRaster {
  return toIdMap(decodeImage(bytes, file, limits), file);
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
