/** The SGD parameter write in one pass: w − u·lr, floored for step sizes (which must stay positive). */
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { SGD_STEP } from '../contracts';
import { fusedKernel } from '../project-kernel';
import { runElementwise } from './update-program';

export const sgdStepKernel = fusedKernel(SGD_STEP, ({ w, u }, { lr, floor, hasFloor }, backend: WebGPUBackend) => {
  const step = 'wValue - uValue * uniforms.lr';
  return runElementwise(
    backend,
    hasFloor ? 'qatSgdStepFloored' : 'qatSgdStep',
    { w, u },
    { lr, floor },
    // WGSL's max drops a NaN; tf.maximum keeps it, and a NaN step size must surface as divergence.
    hasFloor ? `select(max(${step}, uniforms.floor), ${step}, isnan(${step}))` : step,
  );
});
