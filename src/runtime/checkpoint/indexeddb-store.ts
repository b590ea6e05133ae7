/**
 * Checkpoints in the browser's IndexedDB: one database with two object stores keyed by
 * checkpoint name, `blobs` (the safetensors bytes) and `records` ({ name, record, size }), so
 * list() never touches the weights. Every method is one transaction over what it needs, so a
 * checkpoint's bytes and record are written and deleted together.
 */
import { openDatabase, request, transactionDone } from '../indexeddb.ts';
import { parseRunRecord, type RunRecord } from './record.ts';
import { byName, checkCheckpointName, type CheckpointEntry, type CheckpointStore, type StoredCheckpoint } from './store.ts';

const BLOBS = 'blobs';
const RECORDS = 'records';
const DB_VERSION = 1;


interface RecordRow {
  name: string;
  record: RunRecord;
  size: number;
}

export class IndexedDbCheckpointStore implements CheckpointStore {
  private db: Promise<IDBDatabase> | undefined;

  constructor(
    readonly databaseName = 'lggan-studio-checkpoints',
    private readonly factory: IDBFactory = globalThis.indexedDB,
  ) {
    if (!factory) throw new Error('IndexedDB is not available here');
  }

  private open(): Promise<IDBDatabase> {
    this.db ??= openDatabase(this.factory, this.databaseName, DB_VERSION, [BLOBS, RECORDS]);
    return this.db;
  }

  /** Runs `body` in one transaction over both stores; resolves once the transaction has committed. */
  private async run<T>(mode: IDBTransactionMode, body: (blobs: IDBObjectStore, records: IDBObjectStore) => Promise<T>): Promise<T> {
    const tx = (await this.open()).transaction([BLOBS, RECORDS], mode);
    const done = transactionDone(tx);
    try {
      const result = await body(tx.objectStore(BLOBS), tx.objectStore(RECORDS));
      await done;
      return result;
    } catch (e) {
      done.catch(() => undefined); // the body's error is the one to report
      try {
        tx.abort();
      } catch {
        // already finished
      }
      throw e;
    }
  }

  async save(name: string, bytes: Uint8Array, record: RunRecord): Promise<void> {
    checkCheckpointName(name);
    const row: RecordRow = { name, record, size: bytes.length };
    await this.run('readwrite', async (blobs, records) => {
      blobs.put(bytes, name); // put() clones the value before it returns
      records.put(row, name);
    });
  }

  async list(): Promise<CheckpointEntry[]> {
    const rows = await this.run('readonly', (_, records) => request(records.getAll() as IDBRequest<RecordRow[]>));
    return rows.map((row) => ({ name: row.name, record: parseRunRecord(row.record), size: row.size })).sort(byName);
  }

  async load(name: string): Promise<StoredCheckpoint | null> {
    checkCheckpointName(name);
    const [bytes, row] = await this.run('readonly', (blobs, records) =>
      Promise.all([request(blobs.get(name) as IDBRequest<Uint8Array | undefined>), request(records.get(name) as IDBRequest<RecordRow | undefined>)]),
    );
    if (bytes === undefined || row === undefined) return null;
    return { bytes, record: parseRunRecord(row.record) };
  }

  async delete(name: string): Promise<boolean> {
    checkCheckpointName(name);
    // All three requests are queued before any result is awaited: they run in order in one transaction.
    return this.run('readwrite', async (blobs, records) => {
      const counted = request(records.count(name));
      blobs.delete(name);
      records.delete(name);
      return (await counted) > 0;
    });
  }

  /** Closes the connection (a later call reopens it). */
  async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    if (db) (await db).close();
  }
}
