/**
 * An image file's format and declared size, read from its first bytes (the PNG IHDR chunk, the JPEG
 * frame header) without decoding anything, and the size limit every decoder checks before it
 * allocates. A small file can declare a huge image: 1.5 MB of deflated zeros make a valid PNG of
 * 20000×20000 pixels, 1.6 GB as RGBA before any float raster. So the size is checked first, and
 * decoding starts only for images that fit.
 */
import { DatasetError } from './errors.ts';

export type ImageFormat = 'png' | 'jpeg';

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
}

export interface ImageLimits {
  /** Largest width × height. */
  maxPixels: number;
  /** Largest width or height. */
  maxSide: number;
}

/**
 * 32 megapixels (e.g. 8192×4096) and 16384 pixels a side: Cityscapes images are 2 megapixels.
 * Decoding takes ≈ 30 bytes a pixel at its peak (file samples, RGBA, the float RGB raster), so a
 * 32-megapixel image stays under 1 GiB.
 */
export const IMAGE_LIMITS: Readonly<ImageLimits> = { maxPixels: 2 ** 25, maxSide: 16384 };

/**
 * The limits for a dataset whose samples come out at `size`, read from files of `panels` images
 * side by side (cross-view strips: 6): the default, raised for graphs so large that their own
 * samples (with room for the official 286/256 load size) would not fit it.
 */
export function imageLimitsFor(size: { width: number; height: number }, panels = 1): ImageLimits {
  return {
    maxPixels: Math.max(IMAGE_LIMITS.maxPixels, 2 * panels * size.width * size.height),
    maxSide: Math.max(IMAGE_LIMITS.maxSide, 2 * panels * size.width, 2 * size.height),
  };
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

/** PNG or JPEG by the file's magic bytes (never its name); undefined for anything else. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  const starts = (magic: number[]) => bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
  if (starts(PNG_MAGIC)) return 'png';
  if (starts(JPEG_MAGIC)) return 'jpeg';
  return undefined;
}

/** The DatasetError for bytes that are neither PNG nor JPEG. */
export function notAnImage(bytes: Uint8Array, file: string): DatasetError {
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return new DatasetError('decode', file, `not a PNG or JPEG image (${bytes.length === 0 ? 'empty file' : `starts with ${head}`})`);
}

const u16 = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];
const u32 = (b: Uint8Array, at: number) => b[at] * 2 ** 24 + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);

/** IHDR must be the first chunk: length 13 at byte 8, then 'IHDR', width and height (big-endian). */
function pngHeader(bytes: Uint8Array, file: string): ImageHeader {
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  if (bytes.length < 24 || type !== 'IHDR' || u32(bytes, 8) !== 13) {
    throw new DatasetError('decode', file, `cannot decode PNG: ${bytes.length < 24 ? 'the file ends before its IHDR header (truncated?)' : 'the first chunk at byte 8 is not a 13-byte IHDR header'}`);
  }
  return { format: 'png', width: u32(bytes, 16), height: u32(bytes, 20) };
}

/** Start-of-frame markers (baseline, progressive, lossless, arithmetic): C0–CF but C4, C8, CC. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** Walks the marker segments up to the first frame header, which holds the size. */
function jpegHeader(bytes: Uint8Array, file: string): ImageHeader {
  const fail = (detail: string): never => {
    throw new DatasetError('decode', file, `cannot decode JPEG: ${detail}`);
  };
  let at = 2;
  while (at + 1 < bytes.length) {
    if (bytes[at] !== 0xff) fail(`expected a marker at byte ${at}, found ${bytes[at].toString(16).padStart(2, '0')}`);
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2; // markers without a segment
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) fail(`no frame header (SOF) before the ${marker === 0xda ? 'scan' : 'end of image'} at byte ${at}`);
    if (at + 4 > bytes.length) break;
    const length = u16(bytes, at + 2);
    if (length < 2) fail(`marker segment at byte ${at} has length ${length}`);
    if (isStartOfFrame(marker)) {
      if (length < 8 || at + 9 > bytes.length) break;
      const height = u16(bytes, at + 5);
      if (height === 0) fail(`its frame header at byte ${at} leaves the height to a later DNL marker, which is not supported`);
      return { format: 'jpeg', width: u16(bytes, at + 7), height };
    }
    at += 2 + length;
  }
  return fail('the file ends before its frame header (SOF) (truncated?)');
}

/** Format and declared size of PNG or JPEG bytes; a DatasetError naming `file` for anything else. */
export function readImageHeader(bytes: Uint8Array, file: string): ImageHeader {
  const format = sniffFormat(bytes);
  if (format === 'png') return pngHeader(bytes, file);
  if (format === 'jpeg') return jpegHeader(bytes, file);
  throw notAnImage(bytes, file);
}

function megapixels(pixels: number): string {
  return `${(pixels / 1e6).toFixed(1)} megapixels`;
}

/** Throws a DatasetError naming `file` when the declared size is empty or beyond `limits`. */
export function checkImageSize(header: ImageHeader, file: string, limits: ImageLimits = IMAGE_LIMITS): void {
  const { width, height } = header;
  const kind = header.format === 'png' ? 'PNG' : 'JPEG';
  if (width === 0 || height === 0) throw new DatasetError('decode', file, `cannot decode ${kind}: it declares ${width}×${height} pixels`);
  if (width > limits.maxSide || height > limits.maxSide || width * height > limits.maxPixels) {
    const rgbaBytes = width * height * 4;
    throw new DatasetError(
      'size',
      file,
      `the ${kind} declares ${width}×${height} pixels (${megapixels(width * height)}; at least ${(rgbaBytes / 2 ** 30).toFixed(1)} GiB to decode), ` +
        `more than the ${megapixels(limits.maxPixels)} and ${limits.maxSide} pixels a side an image may have here: not decoded; resize it`,
    );
  }
}

/** readImageHeader, then checkImageSize: what every decoder does before allocating. */
export function inspectImage(bytes: Uint8Array, file: string, limits: ImageLimits = IMAGE_LIMITS): ImageHeader {
  const header = readImageHeader(bytes, file);
  checkImageSize(header, file, limits);
  return header;
}
