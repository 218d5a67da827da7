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
 * The classroom CNN: three 3×3 convolutions (16, 32, 64 channels) with BatchNorm and ReLU, 2×2 max-pooling after
 * the first two, global average pooling and a 64-wide dense head. About a tenth of cnn-small's arithmetic, so LSQ
 * and LSQ+CR train side by side on a laptop CPU; convolutions and the pooled head make it translation-tolerant,
 * which is what shifted views ask of a model. Few channels also mean 2-bit weights cost it accuracy.
 */
export class CnnTiny extends StoreModel {
  private readonly convs: QConv2d[];
  private readonly norms: BatchNorm[];
  private readonly head: QDense;

  constructor(spec: ModelSpec) {
    super(spec);
    const c = spec.inputShape[2];
    const { firstLastBits, perChannel } = spec.quant;
    ({ convs: this.convs, norms: this.norms } = convBnStack(this.store, [c, 16, 32, 64], spec.quant));
    this.head = new QDense(this.store, 'fc', { inputs: 64, units: spec.numClasses, wbits: firstLastBits, abits: firstLastBits, perChannel });
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor2D {
    let h = x;
    for (let i = 0; i < 3; i++) {
      h = relu(this.norms[i].forward(this.convs[i].forward(h, ctx), ctx), ctx);
      if (i < 2) h = maxPool2(h, ctx);
    }
    // Global average pooling: linear, so Hessian products need nothing recorded for it.
    return this.head.forward(tf.mean(h, [1, 2]) as tf.Tensor2D, ctx);
  }
}
