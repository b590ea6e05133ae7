/** The few IndexedDB steps the browser stores share: a request or a transaction as a promise, and opening a database. */

export function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

/** Resolves once `tx` has committed; rejects when it fails or is aborted. */
export function transactionDone(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/** Opens (creating on first use) database `name` at `version` with the object stores `stores`. */
export function openDatabase(factory: IDBFactory, name: string, version: number, stores: readonly string[]): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const r = factory.open(name, version);
    r.onupgradeneeded = () => {
      for (const store of stores) if (!r.result.objectStoreNames.contains(store)) r.result.createObjectStore(store);
    };
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error(`could not open IndexedDB database '${name}'`));
    r.onblocked = () => reject(new Error(`IndexedDB database '${name}' is blocked by another tab holding an older version`));
  });
}
