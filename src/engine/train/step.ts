import * as tf from '@tensorflow/tfjs';
import { CALIBRATE_CTX, TRAIN_CTX, type Model } from '../models/types';
import type { Optimizer } from './optimizers';

/** LSQ initialises activation steps from one batch, layer by layer, before any update. */
export function calibrate(model: Model, x: tf.Tensor4D): void {
  tf.tidy(() => {
    model.forward(x, CALIBRATE_CTX);
  });
}

/**
 * One supervised step: cross-entropy on the batch, gradients of every trainable parameter, one optimizer update.
 * Returns the loss and the number of correct predictions, read back together; every tensor is released.
 */
export async function supervisedStep(
  model: Model,
  optimizer: Optimizer,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  numClasses: number,
  lr: number,
): Promise<{ loss: number; correct: number }> {
  const kept: { hits?: tf.Tensor } = {};
  const { value, grads } = tf.variableGrads(() => {
    const logits = model.forward(x, TRAIN_CTX);
    kept.hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32')));
    return tf.losses.softmaxCrossEntropy(tf.oneHot(y, numClasses), logits) as tf.Scalar;
  }, model.params.map((p) => p.variable));
  optimizer.apply(grads, lr);
  const hits = kept.hits as tf.Tensor;
  const both = tf.stack([value, hits]);
  const [loss, correct] = await both.data();
  tf.dispose([value, hits, both, ...Object.values(grads)]);
  return { loss, correct };
}
