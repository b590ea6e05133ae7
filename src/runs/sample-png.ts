/**
 * The one check a sample image's PNG bytes get before anything uses them: a PNG signature and an
 * IHDR header whose declared size is within a bound. Returns the size, or what is wrong (each
 * reader wraps that in its own error, naming the file or field).
 */
import { readImageHeader } from '../runtime/data/image-header.ts';
import { PNG_SIGNATURE } from '../formats/png.ts';

export function samplePngSize(png: Uint8Array, maxSide: number): { width: number; height: number } | { problem: string } {
  if (png.length < PNG_SIGNATURE.length || PNG_SIGNATURE.some((b, i) => png[i] !== b)) return { problem: 'is not a PNG (no PNG signature)' };
  let header;
  try {
    header = readImageHeader(png, '');
  } catch (e) {
    return { problem: `is not a readable PNG: ${(e as { detail?: string }).detail ?? (e as Error).message}` };
  }
  const { width, height } = header;
  if (width < 1 || height < 1 || width > maxSide || height > maxSide) return { problem: `declares ${width}×${height} pixels; 1 to ${maxSide} a side are allowed` };
  return { width, height };
}
