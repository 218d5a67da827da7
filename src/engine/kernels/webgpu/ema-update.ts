/** The mean teacher's update in one pass: teacher·a + student·(1 − a). */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { EMA_UPDATE } from './fused-update-names';
import type { CustomKernel } from './kernel-set';
import { runElementwise } from './update-program';

export const emaUpdateKernel: CustomKernel = {
  kernelName: EMA_UPDATE,
  make() {
    return ((args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => {
      const { teacher, student } = args.inputs as Record<string, tf.TensorInfo>;
      const { decay } = args.attrs as { decay: number };
      return runElementwise(args.backend as WebGPUBackend, 'qatEmaUpdate', { teacher, student }, { decay, rest: 1 - decay }, 'teacherValue * uniforms.decay + studentValue * uniforms.rest');
    }) as unknown as tf.KernelFunc;
  },
};
