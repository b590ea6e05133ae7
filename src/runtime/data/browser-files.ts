/**
 * Dropped or picked datasets → a FileSource the loaders read. Three ways in:
 *   - a folder dropped on the page (DataTransferItem.webkitGetAsEntry(), walked recursively),
 *   - a folder picked with <input type="file" webkitdirectory> (File.webkitRelativePath),
 *   - a .zip file (dropped or picked), read with zip-source.ts.
 * The result, a DroppedDataset, is structured-clone safe (Files are Blobs), so the page can hand
 * it to the training worker, which turns it into a FileSource again (openDroppedDataset).
 *
 * The entry interfaces are the few members of the File and Directory Entries API used here, so
 * tests can walk fakes.
 */
import { DatasetError } from './errors.ts';
import { filterListing, normalizePath, type FileSource } from './file-source.ts';
import { ZipFileSource } from './zip-source.ts';

/** How a dropped dataset is laid out ('auto': told apart by its files, browser-dataset.ts detectLayout). */
export const DATASET_LAYOUTS = ['auto', 'cityscapes', 'ade20k', 'crossview', 'generic'] as const;
export type DatasetLayout = (typeof DATASET_LAYOUTS)[number];

/** What a dataset file must offer: a Blob (or File) in the browser and in Node ≥ 20. */
export interface BlobLike {
  readonly size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface DroppedFile {
  /** Relative to the dropped folder, '/'-separated. */
  path: string;
  blob: BlobLike;
}

export type DroppedDataset =
  | { kind: 'folder'; name: string; files: DroppedFile[] }
  | { kind: 'zip'; name: string; zip: BlobLike };

/** A FileSource over Blobs by path (a dropped or picked folder). */
export class BlobFileSource implements FileSource {
  private readonly files = new Map<string, BlobLike>();

  constructor(
    files: Iterable<DroppedFile>,
    readonly name: string,
  ) {
    for (const f of files) this.files.set(normalizePath(f.path), f.blob);
  }

  list(prefix = ''): string[] {
    return filterListing(this.files.keys(), prefix);
  }

