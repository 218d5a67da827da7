/**
 * The fused parameter updates (and ReLU's gradient) on cpu: the optimizer's and the EMA teacher's op fallbacks, one kernel each, with
 * float32 rounding wherever a stock kernel would store a value (scalars too: TF.js makes them float32 tensors).
 */
import { EMA_UPDATE, RELU_GRAD, SGD_STEP, SGD_VELOCITY } from '../contracts';
import { fusedKernel } from '../project-kernel';
import { type CpuBackendLike, elementwise, f32, floats } from './float-data';

export const sgdVelocityCpuKernel = fusedKernel(SGD_VELOCITY, ({ v, g, w }, attrs, backend: CpuBackendLike) => {
  const [vv, gv, wv] = [v, g, w].map((t) => floats(backend, t, SGD_VELOCITY));
  const momentum = f32(attrs.momentum);
  const weightDecay = f32(attrs.weightDecay);
  return elementwise(backend, v, (i) => f32(vv[i] * momentum) + f32(gv[i] + f32(wv[i] * weightDecay)));
});

export const sgdStepCpuKernel = fusedKernel(SGD_STEP, ({ w, u }, attrs, backend: CpuBackendLike) => {
  const [wv, uv] = [w, u].map((t) => floats(backend, t, SGD_STEP));
  const lr = f32(attrs.lr);
  const floor = f32(attrs.floor);
  // Math.max keeps a NaN, as tf.maximum does: a NaN step size must surface as divergence.
  return elementwise(backend, w, (i) => {
    const next = f32(wv[i] - f32(uv[i] * lr));
    return attrs.hasFloor ? Math.max(next, floor) : next;
  });
});

export const emaUpdateCpuKernel = fusedKernel(EMA_UPDATE, ({ teacher, student }, { decay }, backend: CpuBackendLike) => {
  const [tv, sv] = [teacher, student].map((t) => floats(backend, t, EMA_UPDATE));
  const a = f32(decay);
  const rest = f32(1 - decay);
  return elementwise(backend, teacher, (i) => f32(tv[i] * a) + f32(sv[i] * rest));
});

/** TF.js's Relu gradient on cpu: Step (NaN stays NaN) then Multiply. */
export const reluGradCpuKernel = fusedKernel(RELU_GRAD, ({ dy, x }, _attrs, backend: CpuBackendLike) => {
  const [dv, xv] = [dy, x].map((t) => floats(backend, t, RELU_GRAD));
  return elementwise(backend, x, (i) => f32(dv[i] * (Number.isNaN(xv[i]) ? Number.NaN : xv[i] > 0 ? 1 : 0)));
});
