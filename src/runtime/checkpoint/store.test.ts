import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSafetensors } from '../../formats/safetensors.ts';
import { IndexedDbCheckpointStore } from './indexeddb-store.ts';
import { DirectoryCheckpointStore } from './node-store.ts';
import { MemoryCheckpointStore, type CheckpointStore } from './store.ts';
import { createRunRecord, parseRunRecord, type RunRecord } from './record.ts';
import { IDBFactory as FakeIndexedDb } from 'fake-indexeddb';
import { openDatabase } from '../indexeddb.ts';
import { fixedClock, tinyDoc } from './fixtures.test-util.ts';

const directories: string[] = [];
afterAll(async () => {
  for (const d of directories) await rm(d, { recursive: true, force: true });
});

async function temporaryDirectory(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'lggan-checkpoints-'));
  directories.push(d);
  return d;
}

const record = (step: number): RunRecord => createRunRecord({ doc: tinyDoc(), nodePackVersion: '0.1.0', step, now: fixedClock });

/** A small but real checkpoint file carrying its record. */
const fileFor = (r: RunRecord, value = 1) => writeSafetensors({ 'a.weight': { shape: [2], values: [value, 2] } }, { 'lggan.run': JSON.stringify(r) });

const stores: [string, () => Promise<CheckpointStore>][] = [
  ['memory', async () => new MemoryCheckpointStore()],
  ['directory', async () => new DirectoryCheckpointStore(join(await temporaryDirectory(), 'nested'))],
  ['IndexedDB (fake)', async () => new IndexedDbCheckpointStore('test', new FakeIndexedDb())],
];

describe.each(stores)('%s checkpoint store', (_, make) => {
  it('saves, lists (by name), loads, overwrites and deletes', async () => {
    const store = await make();
    expect(await store.list()).toEqual([]);
    expect(await store.load('run-b')).toBeNull();
    const bytes = fileFor(record(5));
    await store.save('run-b', bytes, record(5));
    await store.save('run-a.step-1', fileFor(record(1)), record(1));
    expect(await store.list()).toEqual([
      { name: 'run-a.step-1', record: record(1), size: fileFor(record(1)).length },
      { name: 'run-b', record: record(5), size: bytes.length },
    ]);
    const loaded = await store.load('run-b');
    expect(loaded!.record).toEqual(record(5));
    expect(Array.from(loaded!.bytes)).toEqual(Array.from(bytes));

    const replacement = fileFor(record(6), 9);
    await store.save('run-b', replacement, record(6));
    expect(Array.from((await store.load('run-b'))!.bytes)).toEqual(Array.from(replacement));
    expect((await store.list()).map((e) => e.record.step)).toEqual([1, 6]);

    expect(await store.delete('run-b')).toBe(true);
    expect(await store.delete('run-b')).toBe(false);
    expect(await store.load('run-b')).toBeNull();
    expect((await store.list()).map((e) => e.name)).toEqual(['run-a.step-1']);
  });

  it('keeps its own copy of the bytes', async () => {
    const store = await make();
    const bytes = fileFor(record(1));
    await store.save('x', bytes, record(1));
    const original = Array.from(bytes);
    bytes.fill(0);
    expect(Array.from((await store.load('x'))!.bytes)).toEqual(original);
  });

  it('refuses names that are not safe file names', async () => {
    const store = await make();
    for (const bad of ['', '.hidden', 'a/b', '../up', 'a b', 'x'.repeat(129)]) {
      await expect(store.save(bad, fileFor(record(1)), record(1))).rejects.toThrow('bad checkpoint name');
    }
  });
});

describe('DirectoryCheckpointStore', () => {
  it('writes <name>.safetensors and a <name>.json sidecar, nothing else', async () => {
    const dir = await temporaryDirectory();
    const store = new DirectoryCheckpointStore(dir);
    const bytes = fileFor(record(3));
    await store.save('tiny', bytes, record(3));
    expect((await readdir(dir)).sort()).toEqual(['tiny.json', 'tiny.safetensors']);
    expect(Array.from(await readFile(join(dir, 'tiny.safetensors')))).toEqual(Array.from(bytes));
    expect(parseRunRecord(await readFile(join(dir, 'tiny.json'), 'utf8'))).toEqual(record(3));
  });

  it('lists a bare .safetensors file by the record in its metadata and ignores other files', async () => {
    const dir = await temporaryDirectory();
    await writeFile(join(dir, 'dropped.safetensors'), fileFor(record(8)));
    await writeFile(join(dir, 'notes.txt'), 'hello');
    const store = new DirectoryCheckpointStore(dir);
    expect((await store.list()).map((e) => [e.name, e.record.step])).toEqual([['dropped', 8]]);
    expect((await store.load('dropped'))!.record.step).toBe(8);
  });

  it('lists nothing for a directory that does not exist yet', async () => {
    expect(await new DirectoryCheckpointStore(join(await temporaryDirectory(), 'absent')).list()).toEqual([]);
  });
});

describe('IndexedDbCheckpointStore', () => {
  it('creates its two object stores once and shares data between connections', async () => {
    const factory = new FakeIndexedDb();
    const first = new IndexedDbCheckpointStore('db', factory);
    await first.save('a', fileFor(record(2)), record(2));
    await first.close();
    const second = new IndexedDbCheckpointStore('db', factory);
    expect((await second.list()).map((e) => e.name)).toEqual(['a']);
    await second.close();
    const db = await openDatabase(factory, 'db', 1, []);
    expect([...db.objectStoreNames]).toEqual(['blobs', 'records']);
    db.close();
  });

  it('a save aborted mid-way leaves the previous checkpoint whole (bytes and record roll back together)', async () => {
    const store = new IndexedDbCheckpointStore('atomic', new FakeIndexedDb());
    const before = fileFor(record(4), 4);
    await store.save('run', before, record(4));
    // The blob put is queued, then the record put throws (a record that cannot be stored): the
    // store aborts the transaction, and IndexedDB must undo the queued blob write with it.
    const unstorable = { ...record(5), notData: () => undefined } as unknown as RunRecord;
    await expect(store.save('run', fileFor(record(5), 5), unstorable)).rejects.toThrow(/clone/i);
    const after = await store.load('run');
    expect(after!.record).toEqual(record(4));
    expect(Array.from(after!.bytes)).toEqual(Array.from(before));
    expect((await store.list()).map((e) => [e.name, e.record.step, e.size])).toEqual([['run', 4, before.length]]);
  });
});
