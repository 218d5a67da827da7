import * as tf from '@tensorflow/tfjs';
import { consistencyLoss, type ConsistencyKind } from '../cr/consistency-loss';
import { countCorrect, crossEntropy, hasFusedLosses, teacherKl } from '../nn/softmax-losses';
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
  opts: { shareQuantizedWeights?: boolean } = {},
): tf.Tensor1D {
  const kept: { parts?: tf.Tensor; cons?: tf.Tensor; hits?: tf.Tensor } = {};
  // On webgpu (launch-bound) both student passes of an LSQ+CR step share their quantized weights. The CPU backends
  // quantize per pass as before, which keeps their numbers bit for bit what they were.
  const share = opts.shareQuantizedWeights ?? tf.getBackend() === 'webgpu';
  const shared = term?.unlabeled && share ? new Map<tf.Variable, tf.Tensor>() : undefined;
  const labeledCtx = shared ? { ...TRAIN_CTX, quantizedWeights: shared } : TRAIN_CTX;
  const unlabeledCtx = shared ? { ...TRAIN_NO_STATS_CTX, quantizedWeights: shared } : TRAIN_NO_STATS_CTX;
  const { value, grads } = tf.variableGrads(() => {
    const logits = model.forward(x, labeledCtx);
    const ce = crossEntropy(logits, y, numClasses);
    let cons: tf.Scalar = tf.scalar(0);
    let loss: tf.Scalar = ce;
    if (term) {
      const n = x.shape[0];
      const m = term.unlabeled ? term.unlabeled.x.shape[0] : 0;
      const zU = term.unlabeled ? model.forward(term.unlabeled.x, unlabeledCtx) : null;
      if (term.kind === 'kl' && hasFusedLosses()) {
        // The fused KL takes its weight λ·n/(n + m) as the kernel's scale: no launches for the weighting and none
        // in its gradient. The unweighted term is read back beside it.
        const total = n + m;
        let weighted = teacherKl(term.labeledTargets, logits, term.temperature, (term.lambda * n) / total);
        if (term.unlabeled && zU) weighted = tf.add(weighted, teacherKl(term.unlabeled.targets, zU, term.temperature, (term.lambda * m) / total));
        cons = tf.div(weighted, term.lambda);
        loss = tf.add(ce, weighted);
      } else {
        let sum: tf.Tensor = tf.mul(consistencyLoss(term.labeledTargets, logits, term.kind, term.temperature), n);
        if (term.unlabeled && zU) sum = tf.add(sum, tf.mul(consistencyLoss(term.unlabeled.targets, zU, term.kind, term.temperature), m));
        cons = tf.div(sum, n + m) as tf.Scalar;
        loss = tf.add(ce, tf.mul(cons, term.lambda));
      }
    }
    kept.parts = tf.keep(ce);
    kept.cons = tf.keep(cons);
    kept.hits = tf.keep(countCorrect(logits, y));
    return loss;
  }, model.params.map((p) => p.variable));
  optimizer.apply(grads, lr);
  const parts = [kept.parts!, kept.cons!, kept.hits!];
  // One launch gathers the four scalars for one read-back.
  const all = tf.stack([value, ...parts]) as tf.Tensor1D;
  tf.dispose([value, ...parts, ...Object.values(grads)]);
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
export function trainingStep(...args: Parameters<typeof queueTrainingStep>): Promise<StepResult> {
  return readStepScalars(queueTrainingStep(...args));
}
