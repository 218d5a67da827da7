/// <reference lib="webworker" />
/**
 * The training Worker: a shell that gives the host (training-host.ts) what only a browser Worker has. Training never
 * runs on the page's main thread.
 */
import { initBackend } from '../engine';
import { loadShippedFashionMnist } from './load-dataset';
import type { WorkerCommand } from './protocol';
import { TrainingHost } from './training-host';
import { WASM_PATHS } from './wasm-assets';

const scope = self as unknown as DedicatedWorkerGlobalScope;

const host = new TrainingHost({
  post: (event, transfer) => scope.postMessage(event, transfer),
  initBackend: (choice, wasmThreads) => initBackend(choice, { wasmPaths: WASM_PATHS, wasmThreads: wasmThreads ?? navigator.hardwareConcurrency }),
  loadShippedDataset: loadShippedFashionMnist,
  close: () => scope.close(),
});

scope.onmessage = (e: MessageEvent<WorkerCommand>) => void host.handle(e.data);
