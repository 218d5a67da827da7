import * as tf from '@tensorflow/tfjs';
import { consistencyLoss, type ConsistencyKind } from '../cr/consistency-loss';
import { CALIBRATE_CTX, TRAIN_CTX, TRAIN_NO_STATS_CTX, type Model } from '../models/types';
import type { Optimizer } from './optimizers';

/** LSQ initialises activation steps from one batch, layer by layer, before any update. */
export function calibrate(model: Model, x: tf.Tensor4D): void {
  tf.tidy(() => {
    model.forward(x, CALIBRATE_CTX);
  });
}

/** The consistency term of a step: targets from a teacher, weighted by λ. */
export interface ConsistencyTerm {
  /** Teacher logits for the labeled batch. */
  labeledTargets: tf.Tensor2D;
  /** Student input and teacher logits for the unlabeled batch, if any. */
  unlabeled: { x: tf.Tensor4D; targets: tf.Tensor2D } | null;
  lambda: number;
  temperature: number;
  kind: ConsistencyKind;
}

export interface StepResult {
  loss: number;
  ce: number;
  consistency: number;
  correct: number;
}

/**
 * One step: cross-entropy on the labeled batch, plus λ·consistency over labeled and unlabeled images when a term
 * is given; gradients of every trainable parameter; one optimizer update. Everything is queued on the backend and
 * nothing is read back: the step's scalars come back as one tensor [loss, ce, consistency, correct], which the
 * caller reads (`readStepScalars`) when it chooses, e.g. while the next step runs.
 */
export function queueTrainingStep(
  model: Model,
  optimizer: Optimizer,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  numClasses: number,
  lr: number,
  term: ConsistencyTerm | null = null,
): tf.Tensor1D {
  const kept: { parts?: tf.Tensor } = {};
  const { value, grads } = tf.variableGrads(() => {
    const logits = model.forward(x, TRAIN_CTX);
    const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(y, numClasses), logits) as tf.Scalar;
    let cons: tf.Scalar = tf.scalar(0);
    if (term) {
      const n = x.shape[0];
      const sumL = tf.mul(consistencyLoss(term.labeledTargets, logits, term.kind, term.temperature), n);
      let total = n;
      let sum: tf.Tensor = sumL;
      if (term.unlabeled) {
        const m = term.unlabeled.x.shape[0];
        const zU = model.forward(term.unlabeled.x, TRAIN_NO_STATS_CTX);
        sum = tf.add(sum, tf.mul(consistencyLoss(term.unlabeled.targets, zU, term.kind, term.temperature), m));
        total += m;
      }
      cons = tf.div(sum, total) as tf.Scalar;
    }
    const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32'));
    kept.parts = tf.keep(tf.stack([ce, cons, hits]));
    return term ? tf.add(ce, tf.mul(cons, term.lambda)) : ce;
  }, model.params.map((p) => p.variable));
  optimizer.apply(grads, lr);
  const parts = kept.parts as tf.Tensor;
  const all = tf.tidy(() => tf.concat([tf.reshape(value, [1]), parts])) as tf.Tensor1D;
  tf.dispose([value, parts, ...Object.values(grads)]);
  return all;
}

/** Reads a queued step's scalars back and releases them. */
export async function readStepScalars(scalars: tf.Tensor1D): Promise<StepResult> {
  try {
    const [loss, ce, consistency, correct] = await scalars.data();
    return { loss, ce, consistency, correct };
  } finally {
    scalars.dispose();
  }
}

/** One step, read back before it returns. */
export async function trainingStep(
  model: Model,
  optimizer: Optimizer,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  numClasses: number,
  lr: number,
  term: ConsistencyTerm | null = null,
): Promise<StepResult> {
  return readStepScalars(queueTrainingStep(model, optimizer, x, y, numClasses, lr, term));
}
