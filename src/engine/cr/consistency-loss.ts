import * as tf from '@tensorflow/tfjs';
import { teacherKl } from '../nn/softmax-losses';
import type { ConsistencyKind } from '../vocabulary/cr-names';

export type { ConsistencyKind } from '../vocabulary/cr-names';

/** Identity whose gradient is zero: TF.js has no stop-gradient op. */
const asTarget = tf.customGrad((x) => ({ value: tf.clone(x as tf.Tensor), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) }));

/**
 * Consistency between a teacher's and a student's predictions, averaged over the batch. The teacher's
 * probabilities are targets: computed from `teacherLogits` with no gradient.
 * - kl: τ²·KL(p_T^τ ‖ p_S^τ), p^τ = softmax(logits/τ) (the τ² keeps gradient size independent of τ).
 * - mse: Σ_k (p_T − p_S)², probabilities at temperature τ.
 */
export function consistencyLoss(teacherLogits: tf.Tensor2D, studentLogits: tf.Tensor2D, kind: ConsistencyKind, temperature = 1): tf.Scalar {
  if (kind === 'kl') return teacherKl(teacherLogits, studentLogits, temperature);
  return tf.tidy(() => {
    const pT = tf.softmax(tf.div(asTarget(teacherLogits) as tf.Tensor2D, temperature));
    return tf.mean(tf.sum(tf.square(tf.sub(pT, tf.softmax(tf.div(studentLogits, temperature)))), 1));
  });
}
