/**
 * Counts the GPU dispatches of the webgpu backend: every program a kernel runs goes through the backend's
 * recordAndSubmit, one dispatchWorkgroups each (empty outputs never reach it), so wrapping that method counts
 * launches without tf.profile, whose per-dispatch passes would change what is measured.
 */
import * as tf from '@tensorflow/tfjs';

interface Recording {
  recordAndSubmit: (...args: unknown[]) => unknown;
}

export interface LaunchCounter {
  /** Dispatches since the counter started. */
  readonly count: number;
  /** Puts the backend's own method back. */
  stop(): void;
}

/** Starts counting on the active backend; null when it is not webgpu (or has no such method). */
export function countLaunches(): LaunchCounter | null {
  if (tf.getBackend() !== 'webgpu') return null;
  const backend = tf.backend() as unknown as Recording;
  const own = backend.recordAndSubmit;
  if (typeof own !== 'function') return null;
  const ownProperty = Object.prototype.hasOwnProperty.call(backend, 'recordAndSubmit');
  let count = 0;
  backend.recordAndSubmit = function (this: unknown, ...args: unknown[]) {
    count += 1;
    return own.apply(this, args);
  };
  return {
    get count() {
      return count;
    },
    stop() {
      if (ownProperty) backend.recordAndSubmit = own;
      else delete (backend as Partial<Recording>).recordAndSubmit;
    },
  };
}
