import type { RunId } from '../config/run-config';

/**
 * Test hooks (main thread): only with `?test-hooks` in the page's address. End-to-end tests use them to destroy a
 * run's GPU device or crash its Worker; in normal use they do not exist, and the Workers ignore the commands. The same
 * flag (sent with `init`) makes each training Worker answer `self.qatWorkerTestHooks.memory()` (src/worker/test-memory.ts).
 */
export const TEST_HOOKS = typeof location !== 'undefined' && new URLSearchParams(location.search).has('test-hooks');

/**
 * With `?test-hooks&test-time-software-webgpu`, backend `auto` times a software WebGPU adapter (SwiftShader)
 * against wasm as if it were a GPU, so a test sees the choice by timing on a machine without one.
 */
export const TEST_TIME_SOFTWARE_WEBGPU = TEST_HOOKS && new URLSearchParams(location.search).has('test-time-software-webgpu');

export interface TestHooks {
  loseDevice(id: RunId): void;
  crashWorker(id: RunId): void;
}

/** Puts the hooks on `window.qatTestHooks` when the page was opened with them. */
export function installTestHooks(send: (id: RunId, type: 'test-lose-device' | 'test-crash') => void): () => void {
  if (!TEST_HOOKS) return () => undefined;
  const w = window as unknown as { qatTestHooks?: TestHooks };
  w.qatTestHooks = { loseDevice: (id) => send(id, 'test-lose-device'), crashWorker: (id) => send(id, 'test-crash') };
  return () => delete w.qatTestHooks;
}
