/** SGD momentum with weight decay in one pass: v·μ + (g + w·wd), the order the optimizer's ops use. */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { SGD_VELOCITY } from './fused-update-names';
import type { CustomKernel } from './kernel-set';
import { runElementwise } from './update-program';

export const sgdVelocityKernel: CustomKernel = {
  kernelName: SGD_VELOCITY,
  make() {
    return ((args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => {
      const { v, g, w } = args.inputs as Record<string, tf.TensorInfo>;
      const { momentum, weightDecay } = args.attrs as { momentum: number; weightDecay: number };
      return runElementwise(args.backend as WebGPUBackend, 'qatSgdVelocity', { v, g, w }, { momentum, weightDecay }, 'vValue * uniforms.momentum + (gValue + wValue * uniforms.weightDecay)');
    }) as unknown as tf.KernelFunc;
  },
};
