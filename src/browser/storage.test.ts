/** Browser storage: persistence asked once, the estimate read safely, stored checkpoints listed newest first with their sizes summed. */
import { beforeEach, describe, expect, it } from 'vitest';
import type { CheckpointEntry } from '../runtime/checkpoint/store.ts';
import type { RunRecord } from '../runtime/checkpoint/record.ts';
import { askPersistence, currentPersistence, forgetPersistenceAnswer, storageEstimate, summariseStored, type StorageManagerLike } from './storage.ts';

const record = (graphName: string, step: number, created: string) => ({ graphName, step, created }) as unknown as RunRecord;
const entry = (name: string, size: number, r: RunRecord): CheckpointEntry => ({ name, size, record: r });

describe('persistent storage', () => {
  beforeEach(forgetPersistenceAnswer);

  it('asks the browser once per page, however often a save asks', async () => {
    let asks = 0;
    const storage: StorageManagerLike = { persist: async () => (asks++, true) };
    expect(await Promise.all([askPersistence(storage), askPersistence(storage)])).toEqual(['granted', 'granted']);
    expect(await askPersistence(storage)).toBe('granted');
    expect(asks).toBe(1);
  });

  it('tells a refusal, a failure and a browser without the API apart', async () => {
    expect(await askPersistence({ persist: async () => false })).toBe('best-effort');
    forgetPersistenceAnswer();
    expect(await askPersistence({ persist: () => Promise.reject(new Error('no')) })).toBe('best-effort');
    forgetPersistenceAnswer();
    expect(await askPersistence({})).toBe('unsupported');
    expect(await currentPersistence({ persisted: async () => true })).toBe('granted');
    expect(await currentPersistence(undefined)).toBe('unsupported');
  });

  it('reads the usage estimate, and nothing from a browser that gives none or nonsense', async () => {
    expect(await storageEstimate({ estimate: async () => ({ usage: 1500, quota: 10_000 }) })).toEqual({ usage: 1500, quota: 10_000 });
    expect(await storageEstimate({ estimate: async () => ({ usage: 1500 }) })).toBeUndefined();
    expect(await storageEstimate({ estimate: async () => ({ usage: NaN, quota: 1 }) })).toBeUndefined();
    expect(await storageEstimate({ estimate: () => Promise.reject(new Error('denied')) })).toBeUndefined();
    expect(await storageEstimate({})).toBeUndefined();
  });
});

describe('stored checkpoints', () => {
  it('lists autosaves and other checkpoints newest first and sums their sizes', () => {
    const summary = summariseStored([
      entry('autosave-aaa', 1000, record('pix2pix', 50, '2026-12-01T10:00:00.000Z')),
      entry('my-run', 300, record('LGGAN', 7, '2026-12-03T10:00:00.000Z')),
      entry('autosave-bbb', 2000, record('LGGAN', 120, '2026-12-02T10:00:00.000Z')),
    ]);
    expect(summary.items.map((i) => [i.name, i.kind, i.graphName, i.step, i.bytes])).toEqual([
      ['my-run', 'checkpoint', 'LGGAN', 7, 300],
      ['autosave-bbb', 'autosave', 'LGGAN', 120, 2000],
      ['autosave-aaa', 'autosave', 'pix2pix', 50, 1000],
    ]);
    expect(summary.totalBytes).toBe(3300);
    expect(summary.autosaveBytes).toBe(3000);
  });

  it('counts a size that is not a whole number of bytes as nothing', () => {
    const summary = summariseStored([entry('a', -5, record('g', 0, '')), entry('b', Number.NaN, record('g', 0, '')), entry('c', 10, record('g', 0, ''))]);
    expect(summary.totalBytes).toBe(10);
    expect(summariseStored([]).totalBytes).toBe(0);
  });
});
