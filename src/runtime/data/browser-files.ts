/**
 * Dropped or picked datasets → a FileSource the loaders read. Three ways in:
 *   - a folder dropped on the page (DataTransferItem.webkitGetAsEntry(), walked recursively),
 *   - a folder picked with <input type="file" webkitdirectory> (File.webkitRelativePath),
 *   - a .zip file (dropped or picked), indexed from its central directory (zip-source.ts).
 * Nothing is read up front: a folder keeps its File objects (lazy until read), a zip is read by
 * Blob slices, entry by entry, so a dataset of several GB costs memory only for its file list.
 * The result, a DroppedDataset, is structured-clone safe (Files are Blobs and stay lazy), so the
 * page can hand it to the training worker, which turns it into a FileSource again
 * (openDroppedDataset).
 *
 * The entry interfaces are the few members of the File and Directory Entries API used here, so
 * tests can walk fakes.
 */
import { DatasetError } from './errors.ts';
import { filterListing, MAX_DATASET_FILE_BYTES, normalizePath, type FileSource } from './file-source.ts';
import { blobAccess, type BlobLike } from './random-access.ts';
import type { ZipIndexOptions } from './zip-index.ts';
import { ZipFileSource } from './zip-source.ts';

export type { BlobLike } from './random-access.ts';

