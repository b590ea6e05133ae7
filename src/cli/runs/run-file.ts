/**
 * run.json on disk: written by `lggan train`, read (size checked first) by `lggan compare` and
 * `lggan train --from-run`. The format and its strict parser are page-safe, in src/runs/run-file.ts.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRunFileText, RUN_FILE, RUN_FILE_LIMITS, RunFileError, runFileJson, type RunFile } from '../../runs/run-file.ts';

export * from '../../runs/run-file.ts';

export async function writeRunFile(dir: string, run: RunFile): Promise<void> {
  await writeFile(join(dir, RUN_FILE), runFileJson(run));
}

/** Reads and checks `file` (a run.json); the size is checked before the file is read. */
export async function readRunFile(file: string): Promise<RunFile> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new RunFileError(file, undefined, code === 'ENOENT' ? 'no such file (not a run folder of lggan train?)' : `cannot be read (${code ?? (e as Error).message})`);
  }
  if (size > RUN_FILE_LIMITS.bytes) throw new RunFileError(file, undefined, `is ${size} bytes; a run record is at most ${RUN_FILE_LIMITS.bytes}`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new RunFileError(file, undefined, code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? (e as Error).message})`);
  }
  return parseRunFileText(text, file);
}
