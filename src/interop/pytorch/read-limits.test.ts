/**
 * Small files that used to be slow or huge (issue 14, point 7): every one is refused (or read) with
 * bounded work, and every refusal is a TorchCheckpointError that keeps its byte and record.
 * Memory bounds are checked logically: what is declared is refused before anything is allocated,
 * and the inflater's output is counted.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OfficialEntry } from '../../compiler/official.ts';
import { TorchCheckpointError } from './errors.ts';
import { ascii, concat, craftedCheckpoint, craftedStatePickle, picklePth, rawZip, repeated, u16, u32, type CraftedTensor } from './hostile.test-util.ts';
import { importLimits, importStateDict } from './import.ts';
import { INPUT_CHUNK, maxInflatedSize } from './inflate.ts';
import { MAX_INT_BYTES, MAX_NESTING, PickleDict, decodeLong, readPickle } from './pickle-read.ts';
import { readTorchCheckpoint, type ReadLimits } from './read.ts';
import { extractStateDict } from './state-dict.ts';
import { MAX_BROADCAST_ELEMENTS, tensorToFloat32, tensorValues } from './tensor.ts';
import { openZip } from './zip.ts';

const fixture = (name: string) => new Uint8Array(readFileSync(join(import.meta.dirname, 'fixtures', name)));
const plainPickle = (bytes: Uint8Array) => readPickle(bytes, 0, { label: 't.pkl', findGlobal: () => undefined }).value;
const repeat = (times: number, ...ops: number[]) => Array.from({ length: times }, () => ops).flat();

function errorOf(run: () => unknown): TorchCheckpointError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(TorchCheckpointError);
    return e as TorchCheckpointError;
  }
  throw new Error('expected an error');
}

/** Reads everything: container, state_dict and every value. */
function readAll(bytes: Uint8Array, limits?: ReadLimits): void {
  const sd = extractStateDict(readTorchCheckpoint(bytes, limits).root);
  for (const [key, t] of sd.tensors) tensorValues(t, key);
}

describe('integers: capped length, linear decoding', () => {
  it('a LONG4 declaring 300 KB is refused at its byte before it is decoded', () => {
    const e = errorOf(() => plainPickle(concat([0x80, 2, 0x8b], u32(300_000), new Uint8Array(300_000), [0x2e])));
    expect(e.message).toBe(`pickle: LONG4 at byte 2 of t.pkl declares a 300000-byte integer; at most ${MAX_INT_BYTES} bytes are supported (a state_dict holds small integers)`);
    expect(e.byte).toBe(2);
    expect(e.entry).toBe('t.pkl');
  });

  it('so is a protocol-0 LONG of a million digits, and a LONG1 stays readable up to its 255 bytes', () => {
    const e = errorOf(() => plainPickle(concat(ascii('L'), ascii('7'.repeat(1_000_000)), ascii('L\n.'))));
    expect(e.message).toMatch(/^pickle: LONG at byte 0 of t\.pkl has 1000000 digits; at most \d+ are supported/);
    expect(plainPickle(concat([0x80, 2, 0x8a, 255], new Uint8Array(255).fill(0xff), [0x2e]))).toBe(-1);
  });

  it('decodes the longest allowed integers exactly, in both signs', () => {
    const bytes = Uint8Array.from({ length: MAX_INT_BYTES }, (_, i) => (i * 37 + 11) & 0xff);
    let slow = 0n;
    for (let i = bytes.length - 1; i >= 0; i--) slow = (slow << 8n) | BigInt(bytes[i]);
    bytes[bytes.length - 1] &= 0x7f;
    slow &= (1n << BigInt(8 * bytes.length - 1)) - 1n;
    expect(decodeLong(bytes)).toBe(slow);
    bytes[bytes.length - 1] |= 0x80;
    expect(decodeLong(bytes)).toBe(slow + (1n << BigInt(8 * bytes.length - 1)) - (1n << BigInt(8 * bytes.length)));
    expect(decodeLong(Uint8Array.of(0x6a, 0xa8, 0x50, 0x19))).toBe(0x1950a86a);
  });
});

