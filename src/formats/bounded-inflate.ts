/**
 * Inflates DEFLATE data (raw, or in its zlib wrapper) without trusting it for its size: the input
 * goes through fflate's streaming inflater in small pieces and the output is counted as it comes,
 * so a small "deflate bomb" is stopped as soon as it passes the limit, never having allocated its
 * full output. Damaged data throws fflate's own error.
 */
import { Inflate, Unzlib } from 'fflate';
import { concatBytes } from './bytes.ts';

/** Compressed bytes per push: DEFLATE expands at most ≈1032×, so one push yields at most ≈0.5 MB. */
const PIECE = 512;

export interface BoundedInflate {
  /** 'deflate': a raw DEFLATE stream; 'zlib': one in its zlib wrapper (PNG text and image data). */
  format: 'deflate' | 'zlib';
  /** The error to throw once the output passes the limit, given how far into the input it got. */
  tooLarge: (consumedBytes: number) => Error;
  /**
   * Write into one buffer of `maxBytes` made up front instead of gathering pieces and joining them:
   * for a caller that knows the exact size (an image's rows), which saves the second copy.
   */
  preallocate?: boolean;
  /** Compressed bytes per push (default 512): larger is faster, and lets fflate make up to ≈1032× that before the check sees it. */
  pieceBytes?: number;
  /** Sees the length of each piece of output as it comes, before the limit is checked (tests measure the work with it). */
  onOutput?: (length: number) => void;
}

/** The inflated bytes, and whether the stream's own end was reached (false: the input is cut short). */
export function inflateWithin(compressed: Uint8Array, maxBytes: number, options: BoundedInflate): { bytes: Uint8Array; complete: boolean } {
  const chunks: Uint8Array[] = [];
  const out = options.preallocate ? new Uint8Array(maxBytes) : undefined;
  let total = 0;
  let consumed = 0;
  let complete = false;
  const take = (chunk: Uint8Array, final: boolean) => {
    options.onOutput?.(chunk.length);
    if (total + chunk.length > maxBytes) throw options.tooLarge(consumed);
    if (out) out.set(chunk, total);
    else chunks.push(chunk);
    total += chunk.length;
    if (final) complete = true;
  };
  const inflater = options.format === 'zlib' ? new Unzlib(take) : new Inflate(take);
  const piece = options.pieceBytes ?? PIECE;
  do {
    const end = Math.min(consumed + piece, compressed.length);
    const part = compressed.subarray(consumed, end);
    consumed = end;
    inflater.push(part, end === compressed.length);
  } while (consumed < compressed.length);
  return { bytes: out ? out.subarray(0, total) : concatBytes(chunks), complete };
}
