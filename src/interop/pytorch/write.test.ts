import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTorchScript, torchAvailable } from './python.test-util.ts';
import { readTorchCheckpoint } from './read.ts';
import { extractStateDict } from './state-dict.ts';
import { tensorValues } from './tensor.ts';
import { writeTorchCheckpoint, type TensorToSave } from './write.ts';
import { openZip } from './zip.ts';

const tensors: TensorToSave[] = [
  { key: 'conv.weight', dtype: 'float32', shape: [2, 1, 2, 2], values: [1.5, -2, 3.25, 0, 1e-30, -1e30, 7, 8] },
  { key: 'conv.bias', dtype: 'float32', shape: [2], values: Float32Array.of(0.1, -0.2) },
  { key: 'norm.num_batches_tracked', dtype: 'int64', shape: [], values: BigInt64Array.of(2n ** 40n + 3n) },
  { key: 'half', dtype: 'float16', shape: [3], values: [0.5, -65504, 1 / 3] },
  { key: 'double', dtype: 'float64', shape: [1, 2], values: [Math.PI, -1e-300] },
  { key: 'ints', dtype: 'int32', shape: [2], values: [-7, 70000] },
  { key: 'bools', dtype: 'bool', shape: [2], values: [1, 0] },
  { key: 'empty', dtype: 'float32', shape: [0, 4], values: [] },
  { key: 'big', dtype: 'float32', shape: [3, 5, 7, 11], values: Float32Array.from({ length: 1155 }, (_, i) => Math.sin(i)) },
];

function expectRoundTrip(bytes: Uint8Array): void {
  const sd = extractStateDict(readTorchCheckpoint(bytes).root);
  expect([...sd.tensors.keys()]).toEqual(tensors.map((t) => t.key));
  for (const t of tensors) {
    const read = sd.tensors.get(t.key)!;
    expect(read.shape, t.key).toEqual(t.shape);
    expect(read.dtype, t.key).toBe(t.dtype);
    const want = t.dtype === 'int64' ? [...(t.values as BigInt64Array)] : t.dtype === 'float16' ? [0.5, -65504, 0.333251953125] : [...Float32Array.from(t.values as ArrayLike<number>)];
    const got = [...tensorValues(read, t.key)];
    if (t.dtype === 'float64') expect(got).toEqual([...(t.values as number[])]);
    else expect(got, t.key).toEqual(want);
  }
}

describe('writing torch.save files', () => {
  it('writes the zip layout torch.save uses, 64-byte aligned, and reads back value for value', () => {
    const bytes = writeTorchCheckpoint(tensors);
    const zip = openZip(bytes);
    expect(zip.names).toEqual(['archive/data.pkl', 'archive/byteorder', ...tensors.map((_, i) => `archive/data/${i}`), 'archive/version']);
    for (const name of zip.names) expect(zip.dataOffset(name) % 64, name).toBe(0);
    expect(new TextDecoder().decode(zip.read('archive/version'))).toBe('3\n');
    expectRoundTrip(bytes);
    // Deterministic: the same state_dict gives the same bytes.
    expect(writeTorchCheckpoint(tensors)).toEqual(bytes);
  });

  it('refuses a value count that does not match the shape, and duplicate keys', () => {
    expect(() => writeTorchCheckpoint([{ key: 'w', dtype: 'float32', shape: [2, 2], values: [1, 2, 3] }])).toThrow("cannot write 'w': shape [2, 2] has 4 elements but 3 values were given");
    expect(() => writeTorchCheckpoint([tensors[1], tensors[1]])).toThrow("key 'conv.bias' appears twice");
  });
});

describe.skipIf(!torchAvailable())('torch.load reads the writer output (live PyTorch)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lggan-torch-write-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['zip', 'legacy'])('torch.load gives an OrderedDict with the same keys, dtypes, shapes and values (re-saved as %s)', (format) => {
    const ours = join(dir, 'ours.pth');
    const theirs = join(dir, `theirs-${format}.pth`);
    writeFileSync(ours, writeTorchCheckpoint(tensors));
    const summary = JSON.parse(runTorchScript('torch_roundtrip.py', [ours, theirs, format]));
    expect(summary.type).toBe('collections.OrderedDict');
    expect(summary.entries).toEqual(tensors.map((t) => [t.key, t.dtype, t.shape, true]));
    expectRoundTrip(new Uint8Array(readFileSync(theirs)));
  });
});
