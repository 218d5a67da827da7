import * as tf from '@tensorflow/tfjs';
import type { ParamStore } from '../nn/params';
import { isQuantized } from './config';
import { lsqFakeQuant, lsqInitialStep } from './lsq';

/** Quantizes a weight tensor with a learned step (signed), per tensor or per output channel (last axis). */
export class WeightQuantizer {
  readonly step: tf.Variable | null;

  constructor(store: ParamStore, name: string, weight: tf.Variable, readonly bits: number, perChannel: boolean) {
    this.step = isQuantized(bits) ? store.add(`${name}.step`, 'step', lsqInitialStep(weight, bits, true, perChannel), { bits, signed: true }) : null;
  }

  apply(w: tf.Tensor): tf.Tensor {
    return this.step ? lsqFakeQuant(w, this.step, { bits: this.bits, signed: true }) : w;
  }
}

/** Per-layer switches for one forward pass. */
export interface ForwardContext {
  /** BatchNorm uses batch statistics (and, with updateStats, updates its running averages). */
  training: boolean;
  updateStats: boolean;
  /** Activation quantizers take their initial step from this batch (LSQ's data-dependent init). */
  calibrate: boolean;
}

/**
 * Quantizes activations that follow a ReLU (unsigned). Its step starts from the first batch it sees during
 * calibration, since activation scales are unknown until data flows.
 */
export class ActivationQuantizer {
  readonly step: tf.Variable | null;
  private initialized = false;

  constructor(store: ParamStore, name: string, readonly bits: number) {
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
    return lsqFakeQuant(x, this.step, { bits: this.bits, signed: false });
  }
}
