import { describe, expect, it } from 'vitest';
import { DROP_LIMITS, droppedFiles } from './dropped-folder.ts';

/** A FileSystemEntry tree as Chromium gives it for a drop: directories answer readEntries in batches. */
type Tree = { [name: string]: Tree | string };
function entry(name: string, node: Tree | string, batch = 2): FileSystemEntry {
  if (typeof node === 'string') {
    const file = new File([node], name);
    return { name, isFile: true, isDirectory: false, file: (ok: (f: File) => void) => ok(file) } as unknown as FileSystemEntry;
  }
  const children = Object.entries(node).map(([n, c]) => entry(n, c, batch));
  return {
    name,
    isFile: false,
    isDirectory: true,
    createReader: () => {
      let at = 0;
      return { readEntries: (ok: (e: FileSystemEntry[]) => void) => ok(children.slice(at, (at += batch))) };
    },
  } as unknown as FileSystemEntry;
}

describe('dropped folders', () => {
  it('lists every file with its path below the drop, reading none of them', async () => {
    const files = await droppedFiles([entry('runs', { a: { 'run.json': '{}', 'losses.csv': 'step\n', samples: { 'step-1.png': 'png' } }, b: { 'run.json': '{}' } })]);
    expect(files.map((f) => [f.path, f.size])).toEqual([
      ['runs/a/run.json', 2],
      ['runs/a/losses.csv', 5],
      ['runs/a/samples/step-1.png', 3],
      ['runs/b/run.json', 2],
    ]);
    expect(new TextDecoder().decode(await files[1].bytes())).toBe('step\n');
  });

  it('refuses a drop deeper than the limit, naming the folder', async () => {
    let deep: Tree = { 'run.json': '{}' };
    for (let i = DROP_LIMITS.depth; i >= 0; i--) deep = { [`d${i}`]: deep };
    await expect(droppedFiles([entry('top', deep)])).rejects.toThrow(/top\/d0\/.*is more than 8 folders deep/);
  });

  it('refuses a drop of more files than the limit before reading any', async () => {
    const many: Tree = {};
    for (let i = 0; i <= DROP_LIMITS.files; i++) many[`f${i}`] = '';
    await expect(droppedFiles([entry('big', many, 5000)])).rejects.toThrow(`more than ${DROP_LIMITS.files} files`);
  });
});
