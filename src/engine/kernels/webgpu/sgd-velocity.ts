/** SGD momentum with weight decay in one pass: v·μ + (g + w·wd), the order the optimizer's ops use. */
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { SGD_VELOCITY } from '../contracts';
import { fusedKernel } from '../project-kernel';
import { runElementwise } from './update-program';

export const sgdVelocityKernel = fusedKernel(SGD_VELOCITY, ({ v, g, w }, { momentum, weightDecay }, backend: WebGPUBackend) =>
  runElementwise(backend, 'qatSgdVelocity', { v, g, w }, { momentum, weightDecay }, 'vValue * uniforms.momentum + (gValue + wValue * uniforms.weightDecay)'),
);
