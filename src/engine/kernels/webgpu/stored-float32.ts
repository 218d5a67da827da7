/**
 * Whether a float32 tensor's GPU buffer really holds float32. TF.js casts int32 or bool to float32 without a copy
 * (no precision is lost), so the tensor says float32 while its buffer, and the WGSL type TF.js binds it with, stay
 * i32: a program that reads it as f32 does not compile, and its output is garbage. The project's kernels that read
 * inputs directly leave such tensors to the stock kernels, which convert on read.
 */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

export function storedAsFloat32(backend: WebGPUBackend, t: tf.TensorInfo): boolean {
  return t.dtype === 'float32' && backend.tensorMap.get(t.dataId)?.dtype === 'float32';
}
