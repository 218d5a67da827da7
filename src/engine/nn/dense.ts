import * as tf from '@tensorflow/tfjs';
import { ActivationQuantizer, type ForwardContext, WeightQuantizer } from '../quant/quantizers';
import type { ParamStore } from './params';

export interface QDenseOptions {
  inputs: number;
  units: number;
  wbits: number;
  /** Bits for the incoming activation; null leaves the input as it is (first layer: raw pixels). */
  abits: number | null;
  perChannel: boolean;
}

/** Fully connected layer with LSQ-quantized weights and (optionally) a quantized input. */
export class QDense {
  readonly w: tf.Variable;
  readonly b: tf.Variable;
  private readonly wq: WeightQuantizer;
  private readonly aq: ActivationQuantizer | null;

  constructor(store: ParamStore, readonly name: string, o: QDenseOptions) {
    this.w = store.add(`${name}/w`, 'weight', store.heNormal([o.inputs, o.units], o.inputs));
    this.b = store.add(`${name}/b`, 'bias', tf.zeros([o.units]));
    this.wq = new WeightQuantizer(store, `${name}/w`, this.w, o.wbits, o.perChannel);
    this.aq = o.abits === null ? null : new ActivationQuantizer(store, `${name}/in`, o.abits);
  }

  forward(x: tf.Tensor2D, ctx: ForwardContext): tf.Tensor2D {
    const xin = this.aq ? (this.aq.apply(x, ctx) as tf.Tensor2D) : x;
    const w = this.wq.apply(this.w, ctx) as tf.Tensor2D;
    // Not tf.fused.matMul on webgpu: its bias program made the page's 10,000-image test on SwiftShader take minutes.
    return tf.add(tf.matMul(xin, w), this.b);
  }
}
