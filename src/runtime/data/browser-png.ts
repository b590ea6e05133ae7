/**
 * PNG structure without a DOM: the IHDR header and chunk list (to tell what createImageBitmap
 * cannot: bit depth, colour type, palette, transparency), and a complete decoder for
 * non-interlaced PNGs over fflate's zlib inflate, for the files a canvas would spoil: 16-bit
 * samples (Cityscapes instance ids up to 65535; a canvas keeps 8 bits) and transparent pixels (a
 * canvas stores premultiplied alpha, so their colours would round).
 *
 * Output follows codecs.ts (pngjs with skipRescale): RGBA at the file's depth, low depths unscaled,
 * palette PNGs as their 8-bit colours.
 */
import { inflateWithin } from '../../formats/bounded-inflate.ts';
import { concatBytes } from '../../formats/bytes.ts';
import { DatasetError } from './errors.ts';
import type { DecodedImage } from './image-decoder.ts';
import { checkImageSize, IMAGE_LIMITS, type ImageLimits } from './image-header.ts';

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA. */
  colorType: number;
  interlaced: boolean;
  /** A tRNS chunk: palette or colour-key transparency. */
  transparency: boolean;
}

/** Samples per pixel in the file, by colour type. */
const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Channels as DecodedImage reports them (palette: its colours, RGB or RGBA with tRNS). */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };
const DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

interface Chunk {
  type: string;
  data: Uint8Array;
}

