import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCityscapes } from './cityscapes.ts';
import { DatasetError } from './errors.ts';
import { MemoryFileSource, type FileSource } from './file-source.ts';
import { cityscapesFiles } from './fixtures.test-util.ts';
import { NodeFileSource } from './node-file-source.ts';
import { ZipFileSource } from './zip-source.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

const FILES: Record<string, string> = {
  'b/two.txt': 'two',
  'a/one.txt': 'one',
  'a/deep/three.txt': 'three',
  'a/.DS_Store': 'junk',
  '__MACOSX/a/._one.txt': 'junk',
};

async function checkSource(source: FileSource) {
  expect(source.list()).toEqual(['a/deep/three.txt', 'a/one.txt', 'b/two.txt']);
  expect(source.list('a/')).toEqual(['a/deep/three.txt', 'a/one.txt']);
  expect(source.list('a/o')).toEqual(['a/one.txt']);
  expect(source.list('c/')).toEqual([]);
  expect(text(await source.read('a/deep/three.txt'))).toBe('three');
  await expect(source.read('a/missing.txt')).rejects.toMatchObject({ name: 'DatasetError', file: 'a/missing.txt', code: 'missing' });
}

describe('file sources', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('memory: lists sorted paths under a prefix, hides system clutter, reads', async () => {
    const source = new MemoryFileSource(Object.entries(FILES).map(([k, v]) => [k, bytes(v)] as [string, Uint8Array]));
    await checkSource(source);
    expect(new MemoryFileSource({ './x\\y.png': bytes('1') }).list()).toEqual(['x/y.png']);
  });

  it('node: walks a directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lggan-src-'));
    dirs.push(dir);
    for (const [path, content] of Object.entries(FILES)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    await checkSource(new NodeFileSource(dir));
    expect(() => new NodeFileSource(join(dir, 'nope')).list()).toThrow(DatasetError);
  });

  it('zip: round trip of stored and deflated entries, nested folders and clutter', async () => {
    const zipped = zipSync({
      a: { 'one.txt': [bytes('one'), { level: 0 }], deep: { 'three.txt': bytes('three') }, '.DS_Store': bytes('junk') },
      b: { 'two.txt': [bytes('two'), { level: 9 }] },
      __MACOSX: { a: { '._one.txt': bytes('junk') } },
    });
    await checkSource(new ZipFileSource(zipped, 'test.zip'));
    const big = new Uint8Array(100_000).map((_, i) => (i * 7) % 251);
    const source = new ZipFileSource(zipSync({ 'big.bin': big }));
    const back = await source.read('big.bin');
    expect(back.length === big.length && back.every((v, i) => v === big[i])).toBe(true);
  });

  it('zip: a damaged archive is a DatasetError naming it', () => {
    expect(() => new ZipFileSource(bytes('not a zip at all, just some text......'), 'broken.zip')).toThrow(/broken\.zip: not a readable zip archive/);
  });

  it('zip: a dataset zipped with a top folder loads (Cityscapes)', async () => {
    const files = cityscapesFiles('cityscapes/data/');
    const nested: Record<string, Uint8Array> = {};
    for (const [path, b] of Object.entries(files)) nested[path] = b;
    const source = new ZipFileSource(zipSync(nested), 'cityscapes.zip');
    const ds = loadCityscapes(source, { size: { width: 8, height: 4 } });
    expect(ds.size).toBe(2);
    const s = await ds.sample(1);
    expect(s.id).toBe('bremen_000003_000019');
    expect(s.fields.labels.data[0]).toBe(7);
  });
});
