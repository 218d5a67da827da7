/**
 * Reading and writing float32 tensors on the cpu backend. Every value goes through Math.fround where TF.js's cpu
 * kernels store one, so a fused kernel gives exactly what the chain of stock kernels it stands for gives.
 */
import type * as tf from '@tensorflow/tfjs';

/** The slice of the cpu backend used here (its package is not a direct dependency of the project). */
export interface CpuBackendLike {
  readSync(dataId: object): unknown;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

export const f32 = Math.fround;

export function floats(backend: CpuBackendLike, t: tf.TensorInfo, kernelName: string): Float32Array {
  const values = backend.readSync(t.dataId);
  if (t.dtype !== 'float32' || !(values instanceof Float32Array)) throw new Error(`${kernelName} on cpu takes float32 inputs, got ${t.dtype}`);
  return values;
}

export function floatTensor(backend: CpuBackendLike, shape: readonly number[], values: Float32Array): tf.TensorInfo {
  return backend.makeTensorInfo(shape.slice(), 'float32', values);
}

/** One output per element of same-shaped inputs, `fn` given the element index. */
export function elementwise(backend: CpuBackendLike, like: tf.TensorInfo, fn: (i: number) => number): tf.TensorInfo {
  const out = new Float32Array(like.shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) out[i] = fn(i);
  return floatTensor(backend, like.shape, out);
}
