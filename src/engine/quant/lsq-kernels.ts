/**
 * Names and attributes of the fused LSQ kernels. A backend may register them (the webgpu kernel set does);
 * lsqFakeQuant uses them when the active backend has them and computes the same formulas with plain TF.js ops
 * otherwise.
 *
 * LsqFakeQuant:      inputs { x, stepSize }, attrs { qn, qp } → round(clip(x/s, −qn, qp))·s
 * LsqFakeQuantGrad:  inputs { dy, x, stepSize }, attrs { qn, qp, gradScale } → [dx, ds], ds shaped like the step
 * The step is one value, or one per channel of the last axis of x.
 */
import * as tf from '@tensorflow/tfjs';

export const LSQ_FAKE_QUANT = 'QatLsqFakeQuant';
export const LSQ_FAKE_QUANT_GRAD = 'QatLsqFakeQuantGrad';

export interface LsqKernelAttrs {
  qn: number;
  qp: number;
}

export interface LsqGradKernelAttrs extends LsqKernelAttrs {
  gradScale: number;
}

/** Channels of the step as the fused kernels see it: 1 (per tensor), C (last axis of x), or null (unsupported layout). */
export function lsqChannels(xShape: readonly number[], stepShape: readonly number[]): number | null {
  const stepSize = stepShape.reduce((a, b) => a * b, 1);
  // A step of higher rank than x would broadcast x up to its rank: the op path handles that.
  if (stepShape.length > xShape.length) return null;
  if (stepSize === 1) return 1;
  const last = xShape[xShape.length - 1];
  const leadingOnes = stepShape.slice(0, -1).every((d) => d === 1);
  return leadingOnes && stepShape[stepShape.length - 1] === last ? last : null;
}

/** True when the active backend registers both fused kernels. */
export function hasFusedLsqKernels(): boolean {
  const backend = tf.getBackend();
  return tf.getKernel(LSQ_FAKE_QUANT, backend) !== undefined && tf.getKernel(LSQ_FAKE_QUANT_GRAD, backend) !== undefined;
}
