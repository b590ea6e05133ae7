/**
 * A run folder of `lggan train` on disk, read for comparison into the same RunRecord a folder
 * dropped in the browser gives: its files (the folder's own and those one folder down, where the
 * sample grids are) are listed with their sizes, and src/runs/folder-files.ts reads them, every
 * size checked before reading.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { readRunFolderFiles, type FolderFile, type ReadRunFolderOptions } from '../../runs/folder-files.ts';
import { RUN_FILE } from '../../runs/run-file.ts';
import type { RunRecord } from '../../runs/run-record.ts';

export { LOG_LIMITS, RunFolderError } from '../../runs/run-folder-parse.ts';

/** The plain files of `dir` and of its subfolders (not deeper), by their path inside `dir`; none when it cannot be listed. */
export async function listRunFolder(dir: string): Promise<FolderFile[]> {
  const files: FolderFile[] = [];
  const walk = async (sub: string, depth: number) => {
    let entries;
    try {
      entries = await readdir(join(dir, sub), { withFileTypes: true });
    } catch {
      return; // not a folder (or unreadable): the reader names the run.json it does not find
    }
    for (const entry of entries) {
      const path = sub === '' ? entry.name : `${sub}/${entry.name}`;
      const info = await stat(join(dir, path)).catch(() => undefined);
      if (info?.isFile()) files.push({ path, size: info.size, bytes: () => readFile(join(dir, path)).then((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)) });
      else if (info?.isDirectory() && depth < 1) await walk(path, depth + 1);
    }
  };
  await walk('', 0);
  return files;
}

/** Reads a run folder (or a run.json path); RunFileError / RunFolderError name the file at fault. */
export async function readRunFolder(path: string, options: ReadRunFolderOptions = {}): Promise<RunRecord> {
  const dir = basename(path) === RUN_FILE ? resolve(path, '..') : path;
  return readRunFolderFiles(await listRunFolder(dir), dir, options);
}
