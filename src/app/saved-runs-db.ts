/**
 * The page's IndexedDB database of saved runs (main thread), with the platform's API directly: one object store,
 * one record per run id. Each write is one transaction, so a failed one leaves the previous copy as it was.
 */
const DB_NAME = 'qat-playground';
const STORE = 'runs';

let opened: Promise<IDBDatabase> | null = null;

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function db(): Promise<IDBDatabase> {
  opened ??= new Promise<IDBDatabase>((resolve, reject) => {
    const r = indexedDB.open(DB_NAME, 1);
    r.onupgradeneeded = () => r.result.createObjectStore(STORE);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
    r.onblocked = () => reject(new Error('the saved runs are held open by an older version of this page in another tab'));
  }).catch((e: unknown) => {
    opened = null;
    throw e;
  });
  return opened;
}

/** Resolves once the transaction is committed (a quota error shows up here, as the abort's reason). */
function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error('the write was aborted'));
    tx.onerror = () => reject(tx.error);
  });
}

export async function putRecord(key: string, value: unknown): Promise<void> {
  const tx = (await db()).transaction(STORE, 'readwrite');
  tx.objectStore(STORE).put(value, key);
  await done(tx);
}

/** Every record with its key; a record that cannot be read is the caller's to judge. */
export async function readRecords(): Promise<{ key: string; value: unknown }[]> {
  const tx = (await db()).transaction(STORE, 'readonly');
  const store = tx.objectStore(STORE);
  const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
  return keys.map((k, i) => ({ key: String(k), value: values[i] }));
}

export async function clearRecords(): Promise<void> {
  const tx = (await db()).transaction(STORE, 'readwrite');
  tx.objectStore(STORE).clear();
  await done(tx);
}
