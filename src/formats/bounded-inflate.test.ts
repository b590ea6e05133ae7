import { deflateSync, zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { inflateWithin } from './bounded-inflate.ts';

const text = new TextEncoder().encode('LGGAN '.repeat(5000));
const tooLarge = (consumed: number) => new Error(`too large after ${consumed} bytes`);

describe('inflateWithin', () => {
  for (const options of [{}, { preallocate: true }, { pieceBytes: 1 << 16 }, { preallocate: true, pieceBytes: 7 }]) {
    it(`gives the bytes back whole and complete (${JSON.stringify(options)})`, () => {
      for (const [format, packed] of [['deflate', deflateSync(text)], ['zlib', zlibSync(text)]] as const) {
        const { bytes, complete } = inflateWithin(packed, text.length, { format, tooLarge, ...options });
        expect(complete).toBe(true);
        expect(bytes).toEqual(text);
      }
    });

    it(`stops a stream that passes the limit, and a cut one with fflate's error (${JSON.stringify(options)})`, () => {
      expect(() => inflateWithin(zlibSync(text), text.length - 1, { format: 'zlib', tooLarge, ...options })).toThrow(/^too large after \d+ bytes$/);
      const packed = zlibSync(text);
      expect(() => inflateWithin(packed.subarray(0, packed.length >> 1), text.length, { format: 'zlib', tooLarge, ...options })).toThrow(/unexpected EOF|invalid/);
    });
  }

  it('stops a small bomb long before its full size, having read only part of it', () => {
    const bomb = zlibSync(new Uint8Array(50_000_000));
    let consumed = -1;
    expect(() =>
      inflateWithin(bomb, 1_000_000, {
        format: 'zlib',
        preallocate: true,
        tooLarge: (at) => {
          consumed = at;
          return new Error('bomb');
        },
      }),
    ).toThrow('bomb');
    expect(consumed).toBeLessThan(bomb.length);
  });
});
