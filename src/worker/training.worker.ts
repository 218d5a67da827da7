/// <reference lib="webworker" />
/**
 * The training Worker: a shell that gives the host (training-host.ts) what only a browser Worker has. Training never
 * runs on the page's main thread.
 */
import { initBackend } from '../engine';
import { loadShippedFashionMnist } from './load-dataset';
import type { WorkerCommand } from './protocol';
import { installWorkerTestHooks } from './test-memory';
import { TrainingHost } from './training-host';
import { indexedDbTimingStore } from './backend-timing-store';
import { WASM_PATHS } from './wasm-assets';

const scope = self as unknown as DedicatedWorkerGlobalScope;

const host = new TrainingHost({
  post: (event, transfer) => scope.postMessage(event, transfer),
  initBackend: (choice, wasmThreads, opts) => initBackend(choice, { wasmPaths: WASM_PATHS, wasmThreads: wasmThreads ?? navigator.hardwareConcurrency, ...opts }),
  timingStore: indexedDbTimingStore(),
  // The page's runs time their backends one after another: timed together they would slow each other down.
  exclusive: <T,>(name: string, fn: () => Promise<T>) => (navigator.locks ? (navigator.locks.request(name, fn) as Promise<T>) : fn()),
  loadShippedDataset: loadShippedFashionMnist,
  close: () => scope.close(),
});

scope.onmessage = (e: MessageEvent<WorkerCommand>) => {
  if (e.data.type === 'init' && e.data.testHooks === true) installWorkerTestHooks(scope);
  void host.handle(e.data);
};
