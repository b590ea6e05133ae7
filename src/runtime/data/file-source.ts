/**
 * Where dataset files come from: a directory on disk (Node), a dropped folder or zip (browser),
 * or memory (tests, generated data). Paths are relative to the source root, '/'-separated, with
 * no leading './' or '/'.
 */
import { DatasetError } from './errors.ts';

export interface FileSource {
  /** For messages: the directory, archive or source name. */
  readonly name: string;
  /**
   * Every file whose path starts with `prefix` (a plain string prefix: pass 'train/' for a
   * folder), sorted, system clutter left out. Default: all files.
   */
  list(prefix?: string): string[];
  read(path: string): Promise<Uint8Array>;
  /**
   * A file's size in bytes, known without reading it (a File's size, a zip's central directory),
   * for fingerprints; sources that would have to ask the disk leave it out.
   */
  sizeOf?(path: string): number | undefined;
}

/** Largest dataset file read or unpacked: an image file bigger than this would not pass the decoders' size limits anyway. */
export const MAX_DATASET_FILE_BYTES = 256 * 2 ** 20;

/** '\\' → '/', no leading './' or '/', no empty or '.' segments. */
export function normalizePath(path: string): string {
  return path
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

/** Files that operating systems and archivers leave behind: never dataset content. */
export function isClutter(path: string): boolean {
  return path.split('/').some((s) => s === '__MACOSX' || s === '.DS_Store' || s === 'Thumbs.db' || s.startsWith('._'));
}

/** Sorted, clutter-free paths that start with `prefix`. */
export function filterListing(paths: Iterable<string>, prefix = ''): string[] {
  const p = prefix.replace(/\\/g, '/').replace(/^(\.\/|\/)+/, '');
  const out: string[] = [];
  for (const path of paths) if (path.startsWith(p) && !isClutter(path)) out.push(path);
  return out.sort();
}

export class MemoryFileSource implements FileSource {
  private readonly files = new Map<string, Uint8Array>();

  constructor(
    files: Record<string, Uint8Array> | Iterable<[string, Uint8Array]> = {},
    readonly name = 'memory',
  ) {
    const entries = Symbol.iterator in files ? files : Object.entries(files);
    for (const [path, bytes] of entries as Iterable<[string, Uint8Array]>) this.set(path, bytes);
  }

  set(path: string, bytes: Uint8Array): this {
    this.files.set(normalizePath(path), bytes);
    return this;
  }

  delete(path: string): boolean {
    return this.files.delete(normalizePath(path));
  }

  list(prefix = ''): string[] {
    return filterListing(this.files.keys(), prefix);
  }

  async read(path: string): Promise<Uint8Array> {
    const bytes = this.files.get(normalizePath(path));
    if (!bytes) throw new DatasetError('missing', path, `no such file in ${this.name}`);
    return bytes;
  }
}
