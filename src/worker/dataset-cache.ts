import { SHIPPED_DATASET, type DatasetName } from '../config/playground-config';
import type { Dataset } from '../engine';

/**
 * The datasets a Worker holds: the shipped one, downloaded once, and copies of datasets loaded on the page. Each can
 * be ~180 MB, so besides the shipped one only the dataset in use and the one just sent are kept.
 */
export class DatasetCache {
  private readonly loaded = new Map<DatasetName, Dataset>();
  /** The download of the shipped dataset in flight: every command that needs it meanwhile waits for this one. */
  private shippedLoad: Promise<Dataset> | null = null;

  constructor(private readonly loadShipped: () => Promise<Dataset>) {}

  add(name: DatasetName, ds: Dataset): void {
    this.loaded.set(name, ds);
  }

  /** Drops every loaded dataset but the shipped one and `keep`. */
  keepOnly(keep: DatasetName): void {
    for (const name of this.loaded.keys()) if (name !== SHIPPED_DATASET && name !== keep) this.loaded.delete(name);
  }

  /** The dataset; `onWait` runs when it has to be downloaded first. A failed download is tried again next time. */
  get(name: DatasetName, onWait: () => void): Promise<Dataset> {
    const have = this.loaded.get(name);
    if (have) return Promise.resolve(have);
    if (name !== SHIPPED_DATASET) return Promise.reject(new Error(`${name} is not shipped with the page: load its files first (Bring your own data)`));
    onWait();
    this.shippedLoad ??= this.loadShipped()
      .then((ds) => {
        this.loaded.set(name, ds);
        return ds;
      })
      .finally(() => (this.shippedLoad = null));
    return this.shippedLoad;
  }
}
