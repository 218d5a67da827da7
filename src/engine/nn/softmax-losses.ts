/**
 * The losses on a batch of logits: the cross-entropy against labels, the teacher KL of consistency regularization,
 * and the count of correct predictions. Where the backend registers the fused loss kernels (webgpu) each is one
 * launch forward and one backward; elsewhere the same formulas run as TF.js ops.
 */
import * as tf from '@tensorflow/tfjs';
import { COUNT_CORRECT, SOFT_XENT, SOFT_XENT_GRAD, type SoftXentAttrs } from '../kernels/contracts';
import { hasKernels, runFused } from '../kernels/run-fused';

/** Identity whose gradient is zero: TF.js has no stop-gradient op. */
const asTarget = tf.customGrad((x) => ({ value: tf.clone(x as tf.Tensor), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) }));

/** The fused loss with its fused gradient; `targets` get no gradient (labels, or a teacher's logits). */
function fusedSoftXent(logits: tf.Tensor2D, targets: tf.Tensor, attrs: SoftXentAttrs): tf.Scalar {
  const f = tf.customGrad((zIn, save) => {
    const z = zIn as tf.Tensor2D;
    (save as tf.GradSaveFunc)([z]);
    return {
      value: runFused(SOFT_XENT, { logits: z, targets }, attrs) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => runFused(SOFT_XENT_GRAD, { dy, logits: saved[0], targets }, attrs),
    };
  });
  return f(logits) as tf.Scalar;
}

/** Whether the active backend computes these losses in its fused kernels. */
export function hasFusedLosses(): boolean {
  return hasKernels(SOFT_XENT, SOFT_XENT_GRAD);
}

/** Mean cross-entropy of softmax(logits) against integer labels. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, numClasses: number): tf.Scalar {
  if (hasFusedLosses()) return fusedSoftXent(logits, labels, { temperature: 1, scale: 1, targets: 'labels' });
  return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, numClasses), logits) as tf.Scalar;
}

/**
 * weight·τ²·KL(p_T^τ ‖ p_S^τ) averaged over the batch, p^τ = softmax(logits/τ); the teacher's side is a target
 * (no gradient). The τ² keeps the gradient's size independent of τ.
 */
export function teacherKl(teacherLogits: tf.Tensor2D, studentLogits: tf.Tensor2D, temperature: number, weight = 1): tf.Scalar {
  if (hasFusedLosses()) {
    return fusedSoftXent(studentLogits, teacherLogits, { temperature, scale: weight * temperature * temperature, targets: 'logits' });
  }
  return tf.tidy(() => {
    const pT = tf.softmax(tf.div(asTarget(teacherLogits) as tf.Tensor2D, temperature));
    const logPS = tf.logSoftmax(tf.div(studentLogits, temperature));
    // KL = Σ p_T (log p_T − log p_S); p_T log p_T is 0 where p_T is 0.
    const logPT = tf.log(tf.maximum(pT, 1e-30));
    const kl = tf.sum(tf.mul(pT, tf.sub(logPT, logPS)), 1);
    const loss = tf.mul(tf.mean(kl), temperature * temperature);
    return (weight === 1 ? loss : tf.mul(loss, weight)) as tf.Scalar;
  });
}

/** How many rows' argmax equals the label, as a float32 scalar. */
export function countCorrect(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  if (hasKernels(COUNT_CORRECT)) return runFused(COUNT_CORRECT, { logits, labels }, {}) as tf.Scalar;
  return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32'));
}
