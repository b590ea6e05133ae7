import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TorchCheckpointError } from './errors.ts';
import { PickleDict } from './pickle-read.ts';
import { readTorchCheckpoint } from './read.ts';
import { extractStateDict } from './state-dict.ts';
import { tensorToFloat32, tensorValues, type TorchTensor } from './tensor.ts';

const fixtures = join(import.meta.dirname, 'fixtures');
const fixture = (name: string) => new Uint8Array(readFileSync(join(fixtures, name)));

interface Expected {
  dtype: string;
  shape: number[];
  values: (string | number)[];
}
const expectedOf = (name: string): Record<string, Expected> => JSON.parse(readFileSync(join(fixtures, name), 'utf8'));

/** torch's values (floats written with repr, so exact) as numbers; int64 as bigint. */
function torchValues(e: Expected): (number | bigint)[] {
  return e.values.map((v) => (e.dtype === 'int64' ? BigInt(v) : Number(v)));
}

function expectSameAsTorch(tensor: TorchTensor, e: Expected, key: string): void {
  expect(tensor.shape, key).toEqual(e.shape);
  expect(tensor.dtype, key).toBe(e.dtype);
  expect([...tensorValues(tensor, key)], key).toEqual(torchValues(e));
}

describe('reading torch.save files', () => {
  const basic = expectedOf('basic.expected.json');

  it.each(['basic-zip.pth', 'basic-legacy.pth', 'basic-zip-protocol4.pth'])('%s: every dtype, view, stride and offset reads as torch reads it', (file) => {
    const checkpoint = readTorchCheckpoint(fixture(file));
    expect(checkpoint.format).toBe(file.includes('legacy') ? 'legacy' : 'zip');
    expect(checkpoint.root).toBeInstanceOf(PickleDict);
    expect((checkpoint.root as PickleDict).pyClass).toBe('collections.OrderedDict');
    const sd = extractStateDict(checkpoint.root);
    expect(sd.sourceKey).toBeNull();
    expect([...sd.tensors.keys()]).toEqual(Object.keys(basic));
    for (const [key, e] of Object.entries(basic)) expectSameAsTorch(sd.tensors.get(key)!, e, `${file} ${key}`);
    // Non-contiguous and offset views really are views of shared storages.
    const transposed = sd.tensors.get('transposed')!;
    expect(transposed.stride).toEqual([1, 4]);
    expect(transposed.storage).toBe(sd.tensors.get('base')!.storage);
    expect(sd.tensors.get('narrow')!.offset).toBe(3);
    expect(sd.tensors.get('expanded')!.stride).toEqual([0, 1]);
    // float16 and bfloat16 decode to float32 with torch's values.
    expect([...tensorToFloat32(sd.tensors.get('half')!)]).toEqual(torchValues(basic.half));
  });

  it.each(['wrapped-zip.pth', 'wrapped-legacy.pth'])('%s: a checkpoint dict wrapping a DataParallel state_dict', (file) => {
    const expected = expectedOf('wrapped.expected.json');
    const checkpoint = readTorchCheckpoint(fixture(file));
    const root = checkpoint.root as PickleDict;
    expect(root.get('epoch')).toBe(12);
    expect(root.get('lr')).toBe(2e-4);
    expect(root.get('name')).toBe('LGGAN');
    expect(root.get('flags')).toEqual([true, null, [1, 2]]);
    expect([...(root.get('blob') as Uint8Array)]).toEqual([0, 1, 114, 97, 119]);
    expect(((root.get('optimizer') as PickleDict).get('param_groups') as PickleDict[])[0].get('betas')).toEqual([0, 0.9]);

    const sd = extractStateDict(checkpoint.root);
    expect(sd.sourceKey).toBe('state_dict');
    expect(sd.strippedPrefix).toBe('module.');
    expect([...sd.tensors.keys()]).toEqual(['fc.weight', 'fc.bias']);
    expect(sd.tensors.get('fc.weight')!.parameter).toBe(true);
    for (const [key, e] of Object.entries(expected)) expectSameAsTorch(sd.tensors.get(key)!, e, key);

    const kept = extractStateDict(checkpoint.root, { key: 'state_dict', stripModulePrefix: false });
    expect([...kept.tensors.keys()]).toEqual(['module.fc.weight', 'module.fc.bias']);
    expect(() => extractStateDict(checkpoint.root, { key: 'netG' })).toThrow("the checkpoint has no key 'netG' (state_dicts found under: 'state_dict')");
    expect(() => extractStateDict(checkpoint.root, { key: 'optimizer' })).toThrow("key 'optimizer' of the checkpoint holds a dict, not a dict of tensors");
  });

  it('keeps the state_dict metadata (spectral_norm versions)', () => {
    const sd = extractStateDict(readTorchCheckpoint(fixture('spectral-zip.pth')).root);
    expect([...sd.tensors.keys()]).toEqual(['bias', 'weight_orig', 'weight_u', 'weight_v']);
    const own = sd.metadata!.get('') as PickleDict;
    expect((own.get('spectral_norm') as PickleDict).get('weight.version')).toBe(1);
  });
});
