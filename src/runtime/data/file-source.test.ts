import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCityscapes } from './cityscapes.ts';
import { DatasetError } from './errors.ts';
import { MemoryFileSource, type FileSource } from './file-source.ts';
import { cityscapesFiles } from './fixtures.test-util.ts';
import { NodeFileSource } from './node-file-source.ts';

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

  describe('node: symbolic links', () => {
    /** A fresh folder holding data/ (the dataset folder) and outside/ beside it. */
    function fixture(): { root: string; data: string } {
      const root = mkdtempSync(join(tmpdir(), 'lggan-links-'));
      dirs.push(root);
      const data = join(root, 'data');
      for (const [path, content] of Object.entries({ 'data/images/a.png': 'a', 'data/all/b.png': 'b', 'outside/secret.png': 's' })) {
        mkdirSync(join(root, path, '..'), { recursive: true });
        writeFileSync(join(root, path), content);
      }
      return { root, data };
    }
    const failure = (source: NodeFileSource) => {
      try {
        source.list();
      } catch (e) {
        return e as DatasetError;
      }
      throw new Error('expected the walk to fail');
    };

    it('follows links that stay inside the folder (files and folders), and a linked data folder itself', async () => {
      const { root, data } = fixture();
      symlinkSync(join(data, 'all'), join(data, 'images', 'more'));
      symlinkSync('../all/b.png', join(data, 'images', 'c.png'));
      symlinkSync(data, join(root, 'data-link'));
      for (const source of [new NodeFileSource(data), new NodeFileSource(join(root, 'data-link'))]) {
        expect(source.list()).toEqual(['all/b.png', 'images/a.png', 'images/c.png', 'images/more/b.png']);
        expect(text(await source.read('images/more/b.png'))).toBe('b');
        expect(text(await source.read('images/c.png'))).toBe('b');
      }
    });

    it('refuses a link to a file or a folder outside the data folder, naming the link', async () => {
      const { root, data } = fixture();
      symlinkSync(join(root, 'outside', 'secret.png'), join(data, 'images', 'leak.png'));
      expect(failure(new NodeFileSource(data))).toMatchObject({ name: 'DatasetError', code: 'link', file: 'images/leak.png', detail: expect.stringMatching(/^symbolic link leads outside the data folder .*data \(to .*outside\/secret\.png\)/) });
      rmSync(join(data, 'images', 'leak.png'));
      symlinkSync('../../outside', join(data, 'images', 'up'));
      expect(failure(new NodeFileSource(data))).toMatchObject({ code: 'link', file: 'images/up', message: expect.stringMatching(/^images\/up: symbolic link leads outside/) });
    });

    it('refuses a loop (to the folder itself, to a folder above, across two links, a link to itself) and a broken link, naming the link', () => {
      const cases: [string, (data: string) => void, RegExp][] = [
        ['images/self', (data) => symlinkSync(data, join(data, 'images', 'self')), /symbolic link loop: it leads back to the data folder itself, which holds it/],
        ['images/parent', (data) => symlinkSync('.', join(data, 'images', 'parent')), /symbolic link loop: it leads back to 'images', which holds it/],
        ['images/x/y', (data) => (symlinkSync('../all', join(data, 'images', 'x')), symlinkSync('../images', join(data, 'all', 'y'))), /symbolic link loop: it leads back to 'images'/],
        ['images/me', (data) => symlinkSync('me', join(data, 'images', 'me')), /symbolic link loop: the link leads back to itself/],
        ['images/gone.png', (data) => symlinkSync('nothing-here.png', join(data, 'images', 'gone.png')), /broken symbolic link: what it points to does not exist/],
      ];
      for (const [link, make, detail] of cases) {
        const { data } = fixture();
        make(data);
        const error = failure(new NodeFileSource(data));
        expect(error.code, link).toBe('link');
        expect(error.file).toBe(link);
        expect(error.detail).toMatch(detail);
      }
    });

    it('reads only files the walk listed', async () => {
      const { data } = fixture();
      const source = new NodeFileSource(data);
      await expect(source.read('../outside/secret.png')).rejects.toMatchObject({ code: 'missing', file: '../outside/secret.png' });
      await expect(source.read('images/../../outside/secret.png')).rejects.toMatchObject({ code: 'missing' });
      expect(text(await source.read('./images/a.png'))).toBe('a');
    });

    it('refuses to read a file larger than the limit, naming it', async () => {
      const { data } = fixture();
      writeFileSync(join(data, 'images', 'big.png'), new Uint8Array(2000));
      const source = new NodeFileSource(data, { maxFileBytes: 1000 });
      await expect(source.read('images/big.png')).rejects.toMatchObject({ code: 'size', message: 'images/big.png: is 2000 bytes, more than the 1000 bytes a dataset file may have: not read' });
      expect(text(await source.read('images/a.png'))).toBe('a');
    });

    it('refuses to read a pipe (it would never end), naming it', async () => {
      const { data } = fixture();
      execFileSync('mkfifo', [join(data, 'images', 'pipe.png')]);
      const source = new NodeFileSource(data);
      expect(source.list('images')).toContain('images/pipe.png');
      await expect(source.read('images/pipe.png')).rejects.toMatchObject({ code: 'missing', file: 'images/pipe.png', detail: 'is not a regular file (a pipe, socket or device): not read' });
    });
  });
});
