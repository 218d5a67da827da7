import type * as tf from '@tensorflow/tfjs';
import { ParamStore } from '../nn/params';
import type { ForwardContext } from '../quant/quantizers';
import { Rng } from '../util/rng';
import type { Model, ModelSpec } from './types';

/** Shared bookkeeping of the models: the parameter store, calibration and disposal. */
export abstract class StoreModel implements Model {
  protected readonly store: ParamStore;

  constructor(readonly spec: ModelSpec) {
    this.store = new ParamStore(new Rng(spec.seed, 'init'));
  }

  get params() {
    return this.store.params;
  }

  get buffers() {
    return this.store.buffers;
  }

  abstract forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor2D;

  markCalibrated(): void {
    for (const hook of this.store.calibrationHooks) hook();
  }

  dispose(): void {
    this.store.dispose();
  }
}
