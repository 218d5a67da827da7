import * as tf from '@tensorflow/tfjs';
import { EMA_UPDATE } from '../kernels/contracts';
import { hasKernels, runFused } from '../kernels/run-fused';
import { buildModel, EVAL_CTX, TRAIN_CTX, type Model } from '../models';
import { FP32_QUANT } from '../quant/config';
import type { ForwardContext } from '../quant/quantizers';

import type { TeacherConfig } from '../vocabulary/train-config';

/**
 * decay: a in θ_T ← a·θ_T + (1−a)·θ_S. quantized: like the student (its step sizes averaged too), or full precision.
 * bnStats: 'copy' takes the student's running averages after every update and runs the teacher in eval mode; 'own'
 * runs it in training mode and keeps running averages of its own batches.
 */
export type { TeacherConfig } from '../vocabulary/train-config';

/**
 * Steps over which the EMA decay warms up: a_t = min(a, (1+t)/(WARMUP+t)). Mean Teacher's min(1 − 1/(t+1), a) makes
 * the teacher the uniform average of every iterate until t = 1/(1−a), lagging its student by about t/2 steps: the
 * whole of a run of hundreds of steps at a = 0.999. With this warm-up the teacher averages about the last
 * (WARMUP+t)/(WARMUP−1) iterates early on, so it lags by about t/18 steps until a takes over.
 */
export const EMA_WARMUP = 10;

/**
 * The mean teacher: an exponential moving average of the student, updated after every optimizer step, with a short
 * warm-up (EMA_WARMUP). Its variables are not trainable, so no gradient ever reaches them.
 */
/** a_t = min(a, (1+t)/(EMA_WARMUP+t)) for update number t (0-based). */
export function emaDecayAt(t: number, decay: number): number {
  return Math.min(decay, (1 + t) / (EMA_WARMUP + t));
}

export class EmaTeacher {
  readonly model: Model;
  private readonly pairs: { teacher: tf.Variable; student: tf.Variable }[] = [];
  private readonly bufferPairs: { teacher: tf.Variable; student: tf.Variable }[] = [];
  private updates = 0;
  private cfgValue: TeacherConfig;

  constructor(student: Model, cfg: TeacherConfig) {
    this.cfgValue = cfg;
    this.model = buildModel(cfg.quantized ? student.spec : { ...student.spec, quant: { ...FP32_QUANT, perChannel: student.spec.quant.perChannel } });
    const byName = new Map(student.params.map((p) => [p.name, p.variable]));
    for (const p of this.model.params) {
      p.variable.trainable = false;
      const s = byName.get(p.name);
      if (!s) throw new Error(`teacher parameter ${p.name} has no counterpart in the student`);
      this.pairs.push({ teacher: p.variable, student: s });
    }
    const buffers = new Map(student.buffers.map((b) => [b.name, b.variable]));
    for (const b of this.model.buffers) this.bufferPairs.push({ teacher: b.variable, student: buffers.get(b.name)! });
    this.model.markCalibrated();
    this.copyFromStudent();
  }

  get forwardContext(): ForwardContext {
    return this.cfg.bnStats === 'copy' ? EVAL_CTX : TRAIN_CTX;
  }

  /** Updates made so far: the warm-up's t, which a checkpoint keeps. */
  get updateCount(): number {
    return this.updates;
  }

  /** Continues the warm-up from a checkpoint (the teacher's weights are restored with the model's tensors). */
  setUpdateCount(n: number): void {
    this.updates = n;
  }

  /** EMA coefficient of update number t (0-based). */
  get cfg(): TeacherConfig {
    return this.cfgValue;
  }

  /** A new target decay from the next update on (a setting changed while the run trains). */
  setDecay(decay: number): void {
    this.cfgValue = { ...this.cfgValue, decay };
  }

  decayAt(t: number): number {
    return emaDecayAt(t, this.cfg.decay);
  }

  /** Makes the teacher equal to the student (after the student's calibration, before training). */
  copyFromStudent(): void {
    for (const { teacher, student } of [...this.pairs, ...this.bufferPairs]) teacher.assign(student);
  }

  /** One EMA update, to be called after each optimizer step of the student. */
  update(): void {
    const a = this.decayAt(this.updates++);
    // One launch per parameter where the backend has the fused update, three otherwise.
    const fused = hasKernels(EMA_UPDATE);
    tf.tidy(() => {
      for (const { teacher, student } of this.pairs) {
        teacher.assign(fused ? runFused(EMA_UPDATE, { teacher, student }, { decay: a }) : tf.add(tf.mul(teacher, a), tf.mul(student, 1 - a)));
      }
      if (this.cfg.bnStats === 'copy') for (const { teacher, student } of this.bufferPairs) teacher.assign(student);
    });
  }

  dispose(): void {
    this.model.dispose();
  }
}
