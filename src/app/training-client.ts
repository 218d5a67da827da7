import type { StampedEvent, WorkerCommand } from '../worker/protocol';

/** The page's handle on one training Worker (a dedicated module Worker: the only kind that gets WebGPU). */
export class TrainingWorkerClient {
  private readonly worker: Worker;
  /** The generation last sent, for the events the page makes up itself (a crash). */
  private gen = 0;

  constructor(onEvent: (e: StampedEvent) => void, name = 'training') {
    this.worker = new Worker(new URL('../worker/training.worker.ts', import.meta.url), { type: 'module', name });
    this.worker.onmessage = (e: MessageEvent<StampedEvent>) => onEvent(e.data);
    this.worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      onEvent({ type: 'error', kind: 'crashed', message: `the training worker crashed: ${e.message || 'unknown error'}`, gen: this.gen });
    };
  }

  send(cmd: WorkerCommand, transfer: Transferable[] = []): void {
    if ((cmd.type === 'configure' || cmd.type === 'reset') && cmd.gen !== undefined) this.gen = cmd.gen;
    this.worker.postMessage(cmd, transfer);
  }

  terminate(): void {
    this.worker.terminate();
  }
}
