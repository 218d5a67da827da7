/**
 * The Worker's IndexedDB record of `auto`'s backend timings, one per workload and machine, so each model is timed
 * once and not on every visit. A database of its own: clearing saved runs leaves it, and it needs no version bump
 * of theirs. Where IndexedDB is missing or fails, timings are kept for this Worker's life only.
 */
import type { BackendMeasurement } from '../engine/vocabulary/backends';

const DB_NAME = 'qat-playground-backend-timings';
const STORE = 'timings';

export interface TimingStore {
  get(key: string): Promise<BackendMeasurement | null>;
  set(key: string, m: BackendMeasurement): Promise<void>;
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function isMeasurement(v: unknown): v is BackendMeasurement {
  const m = v as BackendMeasurement | null;
  return typeof m === 'object' && m !== null && typeof m.chosen === 'string' && Array.isArray(m.timings) && typeof m.workload === 'string';
}

export function indexedDbTimingStore(): TimingStore {
  const memory = new Map<string, BackendMeasurement>();
  let opened: Promise<IDBDatabase | null> | null = null;
  const db = () =>
    (opened ??= new Promise<IDBDatabase | null>((resolve) => {
      if (typeof indexedDB === 'undefined') return resolve(null);
      const r = indexedDB.open(DB_NAME, 1);
      r.onupgradeneeded = () => r.result.createObjectStore(STORE);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => resolve(null);
      r.onblocked = () => resolve(null);
    }));
  return {
    async get(key) {
      const d = await db();
      if (!d) return memory.get(key) ?? null;
      try {
        const v = await request(d.transaction(STORE, 'readonly').objectStore(STORE).get(key));
        // A record of another shape (an older page) is measured again.
        return isMeasurement(v) ? v : null;
      } catch {
        return memory.get(key) ?? null;
      }
    },
    async set(key, m) {
      memory.set(key, m);
      const d = await db();
      if (!d) return;
      try {
        await request(d.transaction(STORE, 'readwrite').objectStore(STORE).put(m, key));
      } catch {
        // A full quota: this Worker still remembers it; the next visit times again.
      }
    },
  };
}

/** For Node and tests: remembered for the store's life. */
export function memoryTimingStore(): TimingStore {
  const memory = new Map<string, BackendMeasurement>();
  return {
    get: async (key) => memory.get(key) ?? null,
    set: async (key, m) => void memory.set(key, m),
  };
}
