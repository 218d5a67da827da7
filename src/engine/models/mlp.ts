import * as tf from '@tensorflow/tfjs';
import { QDense } from '../nn/dense';
import { relu } from '../nn/piecewise';
import type { ForwardContext } from '../quant/quantizers';
import { StoreModel } from './base';
import type { ModelSpec } from './types';

/** input → 256 → 256 → classes, ReLU between; first and last layer at their own bit width. */
export class Mlp extends StoreModel {
  private readonly layers: QDense[];

  constructor(spec: ModelSpec, hidden = [256, 256]) {
    super(spec);
    const [h, w, c] = spec.inputShape;
    const { wbits, abits, firstLastBits, perChannel } = spec.quant;
    const widths = [h * w * c, ...hidden, spec.numClasses];
    const last = widths.length - 2;
    this.layers = widths.slice(0, -1).map(
      (inputs, i) =>
        new QDense(this.store, `fc${i + 1}`, {
          inputs,
          units: widths[i + 1],
          wbits: i === 0 || i === last ? firstLastBits : wbits,
          abits: i === 0 ? null : i === last ? firstLastBits : abits,
          perChannel,
        }),
    );
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor2D {
    let h: tf.Tensor2D = tf.reshape(x, [x.shape[0], -1]);
    this.layers.forEach((layer, i) => {
      h = layer.forward(h, ctx);
      if (i < this.layers.length - 1) h = relu(h, ctx);
    });
    return h;
  }
}
