import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { loadCityscapes } from './cityscapes.ts';
import { DatasetError } from './errors.ts';
import { cityscapesFiles } from './fixtures.test-util.ts';
import { blobAccess } from './random-access.ts';
import { sparseAccess, sparseBytes, sparseZip, type SparseEntry, type SparseFile } from './sparse-zip.test-util.ts';
import { ZIP_INDEX_LIMITS } from './zip-index.ts';
import { ZipFileSource } from './zip-source.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const GiB = 2 ** 30;
const pattern = (n: number) => new Uint8Array(n).map((_, i) => (i * 7) % 251);

async function failure(p: Promise<unknown>): Promise<DatasetError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return e as DatasetError;
  }
  throw new Error('expected a DatasetError');
}

/** Builds a zip, lets `patch` change its bytes, and opens it. */
function patched(entries: SparseEntry[], patch: (v: DataView, file: SparseFile) => void, options: { zip64?: boolean } = {}) {
  const file = sparseZip(entries, options);
  const b = sparseBytes(file);
  patch(new DataView(b.buffer), file);
  return ZipFileSource.fromBytes(b, 'd.zip');
}

describe('ZipFileSource', () => {
  it('lists and reads stored and deflated entries, nested folders, clutter left out (from a Blob too)', async () => {
    const zipped = zipSync({
      a: { 'one.txt': [bytes('one'), { level: 0 }], deep: { 'three.txt': bytes('three') }, '.DS_Store': bytes('junk') },
      b: { 'two.txt': [bytes('two'), { level: 9 }] },
      __MACOSX: { a: { '._one.txt': bytes('junk') } },
    });
    for (const source of [await ZipFileSource.fromBytes(zipped, 'test.zip'), await ZipFileSource.open(blobAccess(new Blob([zipped])), 'test.zip')]) {
      expect(source.list()).toEqual(['a/deep/three.txt', 'a/one.txt', 'b/two.txt']);
      expect(source.list('a/')).toEqual(['a/deep/three.txt', 'a/one.txt']);
      expect(text(await source.read('a/deep/three.txt'))).toBe('three');
      expect(text(await source.read('b/two.txt'))).toBe('two');
      expect(source.sizeOf('a/one.txt')).toBe(3);
      await expect(source.read('a/missing.txt')).rejects.toMatchObject({ code: 'missing', message: 'a/missing.txt: no such file in test.zip' });
    }
    const big = pattern(100_000);
    const back = await (await ZipFileSource.fromBytes(zipSync({ 'big.bin': big }))).read('big.bin');
    expect(back).toEqual(big);
  });

  it('normalizes odd entry names (backslashes, ./, leading /) and skips folders', async () => {
    const source = await ZipFileSource.fromBytes(sparseBytes(sparseZip([{ name: 'dir/', data: new Uint8Array(0) }, { name: './a/x.txt', data: bytes('x') }, { name: 'b\\y.txt', data: bytes('y') }, { name: '/c//z.txt', data: bytes('z') }])));
    expect(source.list()).toEqual(['a/x.txt', 'b/y.txt', 'c/z.txt']);
    expect(text(await source.read('b/y.txt'))).toBe('y');
  });

  it('reads a dataset zipped with a top folder (Cityscapes)', async () => {
    const source = await ZipFileSource.fromBytes(zipSync(cityscapesFiles('cityscapes/data/')), 'cityscapes.zip');
    const ds = loadCityscapes(source, { size: { width: 8, height: 4 } });
    expect(ds.size).toBe(2);
    expect((await ds.sample(1)).id).toBe('bremen_000003_000019');
  });

  it('indexes a 6 GiB zip64 archive from its tail and reads one entry by its slice alone', async () => {
    const a = pattern(3000);
    const b = bytes('the entry after the hole');
    const file = sparseZip([
      { name: 'a.bin', data: a, deflate: true },
      { name: 'extra/huge.bin', holeBytes: 5 * GiB },
      { name: 'b.txt', data: b },
    ]);
    expect(file.size).toBeGreaterThan(5 * GiB);
    const access = sparseAccess(file);
    const source = await ZipFileSource.open(access, 'big.zip');
    // The tail (end record + up to 64 KiB of comment), the zip64 locator and record, the directory.
    expect(access.bytesRead).toBeLessThan(70_000);
    expect(source.list()).toEqual(['a.bin', 'b.txt', 'extra/huge.bin']);
    expect(source.sizeOf('extra/huge.bin')).toBe(5 * GiB);
    const before = { calls: access.calls, bytes: access.bytesRead };
    expect(text(await source.read('b.txt'))).toBe('the entry after the hole');
    // The local header (30 bytes) and the data: two slices, nothing else.
    expect(access.calls - before.calls).toBe(2);
    expect(access.bytesRead - before.bytes).toBe(30 + b.length);
    expect(await source.read('a.bin')).toEqual(a);
    const huge = await failure(source.read('extra/huge.bin'));
    expect(huge).toMatchObject({ code: 'size', file: 'extra/huge.bin' });
    expect(huge.detail).toBe("field 'uncompressed size' declares 5368709120 bytes, more than the 256 MiB a dataset file may have: not read (entry 1 of big.zip)");
    // A deflated entry declaring 10 bytes from a 300 MiB compressed stream is refused before its slice is read.
    const lying = sparseZip([{ name: 'small.png', data: pattern(10), deflate: true }, { name: 'pad.bin', holeBytes: GiB }]);
    const record = lying.parts.find((p) => p.offset === lying.centrals[0])!.bytes;
    new DataView(record.buffer, record.byteOffset).setUint32(20, 300 * 2 ** 20, true);
    const liar = sparseAccess(lying);
    const lie = await ZipFileSource.open(liar, 'lie.zip');
    const read = liar.bytesRead;
    expect((await failure(lie.read('small.png'))).message).toBe("small.png: field 'compressed size' declares 314572800 bytes, more than the 256 MiB a dataset file may have: not read (entry 0 of lie.zip)");
    expect(liar.bytesRead).toBe(read);
  });

  it('reads zip64 records written for small archives too (forced zip64 extra fields and end records)', async () => {
    const source = await ZipFileSource.fromBytes(sparseBytes(sparseZip([{ name: 'x/y.txt', data: bytes('hello') }, { name: 'z.bin', data: pattern(999), deflate: true }], { zip64: true })));
    expect(text(await source.read('x/y.txt'))).toBe('hello');
    expect(await source.read('z.bin')).toEqual(pattern(999));
  });

  it('reports indexing progress per chunk, and a cancel stops it', async () => {
    const entries = Array.from({ length: 400 }, (_, i) => ({ name: `img/${String(i).padStart(4, '0')}.png`, data: bytes(`${i}`) }));
    const file = sparseZip(entries);
    const seen: [number, number][] = [];
    await ZipFileSource.open(sparseAccess(file), 'p.zip', { chunkBytes: 4096, onProgress: (done, total) => seen.push([done, total]) });
    expect(seen.length).toBeGreaterThan(3);
    expect(seen.every(([, total]) => total === 400)).toBe(true);
    expect(seen.map(([d]) => d)).toEqual([...seen.map(([d]) => d)].sort((x, y) => x - y));
    expect(seen.at(-1)).toEqual([400, 400]);

    const controller = new AbortController();
    const access = sparseAccess(file);
    const cancelled = ZipFileSource.open(access, 'p.zip', { chunkBytes: 4096, signal: controller.signal, onProgress: (done) => done > 0 && controller.abort() });
    await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' });
    expect(access.bytesRead).toBeLessThan(70_000 + 3 * 4096);
  });
});

