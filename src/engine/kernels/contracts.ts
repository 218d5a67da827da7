/**
 * The project's own fused kernels: name, inputs, attrs and outputs of each. The ops that call them (LSQ fake
 * quantization, the SGD optimizer, the EMA teacher, BatchNorm, ReLU, the losses) and every backend's implementation type
 * against this file, so a kernel means the same thing everywhere. The ops run a fused kernel only where the active backend registers it
 * and otherwise compute the same formulas with plain TF.js ops. Imports nothing: page code may read it.
 *
 * QatLsqFakeQuant      inputs { x, stepSize }      attrs { qn, qp }             → round(clip(x/s, −qn, qp))·s
 * QatLsqFakeQuantGrad  inputs { dy, x, stepSize }  attrs { qn, qp, gradScale }  → [dx, ds], ds shaped like the step:
 *                      v = x/s; dx = dy inside [−qn, qp], else 0;
 *                      ds = gradScale · Σ dy · (round(v) − v inside, −qn below, qp above), summed per channel
 *                      The step is one value, or one per channel of the last axis of x (see lsqChannels).
 * QatSgdVelocity       inputs { v, g, w }          attrs { momentum, weightDecay } → v·μ + (g + w·wd)
 * QatSgdStep           inputs { w, u }             attrs { lr, floor, hasFloor }   → w − u·lr, then max(·, floor) if hasFloor
 * QatEmaUpdate         inputs { teacher, student } attrs { decay }                 → teacher·a + student·(1 − a)
 * QatReluGrad          inputs { dy, x }            attrs {}                            → dy·step(x): dy where x > 0, 0 where
 *                      x ≤ 0, NaN where x is NaN (TF.js's Relu gradient, Step then Multiply)
 * QatBatchNormStats    inputs { x }                attrs {}                            → [mean, variance] over all but the
 *                      last axis, variance biased (mean of (x − mean)²), each shaped [C]
 * QatBatchNormApply    inputs { x, mean, variance, gamma, beta } attrs { epsilon }     → (x − mean)·(rsqrt(var + ε)·γ) + β
 * QatBatchNormGrad     inputs { dy, x, mean, variance, gamma }   attrs { epsilon }     → [dx, dγ, dβ] of Apply with mean
 *                      and variance the batch's own statistics: x̂ = (x − mean)·rsqrt(var + ε), dβ = Σ dy, dγ = Σ dy·x̂,
 *                      dx = γ·rsqrt(var + ε)·(dy − dβ/N − x̂·dγ/N), N the elements of one channel
 * QatBatchNormRunning  inputs { running, batch }   attrs { momentum, scale }           → running·(1 − m) + (batch·scale)·m
 *                      (a running average; scale = N/(N − 1) turns the batch's biased variance into the unbiased one)
 * QatSoftXent          inputs { logits, targets }     attrs { temperature, scale, targets } → scale · mean over rows of
 *                      KL(p ‖ q) = Σ_k p_k (log p_k − log q_k), q = softmax(logits/τ); p = onehot(targets) when
 *                      targets is 'labels' (int32 [n]; then KL is the cross-entropy −log q_y), softmax(targets/τ)
 *                      when 'logits' (float32 [n, k], a teacher's); a scalar. Terms with p_k = 0 are 0.
 * QatSoftXentGrad      inputs { dy, logits, targets } attrs as QatSoftXent → its gradient for logits:
 *                      dy · scale/(n·τ) · (q − p), shaped [n, k] (the targets get none)
 * QatCountCorrect      inputs { logits, labels }      attrs {}            → how many rows' argmax (the first maximum)
 *                      equals its label (int32 [n]), as a float32 scalar
 * The parameter updates are elementwise over inputs of one shape. BatchNorm's per-channel inputs are shaped [C],
 * C the last axis of x. All inputs and outputs are float32 but the labels.
 */

export const LSQ_FAKE_QUANT = 'QatLsqFakeQuant';
export const LSQ_FAKE_QUANT_GRAD = 'QatLsqFakeQuantGrad';
export const SGD_VELOCITY = 'QatSgdVelocity';
export const SGD_STEP = 'QatSgdStep';
export const EMA_UPDATE = 'QatEmaUpdate';
export const RELU_GRAD = 'QatReluGrad';
export const BATCH_NORM_STATS = 'QatBatchNormStats';
export const BATCH_NORM_APPLY = 'QatBatchNormApply';
export const BATCH_NORM_GRAD = 'QatBatchNormGrad';
export const BATCH_NORM_RUNNING = 'QatBatchNormRunning';
export const SOFT_XENT = 'QatSoftXent';
export const SOFT_XENT_GRAD = 'QatSoftXentGrad';
export const COUNT_CORRECT = 'QatCountCorrect';

