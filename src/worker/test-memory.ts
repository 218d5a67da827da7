/// <reference lib="webworker" />
/**
 * Test only: what a training Worker holds, read by end-to-end tests through `self.qatWorkerTestHooks.memory()`
 * (Playwright evaluates it in the Worker). Installed only when the page was opened with `?test-hooks`.
 */
import * as tf from '@tensorflow/tfjs';

export interface WorkerMemory {
  /** The Worker's name: "training LSQ", "training LSQ+CR". */
  name: string;
  backend: string;
  numTensors: number;
  numDataBuffers: number;
  numBytes: number;
  /** wasm: the size of the module's memory (it only grows). */
  wasmHeapBytes: number | null;
  /** webgpu: GPU buffers the backend holds, in use and pooled. */
  gpuBuffers: number | null;
}

interface BackendInternals {
  wasm?: { HEAPU8?: Uint8Array };
  bufferManager?: { getNumUsedBuffers(): number; getNumFreeBuffers(): number };
}

export function workerMemory(name: string): WorkerMemory {
  const m = tf.memory();
  const b = tf.backend() as unknown as BackendInternals;
  return {
    name,
    backend: tf.getBackend(),
    numTensors: m.numTensors,
    numDataBuffers: m.numDataBuffers,
    numBytes: m.numBytes,
    wasmHeapBytes: b.wasm?.HEAPU8?.byteLength ?? null,
    gpuBuffers: b.bufferManager ? b.bufferManager.getNumUsedBuffers() + b.bufferManager.getNumFreeBuffers() : null,
  };
}

export function installWorkerTestHooks(scope: DedicatedWorkerGlobalScope): void {
  (scope as unknown as { qatWorkerTestHooks?: { memory(): WorkerMemory } }).qatWorkerTestHooks = { memory: () => workerMemory(scope.name) };
}
