/**
 * Inflates raw DEFLATE data without trusting it for its size: the input goes through fflate's
 * streaming inflater in small pieces and the output is counted as it comes, so a small "deflate
 * bomb" is stopped as soon as it passes the limit, never having allocated its full output.
 */
import { Inflate } from 'fflate';
import { formatBytes } from '../../compiler/byte-size.ts';

/** Compressed bytes per push: DEFLATE expands at most ≈1032×, so one push yields at most ≈0.5 MB. */
const PIECE = 512;

export class InflateLimitError extends Error {}

/** The inflated bytes, or an InflateLimitError once they would pass `maxBytes`; damaged data throws fflate's error. */
export function inflateBounded(compressed: Uint8Array, maxBytes: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (total > maxBytes) throw new InflateLimitError(`it inflates to more than ${formatBytes(maxBytes, { dropZeroDecimal: true })} (stopped at compressed byte ${consumed})`);
    chunks.push(chunk);
  });
  let consumed = 0;
  do {
    const end = Math.min(consumed + PIECE, compressed.length);
    const piece = compressed.subarray(consumed, end);
    consumed = end;
    inflater.push(piece, end === compressed.length);
  } while (consumed < compressed.length);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
