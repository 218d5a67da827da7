import * as tf from '@tensorflow/tfjs';
import { makeBatch, type Normalization } from '../data/batches';
import type { Dataset, ImageSet } from '../data/types';
import { EVAL_CTX, type Model } from '../models/types';

export interface Predictions {
  /** Predicted class per image. */
  classes: Int32Array;
  /** Softmax probability of the predicted class. */
  confidence: Float32Array;
}

/** A model's predictions (eval mode) for a few images of a split. */
export async function predictImages(model: Model, ds: Dataset, set: ImageSet, indices: Int32Array, norm: Normalization): Promise<Predictions> {
  const [cls, conf] = tf.tidy(() => {
    const { x } = makeBatch(ds, set, indices, norm);
    const probs = tf.softmax(model.forward(x, EVAL_CTX));
    return [tf.argMax(probs, 1), tf.max(probs, 1)];
  });
  const [c, p] = await Promise.all([cls.data(), conf.data()]);
  tf.dispose([cls, conf]);
  return { classes: Int32Array.from(c), confidence: Float32Array.from(p) };
}
