import * as tf from '@tensorflow/tfjs';
import type { BatchNorm } from '../nn/batch-norm';
import type { QConv2d } from '../nn/conv2d';
import { QDense } from '../nn/dense';
import { maxPool2, relu } from '../nn/piecewise';
import type { ForwardContext } from '../quant/quantizers';
import { StoreModel } from './base';
import { convBnStack } from './conv-stack';
import type { ModelSpec } from './types';

/**
 * Three 3×3 convolutions (32, 64, 64 channels) with BatchNorm and ReLU, 2×2 max-pooling after the second and
 * third, and a dense head: the same shape as the PyTorch baseline used for speed comparisons.
 */
export class CnnSmall extends StoreModel {
  private readonly convs: QConv2d[];
  private readonly norms: BatchNorm[];
  private readonly head: QDense;

  constructor(spec: ModelSpec) {
    super(spec);
    const [h, w, c] = spec.inputShape;
    const { firstLastBits, perChannel } = spec.quant;
    ({ convs: this.convs, norms: this.norms } = convBnStack(this.store, [c, 32, 64, 64], spec.quant));
    const pooled = Math.floor(Math.floor(h / 2) / 2) * Math.floor(Math.floor(w / 2) / 2) * 64;
    this.head = new QDense(this.store, 'fc', {
      inputs: pooled,
      units: spec.numClasses,
      wbits: firstLastBits,
      abits: firstLastBits,
      perChannel,
    });
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor2D {
    let h = x;
    for (let i = 0; i < 3; i++) {
      h = relu(this.norms[i].forward(this.convs[i].forward(h, ctx), ctx), ctx);
      if (i > 0) h = maxPool2(h, ctx);
    }
    return this.head.forward(tf.reshape(h, [h.shape[0], -1]), ctx);
  }
}
