import { describe, expect, it } from 'vitest';
import { crc32 } from '../../formats/crc32.ts';
import { permute, permuteGeneric, toTfjsLayout, toTorchLayout } from './layout.ts';

const ramp = (n: number) => Float32Array.from({ length: n }, (_, i) => i);

describe('layout permutations', () => {
  it.each([
    [[5, 3, 2, 4], [2, 3, 1, 0]],
    [[2, 4, 3, 5], [3, 2, 0, 1]],
    [[33, 70, 1, 1], [2, 3, 1, 0]],
    [[3, 3, 40, 37], [3, 2, 0, 1]],
    [[4, 2, 3, 5], [0, 3, 1, 2]],
    [[37, 41], [1, 0]],
  ])('the fast paths equal the generic walk: shape %j by %j', (shape, perm) => {
    const values = ramp(shape.reduce((a, b) => a * b, 1));
    expect(permute(values, shape, perm)).toEqual(permuteGeneric(values, shape, perm));
  });

  it('conv2d: [out, in, kh, kw] → [kh, kw, in, out] and back', () => {
    const values = ramp(2 * 3 * 2 * 2);
    const { shape, values: tfjs } = toTfjsLayout(values, [2, 3, 2, 2], 'conv2d', 'w');
    expect(shape).toEqual([2, 2, 3, 2]);
    // tfjs[y, x, i, o] = torch[o, i, y, x]
    expect(tfjs[((1 * 2 + 0) * 3 + 2) * 2 + 1]).toBe(values[((1 * 3 + 2) * 2 + 1) * 2 + 0]);
    expect(toTorchLayout(tfjs, [2, 3, 2, 2], 'conv2d', 'w')).toEqual(values);
    expect(() => toTfjsLayout(values, [12], 'conv2d', "'w'")).toThrow("'w': a conv2d tensor must have rank 4, got [12]");
  });
});

describe('crc32', () => {
  it('gives the standard check value and agrees with the bytewise definition at every length', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const bytewise = (bytes: Uint8Array) => {
      let crc = 0xffffffff;
      for (const b of bytes) {
        crc ^= b;
        for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
      }
      return (crc ^ 0xffffffff) >>> 0;
    };
    const data = Uint8Array.from({ length: 40 }, (_, i) => (i * 37 + 11) & 0xff);
    for (let n = 0; n <= data.length; n++) expect(crc32(data.subarray(0, n)), `length ${n}`).toBe(bytewise(data.subarray(0, n)));
  });
});
