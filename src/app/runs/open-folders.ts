/**
 * Run folders opened in the app (picked with <input webkitdirectory> or dropped): the files are
 * split into run folders (each holding a run.json) and each is read into a RunRecord; a folder
 * that fails is named with why, the others still open.
 */
import { folderFilesFromFileList, groupRunFolders, readRunFolderFiles, type FolderFile } from '../../runs/folder-files.ts';
import type { RunRecord } from '../../runs/run-record.ts';
import { DROP_LIMITS } from '../files/dropped-folder.ts';

export async function readRunFolders(files: readonly FolderFile[]): Promise<{ runs: RunRecord[]; refused: string[] }> {
  const runs: RunRecord[] = [];
  const refused: string[] = [];
  for (const group of groupRunFolders(files)) {
    try {
      runs.push(await readRunFolderFiles(group.files, ''));
    } catch (e) {
      refused.push(e instanceof Error ? e.message : String(e));
    }
  }
  return { runs, refused };
}

/** The files of a picked folder, refused before reading when there are too many. */
export function pickedFolderFiles(files: ArrayLike<File>): FolderFile[] {
  if (files.length > DROP_LIMITS.files) throw new Error(`the folder holds ${files.length} files; at most ${DROP_LIMITS.files} are read`);
  return folderFilesFromFileList(files);
}
