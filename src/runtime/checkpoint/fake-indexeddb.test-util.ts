/**
 * A tiny in-memory stand-in for the parts of IndexedDB the checkpoint store uses: open with an
 * upgrade, object stores with out-of-line keys (put, get, getAll, getAllKeys, count, delete), and
 * transactions that complete once no request is pending after the event loop turns. Values are
 * structured-cloned as the real API does. Not modelled: key ranges, indexes, rollback on abort.
 */
type Data = Map<string, unknown>;

class FakeRequest {
  result: unknown;
  error: Error | null = null;
  onsuccess: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onupgradeneeded: (() => void) | null = null;
  onblocked: (() => void) | null = null;
}

class FakeTransaction {
  oncomplete: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  error: Error | null = null;
  private pending = 0;
  private finished = false;

  constructor(private readonly stores: Map<string, Data>) {
    this.settleLater();
  }

  objectStore(name: string) {
    const data = this.stores.get(name);
    if (!data) throw new Error(`NotFoundError: no object store '${name}'`);
    const key = (k: unknown) => String(k);
    return {
      transaction: this,
      put: (value: unknown, k: unknown) => this.request(() => void data.set(key(k), structuredClone(value))),
      get: (k: unknown) => this.request(() => structuredClone(data.get(key(k)))),
      getAll: () => this.request(() => [...data.keys()].sort().map((k) => structuredClone(data.get(k)))),
      getAllKeys: () => this.request(() => [...data.keys()].sort()),
      count: (k: unknown) => this.request(() => (data.has(key(k)) ? 1 : 0)),
      delete: (k: unknown) => this.request(() => void data.delete(key(k))),
    };
  }

  abort(): void {
    if (this.finished) throw new Error('InvalidStateError: the transaction has finished');
    this.finished = true;
    this.onabort?.();
  }

  private request(operation: () => unknown): FakeRequest {
    if (this.finished) throw new Error('TransactionInactiveError');
    const r = new FakeRequest();
    this.pending++;
    setTimeout(() => {
      r.result = operation();
      this.pending--;
      r.onsuccess?.();
      this.settleLater();
    });
    return r;
  }

  /** Commits once a turn of the event loop passes with nothing pending (what auto-commit does). */
  private settleLater(): void {
    setTimeout(() => {
      if (this.pending === 0 && !this.finished) {
        this.finished = true;
        this.oncomplete?.();
      }
    });
  }
}

class FakeDatabase {
  readonly stores = new Map<string, Data>();
  version = 0;
  readonly objectStoreNames = { contains: (name: string) => this.stores.has(name) };
  createObjectStore(name: string): void {
    this.stores.set(name, new Map());
  }
  transaction(names: string | string[], _mode: string): FakeTransaction {
    return new FakeTransaction(new Map((typeof names === 'string' ? [names] : names).map((n) => [n, this.stores.get(n)!])));
  }
  close(): void {}
}

/** A fresh fake factory; cast it to IDBFactory where one is needed. */
export function fakeIndexedDb() {
  const databases = new Map<string, FakeDatabase>();
  return {
    databases,
    open(name: string, version: number): FakeRequest {
      const r = new FakeRequest();
      setTimeout(() => {
        const db = databases.get(name) ?? new FakeDatabase();
        databases.set(name, db);
        r.result = db;
        if (version > db.version) {
          db.version = version;
          r.onupgradeneeded?.();
        }
        r.onsuccess?.();
      });
      return r;
    },
  };
}