describe('ZipFileSource refuses hostile numbers before using them, naming the entry and the field', () => {
  const two: SparseEntry[] = [
    { name: 'a.png', data: pattern(5000), deflate: true },
    { name: 'b.png', data: pattern(100) },
  ];
  const central = (file: SparseFile, k: number) => file.centrals[k];

  it('offsets and sizes past the data, sizes deflate cannot produce, stored sizes that disagree', async () => {
    const e1 = await failure(patched(two, (v, f) => v.setUint32(central(f, 1) + 42, 4_000_000, true)));
    expect(e1.file).toBe('b.png');
    expect(e1.detail).toMatch(/^field 'local header offset' of central directory entry 1 \(byte \d+\) of d\.zip: 4000000 is past the archive's data, which ends at byte \d+$/);
    const e2 = await failure(patched(two, (v, f) => (v.setUint32(central(f, 1) + 20, 90_000, true), v.setUint32(central(f, 1) + 24, 90_000, true))));
    expect(e2.detail).toMatch(/^field 'compressed size' of central directory entry 1 .*: 90000 bytes from byte \d+ runs past the archive's data/);
    const e3 = await failure(patched(two, (v, f) => v.setUint32(central(f, 0) + 24, 200_000_000, true)));
    expect(e3).toMatchObject({ file: 'a.png', detail: expect.stringMatching(/^field 'uncompressed size' of central directory entry 0 .*: 200000000 bytes from \d+ compressed, more than deflate can produce$/) });
    const e4 = await failure(patched(two, (v, f) => v.setUint32(central(f, 1) + 24, 9000, true)));
    expect(e4.detail).toMatch(/field 'uncompressed size' .*: 9000 bytes, but the entry is stored and holds 100$/);
  });

  it('names too long or empty, bad extra fields, zip64 values beyond any file, duplicate names', async () => {
    const long = await failure(ZipFileSource.fromBytes(sparseBytes(sparseZip([{ name: `${'x'.repeat(1100)}.png`, data: bytes('1') }])), 'n.zip'));
    expect(long.message).toMatch(/^n\.zip: not a readable zip archive: central directory entry 0 \(byte \d+\) of n\.zip has field 'file name length' 1104, more than the 1024 bytes a name may have here$/);
    const extra = await failure(patched([{ name: 'a.png', data: bytes('1') }], (v, f) => v.setUint16(f.centrals[0] + 46 + 5 + 2, 200, true), { zip64: true }));
    expect(extra).toMatchObject({ file: 'a.png', detail: expect.stringMatching(/^field 'extra field length' of central directory entry 0 .*: a field at byte 0 of the extra data says 200 bytes, but only 24 remain$/) });
    const huge = await failure(patched([{ name: 'a.png', data: bytes('1') }], (v, f) => v.setBigUint64(f.centrals[0] + 46 + 5 + 4, 2n ** 60n, true), { zip64: true }));
    expect(huge.detail).toMatch(/^field 'uncompressed size' of central directory entry 0 .*: the zip64 value 1152921504606846976 is beyond any file$/);
    const twice = await failure(ZipFileSource.fromBytes(sparseBytes(sparseZip([{ name: 'a.png', data: bytes('1') }, { name: 'a.png', data: bytes('2') }])), 'd.zip'));
    expect(twice).toMatchObject({ file: 'a.png', detail: expect.stringMatching(/^field 'file name' of central directory entry 1 .*: the name appears twice in the archive$/) });
  });

  it('too many entries, a directory too small for its count, a zip64 locator or record that lies, a missing end record', async () => {
    const file = sparseZip(two, { zip64: true });
    const b = sparseBytes(file);
    const v = new DataView(b.buffer);
    const record = file.parts.at(-3)!.offset;
    const open = () => ZipFileSource.fromBytes(b, 'z.zip');
    v.setBigUint64(record + 32, 2_000_000n, true);
    expect((await failure(open())).message).toBe(`z.zip: not a readable zip archive: its end record declares 2000000 entries, more than the ${ZIP_INDEX_LIMITS.maxEntries} an archive may have here`);
    v.setBigUint64(record + 32, 50n, true);
    expect((await failure(open())).message).toMatch(/its end record declares 50 entries in a central directory of \d+ bytes, too small for them/);
    v.setBigUint64(record + 32, 2n, true);
    v.setBigUint64(record + 48, BigInt(b.length), true);
    expect((await failure(open())).message).toMatch(/its end record places the central directory at bytes \d+–\d+, past where it must end \(byte \d+; the archive has \d+ bytes\)/);
    const locator = file.parts.at(-2)!.offset;
    v.setBigUint64(locator + 8, 10n ** 12n, true);
    expect((await failure(open())).message).toMatch(/the zip64 locator at byte \d+ names a zip64 end record at byte 1000000000000, which does not fit before the locator/);
    await expect(ZipFileSource.open(sparseAccess(file), 'z.zip', { limits: { maxEntries: 1 } })).rejects.toThrow(/declares 2 entries, more than the 1 an archive may have here/);
    const cut = sparseBytes(file).subarray(0, file.size - 30);
    expect((await failure(ZipFileSource.fromBytes(cut, 'cut.zip'))).message).toMatch(/^cut\.zip: not a readable zip archive: no end-of-central-directory record/);
  });

  it('a damaged entry is found when read, named, with the archive (CRC, inflated length, local header)', async () => {
    const crc = await patched(two, (v, f) => v.setUint8(f.locals[1] + 30 + 5 + 10, 99));
    expect((await failure(crc.read('b.png'))).message).toBe('b.png: fails its CRC-32 check: the archive is damaged (entry 1 of d.zip)');
    const longer = await patched(two, (v, f) => v.setUint32(central(f, 0) + 24, 4000, true));
    expect((await failure(longer.read('a.png'))).message).toBe('a.png: inflates to more than the 4000 bytes its entry declares (entry 0 of d.zip)');
    const local = await patched(two, (v, f) => v.setUint32(f.locals[1], 0, true));
    expect((await failure(local.read('b.png'))).message).toMatch(/^b\.png: no local header at byte \d+, where the central directory says it is \(entry 1 of d\.zip\)$/);
    expect(await (await patched(two, () => {})).read('a.png')).toEqual(pattern(5000));
  });
});
