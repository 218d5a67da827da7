import type { WorkerCommand, WorkerEvent } from '../worker/protocol';

/** The page's handle on one training Worker (a dedicated module Worker: the only kind that gets WebGPU). */
export class TrainingWorkerClient {
  private readonly worker: Worker;

  constructor(onEvent: (e: WorkerEvent) => void, name = 'training') {
    this.worker = new Worker(new URL('../worker/training.worker.ts', import.meta.url), { type: 'module', name });
    this.worker.onmessage = (e: MessageEvent<WorkerEvent>) => onEvent(e.data);
    this.worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      onEvent({ type: 'error', kind: 'crashed', message: `the training worker crashed: ${e.message || 'unknown error'}` });
    };
  }

  send(cmd: WorkerCommand): void {
    this.worker.postMessage(cmd);
  }

  terminate(): void {
    this.worker.terminate();
  }
}
