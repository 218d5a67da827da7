/** The mean teacher's update in one pass: teacher·a + student·(1 − a). */
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { EMA_UPDATE } from '../contracts';
import { fusedKernel } from '../project-kernel';
import { runElementwise } from './update-program';

export const emaUpdateKernel = fusedKernel(EMA_UPDATE, ({ teacher, student }, { decay }, backend: WebGPUBackend) =>
  runElementwise(backend, 'qatEmaUpdate', { teacher, student }, { decay, rest: 1 - decay }, 'teacherValue * uniforms.decay + studentValue * uniforms.rest'),
);
