/**
 * Where checkpoints live: a name → (safetensors bytes, run record) store. Three implementations
 * share this interface: a directory on disk (node-store.ts, Node only), IndexedDB
 * (indexeddb-store.ts, browser) and memory (here; tests and throwaway sessions).
 */
import type { RunRecord } from './record.ts';

export interface CheckpointEntry {
  name: string;
  record: RunRecord;
  /** Size of the safetensors bytes. */
  size: number;
}

export interface StoredCheckpoint {
  bytes: Uint8Array;
  record: RunRecord;
}

export interface CheckpointStore {
  /** Writes (or overwrites) a checkpoint. */
  save(name: string, bytes: Uint8Array, record: RunRecord): Promise<void>;
  /** Every checkpoint, sorted by name. */
  list(): Promise<CheckpointEntry[]>;
  /** The checkpoint, or null when there is none of that name. */
  load(name: string): Promise<StoredCheckpoint | null>;
  /** Removes a checkpoint; false when there was none of that name. */
  delete(name: string): Promise<boolean>;
}

const NAME_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;

/** Names double as file names: letters, digits, `_ - .`, not starting with a dot, at most 128 characters. */
export function checkCheckpointName(name: string): void {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new Error(`bad checkpoint name ${JSON.stringify(name)}: use letters, digits, '_', '-' and '.', not starting with '.', at most 128 characters`);
  }
}

export const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export class MemoryCheckpointStore implements CheckpointStore {
  private readonly entries = new Map<string, StoredCheckpoint>();

  async save(name: string, bytes: Uint8Array, record: RunRecord): Promise<void> {
    checkCheckpointName(name);
    this.entries.set(name, { bytes: bytes.slice(), record: structuredClone(record) });
  }

  async list(): Promise<CheckpointEntry[]> {
    return [...this.entries].map(([name, e]) => ({ name, record: structuredClone(e.record), size: e.bytes.length })).sort(byName);
  }

  async load(name: string): Promise<StoredCheckpoint | null> {
    checkCheckpointName(name);
    const e = this.entries.get(name);
    return e ? { bytes: e.bytes.slice(), record: structuredClone(e.record) } : null;
  }

  async delete(name: string): Promise<boolean> {
    checkCheckpointName(name);
    return this.entries.delete(name);
  }
}
