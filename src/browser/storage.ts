/**
 * The browser storage the studio's checkpoints live in: asking the browser to keep it (persistent
 * storage: not cleared under storage pressure), how much of the quota is used, and what is stored
 * (autosaves and other checkpoints, with their sizes and dates).
 *
 * When persistence is asked for: once per page, at the first autosave a run writes (run panel), or
 * from the Library's Storage tab. Not on page load: Firefox shows the user a prompt, which means
 * something only once there is a run worth keeping; Chromium decides silently from site engagement.
 *
 * Page-safe: no tfjs, no IndexedDB here (the caller passes the checkpoint list).
 */
import type { CheckpointEntry } from '../runtime/checkpoint/store.ts';
import { AUTOSAVE_PREFIX } from './protocol.ts';

/** What the studio needs of navigator.storage (a fake in tests); every part may be missing. */
export interface StorageManagerLike {
  persist?(): Promise<boolean>;
  persisted?(): Promise<boolean>;
  estimate?(): Promise<{ usage?: number; quota?: number }>;
}

/** granted: the browser keeps the data; best-effort: it may clear it under storage pressure. */
export type Persistence = 'granted' | 'best-effort' | 'unsupported';

const browserStorage = (): StorageManagerLike | undefined => (globalThis.navigator as { storage?: StorageManagerLike } | undefined)?.storage;

let asked: Promise<Persistence> | undefined;

/** Asks for persistent storage, once per page (later calls get the first answer). */
export function askPersistence(storage: StorageManagerLike | undefined = browserStorage()): Promise<Persistence> {
  asked ??= (async () => {
    if (!storage?.persist) return 'unsupported';
    try {
      return (await storage.persist()) ? 'granted' : 'best-effort';
    } catch {
      return 'best-effort';
    }
  })();
  return asked;
}

/** Forgets the page's answer (tests). */
export function forgetPersistenceAnswer(): void {
  asked = undefined;
}

/** Whether the storage is persistent now, without asking. */
export async function currentPersistence(storage: StorageManagerLike | undefined = browserStorage()): Promise<Persistence> {
  if (!storage?.persisted) return 'unsupported';
  try {
    return (await storage.persisted()) ? 'granted' : 'best-effort';
  } catch {
    return 'best-effort';
  }
}

/** The whole site's usage and quota in bytes, as the browser estimates them; undefined where it cannot say. */
export async function storageEstimate(storage: StorageManagerLike | undefined = browserStorage()): Promise<{ usage: number; quota: number } | undefined> {
  if (!storage?.estimate) return undefined;
  try {
    const { usage, quota } = await storage.estimate();
    return typeof usage === 'number' && typeof quota === 'number' && Number.isFinite(usage) && Number.isFinite(quota) ? { usage, quota } : undefined;
  } catch {
    return undefined;
  }
}

export interface StoredCheckpoint {
  /** The store's name: what delete() takes. */
  name: string;
  kind: 'autosave' | 'checkpoint';
  /** The graph it was written for (a name from the file: shown as text only). */
  graphName: string;
  step: number;
  bytes: number;
  /** ISO date from its run record; '' when the record has none. */
  created: string;
}

export interface StoredSummary {
  items: StoredCheckpoint[];
  /** Bytes of all checkpoints, autosaves included. */
  totalBytes: number;
  autosaveBytes: number;
}

/** The store's checkpoints, newest first, with the sizes summed (a bad size counts as 0). */
export function summariseStored(entries: readonly CheckpointEntry[]): StoredSummary {
  const items = entries.map(
    (e): StoredCheckpoint => ({
      name: e.name,
      kind: e.name.startsWith(AUTOSAVE_PREFIX) ? 'autosave' : 'checkpoint',
      graphName: e.record.graphName,
      step: e.record.step,
      bytes: Number.isSafeInteger(e.size) && e.size > 0 ? e.size : 0,
      created: typeof e.record.created === 'string' ? e.record.created : '',
    }),
  );
  items.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : a.name < b.name ? -1 : 1));
  const sum = (list: StoredCheckpoint[]) => list.reduce((total, i) => total + i.bytes, 0);
  return { items, totalBytes: sum(items), autosaveBytes: sum(items.filter((i) => i.kind === 'autosave')) };
}
