/**
 * The platform-neutral half of image decoding: what a decoded file looks like (DecodedImage), the
 * format sniffing, the conversions to rasters, and which decoder the dataset loaders use.
 *
 * Two decoders implement ImageDecoder: codecs.ts (pngjs + jpeg-js, Node: they need Buffer and
 * zlib) and browser-codecs.ts (createImageBitmap + OffscreenCanvas, pages and workers); both read
 * the declared size first (image-header.ts) and refuse an image beyond the limits before decoding
 * it. The loaders
 * (paired.ts, crossview.ts) import only this module, so a browser bundle that loads datasets never
 * pulls pngjs in. Importing codecs.ts installs the Node decoder as the default; a browser entry
 * point calls setImageDecoder(browserImageDecoder) (browser-dataset.ts does).
 */
import { DatasetError } from './errors.ts';
import type { ImageFormat, ImageLimits } from './image-header.ts';
import type { IdRaster, ImageRaster } from './raster.ts';

export { notAnImage, sniffFormat, type ImageFormat } from './image-header.ts';

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

export interface ImageDecoder {
  /** For messages: 'pngjs' or 'browser'. */
  readonly name: string;
  /**
   * Decodes PNG or JPEG bytes; every failure is a DatasetError naming `file`. The declared size is
   * checked against `limits` (default IMAGE_LIMITS) before anything is allocated for the pixels.
   */
  decode(bytes: Uint8Array, file: string, limits?: ImageLimits): DecodedImage | Promise<DecodedImage>;
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

let installed: ImageDecoder | undefined;

/** Makes `decoder` the one the dataset loaders use (undefined: none, until a default is installed). */
export function setImageDecoder(decoder: ImageDecoder | undefined): void {
  installed = decoder;
}

/** Installs `decoder` unless one is installed already (how codecs.ts offers the Node decoder). */
export function installDefaultImageDecoder(decoder: ImageDecoder): void {
  installed ??= decoder;
}

export function currentImageDecoder(): ImageDecoder {
  if (!installed) {
    throw new Error(
      'no image decoder is installed: in Node import runtime/data/codecs.ts (or runtime/data/index.ts); in a browser call setImageDecoder(browserImageDecoder) from runtime/data/browser-codecs.ts',
    );
  }
  return installed;
}

/** Decodes with the installed decoder and converts to an RGB raster (0..255). */
export async function readRgb(bytes: Uint8Array, file: string, limits?: ImageLimits): Promise<ImageRaster> {
  return toRgbImage(await currentImageDecoder().decode(bytes, file, limits));
}

/** Decodes with the installed decoder and reads the ids of a grey PNG label / instance map. */
export async function readIds(bytes: Uint8Array, file: string, limits?: ImageLimits): Promise<IdRaster> {
  return toIdMap(await currentImageDecoder().decode(bytes, file, limits), file);
}
