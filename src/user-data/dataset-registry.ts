import type { Dataset } from '../engine/data/types';

/**
 * Datasets loaded from files during this visit. Their pixels (up to ~180 MB for CIFAR) stay out of React state;
 * the store holds what the page shows of them. Nothing is stored on disk: closing the page forgets them.
 */
const loaded = new Map<string, Dataset>();

export function registerDataset(id: string, ds: Dataset): void {
  loaded.set(id, ds);
}

export function loadedDataset(id: string): Dataset | undefined {
  return loaded.get(id);
}

export function forgetDataset(id: string): void {
  loaded.delete(id);
}
