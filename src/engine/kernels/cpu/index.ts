/**
 * The project's kernels for the cpu backend: the fused kernels of the contracts but BatchNorm's (sums whose order
 * could not match the ops' bit for bit), all in the swappable set. They
 * give exactly what the ops' fallbacks give here, so the contracts can be checked on the backend that needs no
 * device. The cpu backend runs the 'stock' set unless a caller chooses 'custom'.
 */
import type { ProjectKernel } from '../project-kernel';
import { lsqFakeQuantCpuKernel, lsqFakeQuantGradCpuKernel } from './lsq';
import { transformCpuKernel } from './transform';
import { emaUpdateCpuKernel, reluGradCpuKernel, sgdStepCpuKernel, sgdVelocityCpuKernel } from './updates';

export const cpuKernels: readonly ProjectKernel[] = [
  lsqFakeQuantCpuKernel,
  lsqFakeQuantGradCpuKernel,
  sgdVelocityCpuKernel,
  sgdStepCpuKernel,
  emaUpdateCpuKernel,
  reluGradCpuKernel,
  // Always on: corrects TF.js's own kernel.
  transformCpuKernel,
];
