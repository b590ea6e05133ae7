/**
 * The browser's image decoder, behind codecs.ts's API (ImageDecoder → DecodedImage), for pages and
 * Web Workers: createImageBitmap + OffscreenCanvas. PNGs are decoded with colour management off
 * (`colorSpaceConversion: 'none'`, `premultiplyAlpha: 'none'`), so the 8-bit values of a label map
 * come out exactly as stored; the PNGs a canvas cannot keep exact (16-bit, transparent) go through
 * browser-png.ts's own decoder. JPEGs are decoded by the browser (they are lossy anyway; values can
 * differ from jpeg-js by the IDCT's rounding).
 */
import { DatasetError } from './errors.ts';
import type { DecodedImage, ImageDecoder } from './image-decoder.ts';
import { IMAGE_LIMITS, inspectImage, type ImageLimits } from './image-header.ts';
import { canvasToFileDepth, decodePng, needsOwnDecoder, pngDescription, readPngHeader } from './browser-png.ts';

/** Whether this global scope can decode with createImageBitmap + OffscreenCanvas. */
export function canDecodeInBrowser(scope: unknown = globalThis): boolean {
  const g = scope as { createImageBitmap?: unknown; OffscreenCanvas?: unknown };
  return typeof g.createImageBitmap === 'function' && typeof g.OffscreenCanvas === 'function';
}

/** RGBA bytes of an encoded image, as the browser decodes it without colour conversion. */
async function rasterize(bytes: Uint8Array, type: string, file: string): Promise<{ width: number; height: number; rgba: Uint8ClampedArray }> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch (e) {
    throw new DatasetError('decode', file, `cannot decode ${type === 'image/png' ? 'PNG' : 'JPEG'}: the browser refused it (${e instanceof Error ? e.message : String(e)})`);
  }
  try {
    const { width, height } = bitmap;
    const context = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    if (!context) throw new DatasetError('decode', file, 'cannot decode: no 2D canvas context in this browser');
    context.drawImage(bitmap, 0, 0);
    return { width, height, rgba: context.getImageData(0, 0, width, height).data };
  } finally {
    bitmap.close();
  }
}

/**
 * Decodes PNG or JPEG bytes in a page or worker. The declared size is read from the file and
 * checked against `limits` first: createImageBitmap would allocate whatever the header says.
 */
export async function decodeInBrowser(bytes: Uint8Array, file: string, limits: ImageLimits = IMAGE_LIMITS): Promise<DecodedImage> {
  const declared = inspectImage(bytes, file, limits);
  if (declared.format === 'png') {
    const header = readPngHeader(bytes, file);
    if (needsOwnDecoder(header)) return decodePng(bytes, file, limits);
    const { rgba } = await rasterize(bytes, 'image/png', file);
    return { ...pngDescription(header), rgba: canvasToFileDepth(header, rgba) };
  }
  const { width, height, rgba } = await rasterize(bytes, 'image/jpeg', file);
  return { format: 'jpeg', width, height, channels: 3, bitDepth: 8, palette: false, rgba: new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.byteLength) };
}

export const browserImageDecoder: ImageDecoder = { name: 'browser', decode: decodeInBrowser };