// Type aliases rather than interfaces: they fit TF.js's NamedAttrMap (interfaces carry no index signature).
export type LsqFakeQuantAttrs = { qn: number; qp: number };
export type LsqFakeQuantGradAttrs = LsqFakeQuantAttrs & { gradScale: number };
export type SgdVelocityAttrs = { momentum: number; weightDecay: number };
export type SgdStepAttrs = { lr: number; floor: number; hasFloor: boolean };
export type EmaUpdateAttrs = { decay: number };
export type BatchNormStatsAttrs = Record<string, never>;
export type BatchNormAttrs = { epsilon: number };
export type BatchNormRunningAttrs = { momentum: number; scale: number };
export type SoftXentAttrs = { temperature: number; scale: number; targets: 'labels' | 'logits' };

/** Each fused kernel's input names, attrs and number of outputs. */
export interface FusedKernelContracts {
  [LSQ_FAKE_QUANT]: { inputs: 'x' | 'stepSize'; attrs: LsqFakeQuantAttrs; outputs: 1 };
  [LSQ_FAKE_QUANT_GRAD]: { inputs: 'dy' | 'x' | 'stepSize'; attrs: LsqFakeQuantGradAttrs; outputs: 2 };
  [SGD_VELOCITY]: { inputs: 'v' | 'g' | 'w'; attrs: SgdVelocityAttrs; outputs: 1 };
  [SGD_STEP]: { inputs: 'w' | 'u'; attrs: SgdStepAttrs; outputs: 1 };
  [EMA_UPDATE]: { inputs: 'teacher' | 'student'; attrs: EmaUpdateAttrs; outputs: 1 };
  [RELU_GRAD]: { inputs: 'dy' | 'x'; attrs: Record<string, never>; outputs: 1 };
  [BATCH_NORM_STATS]: { inputs: 'x'; attrs: BatchNormStatsAttrs; outputs: 2 };
  [BATCH_NORM_APPLY]: { inputs: 'x' | 'mean' | 'variance' | 'gamma' | 'beta'; attrs: BatchNormAttrs; outputs: 1 };
  [BATCH_NORM_GRAD]: { inputs: 'dy' | 'x' | 'mean' | 'variance' | 'gamma'; attrs: BatchNormAttrs; outputs: 3 };
  [BATCH_NORM_RUNNING]: { inputs: 'running' | 'batch'; attrs: BatchNormRunningAttrs; outputs: 1 };
  [SOFT_XENT]: { inputs: 'logits' | 'targets'; attrs: SoftXentAttrs; outputs: 1 };
  [SOFT_XENT_GRAD]: { inputs: 'dy' | 'logits' | 'targets'; attrs: SoftXentAttrs; outputs: 1 };
  [COUNT_CORRECT]: { inputs: 'logits' | 'labels'; attrs: Record<string, never>; outputs: 1 };
}

export type FusedKernelName = keyof FusedKernelContracts;
/** The inputs of kernel K as tensors of type T (tf.Tensor for callers, tf.TensorInfo inside a backend). */
export type FusedInputs<K extends FusedKernelName, T> = { [I in FusedKernelContracts[K]['inputs']]: T };
export type FusedAttrs<K extends FusedKernelName> = FusedKernelContracts[K]['attrs'];
export type FusedResult<K extends FusedKernelName, T> = FusedKernelContracts[K]['outputs'] extends 3
  ? [T, T, T]
  : FusedKernelContracts[K]['outputs'] extends 2
    ? [T, T]
    : T;

// A record over the names, so adding a kernel to the contracts without listing it here does not compile.
const NAMES: Record<FusedKernelName, true> = {
  [LSQ_FAKE_QUANT]: true,
  [LSQ_FAKE_QUANT_GRAD]: true,
  [SGD_VELOCITY]: true,
  [SGD_STEP]: true,
  [EMA_UPDATE]: true,
  [RELU_GRAD]: true,
  [BATCH_NORM_STATS]: true,
  [BATCH_NORM_APPLY]: true,
  [BATCH_NORM_GRAD]: true,
  [BATCH_NORM_RUNNING]: true,
  [SOFT_XENT]: true,
  [SOFT_XENT_GRAD]: true,
  [COUNT_CORRECT]: true,
};
export const FUSED_KERNEL_NAMES = Object.keys(NAMES) as FusedKernelName[];

/** Channels of the LSQ step as the fused kernels see it: 1 (per tensor), C (last axis of x), or null (unsupported layout). */
export function lsqChannels(xShape: readonly number[], stepShape: readonly number[]): number | null {
  const stepSize = stepShape.reduce((a, b) => a * b, 1);
  // A step of higher rank than x would broadcast x up to its rank: the op path handles that.
  if (stepShape.length > xShape.length) return null;
  if (stepSize === 1) return 1;
  const last = xShape[xShape.length - 1];
  const leadingOnes = stepShape.slice(0, -1).every((d) => d === 1);
  return leadingOnes && stepShape[stepShape.length - 1] === last ? last : null;
}
