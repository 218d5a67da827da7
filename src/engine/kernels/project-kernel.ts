/** One entry of a backend's kernel list, and the helper that builds entries for the fused-kernel contracts. */
import type * as tf from '@tensorflow/tfjs';
import type { FusedAttrs, FusedInputs, FusedKernelName, FusedResult } from './contracts';

/**
 * 'always': registered under both kernel sets, because it fixes what the backend computes or supplies a kernel
 * the backend lacks. 'custom': part of the swappable set; the 'stock' set puts TF.js's own kernel back (or none).
 */
export type KernelRole = 'always' | 'custom';

export interface ProjectKernel {
  readonly kernelName: string;
  readonly role: KernelRole;
  /** Builds the kernel function; `stock` is the backend's own kernel it replaces (if any), to fall back to. */
  make(stock: tf.KernelConfig | undefined): tf.KernelFunc;
}

/**
 * An implementation of a fused kernel, typed by its contract. Fused kernels are always swappable: the ops compute
 * the same without them, so 'stock' can mean TF.js's kernels only.
 */
export function fusedKernel<K extends FusedKernelName, B>(
  kernelName: K,
  run: (inputs: FusedInputs<K, tf.TensorInfo>, attrs: FusedAttrs<K>, backend: B) => FusedResult<K, tf.TensorInfo>,
): ProjectKernel {
  const kernelFunc = ((args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) =>
    run(args.inputs as unknown as FusedInputs<K, tf.TensorInfo>, args.attrs as unknown as FusedAttrs<K>, args.backend as B)) as unknown as tf.KernelFunc;
  return { kernelName, role: 'custom', make: () => kernelFunc };
}
