import * as tf from '@tensorflow/tfjs';
import { BACKEND_NAMES, type AdapterInfo, type BackendChoice, type BackendName, type BackendReport } from './types';
import type { KernelSet } from '../kernels/kernel-sets';
import { activeKernelSet, registerProjectKernels } from '../kernels/register';
import { describeAdapter, probeWebgpuAdapter } from './webgpu-adapter';

export interface BackendOptions {
  /** Where the wasm binaries are served from (browser bundles); Node finds them itself. */
  wasmPaths?: Record<string, string> | string;
  /** wasm threads; the browser needs a cross-origin-isolated page for more than one. */
  wasmThreads?: number;
  /** webgpu only: the project's WGSL kernels for the hot spots ('custom', the default) or TF.js's own ('stock'). */
  webgpuKernels?: KernelSet;
  /** `auto` takes a software WebGPU adapter as a candidate to time (tests: SwiftShader stands for a GPU). */
  softwareWebgpuIsCandidate?: boolean;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0] : String(e);
}

/** Tries one backend; returns null on success or the reason it cannot be used. */
async function tryBackend(name: BackendName, auto: boolean, opts: BackendOptions, adapterOut: { a: AdapterInfo | null }): Promise<string | null> {
  try {
    if (name === 'webgpu') {
      const adapter = await probeWebgpuAdapter();
      if (!adapter) return 'no WebGPU adapter';
      if (auto && adapter.software && !opts.softwareWebgpuIsCandidate) return `only a software adapter (${describeAdapter(adapter)}), slower than wasm`;
      // The package registers itself on import, and only if navigator.gpu exists by then.
      await import('@tensorflow/tfjs-backend-webgpu');
      if (!(await tf.setBackend('webgpu'))) return 'the WebGPU backend failed to initialise';
      adapterOut.a = adapter;
      return null;
    }
    if (name === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      if (opts.wasmPaths) wasm.setWasmPaths(opts.wasmPaths as never);
      if (opts.wasmThreads) {
        wasm.setThreadsCount(opts.wasmThreads);
        // Read by the bundled threaded factory (vite-plugins/threaded-wasm-factory.ts): the compiled backend gives
        // XNNPACK at most half the logical cores it is told of.
        (globalThis as Record<string, unknown>).__tfjsWasmLogicalCores = 2 * opts.wasmThreads;
      }
      return (await tf.setBackend('wasm')) ? null : 'the wasm backend failed to initialise';
    }
    return (await tf.setBackend(name)) ? null : `the ${name} backend failed to initialise`;
  } catch (e) {
    return errorText(e);
  }
}

async function backendDetail(name: BackendName): Promise<string> {
  if (name === 'webgpu') return activeKernelSet('webgpu') === 'custom' ? 'custom WGSL kernels' : 'stock TF.js kernels';
  if (name !== 'wasm') return '';
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = wasm.getThreadsCount();
  return `SIMD ${simd ? 'on' : 'off'}, ${threads} thread${threads === 1 ? '' : 's'}`;
}

/**
 * Selects and readies a TF.js backend. `auto` tries webgpu, wasm, webgl, cpu in that order; a named backend is
 * tried first and the rest follow as fallbacks. Every backend passed over leaves one line in `fallbacks`. When
 * `auto` starts webgpu, the report names webgpu and wasm as `candidates`, for the host to time on its model
 * (`chooseBackendByTiming`); until then webgpu is active.
 */
export async function initBackend(choice: BackendChoice = 'auto', opts: BackendOptions = {}): Promise<BackendReport> {
  const auto = choice === 'auto';
  const order: BackendName[] = auto ? [...BACKEND_NAMES] : [choice, ...BACKEND_NAMES.filter((b) => b !== choice)];
  const fallbacks: string[] = [];
  const adapter = { a: null as AdapterInfo | null };
  for (const name of order) {
    const reason = await tryBackend(name, auto, opts, adapter);
    if (reason === null) {
      // webgpu runs the custom set unless told otherwise; other backends keep theirs ('stock' until chosen).
      registerProjectKernels(name, name === 'webgpu' ? (opts.webgpuKernels ?? 'custom') : undefined);
      await tf.ready();
      const report: BackendReport = { name, adapter: name === 'webgpu' ? adapter.a : null, detail: await backendDetail(name), fallbacks };
      // On a GPU, wasm may still be the faster path for a small model: the host times both on the run's model.
      return auto && name === 'webgpu' ? { ...report, candidates: ['webgpu', 'wasm'] } : report;
    }
    fallbacks.push(`${name}: ${reason}`);
  }
  throw new Error(`no TF.js backend could start: ${fallbacks.join('; ')}`);
}

export function describeBackend(r: BackendReport): string {
  const base = r.adapter ? `${r.name} on ${describeAdapter(r.adapter)}` : r.name;
  return r.detail ? `${base} (${r.detail})` : base;
}
