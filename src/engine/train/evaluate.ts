import * as tf from '@tensorflow/tfjs';
import { makeBatch, type Normalization } from '../data/batches';
import type { Dataset, ImageSet } from '../data/types';
import { EVAL_CTX, type Model } from '../models/types';
import { addPredictions, emptyConfusion, overallAccuracy, type ConfusionMatrix } from '../vocabulary/confusion';

export interface EvalResult {
  accuracy: number;
  loss: number;
  teacherAccuracy: number | null;
  agreement: number | null;
  /** counts[truth][predicted] of the student, and of the teacher where there is one. */
  confusion: ConfusionMatrix;
  teacherConfusion: ConfusionMatrix | null;
}

/** The predicted class of every evaluated image, in the order of the indices: for looking up a confusion cell. */
export interface EvalPredictions {
  indices: Int32Array;
  student: Int32Array;
  teacher: Int32Array | null;
}

/**
 * Student accuracy and mean cross-entropy over the given images in eval mode, in chunks to bound memory; with a
 * teacher, also its accuracy and the share of images where both predict the same class. The predicted classes come
 * back anyway (one int per image), so the confusion matrices cost no extra pass.
 */
export async function evaluateModel(
  model: Model,
  ds: Dataset,
  set: ImageSet,
  indices: Int32Array,
  norm: Normalization,
  teacher: Model | null = null,
  chunk = 500,
): Promise<EvalResult & { predictions: EvalPredictions }> {
  let lossSum = 0;
  const student = new Int32Array(indices.length);
  const tPreds = teacher ? new Int32Array(indices.length) : null;
  for (let start = 0; start < indices.length; start += chunk) {
    const idx = indices.subarray(start, Math.min(indices.length, start + chunk));
    const parts = tf.tidy(() => {
      const { x, y } = makeBatch(ds, set, idx, norm);
      const logits = model.forward(x, EVAL_CTX);
      const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(y, ds.numClasses), logits, undefined, undefined, tf.Reduction.SUM);
      const pred = tf.argMax(logits, 1);
      // Eval mode: a teacher with its own BatchNorm statistics uses them without updating them.
      return teacher ? [loss, pred, tf.argMax(teacher.forward(x, EVAL_CTX), 1)] : [loss, pred];
    });
    const values = await Promise.all(parts.map((t) => t.data()));
    tf.dispose(parts);
    lossSum += values[0][0];
    student.set(values[1], start);
    if (tPreds) tPreds.set(values[2], start);
  }
  const labels = Int32Array.from(indices, (i) => set.labels[i]);
  const confusion = addPredictions(emptyConfusion(ds.numClasses), labels, student);
  const teacherConfusion = tPreds ? addPredictions(emptyConfusion(ds.numClasses), labels, tPreds) : null;
  let agree = 0;
  if (tPreds) for (let i = 0; i < student.length; i++) if (tPreds[i] === student[i]) agree++;
  const n = Math.max(1, indices.length);
  return {
    loss: lossSum / n,
    accuracy: overallAccuracy(confusion),
    teacherAccuracy: teacherConfusion ? overallAccuracy(teacherConfusion) : null,
    agreement: tPreds ? agree / n : null,
    confusion,
    teacherConfusion,
    predictions: { indices, student, teacher: tPreds },
  };
}