/** How a dropped dataset is laid out ('auto': told apart by its files, browser-dataset.ts detectLayout). */
export const DATASET_LAYOUTS = ['auto', 'cityscapes', 'ade20k', 'crossview', 'generic'] as const;
export type DatasetLayout = (typeof DATASET_LAYOUTS)[number];

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

  sizeOf(path: string): number | undefined {
    return this.files.get(normalizePath(path))?.size;
  }

  async read(path: string): Promise<Uint8Array> {
    const blob = this.files.get(normalizePath(path));
    if (!blob) throw new DatasetError('missing', path, `no such file in ${this.name}`);
    if (blob.size > MAX_DATASET_FILE_BYTES) {
      throw new DatasetError('size', path, `is ${blob.size} bytes, more than the ${MAX_DATASET_FILE_BYTES / 2 ** 20} MiB a dataset file may have: not read`);
    }
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

/**
 * The FileSource of a dropped dataset. A zip is indexed here from its central directory (progress
 * and cancel through `options`); no file's contents are read until a sample needs them.
 */
export async function openDroppedDataset(dataset: DroppedDataset, options: ZipIndexOptions = {}): Promise<FileSource> {
  if (dataset.kind === 'folder') {
    if (dataset.files.length === 0) throw new DatasetError('layout', dataset.name, 'the folder holds no files');
    return new BlobFileSource(dataset.files, dataset.name);
  }
  const access = blobAccess(dataset.zip);
  const head = await access.read(0, Math.min(4, access.size));
  const starts = (magic: number[]) => magic.every((b, i) => head[i] === b);
  if (!starts(ZIP_MAGIC) && !starts(EMPTY_ZIP_MAGIC)) throw new DatasetError('decode', dataset.name, 'not a zip archive (it does not start with PK\\3\\4)');
  return ZipFileSource.open(access, dataset.name, options);
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

/**
 * Every entry of a directory: readEntries hands them out in batches (Chromium: 100) until an empty
 * one. With `cap`, the listing stops once it holds more than that many (the caller refuses it).
 */
async function entriesOf(dir: DirectoryEntryLike, cap = Infinity): Promise<EntryLike[]> {
  const reader = dir.createReader();
  const all: EntryLike[] = [];
  for (;;) {
    const batch = await new Promise<EntryLike[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
    if (all.length > cap) return all;
  }
}

/**
 * Deepest folder nesting walked in a dropped folder. The entries API gives no real paths, so a
 * symbolic link loop (where a browser follows links) shows only as endless nesting.
 */
export const MAX_DROPPED_DEPTH = 64;

/** Progress and cancel of walking a dropped folder (its File objects are gathered, not read). */
export interface WalkOptions {
  /** Files found so far (the total is not known until the walk ends). */
  onProgress?: (found: number) => void;
  /** Aborting stops the walk between folders (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** Files found between progress reports. */
const WALK_REPORT_EVERY = 200;

/** How deep and how large a walk may go, and the error each refusal is. */
export interface WalkLimits {
  maxDepth: number;
  tooDeep(path: string): Error;
  maxFiles?: number;
  tooMany?(): Error;
}

/** A dataset's walk: deep folders allowed up to MAX_DROPPED_DEPTH (a link loop shows as endless nesting). */
const DATASET_WALK: WalkLimits = {
  maxDepth: MAX_DROPPED_DEPTH,
  tooDeep: (path) => new DatasetError('link', path, `folders nest more than ${MAX_DROPPED_DEPTH} deep: a symbolic link loop? Drop a folder without it`),
};

async function walk(entry: EntryLike, prefix: string, out: DroppedFile[], options: WalkOptions, limits: WalkLimits, depth = 0): Promise<void> {
  const path = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile) {
    if (limits.maxFiles !== undefined && out.length >= limits.maxFiles) throw limits.tooMany!();
    out.push({ path, blob: await fileOf(entry as FileEntryLike) });
    if (out.length % WALK_REPORT_EVERY === 0) options.onProgress?.(out.length);
  } else if (entry.isDirectory) {
    if (depth >= limits.maxDepth) throw limits.tooDeep(path);
    options.signal?.throwIfAborted();
    for (const child of await entriesOf(entry as DirectoryEntryLike, limits.maxFiles)) await walk(child, path, out, options, limits, depth + 1);
  }
}

/**
 * Every file under dropped entries, each with its path below the drop ("run-a/run.json"): File
 * objects gathered, none read. The dataset picker and the Runs tab both walk drops here.
 */
export async function walkEntries(entries: readonly EntryLike[], options: WalkOptions = {}, limits: WalkLimits = DATASET_WALK): Promise<DroppedFile[]> {
  const files: DroppedFile[] = [];
  for (const entry of entries) await walk(entry, '', files, options, limits);
  return files;
}

/** The entries of a drop's items (folders and files; what is not a file, or has no entry, left out). */
export function dropEntries(items: ArrayLike<DataTransferItem>): EntryLike[] {
  return Array.from(items)
    .filter((i) => i.kind === 'file')
    .map((i) => i.webkitGetAsEntry?.())
    .filter((e): e is FileSystemEntry => !!e) as unknown as EntryLike[];
}

/**
 * Dropped entries (DataTransferItem.webkitGetAsEntry() of each item, null ones left out) → a
 * dataset: one folder is walked with paths relative to it; one .zip is the archive; several items
 * become one folder with each item at its top level.
 */
export async function datasetFromEntries(entries: readonly EntryLike[], options: WalkOptions = {}): Promise<DroppedDataset> {
  if (entries.length === 0) throw new DatasetError('layout', 'drop', 'nothing was dropped: drop a dataset folder or a .zip');
  if (entries.length === 1 && entries[0].isFile && isZipName(entries[0].name)) {
    return { kind: 'zip', name: entries[0].name, zip: await fileOf(entries[0] as FileEntryLike) };
  }
  const one = entries.length === 1 && entries[0].isDirectory;
  const files = await walkEntries(one ? await entriesOf(entries[0] as DirectoryEntryLike) : entries, options);
  options.onProgress?.(files.length);
  return { kind: 'folder', name: one ? entries[0].name : 'dropped files', files };
}

/** A drop event's DataTransfer → dataset (folders through webkitGetAsEntry, plain files otherwise). */
export async function datasetFromDataTransfer(transfer: DataTransfer, options: WalkOptions = {}): Promise<DroppedDataset> {
  const entries = dropEntries(transfer.items ?? []);
  if (entries.length > 0) return datasetFromEntries(entries, options);
  return datasetFromPickedFiles(Array.from(transfer.files));
}

/** For a status line: "cityscapes-mini (folder, 12 files)" / "data.zip (zip, 3.2 MB)". */
export function describeDropped(dataset: DroppedDataset): string {
  if (dataset.kind === 'zip') return `${dataset.name} (zip, ${(dataset.zip.size / 1e6).toFixed(1)} MB)`;
  return `${dataset.name} (folder, ${dataset.files.length} file${dataset.files.length === 1 ? '' : 's'})`;
}
