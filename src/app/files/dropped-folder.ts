/**
 * The files of folders dropped on the page (DataTransfer items as FileSystemEntry trees), each with
 * its path below the drop ("run-a/run.json"), in the shape the run-folder reader takes. Bounded:
 * a drop of a whole disk stops at DROP_LIMITS.files files or DROP_LIMITS.depth folders deep, with an error that
 * says so, before any file is read. Nothing is read here: `bytes()` reads a file when asked.
 */
import type { FolderFile } from '../../runs/folder-files.ts';

export const DROP_LIMITS = { files: 20_000, depth: 8 } as const;

/** A file of the drop with its path below it ('/'-separated, e.g. "run-a/samples/step-00010.png"). */
export type DroppedFile = FolderFile;

const fileOf = (entry: FileSystemFileEntry) => new Promise<File>((resolve, reject) => entry.file(resolve, reject));

async function entriesOf(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  // readEntries answers in batches (Chromium: 100) until an empty one.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
    if (all.length > DROP_LIMITS.files) return all;
  }
}

function droppedFile(path: string, file: File): DroppedFile {
  return { path, size: file.size, bytes: async () => new Uint8Array(await file.arrayBuffer()) };
}

/** Every file under the dropped entries; throws (naming the limit) when the drop is too large or too deep. */
export async function droppedFiles(entries: FileSystemEntry[]): Promise<DroppedFile[]> {
  const out: DroppedFile[] = [];
  const walk = async (entry: FileSystemEntry, prefix: string, depth: number): Promise<void> => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isFile) {
      if (out.length >= DROP_LIMITS.files) throw new Error(`the drop holds more than ${DROP_LIMITS.files} files; drop the run folders themselves`);
      out.push(droppedFile(path, await fileOf(entry as FileSystemFileEntry)));
    } else if (entry.isDirectory) {
      if (depth >= DROP_LIMITS.depth) throw new Error(`'${path.slice(0, 200)}' is more than ${DROP_LIMITS.depth} folders deep; drop the run folders themselves`);
      for (const child of await entriesOf(entry as FileSystemDirectoryEntry)) await walk(child, path, depth + 1);
    }
  };
  for (const entry of entries) await walk(entry, '', 0);
  return out;
}

/** The entries of a drop event's items (folders and files), in order. */
export function dropEntries(items: DataTransferItemList): FileSystemEntry[] {
  return [...items].map((item) => item.webkitGetAsEntry()).filter((e): e is FileSystemEntry => e !== null);
}
