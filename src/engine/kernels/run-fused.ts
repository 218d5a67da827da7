/** How ops call the fused kernels: check that the active backend has them, then run one typed by its contract. */
import * as tf from '@tensorflow/tfjs';
import type { FusedAttrs, FusedInputs, FusedKernelName, FusedResult } from './contracts';

/** True when the active backend registers every one of the named kernels. */
export function hasKernels(...names: FusedKernelName[]): boolean {
  const backend = tf.getBackend();
  return names.every((name) => tf.getKernel(name, backend) !== undefined);
}

export function runFused<K extends FusedKernelName>(name: K, inputs: FusedInputs<K, tf.Tensor>, attrs: FusedAttrs<K>): FusedResult<K, tf.Tensor> {
  return tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as unknown as FusedResult<K, tf.Tensor>;
}
