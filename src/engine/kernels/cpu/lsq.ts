/**
 * The fused LSQ kernels on cpu, computed as lsqFakeQuant's op fallback computes them on this backend (Div,
 * ClipByValue, Round, Mul forward; comparisons, products and a Sum backward), rounding each intermediate to
 * float32 where a stock kernel would store it. The step-gradient sums run per channel in element order in double
 * precision, as TF.js's cpu Sum does.
 */
import { LSQ_FAKE_QUANT, LSQ_FAKE_QUANT_GRAD, lsqChannels } from '../contracts';
import { fusedKernel } from '../project-kernel';
import { type CpuBackendLike, f32, floatTensor, floats } from './float-data';

/** Half to even, written as TF.js's cpu Round is (Math.ceil keeps −0 for −0.5 < v < 0); NaN stays NaN. */
function roundHalfEven(v: number): number {
  const base = Math.floor(v);
  const frac = v - base;
  if (frac < 0.5) return base;
  if (frac > 0.5) return Math.ceil(v);
  return base % 2 === 0 ? base : base + 1;
}

/** ClipByValue's order of tests, so NaN passes through. */
function clip(v: number, lo: number, hi: number): number {
  if (v > hi) return hi;
  return v < lo ? lo : v;
}

function channelsOf(kernelName: string, xShape: readonly number[], stepShape: readonly number[]): number {
  const channels = lsqChannels(xShape, stepShape);
  if (channels === null) throw new Error(`${kernelName}: step of shape [${stepShape}] does not fit x of shape [${xShape}]`);
  return channels;
}

export const lsqFakeQuantCpuKernel = fusedKernel(LSQ_FAKE_QUANT, ({ x, stepSize }, { qn, qp }, backend: CpuBackendLike) => {
  const channels = channelsOf(LSQ_FAKE_QUANT, x.shape, stepSize.shape);
  const xv = floats(backend, x, LSQ_FAKE_QUANT);
  const sv = floats(backend, stepSize, LSQ_FAKE_QUANT);
  const out = new Float32Array(xv.length);
  for (let i = 0; i < xv.length; i++) {
    const s = sv[i % channels];
    out[i] = roundHalfEven(clip(f32(xv[i] / s), -qn, qp)) * s;
  }
  return floatTensor(backend, x.shape, out);
});

export const lsqFakeQuantGradCpuKernel = fusedKernel(LSQ_FAKE_QUANT_GRAD, ({ dy, x, stepSize }, { qn, qp, gradScale }, backend: CpuBackendLike) => {
  const channels = channelsOf(LSQ_FAKE_QUANT_GRAD, x.shape, stepSize.shape);
  const dyv = floats(backend, dy, LSQ_FAKE_QUANT_GRAD);
  const xv = floats(backend, x, LSQ_FAKE_QUANT_GRAD);
  const sv = floats(backend, stepSize, LSQ_FAKE_QUANT_GRAD);
  const dx = new Float32Array(xv.length);
  const sums = new Float64Array(channels);
  for (let i = 0; i < xv.length; i++) {
    const c = i % channels;
    const v = f32(xv[i] / sv[c]);
    const below = v < -qn;
    const above = v > qp;
    const inside = !(below || above);
    dx[i] = dyv[i] * (inside ? 1 : 0);
    const e = inside ? f32(roundHalfEven(v) - v) : below ? -qn : qp;
    sums[c] += f32(dyv[i] * e);
  }
  const g = f32(gradScale);
  const ds = Float32Array.from(sums, (sum) => f32(sum) * g);
  return [floatTensor(backend, x.shape, dx), floatTensor(backend, stepSize.shape, ds)];
});
