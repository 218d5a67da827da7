/// <reference lib="webworker" />
/**
 * Decodes dropped images and parses dataset files, so the page never freezes on them. Images go one at a time
 * (bounded memory) and are reported in batches; a cancel stops a job between two files.
 */
import { fetchDatasetFile, importDataset } from '../engine/data/import';
import { decodeImage } from './images/decode-image';
import { importImages } from './images/import-images';
import type { DatasetImportResult, DatasetStage, ImportCommand, ImportEvent } from './import-protocol';

/** Dropped dataset files (compressed) larger than this in total are refused unread. */
export const MAX_DATASET_FILE_BYTES = 512 * 1024 * 1024;

const scope = self as unknown as DedicatedWorkerGlobalScope;
const jobs = new Map<number, AbortController>();

function post(e: ImportEvent, transfer: Transferable[] = []): void {
  scope.postMessage(e, transfer);
}

function datasetBuffers(r: DatasetImportResult): Transferable[] {
  const d = r.dataset;
  return d ? [d.train.images.buffer, d.train.labels.buffer, d.test.images.buffer, d.test.labels.buffer].filter((b, i, all) => all.indexOf(b) === i) as ArrayBuffer[] : [];
}

async function readFiles(job: number, files: File[], signal: AbortSignal): Promise<{ name: string; bytes: Uint8Array }[]> {
  const total = files.reduce((a, f) => a + f.size, 0);
  if (total > MAX_DATASET_FILE_BYTES) {
    throw new Error(`the files add up to ${(total / 2 ** 20).toFixed(0)} MB; at most ${MAX_DATASET_FILE_BYTES / 2 ** 20} MB are read at once`);
  }
  const out: { name: string; bytes: Uint8Array }[] = [];
  let loaded = 0;
  const progress = (stage: DatasetStage) => post({ type: 'dataset-progress', job, stage, loaded, total });
  progress('reading');
  for (const f of files) {
    if (signal.aborted) throw new DOMException('cancelled', 'AbortError');
    out.push({ name: f.webkitRelativePath || f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
    loaded += f.size;
    progress('reading');
  }
  return out;
}

async function handle(cmd: ImportCommand): Promise<void> {
  switch (cmd.type) {
    case 'cancel':
      jobs.get(cmd.job)?.abort();
      return;
    case 'decode-images': {
      const ctl = new AbortController();
      jobs.set(cmd.job, ctl);
      try {
        const summary = await importImages(cmd.sources, cmd.target, {
          decode: decodeImage,
          room: cmd.room,
          signal: ctl.signal,
          onBatch: (batch) => post({ type: 'images', job: cmd.job, batch }, batch.accepted.map((a) => a.pixels.buffer as ArrayBuffer)),
        });
        post({ type: 'images-done', job: cmd.job, ...summary });
      } finally {
        jobs.delete(cmd.job);
      }
      return;
    }
    case 'import-dataset': {
      const ctl = new AbortController();
      jobs.set(cmd.job, ctl);
      try {
        const files = cmd.url
          ? [
              await fetchDatasetFile(cmd.url, cmd.allowedOrigins, scope.location.origin, {
                signal: ctl.signal,
                maxBytes: MAX_DATASET_FILE_BYTES,
                onProgress: (loaded, total) => post({ type: 'dataset-progress', job: cmd.job, stage: 'downloading', loaded, total }),
              }),
            ]
          : await readFiles(cmd.job, cmd.files, ctl.signal);
        post({ type: 'dataset-progress', job: cmd.job, stage: 'unpacking', loaded: 0, total: null });
        const result = await importDataset(files, { name: cmd.name ?? undefined });
        post({ type: 'dataset', job: cmd.job, result }, datasetBuffers(result));
      } finally {
        jobs.delete(cmd.job);
      }
      return;
    }
  }
}

scope.onmessage = (e: MessageEvent<ImportCommand>) => {
  const cmd = e.data;
  handle(cmd).catch((err: unknown) => {
    const cancelled = err instanceof DOMException && err.name === 'AbortError';
    post({ type: 'failed', job: cmd.job, message: cancelled ? 'cancelled' : err instanceof Error ? err.message : String(err) });
  });
};
