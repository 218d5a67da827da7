import * as tf from '@tensorflow/tfjs';
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
  return tf.tidy(() => {
    const pT = tf.softmax(tf.div(asTarget(teacherLogits) as tf.Tensor2D, temperature));
    const zS = tf.div(studentLogits, temperature);
    if (kind === 'mse') return tf.mean(tf.sum(tf.square(tf.sub(pT, tf.softmax(zS))), 1));
    const logPS = tf.logSoftmax(zS);
    // KL = Σ p_T (log p_T − log p_S); p_T log p_T is 0 where p_T is 0.
    const logPT = tf.log(tf.maximum(pT, 1e-30));
    const kl = tf.sum(tf.mul(pT, tf.sub(logPT, logPS)), 1);
    return tf.mul(tf.mean(kl), temperature * temperature);
  });
}
