/**
 * Deflate decoding for zip records, bounded by the size the record declares: the output buffer is
 * that size, allocated only after the caller has checked it, and decoding stops as soon as the
 * stream produces more (formats/bounded-inflate.ts). The input goes to fflate's streaming inflater in small pieces, so one
 * step never yields more than INPUT_CHUNK × MAX_DEFLATE_RATIO bytes (a zip bomb declaring 1 KB
 * is stopped after a few MB of work, not after the gigabytes it would inflate to).
 */
import { inflateWithin } from '../../formats/bounded-inflate.ts';

/** Deflate cannot do better than 258 bytes per ~2 bits of input: zlib's stated maximum, 1032:1. */
export const MAX_DEFLATE_RATIO = 1032;
/** Compressed bytes handed to the inflater per step. */
export const INPUT_CHUNK = 4096;

/** The most bytes `compressedLength` bytes of deflate data can decode to. */
export function maxInflatedSize(compressedLength: number): number {
  return compressedLength * MAX_DEFLATE_RATIO + 1024;
}

class Overflow extends Error {}

/**
 * Inflates `compressed` into exactly `size` bytes. `fail` turns a problem into the caller's error
 * (with its record and byte); `onChunk` sees each piece of output (tests measure the work with it).
 */
export function inflateExactly(compressed: Uint8Array, size: number, fail: (message: string) => never, onChunk?: (length: number) => void): Uint8Array {
  let bytes: Uint8Array;
  try {
    ({ bytes } = inflateWithin(compressed, size, { format: 'deflate', preallocate: true, pieceBytes: INPUT_CHUNK, onOutput: onChunk, tooLarge: () => new Overflow() }));
  } catch (e) {
    if (e instanceof Overflow) fail(`inflates to more than the ${size} bytes it declares (stopped there): corrupt or a zip bomb`);
    fail(`does not inflate: ${(e as Error).message}`);
  }
  if (bytes.length !== size) fail(`inflates to ${bytes.length} bytes, the directory says ${size}: corrupt`);
  return bytes;
}
