/**
 * A FileSource over a directory on disk (Node only: import it from Node code, never from the app).
 * The directory is walked once, on the first list(); symbolic links to files and folders are followed.
 */
import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetError } from './errors.ts';
import { filterListing, normalizePath, type FileSource } from './file-source.ts';

export class NodeFileSource implements FileSource {
  private files?: string[];

  constructor(readonly dir: string) {}

  get name(): string {
    return this.dir;
  }

  private walk(): string[] {
    const found: string[] = [];
    const visit = (rel: string) => {
      let entries;
      try {
        entries = readdirSync(join(this.dir, rel), { withFileTypes: true });
      } catch (e) {
        throw new DatasetError('missing', rel || this.dir, `cannot list directory: ${e instanceof Error ? e.message : String(e)}`);
      }
      for (const entry of entries) {
        const path = rel ? `${rel}/${entry.name}` : entry.name;
        const isDir = entry.isDirectory() || (entry.isSymbolicLink() && statSync(join(this.dir, path), { throwIfNoEntry: false })?.isDirectory());
        if (isDir) visit(path);
        else found.push(path);
      }
    };
    visit('');
    return found;
  }

  list(prefix = ''): string[] {
    this.files ??= this.walk();
    return filterListing(this.files, prefix);
  }

  async read(path: string): Promise<Uint8Array> {
    try {
      const buffer = await readFile(join(this.dir, normalizePath(path)));
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (e) {
      throw new DatasetError('missing', path, `cannot read: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
