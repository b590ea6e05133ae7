/**
 * A FileSource over a directory on disk (Node only: import it from Node code, never from the app).
 * The directory is walked once, on the first list() or read(), without recursion. Symbolic links
 * are followed while they stay inside the directory (compared by real path), so a split folder may
 * link to images elsewhere in it; a link that leads out of the directory, leads nowhere, or loops
 * (back to a folder the walk is inside of) stops the walk with a DatasetError naming the link. Only
 * files the walk found are read.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { DatasetError } from './errors.ts';
import { filterListing, MAX_DATASET_FILE_BYTES, normalizePath, type FileSource } from './file-source.ts';

/** Most directory entries one walk visits (links inside the folder can list a folder many times over). */
export const MAX_WALK_ENTRIES = 2_000_000;

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function formatSize(bytes: number): string {
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${bytes} bytes`;
}

/** Whether real path `path` is `root` or inside it. */
function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/** A folder being walked: its dataset path, real path, and the folder the walk came from. */
interface Folder {
  rel: string;
  real: string;
  parent?: Folder;
}

export class NodeFileSource implements FileSource {
  private files?: Set<string>;
  private readonly maxFileBytes: number;

  constructor(
    readonly dir: string,
    options: { maxFileBytes?: number } = {},
  ) {
    this.maxFileBytes = options.maxFileBytes ?? MAX_DATASET_FILE_BYTES;
  }

  get name(): string {
    return this.dir;
  }

  private walk(): Set<string> {
    let root: string;
    try {
      root = realpathSync(this.dir);
    } catch (e) {
      throw new DatasetError('missing', this.dir, `cannot list directory: ${reason(e)}`);
    }
    const found = new Set<string>();
    const pending: Folder[] = [{ rel: '', real: root }];
    let visited = 0;
    for (let folder = pending.pop(); folder; folder = pending.pop()) {
      let entries;
      try {
        entries = readdirSync(folder.real, { withFileTypes: true });
      } catch (e) {
        throw new DatasetError('missing', folder.rel || this.dir, `cannot list directory: ${reason(e)}`);
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)); // the same walk, and the same first error, on every file system
      visited += entries.length;
      if (visited > MAX_WALK_ENTRIES) {
        throw new DatasetError('layout', this.dir, `holds more than ${MAX_WALK_ENTRIES} files and folders (counting each folder once per symbolic link that leads to it); the walk stopped in '${folder.rel}'`);
      }
      for (const entry of entries) {
        const path = folder.rel ? `${folder.rel}/${entry.name}` : entry.name;
        if (entry.isSymbolicLink()) {
          const target = this.followLink(root, join(folder.real, entry.name), path, folder);
          if (target.directory) pending.push({ rel: path, real: target.real, parent: folder });
          else found.add(path);
        } else if (entry.isDirectory()) {
          pending.push({ rel: path, real: join(folder.real, entry.name), parent: folder });
        } else {
          found.add(path);
        }
      }
    }
    return found;
  }

  /** Where the link at `absolute` (dataset path `path`, in `folder`) leads; a DatasetError when it may not be followed. */
  private followLink(root: string, absolute: string, path: string, folder: Folder): { real: string; directory: boolean } {
    let real: string;
    try {
      real = realpathSync(absolute);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw new DatasetError('link', path, 'symbolic link loop: the link leads back to itself through other links');
      throw new DatasetError('link', path, `broken symbolic link: ${code === 'ENOENT' ? 'what it points to does not exist' : reason(e)}`);
    }
    if (!inside(root, real)) {
      throw new DatasetError('link', path, `symbolic link leads outside the data folder ${this.dir} (to ${real}): copy or move what it points to into the folder, or give the folder that holds both`);
    }
    const directory = statSync(real).isDirectory();
    // A loop: the link leads to a folder the walk is already inside of.
    for (let up: Folder | undefined = folder; directory && up; up = up.parent) {
      if (up.real === real) throw new DatasetError('link', path, `symbolic link loop: it leads back to ${up.rel ? `'${up.rel}'` : 'the data folder itself'}, which holds it`);
    }
    return { real, directory };
  }

  list(prefix = ''): string[] {
    this.files ??= this.walk();
    return filterListing(this.files, prefix);
  }

  async read(path: string): Promise<Uint8Array> {
    this.files ??= this.walk();
    const key = normalizePath(path);
    if (!this.files.has(key)) throw new DatasetError('missing', path, `no such file in ${this.dir}`);
    const absolute = join(this.dir, key);
    try {
      const info = await stat(absolute);
      // A pipe or a device (/dev/zero behind a link) would never end: only regular files are read.
      if (!info.isFile()) throw new DatasetError('missing', path, 'is not a regular file (a pipe, socket or device): not read');
      const size = info.size;
      if (size > this.maxFileBytes) {
        throw new DatasetError('size', path, `is ${formatSize(size)}, more than the ${formatSize(this.maxFileBytes)} a dataset file may have: not read`);
      }
      const buffer = await readFile(absolute);
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (e) {
      if (e instanceof DatasetError) throw e;
      throw new DatasetError('missing', path, `cannot read: ${reason(e)}`);
    }
  }
}
