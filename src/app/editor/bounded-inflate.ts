/**
 * A share link's raw DEFLATE data inflated within a byte limit (formats/bounded-inflate.ts), with
 * the limit said in the units people read.
 */
import { formatBytes } from '../../compiler/byte-size.ts';
import { inflateWithin } from '../../formats/bounded-inflate.ts';

export class InflateLimitError extends Error {}

/** The inflated bytes, or an InflateLimitError once they would pass `maxBytes`; damaged data throws fflate's error. */
export function inflateBounded(compressed: Uint8Array, maxBytes: number): Uint8Array {
  return inflateWithin(compressed, maxBytes, {
    format: 'deflate',
    tooLarge: (consumed) => new InflateLimitError(`it inflates to more than ${formatBytes(maxBytes, { dropZeroDecimal: true })} (stopped at compressed byte ${consumed})`),
  }).bytes;
}
