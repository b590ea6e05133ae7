/**
 * The files of folders dropped on the Runs tab, each with its path below the drop
 * ("run-a/run.json"), in the shape the run-folder reader takes. The walk is the dataset picker's
 * (runtime/data/browser-files.ts walkEntries), with the Runs tab's own bounds: a drop of a whole
 * disk stops at DROP_LIMITS.files files or DROP_LIMITS.depth folders deep, with an error that says
 * so, before any file is read. Nothing is read here: `bytes()` reads a file when asked.
 */
import { walkEntries, type EntryLike, type WalkLimits } from '../../runtime/data/browser-files.ts';
import type { FolderFile } from '../../runs/folder-files.ts';

export const DROP_LIMITS = { files: 20_000, depth: 8 } as const;

/** A file of the drop with its path below it ('/'-separated, e.g. "run-a/samples/step-00010.png"). */
export type DroppedFile = FolderFile;

const RUN_FOLDER_WALK: WalkLimits = {
  maxDepth: DROP_LIMITS.depth,
  tooDeep: (path) => new Error(`'${path.slice(0, 200)}' is more than ${DROP_LIMITS.depth} folders deep; drop the run folders themselves`),
  maxFiles: DROP_LIMITS.files,
  tooMany: () => new Error(`the drop holds more than ${DROP_LIMITS.files} files; drop the run folders themselves`),
};

/** Every file under the dropped entries; throws (naming the limit) when the drop is too large or too deep. */
export async function droppedFiles(entries: readonly EntryLike[]): Promise<DroppedFile[]> {
  const files = await walkEntries(entries, {}, RUN_FOLDER_WALK);
  return files.map(({ path, blob }) => ({ path, size: blob.size, bytes: async () => new Uint8Array(await blob.arrayBuffer()) }));
}
