import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng';

/** What a trainable tensor is: decides weight decay and how charts group it. */
export type ParamKind = 'weight' | 'bias' | 'bn-gamma' | 'bn-beta' | 'step';

export interface Param {
  /** Stable, human-readable path such as "conv2/w" or "conv2/w.step". */
  name: string;
  kind: ParamKind;
  variable: tf.Variable;
  /** For a step size: the lattice it sets (bits and sign), so views can draw the quantization levels. */
  quant?: { bits: number; signed: boolean };
}

/**
 * Owns a model's variables: trainable parameters plus non-trainable buffers (BatchNorm running statistics).
 * Variable names are left to TF.js (they must be unique per process, and a teacher copies a student).
 */
export class ParamStore {
  readonly params: Param[] = [];
  readonly buffers: { name: string; variable: tf.Variable }[] = [];
  /** Called when a model's data-dependent initialisation is to be skipped (its values are copied in). */
  readonly calibrationHooks: (() => void)[] = [];

  constructor(readonly rng: Rng) {}

  add(name: string, kind: ParamKind, init: tf.Tensor, quant?: Param['quant']): tf.Variable {
    const variable = tf.variable(init, true);
    init.dispose();
    this.params.push(quant ? { name, kind, variable, quant } : { name, kind, variable });
    return variable;
  }

  addBuffer(name: string, init: tf.Tensor): tf.Variable {
    const variable = tf.variable(init, false);
    init.dispose();
    this.buffers.push({ name, variable });
    return variable;
  }

  /** He-normal weights (std sqrt(2/fanIn)), drawn from the seeded generator so every backend starts alike. */
  heNormal(shape: number[], fanIn: number): tf.Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    const std = Math.sqrt(2 / fanIn);
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = this.rng.normal() * std;
    return tf.tensor(values, shape);
  }

  dispose(): void {
    for (const p of this.params) p.variable.dispose();
    for (const b of this.buffers) b.variable.dispose();
    this.params.length = 0;
    this.buffers.length = 0;
  }
}
