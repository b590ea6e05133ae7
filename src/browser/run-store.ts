/**
 * Where the browser's run records (run-history.ts) live: IndexedDB, in a database of their own
 * beside the checkpoints' ('lggan-studio-runs', one object store keyed by run id). A database of
 * its own, not a third store in the checkpoints' one, because adding a store means a version
 * upgrade, which a worker still holding the old version open would block. Memory: tests.
 *
 * Every record read back goes through parseBrowserRun: what IndexedDB holds is not trusted.
 */
import { openDatabase, request, transactionDone } from '../runtime/indexeddb.ts';
import { parseBrowserRun, type BrowserRun } from './run-history.ts';

export interface RunStore {
  /** Writes (or overwrites) the record of run `run.id`. */
  save(run: BrowserRun): Promise<void>;
  /** Every record, newest first. A record that fails its checks is left out and reported in `refused`. */
  list(): Promise<{ runs: BrowserRun[]; refused: string[] }>;
  load(id: string): Promise<BrowserRun | null>;
  delete(id: string): Promise<boolean>;
}

const newestFirst = (a: BrowserRun, b: BrowserRun) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0);
const where = (id: string) => `run record ${JSON.stringify(id.slice(0, 64))}`;

function parseAll(rows: [string, unknown][]): { runs: BrowserRun[]; refused: string[] } {
  const runs: BrowserRun[] = [];
  const refused: string[] = [];
  for (const [id, value] of rows) {
    try {
      runs.push(parseBrowserRun(value, where(id)));
    } catch (e) {
      refused.push((e as Error).message);
    }
  }
  return { runs: runs.sort(newestFirst), refused };
}

/** Checks a record before it is stored: a store holds only what it would read back. */
function checked(run: BrowserRun): BrowserRun {
  return parseBrowserRun(run, where(String(run?.id)));
}

export class MemoryRunStore implements RunStore {
  private readonly rows = new Map<string, unknown>();
  async save(run: BrowserRun): Promise<void> {
    this.rows.set(checked(run).id, structuredClone(run));
  }
  async list() {
    return parseAll([...this.rows].map(([k, v]) => [k, structuredClone(v)]));
  }
  async load(id: string) {
    return this.rows.has(id) ? parseBrowserRun(structuredClone(this.rows.get(id)), where(id)) : null;
  }
  async delete(id: string) {
    return this.rows.delete(id);
  }
}

const RUNS = 'runs';
const DB_VERSION = 1;

export class IndexedDbRunStore implements RunStore {
  private db: Promise<IDBDatabase> | undefined;

  constructor(
    readonly databaseName = 'lggan-studio-runs',
    private readonly factory: IDBFactory = globalThis.indexedDB,
  ) {
    if (!factory) throw new Error('IndexedDB is not available here');
  }

  private open(): Promise<IDBDatabase> {
    this.db ??= openDatabase(this.factory, this.databaseName, DB_VERSION, [RUNS]);
    return this.db;
  }

  private async store(mode: IDBTransactionMode): Promise<IDBObjectStore> {
    return (await this.open()).transaction(RUNS, mode).objectStore(RUNS);
  }

  async save(run: BrowserRun): Promise<void> {
    const row = checked(run);
    const store = await this.store('readwrite');
    const done = transactionDone(store.transaction);
    store.put(row, row.id);
    await done;
  }

  async list() {
    const store = await this.store('readonly');
    const keys = request(store.getAllKeys() as IDBRequest<string[]>);
    const values = request(store.getAll());
    const [k, v] = await Promise.all([keys, values]);
    return parseAll(k.map((key, i) => [String(key), v[i]]));
  }

  async load(id: string): Promise<BrowserRun | null> {
    const value = await request((await this.store('readonly')).get(id));
    return value === undefined ? null : parseBrowserRun(value, where(id));
  }

  async delete(id: string): Promise<boolean> {
    const store = await this.store('readwrite');
    const counted = request(store.count(id));
    store.delete(id);
    return (await counted) > 0;
  }

  async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    if (db) (await db).close();
  }
}