describe('structures: iterative, capped, no cycles', () => {
  it('APPENDS with 300k items builds the list (no spread onto the call stack)', () => {
    const list = plainPickle(concat([0x80, 2, 0x5d, 0x28], repeat(300_000, 0x4b, 7), [0x65, 0x2e])) as number[];
    expect(list).toHaveLength(300_000);
    expect(list[299_999]).toBe(7);
  });

  it('lists nested 100k deep are refused at the byte of the container past the limit', () => {
    const nested = (depth: number) => concat([0x80, 2], repeat(depth, 0x5d), repeat(depth - 1, 0x61), [0x2e]);
    const e = errorOf(() => plainPickle(nested(100_000)));
    expect(e.message).toBe(`pickle: the list of 1 made at byte ${2 + MAX_NESTING} of t.pkl is nested more than ${MAX_NESTING} levels deep: not a state_dict`);
    expect(e.byte).toBe(2 + MAX_NESTING);
    expect(errorOf(() => plainPickle(nested(MAX_NESTING + 1))).byte).toBe(2 + MAX_NESTING);
    let depth = 0;
    for (let v = plainPickle(nested(MAX_NESTING)) as unknown[]; v.length > 0; v = v[0] as unknown[]) depth++;
    expect(depth).toBe(MAX_NESTING - 1);
  });

  it('dicts nested 100k deep too', () => {
    // {0: {0: {0: …}}}: EMPTY_DICT, key, EMPTY_DICT, key, …, then SETITEM all the way up.
    const pickle = concat([0x80, 2], repeat(100_000, 0x7d, 0x4b, 0), [0x7d], repeat(100_000, 0x73), [0x2e]);
    expect(errorOf(() => plainPickle(pickle)).message).toMatch(/^pickle: the dict made at byte \d+ of t\.pkl is nested more than 100 levels deep/);
  });

  it('a list or dict that contains itself (through the memo) is refused, naming where it was made', () => {
    const list = errorOf(() => plainPickle(Uint8Array.of(0x80, 2, 0x4e, 0x5d, 0x71, 0, 0x68, 0, 0x61, 0x2e, 0x2e)));
    expect(list.message).toBe('pickle: the list of 1 made at byte 3 of t.pkl contains itself: a state_dict has no cycles');
    expect(list.byte).toBe(3);
    const dict = errorOf(() => readTorchCheckpoint(picklePth(Uint8Array.of(0x80, 2, 0x7d, 0x71, 0, 0x4b, 1, 0x68, 0, 0x73, 0x2e))));
    expect(dict.message).toBe('pickle: the dict made at byte 2 of archive/data.pkl contains itself: a state_dict has no cycles');
    expect(dict.entry).toBe('archive/data.pkl');
  });

  it('a dict shared 2^60 times over (each level holding the one below twice) is walked once per dict', () => {
    // d0 = {}; d_i = {'a': d_{i-1}, 'b': d_{i-1}}: 60 levels, 2^60 paths, 61 dicts.
    const levels = 60;
    const ops: number[] = [0x80, 2, 0x7d, 0x71, 0];
    for (let i = 1; i <= levels; i++) ops.push(0x7d, 0x28, 0x8c, 1, 0x61, 0x68, i - 1, 0x8c, 1, 0x62, 0x68, i - 1, 0x75, 0x71, i);
    ops.push(0x2e);
    const root = plainPickle(Uint8Array.from(ops)) as PickleDict;
    expect(root.get('a')).toBe(root.get('b'));
    expect(errorOf(() => extractStateDict(root)).message).toBe('the checkpoint holds a dict with no dict of tensors in it: not a state_dict');
  });

  it("the state_dict search itself never recurses: a 100k-deep or cyclic dict built outside the reader", () => {
    const deep = new PickleDict();
    let inner = deep;
    for (let i = 0; i < 100_000; i++) {
      const next = new PickleDict();
      inner.set('x', next);
      inner = next;
    }
    inner.set('self', deep);
    expect(errorOf(() => extractStateDict(deep)).message).toMatch(/no dict of tensors/);
  });

  it('values handed over before the final walk never reach a recursive String(): a storage location or a BUILD key nested 100k deep', () => {
    const nested = concat(repeated(100_000, 0x5d), repeated(99_999, 0x61));
    const text = (t: string) => concat([0x58], u32(t.length), ascii(t));
    const tensor = concat(
      [0x80, 2], ascii('ctorch._utils\n_rebuild_tensor_v2\n'), [0x28],
      [0x28], text('storage'), ascii('ctorch\nFloatStorage\n'), text('0'), nested, [0x4b, 3, 0x74, 0x51],
      [0x4b, 0, 0x4b, 3, 0x85, 0x4b, 1, 0x85, 0x89, 0x74, 0x52, 0x2e],
    );
    const checkpoint = readTorchCheckpoint(rawZip([{ name: 'archive/data.pkl', data: tensor }, { name: 'archive/data/0', data: new Uint8Array(12) }]));
    expect(checkpoint.storages.get('0')!.location).toBe('list of 1');
    const build = concat([0x80, 2, 0x7d, 0x7d], nested, [0x4e, 0x73, 0x62, 0x2e]);
    expect(errorOf(() => plainPickle(build)).message).toBe('pickle: BUILD at byte 200005 of t.pkl sets an attribute named by a list of 1, not a string');
  });

  it('re-using a 100 KB string as _codecs.encode arguments thousands of times runs out of budget', () => {
    const text = concat([0x58], u32(100_000), ascii('x'.repeat(100_000)));
    const pickle = concat([0x80, 2], ascii('c_codecs\nencode\n'), [0x71, 0], text, [0x8c, 6], ascii('latin1'), [0x86, 0x71, 1], repeat(20_000, 0x68, 0, 0x68, 1, 0x52, 0x30), [0x7d, 0x2e]);
    const e = errorOf(() => readTorchCheckpoint(picklePth(pickle)));
    expect(e.message).toMatch(/^pickle: REDUCE at byte \d+ of archive\/data\.pkl: the pickle re-uses large values more than a \d+-byte pickle can need/);
    expect(e.byte).toBeGreaterThan(100_000);
  });

  it('so does calling OrderedDict on one 50k-item list again and again', () => {
    const pairs = concat([0x5d, 0x28], repeat(50_000, 0x4b, 1, 0x4b, 2, 0x86), [0x65]);
    const pickle = concat([0x80, 2], ascii('ccollections\nOrderedDict\n'), [0x71, 0], pairs, [0x85, 0x71, 1], repeat(20_000, 0x68, 0, 0x68, 1, 0x52, 0x30), [0x7d, 0x2e]);
    expect(errorOf(() => readTorchCheckpoint(picklePth(pickle))).message).toMatch(/^pickle: REDUCE at byte \d+ .*re-uses large values/);
  });
});

