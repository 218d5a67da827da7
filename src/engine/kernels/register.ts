/**
 * The one way the project's kernels get into TF.js: each backend's list goes into tfjs-core's kernel registry, so
 * op code never changes (as a TF.js backend overrides a kernel). Always-on entries stay registered; the
 * swappable ones follow the backend's kernel set. The backend's own configs are remembered on the first call and
 * 'stock' puts exactly those objects back (or removes a kernel the backend never had).
 */
import * as tf from '@tensorflow/tfjs';
import { cpuKernels } from './cpu';
import type { KernelSet } from './kernel-sets';
import type { ProjectKernel } from './project-kernel';
import { wasmKernels } from './wasm';
import { webgpuKernels } from './webgpu';

/** A backend missing here (webgl) runs TF.js's kernels only. */
const KERNELS: Readonly<Record<string, readonly ProjectKernel[]>> = {
  cpu: cpuKernels,
  wasm: wasmKernels,
  webgpu: webgpuKernels,
};

interface Installed {
  readonly entry: ProjectKernel;
  readonly stock: tf.KernelConfig | undefined;
  readonly project: tf.KernelConfig;
}

const installed = new Map<string, readonly Installed[]>();
const activeSets = new Map<string, KernelSet>();

export function projectKernelsOf(backendName: string): readonly ProjectKernel[] {
  return KERNELS[backendName] ?? [];
}

/** Remembers the backend's own configs and builds the project's, once per backend. */
function install(backendName: string): readonly Installed[] {
  const done = installed.get(backendName);
  if (done) return done;
  const entries = projectKernelsOf(backendName);
  // Remembering before the backend module registered its kernels would record "no stock kernel" for good.
  if (entries.length > 0 && tf.getKernelsForBackend(backendName).length === 0) {
    throw new Error(`registerProjectKernels('${backendName}'): import the ${backendName} backend first`);
  }
  const made = entries.map((entry) => {
    const stock = tf.getKernel(entry.kernelName, backendName);
    return { entry, stock, project: { kernelName: entry.kernelName, backendName, kernelFunc: entry.make(stock) } };
  });
  installed.set(backendName, made);
  return made;
}

/** Makes `config` the registered kernel (none when undefined); a no-op when it already is. */
function put(kernelName: string, backendName: string, config: tf.KernelConfig | undefined): void {
  const current = tf.getKernel(kernelName, backendName);
  if (current === config) return;
  if (current) tf.unregisterKernel(kernelName, backendName);
  if (config) tf.registerKernel(config);
}

/**
 * Registers the backend's project kernels with kernel set `set` (omitted: the backend's current set, 'stock'
 * until one is chosen). Call after the backend's module is imported; calling again is harmless.
 */
export function registerProjectKernels(backendName: string, set?: KernelSet): void {
  const chosen = set ?? activeKernelSet(backendName);
  for (const { entry, stock, project } of install(backendName)) {
    put(entry.kernelName, backendName, entry.role === 'always' || chosen === 'custom' ? project : stock);
  }
  activeSets.set(backendName, chosen);
}

export function activeKernelSet(backendName: string): KernelSet {
  return activeSets.get(backendName) ?? 'stock';
}
