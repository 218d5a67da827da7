/**
 * The project's kernels for the cpu backend: the fused kernels of the contracts, all in the swappable set. They
 * give exactly what the ops' fallbacks give here, so the contracts can be checked on the backend that needs no
 * device. The cpu backend runs the 'stock' set unless a caller chooses 'custom'.
 */
import type { ProjectKernel } from '../project-kernel';
import { lsqFakeQuantCpuKernel, lsqFakeQuantGradCpuKernel } from './lsq';
import { emaUpdateCpuKernel, sgdStepCpuKernel, sgdVelocityCpuKernel } from './updates';

export const cpuKernels: readonly ProjectKernel[] = [
  lsqFakeQuantCpuKernel,
  lsqFakeQuantGradCpuKernel,
  sgdVelocityCpuKernel,
  sgdStepCpuKernel,
  emaUpdateCpuKernel,
];
