/**
 * Where the app keeps graphs between visits: a tiny string key-value interface, implemented on
 * IndexedDB in the browser and in memory for tests. Autosave and the graph library sit on it.
 */
import { request } from '../../runtime/indexeddb.ts';

export interface KeyValueStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Keys starting with `prefix`. */
  keys(prefix: string): Promise<string[]>;
}

export class MemoryStore implements KeyValueStore {
  readonly data = new Map<string, string>();
  async get(key: string) {
    return this.data.get(key);
  }
  async set(key: string, value: string) {
    this.data.set(key, value);
  }
  async delete(key: string) {
    this.data.delete(key);
  }
  async keys(prefix: string) {
    return [...this.data.keys()].filter((k) => k.startsWith(prefix));
  }
}

/** One object store of strings in its own database. Each call is one transaction. */
export class IndexedDbStore implements KeyValueStore {
  private db: Promise<IDBDatabase> | undefined;

  constructor(
    readonly databaseName = 'lggan-studio-graphs',
    private readonly storeName = 'graphs',
    private readonly factory: IDBFactory | undefined = globalThis.indexedDB,
  ) {}

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise((resolve, reject) => {
      if (!this.factory) return reject(new Error('IndexedDB is not available in this browser'));
      const r = this.factory.open(this.databaseName, 1);
      r.onupgradeneeded = () => {
        if (!r.result.objectStoreNames.contains(this.storeName)) r.result.createObjectStore(this.storeName);
      };
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error ?? new Error(`could not open IndexedDB database '${this.databaseName}'`));
      r.onblocked = () => reject(new Error(`IndexedDB database '${this.databaseName}' is blocked by another tab`));
    });
    return this.db;
  }

  private async objects(mode: IDBTransactionMode): Promise<IDBObjectStore> {
    return (await this.open()).transaction(this.storeName, mode).objectStore(this.storeName);
  }

  async get(key: string): Promise<string | undefined> {
    const value = await request((await this.objects('readonly')).get(key));
    return typeof value === 'string' ? value : undefined;
  }

  async set(key: string, value: string): Promise<void> {
    const store = await this.objects('readwrite');
    await request(store.put(value, key));
    await new Promise<void>((resolve, reject) => {
      store.transaction.oncomplete = () => resolve();
      store.transaction.onerror = () => reject(store.transaction.error ?? new Error('IndexedDB write failed'));
      store.transaction.onabort = () => reject(store.transaction.error ?? new Error('IndexedDB write aborted (is the disk full?)'));
    });
  }

  async delete(key: string): Promise<void> {
    await request((await this.objects('readwrite')).delete(key));
  }

  async keys(prefix: string): Promise<string[]> {
    const all = await request((await this.objects('readonly')).getAllKeys());
    return all.filter((k): k is string => typeof k === 'string' && k.startsWith(prefix));
  }
}
