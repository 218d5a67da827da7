import type { Dataset } from '../engine/data/types';

/**
 * Datasets loaded from files during this visit. Their pixels (up to ~180 MB for CIFAR) stay out of React state;
 * the store holds what the page shows of them. Nothing is stored on disk: closing the page forgets them.
 */
const loaded = new Map<string, { ds: Dataset; version: number }>();
let versions = 0;

/** Adds or replaces a dataset; returns true when it replaced one of the same id. */
export function registerDataset(id: string, ds: Dataset): boolean {
  const replaced = loaded.has(id);
  loaded.set(id, { ds, version: ++versions });
  return replaced;
}

export function loadedDataset(id: string): Dataset | undefined {
  return loaded.get(id)?.ds;
}

/** Tells a reload under the same id apart, without holding the pixels (a Worker's copy is tracked by this). */
export function datasetVersion(id: string): number | undefined {
  return loaded.get(id)?.version;
}

export function forgetDataset(id: string): void {
  loaded.delete(id);
}
