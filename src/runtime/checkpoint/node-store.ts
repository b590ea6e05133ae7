/**
 * A directory of checkpoints (Node only): `<name>.safetensors` plus its run record as
 * `<name>.json`. Files are written to a temporary name and renamed, so a crash never leaves a
 * half-written checkpoint under its real name. A `.safetensors` file dropped in without a sidecar
 * is listed with the record from its own metadata.
 */
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readCheckpointRecord } from './checkpoint.ts';
import { parseRunRecord, runRecordJson, type RunRecord } from './record.ts';
import { byName, checkCheckpointName, type CheckpointEntry, type CheckpointStore, type StoredCheckpoint } from './store.ts';

const WEIGHTS = '.safetensors';
const SIDECAR = '.json';

function isMissing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === 'ENOENT';
}

async function writeAtomically(path: string, data: Uint8Array | string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

export class DirectoryCheckpointStore implements CheckpointStore {
  constructor(readonly directory: string) {}

  private path(name: string, extension: string): string {
    checkCheckpointName(name);
    return join(this.directory, name + extension);
  }

  async save(name: string, bytes: Uint8Array, record: RunRecord): Promise<void> {
    const weights = this.path(name, WEIGHTS);
    await mkdir(this.directory, { recursive: true });
    await writeAtomically(weights, bytes);
    await writeAtomically(this.path(name, SIDECAR), runRecordJson(record));
  }

  private async record(name: string, bytes?: Uint8Array): Promise<RunRecord> {
    try {
      return parseRunRecord(await readFile(this.path(name, SIDECAR), 'utf8'));
    } catch (e) {
      if (!isMissing(e)) throw e;
    }
    const record = readCheckpointRecord(bytes ?? (await readFile(this.path(name, WEIGHTS))));
    if (!record) throw new Error(`checkpoint '${name}' has neither a ${SIDECAR} sidecar nor a run record in its metadata`);
    return record;
  }

  async list(): Promise<CheckpointEntry[]> {
    let files: string[];
    try {
      files = await readdir(this.directory);
    } catch (e) {
      if (isMissing(e)) return [];
      throw e;
    }
    const entries: CheckpointEntry[] = [];
    for (const file of files) {
      if (!file.endsWith(WEIGHTS)) continue;
      const name = file.slice(0, -WEIGHTS.length);
      try {
        checkCheckpointName(name);
      } catch {
        continue; // not one of ours
      }
      const { size } = await stat(join(this.directory, file));
      entries.push({ name, record: await this.record(name), size });
    }
    return entries.sort(byName);
  }

  async load(name: string): Promise<StoredCheckpoint | null> {
    let bytes: Uint8Array;
    try {
      const buffer = await readFile(this.path(name, WEIGHTS));
      bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength); // a plain view, not a Buffer
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
    return { bytes, record: await this.record(name, bytes) };
  }

  async delete(name: string): Promise<boolean> {
    const weights = this.path(name, WEIGHTS);
    const existed = await stat(weights).then(() => true, () => false);
    await rm(weights, { force: true });
    await rm(this.path(name, SIDECAR), { force: true });
    return existed;
  }
}
