/** The SGD parameter write in one pass: w − u·lr, floored for step sizes (which must stay positive). */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { SGD_STEP } from './fused-update-names';
import type { CustomKernel } from './kernel-set';
import { runElementwise } from './update-program';

export const sgdStepKernel: CustomKernel = {
  kernelName: SGD_STEP,
  make() {
    return ((args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => {
      const { w, u } = args.inputs as Record<string, tf.TensorInfo>;
      const { lr, floor, hasFloor } = args.attrs as { lr: number; floor: number; hasFloor: boolean };
      const step = 'wValue - uValue * uniforms.lr';
      return runElementwise(
        args.backend as WebGPUBackend,
        hasFloor ? 'qatSgdStepFloored' : 'qatSgdStep',
        { w, u },
        { lr, floor },
        // WGSL's max drops a NaN; tf.maximum keeps it, and a NaN step size must surface as divergence.
        hasFloor ? `select(max(${step}, uniforms.floor), ${step}, isnan(${step}))` : step,
      );
    }) as unknown as tf.KernelFunc;
  },
};