  async read(path: string): Promise<Uint8Array> {
    const blob = this.files.get(normalizePath(path));
    if (!blob) throw new DatasetError('missing', path, `no such file in ${this.name}`);
    try {
      return new Uint8Array(await blob.arrayBuffer());
    } catch (e) {
      throw new DatasetError('missing', path, `cannot read from ${this.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const EMPTY_ZIP_MAGIC = [0x50, 0x4b, 0x05, 0x06];

function isZipName(name: string): boolean {
  return /\.zip$/i.test(name);
}

/** The FileSource of a dropped dataset (a zip is read into memory once, here). */
export async function openDroppedDataset(dataset: DroppedDataset): Promise<FileSource> {
  if (dataset.kind === 'folder') {
    if (dataset.files.length === 0) throw new DatasetError('layout', dataset.name, 'the folder holds no files');
    return new BlobFileSource(dataset.files, dataset.name);
  }
  const bytes = new Uint8Array(await dataset.zip.arrayBuffer());
  const starts = (magic: number[]) => magic.every((b, i) => bytes[i] === b);
  if (!starts(ZIP_MAGIC) && !starts(EMPTY_ZIP_MAGIC)) throw new DatasetError('decode', dataset.name, 'not a zip archive (it does not start with PK\\3\\4)');
  return new ZipFileSource(bytes, dataset.name);
}

/** The few members of File (webkitRelativePath is set for files picked with webkitdirectory). */
export interface PickedFile extends BlobLike {
  readonly name: string;
  readonly webkitRelativePath?: string;
}

/**
 * Files from an <input type="file"> (webkitdirectory or multiple): one .zip alone is the archive;
 * otherwise the files by their relative path, with the picked folder's own name taken off the front.
 */
export function datasetFromPickedFiles(files: readonly PickedFile[]): DroppedDataset {
  if (files.length === 0) throw new DatasetError('layout', 'selection', 'no files were picked');
  if (files.length === 1 && isZipName(files[0].name)) return { kind: 'zip', name: files[0].name, zip: files[0] };
  const paths = files.map((f) => normalizePath(f.webkitRelativePath || f.name));
  const tops = new Set(paths.map((p) => (p.includes('/') ? p.slice(0, p.indexOf('/')) : '')));
  const top = tops.size === 1 ? [...tops][0] : '';
  const strip = (p: string) => (top ? p.slice(top.length + 1) : p);
  return { kind: 'folder', name: top || 'picked files', files: files.map((f, i) => ({ path: strip(paths[i]), blob: f })) };
}

/** File and Directory Entries API, as far as walking a dropped folder needs it. */
export interface EntryLike {
  readonly name: string;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
}
export interface FileEntryLike extends EntryLike {
  file(success: (file: PickedFile) => void, failure?: (error: unknown) => void): void;
}
export interface DirectoryEntryLike extends EntryLike {
  createReader(): { readEntries(success: (entries: EntryLike[]) => void, failure?: (error: unknown) => void): void };
}

function fileOf(entry: FileEntryLike): Promise<PickedFile> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/** Every entry of a directory: readEntries hands them out in batches (Chromium: 100) until an empty one. */
async function entriesOf(dir: DirectoryEntryLike): Promise<EntryLike[]> {
  const reader = dir.createReader();
  const all: EntryLike[] = [];
  for (;;) {
    const batch = await new Promise<EntryLike[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

/**
 * Deepest folder nesting walked in a dropped folder. The entries API gives no real paths, so a
 * symbolic link loop (where a browser follows links) shows only as endless nesting.
 */
export const MAX_DROPPED_DEPTH = 64;

async function walk(entry: EntryLike, prefix: string, out: DroppedFile[], depth = 0): Promise<void> {
  const path = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile) out.push({ path, blob: await fileOf(entry as FileEntryLike) });
  else if (entry.isDirectory) {
    if (depth >= MAX_DROPPED_DEPTH) throw new DatasetError('link', path, `folders nest more than ${MAX_DROPPED_DEPTH} deep: a symbolic link loop? Drop a folder without it`);
    for (const child of await entriesOf(entry as DirectoryEntryLike)) await walk(child, path, out, depth + 1);
  }
}

/**
 * Dropped entries (DataTransferItem.webkitGetAsEntry() of each item, null ones left out) → a
 * dataset: one folder is walked with paths relative to it; one .zip is the archive; several items
 * become one folder with each item at its top level.
 */
export async function datasetFromEntries(entries: readonly EntryLike[]): Promise<DroppedDataset> {
  if (entries.length === 0) throw new DatasetError('layout', 'drop', 'nothing was dropped: drop a dataset folder or a .zip');
  if (entries.length === 1 && entries[0].isFile && isZipName(entries[0].name)) {
    return { kind: 'zip', name: entries[0].name, zip: await fileOf(entries[0] as FileEntryLike) };
  }
  const files: DroppedFile[] = [];
  if (entries.length === 1 && entries[0].isDirectory) {
    for (const child of await entriesOf(entries[0] as DirectoryEntryLike)) await walk(child, '', files);
    return { kind: 'folder', name: entries[0].name, files };
  }
  for (const entry of entries) await walk(entry, '', files);
  return { kind: 'folder', name: 'dropped files', files };
}

/** A drop event's DataTransfer → dataset (folders through webkitGetAsEntry, plain files otherwise). */
export async function datasetFromDataTransfer(transfer: DataTransfer): Promise<DroppedDataset> {
  const items = Array.from(transfer.items ?? []).filter((i) => i.kind === 'file');
  const entries = items.map((i) => i.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  if (entries.length > 0) return datasetFromEntries(entries as unknown as EntryLike[]);
  return datasetFromPickedFiles(Array.from(transfer.files));
}

/** For a status line: "cityscapes-mini (folder, 12 files)" / "data.zip (zip, 3.2 MB)". */
export function describeDropped(dataset: DroppedDataset): string {
  if (dataset.kind === 'zip') return `${dataset.name} (zip, ${(dataset.zip.size / 1e6).toFixed(1)} MB)`;
  return `${dataset.name} (folder, ${dataset.files.length} file${dataset.files.length === 1 ? '' : 's'})`;
}
