import type { ImportCommand, ImportEvent } from '../user-data/import-protocol';

/** The page's handle on the one import Worker, started on first use; events are routed to the job that asked. */
let worker: Worker | null = null;
let nextJob = 1;
const listeners = new Map<number, (e: ImportEvent) => void>();

function ensureWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('../user-data/import.worker.ts', import.meta.url), { type: 'module', name: 'import' });
  w.onmessage = (e: MessageEvent<ImportEvent>) => listeners.get(e.data.job)?.(e.data);
  w.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    // Every job in flight fails with the reason; the next job starts a fresh Worker.
    const message = `the import worker crashed: ${e.message || 'unknown error'}`;
    for (const [job, listener] of [...listeners]) listener({ type: 'failed', job, message });
    listeners.clear();
    w.terminate();
    worker = null;
  };
  worker = w;
  return w;
}

export interface ImportJob {
  job: number;
  cancel(): void;
  /** Stops listening (the job's events are then dropped). */
  detach(): void;
}

export function startImportJob(command: (job: number) => ImportCommand, onEvent: (e: ImportEvent) => void): ImportJob {
  const job = nextJob++;
  listeners.set(job, onEvent);
  const w = ensureWorker();
  w.postMessage(command(job));
  return {
    job,
    cancel: () => worker?.postMessage({ type: 'cancel', job } satisfies ImportCommand),
    detach: () => void listeners.delete(job),
  };
}
