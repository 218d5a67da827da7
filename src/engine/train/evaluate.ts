import * as tf from '@tensorflow/tfjs';
import { makeBatch, type Normalization } from '../data/batches';
import type { Dataset, ImageSet } from '../data/types';
import { EVAL_CTX, type Model } from '../models/types';

export interface EvalResult {
  accuracy: number;
  loss: number;
  teacherAccuracy: number | null;
  agreement: number | null;
}

/**
 * Student accuracy and mean cross-entropy over the given images in eval mode, in chunks to bound memory; with a
 * teacher, also its accuracy and the share of images where both predict the same class.
 */
export async function evaluateModel(
  model: Model,
  ds: Dataset,
  set: ImageSet,
  indices: Int32Array,
  norm: Normalization,
  teacher: Model | null = null,
  chunk = 500,
): Promise<EvalResult> {
  const sums = new Float64Array(4);
  for (let start = 0; start < indices.length; start += chunk) {
    const idx = indices.subarray(start, Math.min(indices.length, start + chunk));
    const part = tf.tidy(() => {
      const { x, y } = makeBatch(ds, set, idx, norm);
      const logits = model.forward(x, EVAL_CTX);
      const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(y, ds.numClasses), logits, undefined, undefined, tf.Reduction.SUM);
      const pred = tf.argMax(logits, 1);
      const hits = tf.sum(tf.cast(tf.equal(pred, y), 'float32'));
      if (!teacher) return tf.stack([loss, hits, tf.scalar(0), tf.scalar(0)]);
      // Eval mode: a teacher with its own BatchNorm statistics uses them without updating them.
      const tPred = tf.argMax(teacher.forward(x, EVAL_CTX), 1);
      return tf.stack([loss, hits, tf.sum(tf.cast(tf.equal(tPred, y), 'float32')), tf.sum(tf.cast(tf.equal(tPred, pred), 'float32'))]);
    });
    const v = await part.data();
    part.dispose();
    for (let i = 0; i < 4; i++) sums[i] += v[i];
  }
  const n = Math.max(1, indices.length);
  return {
    loss: sums[0] / n,
    accuracy: sums[1] / n,
    teacherAccuracy: teacher ? sums[2] / n : null,
    agreement: teacher ? sums[3] / n : null,
  };
}
