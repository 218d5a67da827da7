import { SHIPPED_DATASET } from '../config/playground-config';
import type { Dataset } from '../engine/data/types';
import { useUserData, type DatasetInfo } from '../store/user-data-store';
import { allowedDataOrigins } from './allowed-origins';
import { registerDataset, forgetDataset } from './dataset-registry';
import { startImportJob, type ImportJob } from './import-client';
import type { DatasetImportResult } from '../user-data/import-protocol';

/** Loading a dataset from files or a URL in the import Worker; one load at a time. */
let current: ImportJob | null = null;

function infoOf(id: string, ds: Dataset, r: DatasetImportResult): DatasetInfo {
  return {
    id,
    height: ds.height,
    width: ds.width,
    channels: ds.channels,
    numClasses: ds.numClasses,
    classNames: ds.classNames,
    trainCount: ds.train.count,
    testCount: ds.test.count,
    notes: r.notes,
    files: r.files,
  };
}

/** Why nothing was loaded; for a single refused file, its own reason says more than the general one. */
function failure(r: DatasetImportResult): string {
  const only = r.files.length === 1 ? r.files[0] : null;
  if (only?.status === 'refused') return `${only.name}: ${only.reason}`;
  return r.error ?? 'no dataset found in these files';
}

function start(source: string, files: File[], url: string | null, name: string | null): void {
  cancelDatasetLoad();
  const set = useUserData.getState().setDatasetLoad;
  const job: ImportJob = startImportJob(
    (id) => ({ type: 'import-dataset', job: id, files, url, name, allowedOrigins: allowedDataOrigins(location.origin, import.meta.env.VITE_DATA_ORIGINS) }),
    (e) => {
      const view = useUserData.getState().datasetLoad;
      if (!view || view.job !== job.job) return;
      if (e.type === 'dataset-progress') set({ ...view, stage: e.stage, loaded: e.loaded, total: e.total });
      else if (e.type === 'dataset') {
        const r = e.result;
        const ds = r.dataset;
        const notes = [...r.notes];
        if (ds && r.id !== SHIPPED_DATASET) {
          if (registerDataset(r.id, ds)) notes.push(`It replaces the ${r.id} loaded before; runs train on it from their next reset.`);
          useUserData.getState().addDataset(infoOf(r.id, ds, r));
        }
        set({ ...view, status: ds ? 'done' : 'failed', files: r.files, notes, error: ds ? null : failure(r), id: ds ? r.id : null });
        finish(job);
      } else if (e.type === 'failed') {
        set({ ...view, status: 'failed', error: e.message === 'cancelled' ? 'Cancelled.' : e.message });
        finish(job);
      }
    },
  );
  current = job;
  set({ job: job.job, source, status: 'loading', stage: url ? 'downloading' : 'reading', loaded: 0, total: null, files: [], notes: [], error: null, id: null });
}

function finish(job: ImportJob): void {
  job.detach();
  if (current === job) current = null;
}

export function loadDatasetFromFiles(files: File[], name: string | null): void {
  if (files.length === 0) return;
  start(files.length === 1 ? files[0].name : `${files.length} files`, files, null, name);
}

export function loadDatasetFromUrl(url: string, name: string | null): void {
  start(url, [], url, name);
}

/** Stops waiting for the load at once; whatever the Worker still finishes is dropped. */
export function cancelDatasetLoad(): void {
  if (!current) return;
  const job = current;
  job.cancel();
  finish(job);
  const view = useUserData.getState().datasetLoad;
  if (view?.job === job.job) useUserData.getState().setDatasetLoad({ ...view, status: 'failed', error: 'Cancelled.' });
}

/** Frees a loaded dataset's memory on the page; runs that already train on it keep their copy. */
export function removeLoadedDataset(id: string): void {
  forgetDataset(id);
  useUserData.getState().removeDataset(id);
}
