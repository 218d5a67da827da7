import * as tf from '@tensorflow/tfjs';
import type { ParamStore } from '../nn/params';
import type { PatternTape } from '../nn/pattern-tape';
import { isQuantized } from './config';
import { defaultGradScale, lsqFakeQuant, lsqInitialStep, quantRange } from './lsq';

/**
 * LSQ fake quantization; with a pattern tape its rounding and clipping are recorded, and replayed as the linear map
 * x·inside + c (c the recorded rounding offsets), which is what the straight-through estimator differentiates.
 * The step is a constant in a replay.
 */
function fakeQuant(x: tf.Tensor, step: tf.Variable, bits: number, signed: boolean, gradScale: number, tape: PatternTape | undefined): tf.Tensor {
  if (!tape) return lsqFakeQuant(x, step, { bits, signed, gradScale });
  if (tape.mode === 'replay') {
    const inside = tape.next();
    const offset = tape.next();
    return tf.add(tf.mul(x, inside), offset);
  }
  const { qn, qp } = quantRange(bits, signed);
  const v = tf.div(x, step);
  const inside = tf.cast(tf.logicalAnd(tf.greaterEqual(v, -qn), tf.lessEqual(v, qp)), 'float32');
  const q = lsqFakeQuant(x, step, { bits, signed, gradScale });
  tape.put(inside, tf.sub(q, tf.mul(x, inside)));
  return q;
}

/**
 * The LSQ paper's step-gradient scale for weights: 1/sqrt(N·Qp) with N the weights one step quantizes (the whole
 * tensor, or one output channel's slice when per channel).
 */
export function weightGradScale(shape: readonly number[], bits: number, perChannel: boolean): number {
  const size = shape.reduce((a, b) => a * b, 1);
  return defaultGradScale(perChannel ? size / shape[shape.length - 1] : size, quantRange(bits, true).qp);
}

/** The paper's scale for activations: N = N_F, the features of one sample, whatever the batch size. */
export function activationGradScale(shape: readonly number[], bits: number): number {
  const features = shape.slice(1).reduce((a, b) => a * b, 1);
  return defaultGradScale(features, quantRange(bits, false).qp);
}

/** Quantizes a weight tensor with a learned step (signed), per tensor or per output channel (last axis). */
export class WeightQuantizer {
  readonly step: tf.Variable | null;
  private readonly gradScale: number;

  constructor(store: ParamStore, name: string, weight: tf.Variable, readonly bits: number, perChannel: boolean) {
    this.step = isQuantized(bits) ? store.add(`${name}.step`, 'step', lsqInitialStep(weight, bits, true, perChannel), { bits, signed: true }) : null;
    this.gradScale = isQuantized(bits) ? weightGradScale(weight.shape, bits, perChannel) : 1;
  }

  apply(w: tf.Tensor, ctx?: ForwardContext): tf.Tensor {
    if (!this.step) return w;
    const shared = ctx?.tape ? undefined : ctx?.quantizedWeights;
    const known = shared?.get(this.step);
    if (known) return known;
    const q = fakeQuant(w, this.step, this.bits, true, this.gradScale, ctx?.tape);
    shared?.set(this.step, q);
    return q;
  }
}

/** Per-layer switches for one forward pass. */
export interface ForwardContext {
  /** BatchNorm uses batch statistics (and, with updateStats, updates its running averages). */
  training: boolean;
  updateStats: boolean;
  /** Activation quantizers take their initial step from this batch (LSQ's data-dependent init). */
  calibrate: boolean;
  /** Records or replays the piecewise-linear decisions of the pass (Hessian-vector products). */
  tape?: PatternTape;
  /** Sees each quantized activation before rounding, with its quantizer (quantization-error views); inside the pass's tidy. */
  observe?: (name: string, x: tf.Tensor, step: tf.Variable, bits: number) => void;
  /**
   * Quantized weights (by their step variable) that passes of one step share: the student's labeled and unlabeled
   * passes then quantize each weight once, and its gradient is one LSQ backward of the summed upstream gradients.
   */
  quantizedWeights?: Map<tf.Variable, tf.Tensor>;
}

/**
 * Quantizes activations that follow a ReLU (unsigned). Its step starts from the first batch it sees during
 * calibration, since activation scales are unknown until data flows.
 */
export class ActivationQuantizer {
  readonly step: tf.Variable | null;
  private initialized = false;

  constructor(store: ParamStore, readonly name: string, readonly bits: number) {
    this.step = isQuantized(bits) ? store.add(`${name}.step`, 'step', tf.scalar(1), { bits, signed: false }) : null;
    store.calibrationHooks.push(() => (this.initialized = true));
  }

  apply(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    if (!this.step) return x;
    if (ctx.calibrate && !this.initialized) {
      const init = lsqInitialStep(x, this.bits, false);
      this.step.assign(init);
      init.dispose();
      this.initialized = true;
    }
    ctx.observe?.(this.name, x, this.step, this.bits);
    return fakeQuant(x, this.step, this.bits, false, activationGradScale(x.shape, this.bits), ctx.tape);
  }
}