describe('zip: every read bounded', () => {
  const pickle = craftedStatePickle([{ key: 'w', storage: '0', numel: 3, size: [3], stride: [1] }]);
  const floats = new Uint8Array(Float32Array.of(1, 2, 3).buffer);

  it('a zip64 extra field longer than the entry’s extra data is refused, not read past its end', () => {
    const extra = concat(u16(1), u16(200), new Uint8Array(8));
    const bytes = rawZip([{ name: 'archive/data.pkl', data: pickle, declaredSize: 0xffffffff, centralExtra: extra }]);
    const e = errorOf(() => readTorchCheckpoint(bytes));
    const directory = openZipDirectoryOffset(bytes);
    expect(e.message).toBe(`zip: record 'archive/data.pkl': the extra field at byte ${directory + 46 + 16} says 200 bytes but only 8 remain in the entry's extra data (12 bytes from byte ${directory + 62}): corrupt`);
    expect(e.byte).toBe(directory + 62);
    expect(e.entry).toBe('archive/data.pkl');
  });

  it('a zip64 extra field too short for the values it replaces is refused; a right one is read', () => {
    const short = rawZip([{ name: 'archive/data.pkl', data: pickle, declaredSize: 0xffffffff, centralExtra: concat(u16(1), u16(4), new Uint8Array(4)) }]);
    expect(errorOf(() => readTorchCheckpoint(short)).message).toMatch(/^zip: record 'archive\/data\.pkl': its zip64 extra field at byte \d+ is too short \(4 bytes\)$/);
    const right = rawZip([{ name: 'archive/data.pkl', data: pickle, declaredSize: 0xffffffff, centralExtra: concat(u16(1), u16(8), u32(pickle.length), u32(0)) }, { name: 'archive/data/0', data: floats }]);
    expect([...tensorValues(extractStateDict(readTorchCheckpoint(right).root).tensors.get('w')!)]).toEqual([1, 2, 3]);
  });

  it('a deflated checkpoint reads as the stored one does', () => {
    const zip = openZip(fixture('basic-zip.pth'));
    const deflated = rawZip(zip.names.map((name) => ({ name, data: zip.read(name), deflate: true })));
    const a = extractStateDict(readTorchCheckpoint(fixture('basic-zip.pth')).root).tensors;
    const b = extractStateDict(readTorchCheckpoint(deflated).root).tensors;
    for (const [key, t] of a) expect([...tensorValues(b.get(key)!, key)], key).toEqual([...tensorValues(t, key)]);
  });

  it('a zip bomb for a graph that needs a few bytes is refused when its storage is to be read, before any inflating', () => {
    const numel = 5_000_000; // 20 MB of float32 zeros, about 20 KB deflated
    const bomb = craftedCheckpoint([{ key: 'weight', storage: '0', numel, size: [3], stride: [1] }], { '0': { data: new Uint8Array(numel * 4), deflate: true } });
    expect(bomb.length).toBeLessThan(100_000);
    const limits = importLimits([entry('weight', [3, 2, 3, 3]), entry('bias', [3])]);
    let inflated = 0;
    const e = errorOf(() => readAll(bomb, { ...limits, onInflate: (n) => (inflated += n) }));
    expect(e.message).toMatch(new RegExp(`^storage '0' \\(persistent id at byte \\d+ of archive/data\\.pkl\\) declares 5000000 × float32 \\(20000000 bytes\\), more than the ${limits.maxStorageBytes} bytes the target's variables can use: refused before reading it$`));
    expect(e.byte).toBeGreaterThan(0);
    expect(e.entry).toBe('archive/data.pkl');
    expect(inflated).toBe(0);
  });

  it('a record declaring more than its storage needs is refused before inflating', () => {
    const bytes = craftedCheckpoint([{ key: 'w', storage: '0', numel: 3, size: [3], stride: [1] }], { '0': { data: new Uint8Array(20_000_000), deflate: true } });
    let inflated = 0;
    const e = errorOf(() => readAll(bytes, { onInflate: (n) => (inflated += n) }));
    expect(e.message).toMatch(/^zip: record 'archive\/data\/0' at byte \d+ declares 20000000 bytes uncompressed but at most 12 can be used here: refused before inflating$/);
    expect(e.entry).toBe('archive/data/0');
    expect(inflated).toBe(0);
  });

  it('a record that inflates past the size it declares is stopped within one input chunk', () => {
    const bytes = craftedCheckpoint([{ key: 'w', storage: '0', numel: 3, size: [3], stride: [1] }], { '0': { data: new Uint8Array(20_000_000), deflate: true, declaredSize: 12 } });
    let inflated = 0;
    const e = errorOf(() => readAll(bytes, { onInflate: (n) => (inflated += n) }));
    expect(e.message).toMatch(/^zip: record 'archive\/data\/0' at byte \d+ inflates to more than the 12 bytes it declares \(stopped there\): corrupt or a zip bomb$/);
    expect(inflated).toBeGreaterThan(12);
    expect(inflated).toBeLessThanOrEqual(maxInflatedSize(INPUT_CHUNK));
  });

  it('declared sizes beyond deflate’s ratio, the pickle limit or the archive’s budget are refused before inflating', () => {
    let inflated = 0;
    const onInflate = (n: number) => (inflated += n);
    const ratio = craftedCheckpoint([{ key: 'w', storage: '0', numel: 500_000_000, size: [3], stride: [1] }], { '0': { data: floats, deflate: true, declaredSize: 2_000_000_000 } });
    expect(errorOf(() => readAll(ratio, { onInflate })).message).toMatch(/declares 2000000000 bytes from \d+ compressed bytes, more than deflate can encode: corrupt$/);
    const hugePickle = rawZip([{ name: 'archive/data.pkl', data: new Uint8Array(20_000_000).fill(0x4e), deflate: true }]);
    expect(errorOf(() => readAll(hugePickle, { onInflate })).message).toMatch(/^zip: record 'archive\/data\.pkl' at byte \d+ declares 20000000 bytes uncompressed but at most 16777216 can be used here/);
    const budget = rawZip([{ name: 'archive/data.pkl', data: pickle, deflate: true }, { name: 'archive/data/0', data: floats, deflate: true }]);
    expect(errorOf(() => readAll(budget, { maxInflatedBytes: pickle.length + 4, onInflate })).message).toMatch(/declares 12 bytes uncompressed; with the \d+ bytes inflated so far that exceeds this archive's limit/);
    expect(inflated).toBe(pickle.length); // only the pickle of the last file was inflated
  });

  it('storages no tensor is read from are never inflated, nor held against the graph’s limit (another network in the same file)', () => {
    const bytes = craftedCheckpoint(
      [{ key: 'w', storage: '0', numel: 3, size: [3], stride: [1] }, { key: 'unused', storage: '1', numel: 1_000_000, size: [1_000_000], stride: [1] }],
      { '0': floats, '1': { data: new Uint8Array(4_000_000), deflate: true } },
    );
    let inflated = 0;
    const sd = extractStateDict(readTorchCheckpoint(bytes, { ...importLimits([entry('w', [3])]), onInflate: (n) => (inflated += n) }).root);
    expect([...tensorToFloat32(sd.tensors.get('w')!)]).toEqual([1, 2, 3]);
    expect(inflated).toBe(0);
  });
});

describe('tensor views: checked against the storage and the target before allocating', () => {
  const one = new Uint8Array(Float32Array.of(5).buffer);
  const view = (t: Partial<CraftedTensor>, storage: Uint8Array = one) => craftedCheckpoint([{ key: 'w', storage: '0', numel: 1, size: [1], stride: [1], ...t }], { '0': storage });

  it('a stride-0 view of a billion elements from one float is refused where it is rebuilt', () => {
    const e = errorOf(() => readTorchCheckpoint(view({ size: [1_000_000_000], stride: [0] })));
    expect(e.message).toMatch(new RegExp(`^tensor rebuilt at byte \\d+ of archive/data\\.pkl: the view \\(size \\[1000000000\\], stride \\[0\\]\\) has 1000000000 elements from a storage of 1; a broadcast view may have at most ${MAX_BROADCAST_ELEMENTS}$`));
    expect(e.byte).toBeGreaterThan(0);
    expect(e.entry).toBe('archive/data.pkl');
    // A broadcast within the limit still reads, as torch's expand() does.
    expect([...tensorToFloat32(extractStateDict(readTorchCheckpoint(view({ size: [2, 3], stride: [0, 0] })).root).tensors.get('w')!)]).toEqual([5, 5, 5, 5, 5, 5]);
  });

  it('huge shapes cannot overflow the bounds check', () => {
    for (const [size, stride] of [[[2 ** 40, 2 ** 40], [1, 1]], [[2 ** 52, 3], [2 ** 52, 2 ** 52]], [[3, 2 ** 50], [0, 0]]]) {
      const e = errorOf(() => readTorchCheckpoint(view({ size, stride })));
      expect(e.message, String(size)).toMatch(/^tensor rebuilt at byte \d+ of archive\/data\.pkl: (the view .* reads element|invalid view|the view .* has \d+ elements from a storage)/);
    }
  });

  it('negative or fractional counts and offsets in a persistent id are refused', () => {
    const negative = craftedCheckpoint([{ key: 'w', storage: '0', numel: -4, size: [1], stride: [1] }], { '0': one });
    expect(errorOf(() => readTorchCheckpoint(negative)).message).toMatch(/^persistent id at byte \d+: element count at byte \d+ is -4, not a count$/);
  });

  it("a spectral-norm vector with the wrong shape is reported as misshaped, not converted (a stride-0 u of a million elements)", () => {
    const tensors: CraftedTensor[] = [
      { key: 'weight_orig', storage: '0', numel: 54, size: [3, 2, 3, 3], stride: [18, 9, 3, 1] },
      { key: 'weight_u', storage: '1', numel: 1, size: [1_000_000], stride: [0] },
      { key: 'weight_v', storage: '2', numel: 18, size: [18], stride: [1] },
      { key: 'bias', storage: '3', numel: 3, size: [3], stride: [1] },
    ];
    const floatsOf = (n: number) => new Uint8Array(new Float32Array(n).fill(1).buffer);
    const bytes = craftedCheckpoint(tensors, { '0': floatsOf(54), '1': floatsOf(1), '2': floatsOf(18), '3': floatsOf(3) });
    const sd = extractStateDict(readTorchCheckpoint(bytes).root);
    const { report, weights } = importStateDict(sd, { network: 'G', entries: [entry('weight', [3, 2, 3, 3]), entry('bias', [3])], uncovered: [] }, { format: 'zip', mode: 'partial' });
    expect(report.misshaped).toEqual([{ key: 'weight_u', expected: [3], got: [1_000_000] }]);
    expect(report.converted).toEqual([]);
    expect(weights.map((w) => w.name)).toEqual(['n.bias']);
  });
});

function entry(key: string, shape: number[]): OfficialEntry {
  return { key, variable: key, variableName: `n.${key}`, node: 'n', shape, layout: shape.length === 4 ? 'conv2d' : 'vector', kind: 'parameter' };
}

/** Where the central directory of a rawZip starts (the end record's offset field). */
function openZipDirectoryOffset(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(bytes.length - 22 + 16, true);
}