function chunks(bytes: Uint8Array, file: string): Chunk[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Chunk[] = [];
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (at + 12 + length > bytes.length) throw new DatasetError('decode', file, `cannot decode PNG: chunk ${type} at byte ${at} runs past the end of the file (truncated?)`);
    out.push({ type, data: bytes.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
    if (type === 'IEND') return out;
  }
  throw new DatasetError('decode', file, 'cannot decode PNG: no IEND chunk (truncated file?)');
}

function headerOf(list: Chunk[], file: string): PngHeader {
  const ihdr = list[0];
  if (!ihdr || ihdr.type !== 'IHDR' || ihdr.data.length < 13) throw new DatasetError('decode', file, 'cannot decode PNG: the first chunk is not IHDR');
  const v = new DataView(ihdr.data.buffer, ihdr.data.byteOffset, 13);
  const header: PngHeader = {
    width: v.getUint32(0),
    height: v.getUint32(4),
    bitDepth: v.getUint8(8),
    colorType: v.getUint8(9),
    interlaced: v.getUint8(12) === 1,
    transparency: list.some((c) => c.type === 'tRNS'),
  };
  if (!DEPTHS[header.colorType]?.includes(header.bitDepth)) {
    throw new DatasetError('decode', file, `cannot decode PNG: colour type ${header.colorType} with bit depth ${header.bitDepth} is not valid PNG`);
  }
  if (header.width === 0 || header.height === 0) throw new DatasetError('decode', file, `cannot decode PNG: it is ${header.width}×${header.height}`);
  return header;
}

/** The IHDR facts of PNG bytes (walks the chunks, so a truncated file fails here). */
export function readPngHeader(bytes: Uint8Array, file: string): PngHeader {
  return headerOf(chunks(bytes, file), file);
}

/** Whether the PNG needs decodePng rather than a canvas to come out exact. */
export function needsOwnDecoder(h: PngHeader): boolean {
  return h.bitDepth === 16 || h.colorType === 4 || h.colorType === 6 || h.transparency;
}

/** DecodedImage fields that follow from the header. */
export function pngDescription(h: PngHeader): Pick<DecodedImage, 'format' | 'width' | 'height' | 'channels' | 'bitDepth' | 'palette'> {
  const palette = h.colorType === 3;
  return { format: 'png', width: h.width, height: h.height, channels: palette && h.transparency ? 4 : CHANNELS[h.colorType], bitDepth: palette ? 8 : h.bitDepth, palette };
}

/**
 * Canvas RGBA bytes (8-bit, what getImageData gives) → the values pngjs reports: grey PNGs of 1, 2
 * or 4 bits come back unscaled (a canvas spreads them over 0…255: 1-bit 0/255, 4-bit multiples of 17).
 */
export function canvasToFileDepth(h: PngHeader, rgba: Uint8Array | Uint8ClampedArray): Uint8Array {
  const out = new Uint8Array(rgba.buffer.slice(rgba.byteOffset, rgba.byteOffset + rgba.byteLength));
  if (h.colorType === 0 && h.bitDepth < 8) {
    const step = 255 / (2 ** h.bitDepth - 1);
    for (let i = 0; i < out.length; i++) if (i % 4 !== 3) out[i] = Math.round(out[i] / step);
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Undoes the per-row filters in place; returns the raw rows (without filter bytes). */
function unfilter(data: Uint8Array, h: PngHeader, file: string): Uint8Array {
  const bitsPerPixel = SAMPLES[h.colorType] * h.bitDepth;
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const stride = Math.ceil((h.width * bitsPerPixel) / 8);
  if (data.length < h.height * (stride + 1)) throw new DatasetError('decode', file, `cannot decode PNG: image data too short (${data.length} bytes for ${h.height} rows of ${stride + 1})`);
  const out = new Uint8Array(h.height * stride);
  for (let y = 0; y < h.height; y++) {
    const filter = data[y * (stride + 1)];
    const row = data.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const at = y * stride;
    for (let x = 0; x < stride; x++) {
      const left = x >= bpp ? out[at + x - bpp] : 0;
      const up = y > 0 ? out[at - stride + x] : 0;
      const upLeft = y > 0 && x >= bpp ? out[at - stride + x - bpp] : 0;
      let v = row[x];
      if (filter === 1) v += left;
      else if (filter === 2) v += up;
      else if (filter === 3) v += (left + up) >> 1;
      else if (filter === 4) v += paeth(left, up, upLeft);
      else if (filter !== 0) throw new DatasetError('decode', file, `cannot decode PNG: unknown filter type ${filter} on row ${y}`);
      out[at + x] = v & 0xff;
    }
  }
  return out;
}

/** Compressed bytes fed to the inflater at a time: 64 KiB inflate to at most ≈66 MB (deflate's 1032:1) before the size check sees them. */
const INFLATE_STEP = 1 << 16;

/**
 * Inflates the zlib stream of the IDAT chunks, failing as soon as it yields more than `expected`
 * bytes: the declared size bounds the memory even when the data is a zlib bomb.
 */
function inflateBounded(idat: Uint8Array[], expected: number, file: string): Uint8Array {
  const data = concatBytes(idat);
  let result: { bytes: Uint8Array; complete: boolean };
  try {
    result = inflateWithin(data, expected, {
      format: 'zlib',
      preallocate: true,
      pieceBytes: INFLATE_STEP,
      tooLarge: () => new DatasetError('decode', file, `cannot decode PNG: its image data inflates to more than the ${expected} bytes its declared size needs`),
    });
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    throw new DatasetError('decode', file, `cannot decode PNG: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!result.complete) throw new DatasetError('decode', file, 'cannot decode PNG: its image data ends early (truncated?)');
  return result.bytes;
}

/**
 * Decodes a non-interlaced PNG of any colour type and depth, exactly, once its declared size is
 * within `limits`.
 */
export function decodePng(bytes: Uint8Array, file: string, limits: ImageLimits = IMAGE_LIMITS): DecodedImage {
  const list = chunks(bytes, file);
  const h = headerOf(list, file);
  checkImageSize({ format: 'png', width: h.width, height: h.height }, file, limits);
  if (h.interlaced) throw new DatasetError('decode', file, 'cannot decode an interlaced (Adam7) PNG of 16 bits or with transparency in the browser: save it without interlacing');
  const idat = list.filter((c) => c.type === 'IDAT').map((c) => c.data);
  if (idat.length === 0) throw new DatasetError('decode', file, 'cannot decode PNG: no IDAT chunk');
  const stride = Math.ceil((h.width * SAMPLES[h.colorType] * h.bitDepth) / 8);
  const inflated = inflateBounded(idat, h.height * (stride + 1), file);
  const raw = unfilter(inflated, h, file);
  const samples = SAMPLES[h.colorType];
  const n = h.width * h.height;
  const rgba = h.bitDepth === 16 ? new Uint16Array(n * 4) : new Uint8Array(n * 4);
  const sample = (y: number, i: number): number => {
    const at = y * stride;
    if (h.bitDepth === 16) return (raw[at + 2 * i] << 8) | raw[at + 2 * i + 1];
    if (h.bitDepth === 8) return raw[at + i];
    const bit = i * h.bitDepth;
    return (raw[at + (bit >> 3)] >> (8 - h.bitDepth - (bit & 7))) & ((1 << h.bitDepth) - 1);
  };
  const max = 2 ** (h.colorType === 3 ? 8 : h.bitDepth) - 1;
  const trns = list.find((c) => c.type === 'tRNS')?.data;
  const plte = list.find((c) => c.type === 'PLTE')?.data;
  if (h.colorType === 3 && !plte) throw new DatasetError('decode', file, 'cannot decode PNG: palette image without a PLTE chunk');
  // Colour-key transparency (tRNS on grey / RGB): 16-bit big-endian sample values.
  const key = trns && (h.colorType === 0 || h.colorType === 2) ? Array.from({ length: trns.length >> 1 }, (_, k) => (trns[2 * k] << 8) | trns[2 * k + 1]) : undefined;
  for (let y = 0; y < h.height; y++) {
    for (let x = 0; x < h.width; x++) {
      const p = (y * h.width + x) * 4;
      const i = x * samples;
      let r: number, g: number, b: number, a = max;
      if (h.colorType === 3) {
        const index = sample(y, i);
        r = plte![index * 3];
        g = plte![index * 3 + 1];
        b = plte![index * 3 + 2];
        if (trns && index < trns.length) a = trns[index];
      } else if (h.colorType === 0 || h.colorType === 4) {
        r = g = b = sample(y, i);
        if (h.colorType === 4) a = sample(y, i + 1);
        else if (key && r === key[0]) a = 0;
      } else {
        r = sample(y, i);
        g = sample(y, i + 1);
        b = sample(y, i + 2);
        if (h.colorType === 6) a = sample(y, i + 3);
        else if (key && r === key[0] && g === key[1] && b === key[2]) a = 0;
      }
      rgba[p] = r;
      rgba[p + 1] = g;
      rgba[p + 2] = b;
      rgba[p + 3] = a;
    }
  }
  return { ...pngDescription(h), rgba };
}
