/**
 * Inflates DEFLATE data (raw, or in its zlib wrapper) without trusting it for its size: the input
 * goes through fflate's streaming inflater in small pieces and the output is counted as it comes,
 * so a small "deflate bomb" is stopped as soon as it passes the limit, never having allocated its
 * full output. Damaged data throws fflate's own error.
 */
import { Inflate, Unzlib } from 'fflate';

/** Compressed bytes per push: DEFLATE expands at most ≈1032×, so one push yields at most ≈0.5 MB. */
const PIECE = 512;

export interface BoundedInflate {
  /** 'deflate': a raw DEFLATE stream; 'zlib': one in its zlib wrapper (PNG text and image data). */
  format: 'deflate' | 'zlib';
  /** The error to throw once the output passes the limit, given how far into the input it got. */
  tooLarge: (consumedBytes: number) => Error;
}

/** The inflated bytes, and whether the stream's own end was reached (false: the input is cut short). */
export function inflateWithin(compressed: Uint8Array, maxBytes: number, options: BoundedInflate): { bytes: Uint8Array; complete: boolean } {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let consumed = 0;
  let complete = false;
  const take = (chunk: Uint8Array, final: boolean) => {
    total += chunk.length;
    if (total > maxBytes) throw options.tooLarge(consumed);
    chunks.push(chunk);
    if (final) complete = true;
  };
  const inflater = options.format === 'zlib' ? new Unzlib(take) : new Inflate(take);
  do {
    const end = Math.min(consumed + PIECE, compressed.length);
    const piece = compressed.subarray(consumed, end);
    consumed = end;
    inflater.push(piece, end === compressed.length);
  } while (consumed < compressed.length);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return { bytes, complete };
}
