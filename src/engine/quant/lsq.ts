import * as tf from '@tensorflow/tfjs';
import { LSQ_FAKE_QUANT, LSQ_FAKE_QUANT_GRAD, lsqChannels, type LsqFakeQuantGradAttrs } from '../kernels/contracts';
import { hasKernels, runFused } from '../kernels/run-fused';

/**
 * LSQ fake quantization (Esser et al. 2020, "Learned Step Size Quantization").
 *
 * Forward: round(clip(x/s, −Qn, Qp))·s. TF.js gives `Round` a zero gradient, so the straight-through estimator
 * and the step-size gradient are written out in a customGrad.
 */
export interface LsqOptions {
  bits: number;
  signed: boolean;
  /** Scale of the step-size gradient; defaults to 1/sqrt(N·Qp), N = x.size. */
  gradScale?: number;
}

/** Integer range of a b-bit quantizer: signed [−2^(b−1), 2^(b−1)−1], unsigned [0, 2^b−1]. Returned as Qn, Qp ≥ 0. */
export function quantRange(bits: number, signed: boolean): { qn: number; qp: number } {
  if (!Number.isInteger(bits) || bits < 1 || bits > 16) throw new RangeError(`bits must be an integer in 1..16, got ${bits}`);
  return signed ? { qn: 2 ** (bits - 1), qp: 2 ** (bits - 1) - 1 } : { qn: 0, qp: 2 ** bits - 1 };
}

/** The paper's gradient scale g = 1/sqrt(N·Qp). */
export function defaultGradScale(size: number, qp: number): number {
  return 1 / Math.sqrt(size * qp);
}

/** Axes along which a per-channel step (broadcast against x) must be summed to get back the step's shape. */
function reductionAxes(xShape: number[], stepShape: number[]): number[] {
  const offset = xShape.length - stepShape.length;
  const axes: number[] = [];
  for (let i = 0; i < xShape.length; i++) {
    const j = i - offset;
    if (j < 0 || (stepShape[j] === 1 && xShape[i] !== 1)) axes.push(i);
  }
  return axes;
}

/**
 * The same quantizer through the fused kernels of the active backend: one launch forward, and x and the step
 * (rather than x/s and its rounding) saved for a backward that recomputes them.
 */
function fusedLsqFakeQuant(x: tf.Tensor, step: tf.Tensor, attrs: LsqFakeQuantGradAttrs): tf.Tensor {
  const quantize = tf.customGrad((xIn, sIn, save) => {
    const inputs = { x: xIn as tf.Tensor, stepSize: sIn as tf.Tensor };
    (save as tf.GradSaveFunc)([inputs.x, inputs.stepSize]);
    return {
      value: runFused(LSQ_FAKE_QUANT, inputs, { qn: attrs.qn, qp: attrs.qp }),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => runFused(LSQ_FAKE_QUANT_GRAD, { dy, x: saved[0], stepSize: saved[1] }, { ...attrs }),
    };
  });
  return quantize(x, step) as tf.Tensor;
}

export function lsqFakeQuant(x: tf.Tensor, step: tf.Tensor, opts: LsqOptions): tf.Tensor {
  const { qn, qp } = quantRange(opts.bits, opts.signed);
  const g = opts.gradScale ?? defaultGradScale(x.size, qp);
  if (x.dtype === 'float32' && step.dtype === 'float32' && lsqChannels(x.shape, step.shape) !== null && hasKernels(LSQ_FAKE_QUANT, LSQ_FAKE_QUANT_GRAD)) {
    return fusedLsqFakeQuant(x, step, { qn, qp, gradScale: g });
  }
  const axes = reductionAxes(x.shape, step.shape);

  const quantize = tf.customGrad((xIn, sIn, save) => {
    const xt = xIn as tf.Tensor;
    const st = sIn as tf.Tensor;
    const v = tf.div(xt, st);
    const r = tf.round(tf.clipByValue(v, -qn, qp));
    (save as tf.GradSaveFunc)([v, r]);
    return {
      value: tf.mul(r, st),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [vs, rs] = saved;
        const below = tf.less(vs, -qn);
        const above = tf.greater(vs, qp);
        const inside = tf.logicalNot(tf.logicalOr(below, above));
        const dx = tf.mul(dy, tf.cast(inside, 'float32'));
        // Inside the range the step gradient is round(v) − v; clipped values contribute their bound.
        const dsElem = tf.where(inside, tf.sub(rs, vs), tf.where(below, tf.fill(vs.shape, -qn), tf.fill(vs.shape, qp)));
        let ds = tf.mul(dy, dsElem);
        if (axes.length > 0) ds = tf.sum(ds, axes);
        ds = tf.reshape(tf.mul(ds, g), st.shape);
        return [dx, ds];
      },
    };
  });
  return quantize(x, step) as tf.Tensor;
}

/** LSQ step initialisation from the paper: 2·mean|v| / sqrt(Qp), per tensor or per channel (last axis). */
export function lsqInitialStep(v: tf.Tensor, bits: number, signed: boolean, perChannel = false): tf.Tensor {
  const { qp } = quantRange(bits, signed);
  return tf.tidy(() => {
    const absMean = perChannel ? tf.mean(tf.abs(v), v.shape.slice(0, -1).map((_, i) => i)) : tf.mean(tf.abs(v));
    // A dead (all-zero) tensor would give a zero step and divide by zero; keep it tiny but positive.
    return tf.maximum(tf.mul(absMean, 2 / Math.sqrt(qp)), 1e-8);
  });
}
