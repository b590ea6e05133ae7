import { describe, expect, it } from 'vitest';
import { SafetensorsError, floatToHalf, halfToFloat, readSafetensors, writeSafetensors } from './safetensors.ts';

/** A file built by hand: length field, header text (unpadded) and raw data bytes. */
function fileOf(header: string | object, data: number[] = []): Uint8Array {
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  const headerBytes = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + headerBytes.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  out.set(data, 8 + headerBytes.length);
  return out;
}

/** Little-endian bytes of float32 values. */
function f32Bytes(...values: number[]): number[] {
  return [...new Uint8Array(new Float32Array(values).buffer)];
}

function expectError(fn: () => unknown, ...fragments: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(SafetensorsError);
  for (const f of fragments) expect((caught as Error).message).toContain(f);
}

describe('readSafetensors on hand-made bytes', () => {
  it('reads F32, I32, F16 and I64 tensors with metadata, in header order', () => {
    const data = [
      ...f32Bytes(1.5, -2, 0.25, 8), // w: F32 [2, 2], bytes 0..16
      0x07, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, // n: I32 [2] = 7, -2, bytes 16..24
      0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00, // h: F16 [3] = 1, -2, 2^-24, bytes 24..30
      0x05, 0, 0, 0, 0, 0, 0, 0, // t: I64 [] = 5, bytes 30..38
    ];
    const file = fileOf(
      {
        __metadata__: { format: 'pt' },
        w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
        n: { dtype: 'I32', shape: [2], data_offsets: [16, 24] },
        h: { dtype: 'F16', shape: [3], data_offsets: [24, 30] },
        t: { dtype: 'I64', shape: [], data_offsets: [30, 38] },
      },
      data,
    );
    const { tensors, metadata } = readSafetensors(file);
    expect(metadata).toEqual({ format: 'pt' });
    expect([...tensors.keys()]).toEqual(['w', 'n', 'h', 't']);
    expect(tensors.get('w')).toEqual({ dtype: 'F32', shape: [2, 2], values: new Float32Array([1.5, -2, 0.25, 8]) });
    expect(Array.from(tensors.get('n')!.values)).toEqual([7, -2]);
    expect(tensors.get('n')!.values).toBeInstanceOf(Int32Array);
    expect(Array.from(tensors.get('h')!.values)).toEqual([1, -2, 2 ** -24]);
    expect(tensors.get('t')).toEqual({ dtype: 'I64', shape: [], values: [5] });
  });

  it('reads tensors at unaligned offsets and a header padded with spaces', () => {
    const data = [0x00, 0x3c, ...f32Bytes(3.25)]; // F16 then a float32 starting at byte 2
    const file = fileOf(
      '{"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}   ',
      data,
    );
    const { tensors } = readSafetensors(file);
    expect(Array.from(tensors.get('b')!.values)).toEqual([3.25]);
  });

  it("reads from a Node Buffer that is a view into a larger pool", () => {
    const file = fileOf({ a: { dtype: 'F16', shape: [1], data_offsets: [0, 2] }, w: { dtype: 'F32', shape: [2], data_offsets: [2, 10] } }, [0x00, 0x3c, ...f32Bytes(-1.5, 7)]);
    const pool = Buffer.alloc(file.length + 13, 0xff);
    pool.set(file, 13);
    const view = pool.subarray(13);
    expect(Array.from(readSafetensors(view).tensors.get('w')!.values)).toEqual([-1.5, 7]);
  });

  it('reads an empty file (no tensors) and zero-sized tensors', () => {
    expect(readSafetensors(fileOf({})).tensors.size).toBe(0);
    const { tensors } = readSafetensors(fileOf({ e: { dtype: 'F32', shape: [0, 3], data_offsets: [0, 0] } }));
    expect(tensors.get('e')!.values.length).toBe(0);
  });

  it('refuses truncated files', () => {
    expectError(() => readSafetensors(new Uint8Array(5)), 'truncated', '5 bytes');
    const file = fileOf({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, f32Bytes(1, 2));
    expectError(() => readSafetensors(file.subarray(0, 20)), 'truncated', 'header claims');
    expectError(() => readSafetensors(file.subarray(0, file.length - 3)), "tensor 'w'", 'run past the end', 'truncated');
  });

  it('refuses a header that is not JSON or not an object', () => {
    expectError(() => readSafetensors(fileOf('{"w": ')), 'header is not JSON');
    expectError(() => readSafetensors(fileOf('[1, 2]')), 'header must be a JSON object');
  });

  it('names the tensor with an unknown dtype, a bad shape or bad offsets', () => {
    expectError(() => readSafetensors(fileOf({ mask: { dtype: 'BOOL', shape: [1], data_offsets: [0, 1] } }, [1])), "tensor 'mask'", 'unsupported dtype "BOOL"');
    expectError(() => readSafetensors(fileOf({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32Bytes(1))), "tensor 'w'", 'shape');
    expectError(() => readSafetensors(fileOf({ w: { dtype: 'F32', shape: [1], data_offsets: [4] } }, f32Bytes(1))), "tensor 'w'", 'data_offsets');
    expectError(() => readSafetensors(fileOf({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, f32Bytes(1))), "tensor 'w'", 'needs 8 bytes', 'span 4');
    expectError(() => readSafetensors(fileOf({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, f32Bytes(1))), "tensor 'w'", 'end before');
  });

  it('refuses overlapping tensors, holes and trailing bytes', () => {
    const overlap = fileOf(
      { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } },
      f32Bytes(1, 2),
    );
    expectError(() => readSafetensors(overlap), "tensor 'b'", "overlap tensor 'a'");
    const hole = fileOf({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32Bytes(1, 2));
    expectError(() => readSafetensors(hole), 'hole', "tensor 'a'");
    const trailing = fileOf({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32Bytes(1, 2));
    expectError(() => readSafetensors(trailing), '4 trailing bytes');
  });

  it('refuses I64 values a number cannot hold exactly, and non-string metadata', () => {
    const big = [0, 0, 0, 0, 0, 0, 0x40, 0]; // 2^54
    expectError(() => readSafetensors(fileOf({ step: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, big)), "tensor 'step'", '2^53');
    expectError(() => readSafetensors(fileOf({ __metadata__: { epoch: 3 } })), "__metadata__ value 'epoch'");
  });
});

describe('writeSafetensors', () => {
  it('writes the exact layout: length, space-padded header, data in order', () => {
    const bytes = writeSafetensors({ w: { shape: [2], values: [1, -1] } }, { format: 'pt' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
    expect(text.trimEnd()).toBe('{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}');
    expect([...bytes.subarray(8 + headerLength)]).toEqual(f32Bytes(1, -1));
  });

  it('round-trips every dtype', () => {
    const bytes = writeSafetensors(
      new Map([
        ['f', { shape: [2, 1], values: new Float32Array([0.5, -3]) }],
        ['h', { dtype: 'F16' as const, shape: [3], values: [1, 65504, -0.333251953125] }],
        ['i', { dtype: 'I32' as const, shape: [2], values: [-7, 2 ** 31 - 1] }],
        ['l', { dtype: 'I64' as const, shape: [1], values: [-(2 ** 53 - 1)] }],
      ]),
    );
    const { tensors, metadata } = readSafetensors(bytes);
    expect(metadata).toEqual({});
    expect(Array.from(tensors.get('f')!.values)).toEqual([0.5, -3]);
    expect(Array.from(tensors.get('h')!.values)).toEqual([1, 65504, -0.333251953125]);
    expect(Array.from(tensors.get('i')!.values)).toEqual([-7, 2 ** 31 - 1]);
    expect(tensors.get('l')!.values).toEqual([-(2 ** 53 - 1)]);
  });

  it('refuses values that do not fit the shape or the dtype', () => {
    expectError(() => writeSafetensors({ w: { shape: [3], values: [1, 2] } }), "tensor 'w'", '3 values but 2');
    expectError(() => writeSafetensors({ n: { dtype: 'I32', shape: [1], values: [0.5] } }), "tensor 'n'", '32-bit integer');
    expectError(() => writeSafetensors({ __metadata__: { shape: [1], values: [1] } }), 'reserved');
  });
});

describe('float16 conversion', () => {
  it('converts normals, subnormals, infinities and rounds to nearest even', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0xfc00)).toBe(-Infinity);
    expect(Number.isNaN(halfToFloat(0x7e00))).toBe(true);
    expect(floatToHalf(1)).toBe(0x3c00);
    expect(floatToHalf(-2)).toBe(0xc000);
    expect(floatToHalf(1e6)).toBe(0x7c00);
    expect(floatToHalf(2 ** -24)).toBe(0x0001);
    expect(floatToHalf(2 ** -26)).toBe(0); // below half the smallest subnormal
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // halfway: ties to even (down)
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // halfway: ties to even (up)
    expect(floatToHalf(65520)).toBe(0x7c00); // rounds up past the largest half
    for (let bits = 0; bits < 0x7c00; bits += 97) expect(floatToHalf(halfToFloat(bits))).toBe(bits);
  });
});
