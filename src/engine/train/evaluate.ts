import * as tf from '@tensorflow/tfjs';
import { makeBatch, type Normalization } from '../data/batches';
import type { Dataset, ImageSet } from '../data/types';
import { EVAL_CTX, type Model } from '../models/types';

/** Accuracy and mean cross-entropy over the given images, in eval mode, in chunks to bound memory. */
export async function evaluateModel(
  model: Model,
  ds: Dataset,
  set: ImageSet,
  indices: Int32Array,
  norm: Normalization,
  chunk = 500,
): Promise<{ accuracy: number; loss: number }> {
  let correct = 0;
  let lossSum = 0;
  for (let start = 0; start < indices.length; start += chunk) {
    const idx = indices.subarray(start, Math.min(indices.length, start + chunk));
    const sums = tf.tidy(() => {
      const { x, y } = makeBatch(ds, set, idx, norm);
      const logits = model.forward(x, EVAL_CTX);
      const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(y, ds.numClasses), logits, undefined, undefined, tf.Reduction.SUM);
      const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32'));
      return tf.stack([loss, hits]);
    });
    const [l, c] = await sums.data();
    sums.dispose();
    lossSum += l;
    correct += c;
  }
  const n = Math.max(1, indices.length);
  return { accuracy: correct / n, loss: lossSum / n };
}
