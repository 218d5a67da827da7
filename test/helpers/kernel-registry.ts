import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';

/** tfjs-core's registry for one backend: kernel name → the config object registered. */
export function registrySnapshot(backendName: string): Map<string, tf.KernelConfig> {
  return new Map(tf.getKernelsForBackend(backendName).map((k) => [k.kernelName, k]));
}

/** The same kernel names, each with the very same config object (not merely an equal one). */
export function expectSameRegistry(actual: Map<string, tf.KernelConfig>, expected: Map<string, tf.KernelConfig>): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [name, config] of expected) expect(actual.get(name), name).toBe(config);
}

/** Names registered in `after` with a config other than `before`'s (added or replaced), and names removed. */
export function registryChanges(before: Map<string, tf.KernelConfig>, after: Map<string, tf.KernelConfig>): { changed: string[]; removed: string[] } {
  return {
    changed: [...after].filter(([name, config]) => before.get(name) !== config).map(([name]) => name).sort(),
    removed: [...before.keys()].filter((name) => !after.has(name)).sort(),
  };
}
