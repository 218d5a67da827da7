/**
 * The project's kernels for the webgpu backend. Always on: MaxPoolGrad with the first-maximum tie rule of cpu,
 * wasm and PyTorch, and matrix products that sum in a fixed order (no split-K atomics), so a seed repeats exactly. The custom set: the convolution, its input gradient and its filter gradient as tiled implicit GEMMs, broadcast Multiply/Add/Sub, and the fused
 * LSQ, BatchNorm, ReLU-gradient, SGD, EMA and loss kernels, which cut the launches of a training step.
 */
import type { ProjectKernel } from '../project-kernel';
import { batchNormApplyKernel, batchNormGradKernel, batchNormRunningKernel, batchNormStatsKernel } from './batch-norm';
import { addKernel, multiplyKernel, subKernel } from './broadcast-binary';
import { conv2dKernel } from './conv2d';
import { conv2dBackpropFilterKernel } from './conv2d-backprop-filter';
import { conv2dBackpropInputKernel } from './conv2d-backprop-input';
import { batchMatMulKernel, fusedMatMulKernel } from './deterministic-matmul';
import { emaUpdateKernel } from './ema-update';
import { lsqFakeQuantKernel } from './lsq-fake-quant';
import { lsqFakeQuantGradKernel } from './lsq-fake-quant-grad';
import { maxPoolGradKernel } from './max-pool-grad';
import { reluGradKernel } from './relu-grad';
import { sgdStepKernel } from './sgd-step';
import { sgdVelocityKernel } from './sgd-velocity';
import { countCorrectKernel, softXentGradKernel, softXentKernel } from './soft-xent';

export const webgpuKernels: readonly ProjectKernel[] = [
  maxPoolGradKernel,
  batchMatMulKernel,
  fusedMatMulKernel,
  conv2dKernel,
  conv2dBackpropFilterKernel,
  conv2dBackpropInputKernel,
  multiplyKernel,
  addKernel,
  subKernel,
  lsqFakeQuantKernel,
  lsqFakeQuantGradKernel,
  sgdVelocityKernel,
  sgdStepKernel,
  emaUpdateKernel,
  reluGradKernel,
  batchNormStatsKernel,
  batchNormApplyKernel,
  batchNormGradKernel,
  batchNormRunningKernel,
  softXentKernel,
  softXentGradKernel,
  countCorrectKernel,
];
