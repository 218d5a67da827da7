import * as tf from '@tensorflow/tfjs';
import { ActivationQuantizer, type ForwardContext, WeightQuantizer } from '../quant/quantizers';
import type { ParamStore } from './params';

export interface QConv2dOptions {
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  wbits: number;
  /** Bits for the incoming activation; null leaves the input as it is (first layer, or an input quantized upstream). */
  abits: number | null;
  perChannel: boolean;
}

/** 3×3 (or k×k) convolution, 'same' padding, no bias (a BatchNorm follows), LSQ-quantized weights and input. */
export class QConv2d {
  readonly w: tf.Variable;
  private readonly wq: WeightQuantizer;
  private readonly aq: ActivationQuantizer | null;
  private readonly stride: number;

  constructor(store: ParamStore, readonly name: string, o: QConv2dOptions) {
    const fanIn = o.kernel * o.kernel * o.inChannels;
    this.w = store.add(`${name}/w`, 'weight', store.heNormal([o.kernel, o.kernel, o.inChannels, o.outChannels], fanIn));
    this.wq = new WeightQuantizer(store, `${name}/w`, this.w, o.wbits, o.perChannel);
    this.aq = o.abits === null ? null : new ActivationQuantizer(store, `${name}/in`, o.abits);
    this.stride = o.stride;
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    const xin = this.aq ? (this.aq.apply(x, ctx) as tf.Tensor4D) : x;
    return tf.conv2d(xin, this.wq.apply(this.w, ctx) as tf.Tensor4D, this.stride, 'same');
  }
}
