import * as tf from '@tensorflow/tfjs';

export type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

/**
 * Runs another registered wasm kernel directly, bypassing the engine (no tape, no tensor tracking): how a kernel
 * is composed of others. The caller frees intermediates with backend.disposeData.
 */
export function runWasmKernel(
  caller: string,
  name: string,
  inputs: tf.NamedTensorInfoMap,
  backend: tf.KernelBackend,
  attrs: tf.NamedAttrMap = {},
): tf.TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) {
    throw new Error(`${caller} on wasm needs the wasm '${name}' kernel, which is not registered`);
  }
  const out = kernel.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) {
    throw new Error(`wasm '${name}' kernel returned several outputs where one was expected`);
  }
  return out;
}

/** A stride or dilation attribute as [height, width]. */
export function pair(v: number | [number, number] | undefined): [number, number] {
  if (v === undefined) return [1, 1];
  return typeof v === 'number' ? [v, v] : v;
}
